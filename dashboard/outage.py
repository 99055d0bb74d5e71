"""While the database does not answer, every route answers in words: never a traceback, a 500 or
a Dash error. The pages themselves show the banner and the last good figures (callbacks.shell,
dashboard.cache); this covers everything else."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response, jsonify, request

from dashboard.cache import DatabaseDown, ViewCache
from data_access.db import UNREACHABLE_ERRORS
from layouts import outage as outage_layout

log = logging.getLogger(__name__)
NOT_ANSWERING = (DatabaseDown, *UNREACHABLE_ERRORS)


def install(server: Flask, views: ViewCache) -> None:
    """Routes outside Dash's callbacks (sign-in, the layout's guard, exports): 503 with the
    plain page, or a JSON message for the APIs and Dash's own endpoints."""

    def not_answering(error: Exception) -> Response:
        outage = error if isinstance(error, DatabaseDown) else views.not_answering()
        log.warning("%s %s: the database is not answering (%s)", request.method, request.path,
                    error.__class__.__name__)
        if request.path.startswith(("/api/", "/_dash")):
            response = jsonify({"error": outage_layout.message(outage.since)})
        else:
            response = Response(outage_layout.page(outage.since), mimetype="text/html")
        response.status_code = 503
        response.headers["Retry-After"] = str(outage_layout.RETRY_SECONDS)
        return response

    for error_class in NOT_ANSWERING:
        server.register_error_handler(error_class, not_answering)


def callback_error_handler(views: ViewCache) -> Callable[[Exception], None]:
    """Dash's ``on_error``: a callback that could not read the database changes nothing (the
    route's banner says why, from the next tick at the latest); any other error is raised."""

    def on_error(error: Exception) -> None:
        if not isinstance(error, NOT_ANSWERING):
            raise error
        if not isinstance(error, DatabaseDown):
            views.not_answering()
        log.warning("a callback could not read the database (%s)", error.__class__.__name__)

    return on_error
