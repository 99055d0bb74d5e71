"""Run the dashboard: ``python app.py`` (http://127.0.0.1:8050). ``server`` is for gunicorn."""

from __future__ import annotations

import logging
import sys

from werkzeug.serving import WSGIRequestHandler

from dashboard.app_factory import create_app, settle_for_serving
from dashboard.bootstrap import FIRST_RUN_STAGES, prepare_database
from dashboard.config import settings_from_env
from dashboard.progress import Progress, progress_page, ticking
from data_access.db import make_engine

settings = settings_from_env()
engine = make_engine(settings.database_url)
app = create_app(settings, engine)
server = app.server


class NoVersionsRequestHandler(WSGIRequestHandler):
    """Werkzeug's Server header names its own and Python's versions (a gift to an attacker
    matching known flaws); this one names neither."""

    def version_string(self) -> str:
        return "dashboard"


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # While a first run builds the demo, the terminal and the app's address show its progress.
    progress = Progress(FIRST_RUN_STAGES, out=sys.stdout)
    with progress_page(progress, settings.host, settings.port), ticking(progress):
        prepare_database(engine, settings.database_url, settings.clock,
                         demo_if_empty=settings.demo_if_empty, progress=progress)
    print(f"Serving on http://{settings.host}:{settings.port}", flush=True)
    settle_for_serving()
    app.run(host=settings.host, port=settings.port, debug=False,
            request_handler=NoVersionsRequestHandler)
