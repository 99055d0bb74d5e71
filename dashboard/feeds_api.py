"""The push API: source systems send data contract records over HTTP.

``POST /api/v1/feeds/<kind>`` takes a JSON list of records or a CSV body, authenticated by the
source's bearer token, and loads it through the same ``load_batch`` as the ``load`` command: atomic
per request, idempotent, out-of-order updates settled by ``updated_at``, every rejected record
named with its index (or CSV line) and reason. A token writes only what its source is granted and
owns (data_access/ownership.py): anything else refuses the whole delivery (403). The answer names
every record: new, changed, unchanged, ignored as stale, rejected or refused. Every answer is JSON;
no error shows a stack trace. The OpenAPI description is ``docs/openapi.json`` (made by
``dashboard.openapi``).
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from dashboard.config import Settings
from dashboard.context import AppContext
from dashboard.openapi import openapi_document
from data_access.contract import SPECS_BY_KIND, FileSpec
from data_access.feeds import authenticate, reference_lists
from data_access.loader import LoadReport, csv_rows, load_batch, read_records
from data_access.ownership import writable_places

log = logging.getLogger(__name__)
ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE"]


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def feeds_blueprint(context: AppContext, settings: Settings,
                    on_delivery: Callable[[], None]) -> Blueprint:
    """The API's routes; ``on_delivery`` runs after every accepted delivery."""
    api = Blueprint("feeds_api", __name__, url_prefix="/api/v1")

    @api.post("/feeds/<kind>")
    def deliver(kind: str) -> tuple[Response, int]:
        source = authenticated_source(context)
        spec = SPECS_BY_KIND.get(kind)
        if spec is None:
            raise ApiError(404, f"unknown kind {kind[:40]!r}; kinds are "
                                f"{', '.join(SPECS_BY_KIND)}")
        rows, unit = _read_body(spec, settings)
        report = load_batch(context.engine, {spec.name: rows}, source=source,
                            clock=context.clock, channel="feed", unit=unit)
        if report.loaded:
            on_delivery()
        status = 200 if report.loaded else 403 if report.refusals else 422
        return jsonify(_answer(kind, report, unit)), status

    @api.get("/openapi.json")
    def description() -> tuple[Response, int]:
        return jsonify(openapi_document()), 200

    @api.get("/reference")
    def reference() -> tuple[Response, int]:
        source = authenticated_source(context)
        return jsonify({**reference_lists(context.engine),
                        "source": writable_places(context.engine, source)}), 200

    @api.route("/", defaults={"anything": ""}, methods=ANY_METHOD)
    @api.route("/<path:anything>", methods=ANY_METHOD)
    def no_such_address(anything: str) -> tuple[Response, int]:
        """Any other address under the API answers in JSON too (not the app's HTML 405)."""
        raise ApiError(404, f"no such address in the feed API ({anything[:40]!r}); send "
                            "POST /api/v1/feeds/<kind>, see /api/v1/openapi.json")

    @api.errorhandler(ApiError)
    def api_error(error: ApiError) -> tuple[Response, int]:
        response = jsonify({"error": error.message})
        if error.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="feeds"'
        return response, error.status

    @api.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response, int]:
        # The limit of the route asked (an action's body is smaller than a delivery's).
        limit = request.max_content_length
        messages = {413: too_large(limit - 1 if limit else settings.feed_max_bytes)}
        status = error.code or 500
        return jsonify({"error": messages.get(status, error.description)}), status

    @api.app_errorhandler(HTTPException)
    def unrouted(error: HTTPException) -> Any:
        """An address no route matches never reaches the API's handlers: under the API, answer
        in JSON too; elsewhere, as the app would."""
        return http_error(error) if request.path.startswith(f"{api.url_prefix}/") else error

    @api.errorhandler(SQLAlchemyError)
    def database_error(error: SQLAlchemyError) -> tuple[Response, int]:
        log.exception("database error in the feed API")
        return jsonify({"error": "the database is not available; nothing was loaded, "
                                 "send the records again later"}), 503

    @api.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[Response, int]:
        log.exception("unexpected error in the feed API")
        return jsonify({"error": "an unexpected error; nothing was loaded"}), 500

    return api


def authenticated_source(context: AppContext) -> str:
    """The source whose bearer token the request carries (401 without a live one)."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "send the source's API token as 'Authorization: Bearer <token>'")
    source = authenticate(context.engine, token.strip(), context.clock.now())
    if source is None:
        raise ApiError(401, "the token is not valid (wrong, or revoked)")
    return source


def _read_body(spec: FileSpec, settings: Settings) -> tuple[list[Any], str]:
    """The body as numbered raw rows, and what the numbers count ("record" or "line")."""
    media_type = (request.mimetype or "").lower()
    if media_type not in ("application/json", "text/csv"):
        raise ApiError(415, "send application/json (a list of records) or text/csv")
    text = _body_text(settings.feed_max_bytes)
    if media_type == "application/json":
        records = _parsed_json(text)
        if not isinstance(records, list):
            raise ApiError(400, "the body must be a JSON list of records")
        _check_count(len(records), settings)
        return read_records(spec, records), "record"
    try:
        rows = csv_rows(io.StringIO(text, newline=""))
    except csv.Error as error:
        raise ApiError(400, f"the body is not valid CSV: {error}") from None
    _check_count(len(rows) - 1, settings)  # the header is not a record
    return rows, "line"


def json_body(max_bytes: int) -> Any:
    """The body as JSON (415 for another content type, 413 over ``max_bytes``, 400 unless it is
    UTF-8 JSON)."""
    if (request.mimetype or "").lower() != "application/json":
        raise ApiError(415, "send application/json")
    return _parsed_json(_body_text(max_bytes))


def _body_text(max_bytes: int) -> str:
    # A Content-Length over the limit is refused before reading (413). A chunked body has none:
    # it is read up to one byte past the limit, and that byte tells a body over the limit from
    # one exactly at it (read only up to the limit, it would be cut there and loaded).
    request.max_content_length = max_bytes + 1
    body = request.get_data(cache=False)
    if len(body) > max_bytes:
        raise ApiError(413, too_large(max_bytes))
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiError(400, "the body is not UTF-8 text") from None


def _parsed_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ApiError(400, f"the body is not valid JSON ({error.msg} at line "
                            f"{error.lineno}, column {error.colno})") from None
    except (ValueError, RecursionError):  # a number of over 4,300 digits, nesting too deep
        raise ApiError(400, "the body is not valid JSON for this API (a number too long, "
                            "or lists and objects nested too deep)") from None


def too_large(max_bytes: int) -> str:
    return f"the body is larger than {max_bytes:,} bytes"


def _check_count(count: int, settings: Settings) -> None:
    if count == 0:
        raise ApiError(400, "the body holds no records")
    if count > settings.feed_max_records:
        raise ApiError(413, f"{count:,} records is more than {settings.feed_max_records:,} "
                            "in one request; send them in smaller batches")


def _answer(kind: str, report: LoadReport, unit: str) -> dict[str, Any]:
    """What became of every record, named by its position (``index`` in a JSON list, CSV
    ``line``): applied (new or changed), unchanged, stale, rejected or refused."""
    (result,) = report.files
    position = "index" if unit == "record" else "line"
    positions = result.positions or {}
    answer: dict[str, Any] = {
        "kind": kind, "delivery_id": report.batch_id, "loaded": report.loaded,
        "received": result.rows_read, "position": position,
        **{outcome: positions.get(outcome, []) for outcome in ("new", "changed", "unchanged")},
        **{name: [{position: r.line, "reason": r.reason} for r in found] for name, found in
           (("stale", result.stale), ("rejected", result.rejections),
            ("refused", result.refusals))},
    }
    if result.refusals:
        answer["error"] = (f"{len(result.refusals)} record(s) are outside what source "
                           f"{report.source!r} may write: nothing was written")
    return answer
