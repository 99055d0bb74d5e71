"""Run the dashboard: ``python app.py`` (http://127.0.0.1:8050). ``server`` is for gunicorn."""

from __future__ import annotations

import logging

from dashboard.app_factory import create_app
from dashboard.bootstrap import prepare_database
from dashboard.config import settings_from_env
from data_access.db import make_engine

settings = settings_from_env()
engine = make_engine(settings.database_url)
app = create_app(settings, engine)
server = app.server

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    prepare_database(engine, settings.database_url, settings.clock,
                     demo_if_empty=settings.demo_if_empty)
    print(f"Serving on http://{settings.host}:{settings.port}", flush=True)
    app.run(host=settings.host, port=settings.port, debug=False)
