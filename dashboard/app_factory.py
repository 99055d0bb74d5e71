"""The app factory: one Dash app per call, wired to an engine and a clock it is given."""

from __future__ import annotations

import gc
from dataclasses import dataclass

import orjson
from dash import Dash
from sqlalchemy import Engine

from callbacks import register_all
from callbacks.warm import LEVELS as WARM_LEVELS
from callbacks.warm import Warmer
from dashboard import auth, dash_guard, outage, sign_in
from dashboard.actions_api import add_action_routes
from dashboard.cache import VERSION_SECONDS, DatabaseDown, ViewCache
from dashboard.config import PROJECT_ROOT, Settings, settings_from_env
from dashboard.context import AppContext
from dashboard.feeds_api import feeds_blueprint
from dashboard.last_seen import LastSeenSessions
from dashboard.pages import allowed_nav_pages
from dashboard.results import UserScope
from data_access.access import visible_area_codes
from data_access.areas import picker_areas
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
        <div>
            {%config%}
            {%scripts%}
            {%renderer%}
        </div>
    </body>
</html>"""


def settle_for_serving() -> None:
    """Once the app is built and before it serves: move every object made so far (modules,
    the app, its layouts) out of the garbage collector's view. A full collection otherwise
    walks all of them, which took 130 ms of one request in seven; afterwards it walks only what
    requests made. (Under gunicorn, before the fork: the workers then share those pages.)"""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> Dash:
    settings = settings or settings_from_env()
    engine = engine or make_engine(settings.database_url)
    # The version is never taken as known for longer than a page waits between its checks.
    views = ViewCache(engine, settings.clock, settings.cache_type, settings.cache_dir,
                      version_seconds=min(VERSION_SECONDS, settings.refresh_seconds),
                      redis_url=settings.redis_url, entries=settings.cache_entries)
    context = AppContext(engine=engine, clock=settings.clock, views=views,
                         refresh_seconds=settings.refresh_seconds,
                         session_limits=settings.session_limits)
    app = Dash(
        __name__,
        title="Intermediate care dashboard",
        assets_folder=str(PROJECT_ROOT / "assets"),
        external_stylesheets=[],  # Bootstrap is served from assets/: no CDN
        suppress_callback_exceptions=True,
        update_title=None,
        health_endpoint=auth.HEALTH_PATH.lstrip("/"),  # "OK", open: load balancers ask it
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
        on_error=outage.callback_error_handler(views),
    )
    app.index_string = INDEX_STRING
    views.init_app(app.server)
    app.server.extensions["dashboard_context"] = context  # for commands and tests
    api = feeds_blueprint(context, settings, views.data_changed)
    add_action_routes(api, context, views.data_changed)  # actions on people, for sources
    app.server.register_blueprint(api)
    outage.install(app.server, views)

    def serve_layout() -> object:
        """The frame for the signed-in user: their pages, their areas (runs per request)."""
        scope = auth.scope_or_none()
        if scope is None:  # Dash checks the layout once before any request reaches the guard
            return shell.build([], [], None, refresh_seconds=context.refresh_seconds,
                               data_version="", user=None, csrf_token="")
        try:
            choices, complete = context.views.view(("area-choices", scope.cache_key),
                                                   lambda: _area_choices(context, scope),
                                                   with_time_step=False, shared=True,
                                                   as_is=True), True
        except DatabaseDown as down:  # the route's banner says so; the last good list, if kept
            choices, complete = (down.kept.value, True) if down.kept else (NO_CHOICES, False)
        return shell.build(allowed_nav_pages(scope.may), orjson.Fragment(choices.encoded),
                           choices.first,
                           refresh_seconds=context.refresh_seconds,
                           data_version=context.views.version(), user=scope,
                           csrf_token=auth.csrf_token(), complete=complete)

    app.layout = serve_layout
    register_all(app, context)
    # After the callbacks: the policy lists the hash of every inline script Dash will serve.
    last_seen = LastSeenSessions(context.session_limits)  # this process's, for outages
    auth.install(app.server, context, settings, list(app.csp_hashes()), last_seen)
    sign_in.install(app.server, context, last_seen)
    dash_guard.install(app, context)  # after the sign-in guard: it needs the user's scope
    if settings.warm_views != "off" and settings.cache_type != "null":  # nothing to keep it in
        Warmer(context, WARM_LEVELS[settings.warm_views]).install(app.server)
    return app


@dataclass(frozen=True)
class AreaChoices:
    """The area picker's options as the JSON sent, and the first one's code. Kept encoded: at
    national scale (1,600 areas) reading the options from the cache and encoding them again
    took 30 of the 43 ms of every layout, and 50 people open the app at once at the huddle."""

    encoded: bytes
    first: str | None


NO_CHOICES = AreaChoices(b"[]", None)


def _area_choices(context: AppContext, scope: UserScope) -> AreaChoices:
    options = _picker_options(context, scope)
    return AreaChoices(orjson.dumps(options), options[0]["value"] if options else None)


def _picker_options(context: AppContext, scope: UserScope) -> list[dict[str, str]]:
    """The area picker's options: the areas this user may see."""
    areas = picker_areas(context.engine)
    visible = visible_area_codes(context.engine, scope)
    if visible is not None:
        areas = areas[areas.code.isin(visible)]
    return shell.area_options(areas.to_dict("records"))
