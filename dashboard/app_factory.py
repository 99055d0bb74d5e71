"""The app factory: one Dash app per call, wired to an engine and a clock it is given."""

from __future__ import annotations

from dash import Dash
from sqlalchemy import Engine

from callbacks import register_all
from dashboard.cache import ViewCache
from dashboard.config import PROJECT_ROOT, Settings, settings_from_env
from dashboard.context import AppContext
from dashboard.feeds_api import feeds_blueprint
from dashboard.pages import NAV_PAGES
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
    engine = engine or make_engine(settings.database_url)
    views = ViewCache(engine, settings.clock, settings.cache_type, settings.cache_dir)
    context = AppContext(engine=engine, clock=settings.clock, views=views,
                         refresh_seconds=settings.refresh_seconds)
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
    views.init_app(app.server)
    app.server.register_blueprint(feeds_blueprint(context, settings, views.data_changed))

    def serve_layout() -> object:
        areas = picker_areas(context.engine)
        return shell.build(NAV_PAGES, shell.area_options(areas.to_dict("records")),
                           default_area_code(context.engine),
                           refresh_seconds=context.refresh_seconds,
                           data_version=context.views.version())

    app.layout = serve_layout
    register_all(app, context)
    return app
