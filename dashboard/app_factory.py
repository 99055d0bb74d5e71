"""The app factory: one Dash app per call, wired to an engine and a clock it is given."""

from __future__ import annotations

from dash import Dash
from sqlalchemy import Engine

from callbacks import register_all
from dashboard.config import PROJECT_ROOT, Settings, settings_from_env
from dashboard.context import AppContext
from dashboard.pages import PAGES
from data_access.areas import default_area_code, picker_areas
from data_access.db import make_engine
from layouts import shell

INDEX_STRING = """<!DOCTYPE html>
<html lang="en-GB">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> Dash:
    settings = settings or settings_from_env()
    context = AppContext(engine=engine or make_engine(settings.database_url),
                         clock=settings.clock)
    app = Dash(
        __name__,
        title="Intermediate care dashboard",
        assets_folder=str(PROJECT_ROOT / "assets"),
        external_stylesheets=[],  # Bootstrap is served from assets/: no CDN
        suppress_callback_exceptions=True,
        update_title=None,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.index_string = INDEX_STRING

    def serve_layout() -> object:
        areas = picker_areas(context.engine)
        return shell.build(PAGES, shell.area_options(areas.to_dict("records")),
                           default_area_code(context.engine))

    app.layout = serve_layout
    register_all(app, context)
    return app
