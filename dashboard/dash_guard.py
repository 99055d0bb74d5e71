"""Guards for Dash's own endpoints: the callback endpoint and the component bundles.

Every call to the callback endpoint is checked against the callback it names before Dash runs it.

Anyone signed in can POST anything to ``/_dash-update-component``. Dash itself trusts the body:
an unknown output, a missing input or a list where an object belongs raised a 500. So, before
Dash dispatches a call, this guard

- answers 400 (JSON, no trace) for a body that is not the call of a server-side callback
  exactly as declared (its inputs and state, in order, with the ids and properties declared);
- answers 404 for an output no server-side callback has;
- answers 403, and records the refusal, when the user's role lacks the permission the callback
  declares with ``@requires``. A callback that declares nothing is refused to everyone: a
  callback added without thinking about access fails closed (and the walk in
  tests/test_callback_access.py fails).

A request for a component bundle that Dash does not serve (an unknown package or file, or a path
that climbs out with ``..``) answers 404, not Dash's 500, and no page is served under that prefix.

Area scope is checked inside the callbacks that read an area (``callbacks.common.resolve_area``),
because the page explains a refusal in words; ``requires(..., scoped=True)`` says a callback
does, and the walk test checks it refuses areas outside the user's scope.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from dash import Dash
from dash.exceptions import DependencyException
from flask import Flask, Response, g, jsonify, request

from dashboard import background
from dashboard.auth import CALLBACK_PATH, client_address
from dashboard.context import AppContext
from data_access import audit
from data_access.access import AccessDenied, require

F = TypeVar("F", bound=Callable[..., Any])
BUNDLES_PREFIX = "/_dash-component-suites/"
# A callback's body is its inputs' values: a few kB here. Far larger is not a browser's.
MAX_CALLBACK_BYTES = 1_000_000
_ACCESS_ATTRIBUTE = "callback_access"


@dataclass(frozen=True)
class CallbackAccess:
    """Who may call a callback: a permission of ``dashboard.results.PERMISSIONS`` (None: anyone
    signed in), and whether it reads figures for the area in the address (and so must refuse an
    area outside the user's scope)."""

    permission: str | None
    scoped: bool


def requires(permission: str | None, *, scoped: bool) -> Callable[[F], F]:
    """Declare a callback's access; put it under ``@app.callback`` (Dash keeps the mark)."""
    def mark(function: F) -> F:
        setattr(function, _ACCESS_ATTRIBUTE, CallbackAccess(permission, scoped))
        return function

    return mark


def server_callbacks(app: Dash) -> dict[str, dict[str, Any]]:
    """Every callback that runs on the server, by the output key a call names."""
    found = {key: spec for key, spec in app.callback_map.items() if "callback" in spec}
    _mark_cancels(found)
    return found


def _mark_cancels(callbacks: dict[str, dict[str, Any]]) -> None:
    """Dash adds a callback of its own for each background callback's Cancel button (when the
    server starts): it takes the access of the background callback it cancels (and cancels only
    the caller's own jobs: ``dashboard.background.check_jobs``)."""
    for spec in callbacks.values():
        function = spec["callback"]
        if getattr(function, "__name__", "") != "cancel_call" or \
                getattr(function, "__module__", "") != "dash.dash" or declared_access(spec):
            continue
        cancelled = [declared_access(other) for other in callbacks.values()
                     if (other.get("background") or {}).get("cancel")
                     and any(item.get("id") == spec["inputs"][0]["id"]
                             and item.get("property") == spec["inputs"][0]["property"]
                             for item in other["background"]["cancel"])]
        if cancelled and all(cancelled) and len(set(cancelled)) == 1:
            setattr(function, _ACCESS_ATTRIBUTE, cancelled[0])


def declared_access(spec: dict[str, Any]) -> CallbackAccess | None:
    return getattr(spec["callback"], _ACCESS_ATTRIBUTE, None)


class BadCall(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def install(app: Dash, context: AppContext) -> None:
    """Check every call to the callback endpoint (install after the sign-in guard), and answer
    404 for component bundles Dash does not have."""
    server: Flask = app.server

    @server.before_request
    def only_bundles_under_their_prefix() -> Response | None:
        """Dash's catch-all page route would otherwise answer ``/_dash-component-suites/x/``
        (open to anyone) with the app's page."""
        if request.path.startswith(BUNDLES_PREFIX) and (
                request.url_rule is None or not request.url_rule.rule.startswith(BUNDLES_PREFIX)):
            return _not_a_bundle()
        return None

    @server.errorhandler(DependencyException)
    def unknown_bundle(_error: DependencyException) -> Response:
        return _not_a_bundle()

    @server.before_request
    def check_callback_call() -> Response | None:
        if request.path != CALLBACK_PATH or request.method != "POST":
            return None
        try:
            output, spec = _called(server_callbacks(app))
        except BadCall as bad:
            return _error(bad.status, str(bad))
        access = declared_access(spec)
        scope = g.get("scope")
        if scope is None:  # the database is not answering: the callback answers with the banner
            return None
        if access is None:
            return _error(403, "This callback declares no access, so no one may call it.")
        if access.permission is not None:
            try:
                require(context.engine, scope, access.permission, context.clock.now(),
                        f"the callback {output[:200]}", client_address())
            except AccessDenied as refusal:
                return _error(403, str(refusal))
        try:  # a background callback's poll, or a cancel: only the caller's own jobs
            background.check_jobs(app, scope.username)
        except background.NotYourJob as refusal:
            audit.record(context.engine, context.clock.now(), "refused",
                         f"the callback {output[:200]}", username=scope.username,
                         role=scope.role, detail=str(refusal), client=client_address())
            return _error(403, str(refusal))
        return None


def _called(callbacks: dict[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """The output a call names and its callback, once the body is checked to be that callback's
    call."""
    if (request.content_length or 0) > MAX_CALLBACK_BYTES:
        raise BadCall(413, f"A callback's body is at most {MAX_CALLBACK_BYTES:,} bytes.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        raise BadCall(400, "The body must be a JSON object naming a callback's output.")
    spec = callbacks.get(body["output"])
    if spec is None:
        raise BadCall(404, f"There is no callback for the output {body['output'][:100]!r}.")
    _check_values(body.get("inputs"), spec["inputs"], "inputs")
    _check_values(body.get("state", []), spec["state"], "state")
    _check_outputs(body.get("outputs"), body["output"])
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(item, str) for item in changed):
        raise BadCall(400, "changedPropIds must be a list of text.")
    return body["output"], spec


def _check_values(sent: Any, declared: list[dict[str, Any]], part: str) -> None:
    """``sent`` must give, in order, a value for each declared input (or state) and no more."""
    if not isinstance(sent, list) or len(sent) != len(declared):
        raise BadCall(400, f"The call must send {len(declared)} {part}, in the declared order.")
    for item, wanted in zip(sent, declared, strict=True):
        pattern = _pattern(wanted["id"])
        if pattern is None:
            ok = _is_value_of(item, wanted["property"]) and item["id"] == wanted["id"]
        elif any(value in (["ALL"], ["ALLSMALLER"]) for value in pattern.values()):
            ok = isinstance(item, list) and all(
                _is_value_of(one, wanted["property"]) and _matches(one["id"], pattern)
                for one in item)
        else:  # MATCH: the one component that triggered it
            ok = _is_value_of(item, wanted["property"]) and _matches(item["id"], pattern)
        if not ok:
            raise BadCall(400, f"The call's {part} do not match the callback's: expected "
                               f"{wanted['id']}.{wanted['property']}"[:200])


def _pattern(declared_id: str) -> dict[str, Any] | None:
    """A pattern-matching id as Dash declares it (JSON, wildcards as ["MATCH"]), or None."""
    return json.loads(declared_id) if declared_id.startswith("{") else None


def _matches(sent_id: Any, pattern: dict[str, Any]) -> bool:
    """A component's id fits a pattern: the same keys, a wildcard's value a text or number."""
    return isinstance(sent_id, dict) and sent_id.keys() == pattern.keys() and all(
        isinstance(sent_id[key], str | int | float) if isinstance(wanted, list)
        else sent_id[key] == wanted for key, wanted in pattern.items())


def _is_value_of(item: Any, prop: str) -> bool:
    return isinstance(item, dict) and item.get("property") == prop and "id" in item


def _check_outputs(sent: Any, key: str) -> None:
    """The outputs a call names are its callback's own, in Dash's shape: a list for a callback
    of several outputs (key ``..a.b...c.d..``), one object for one; a pattern's output names a
    component that fits it."""
    multi = key.startswith("..")
    items = sent if isinstance(sent, list) else [sent]
    declared = [part.rsplit(".", 1)[0] for part in key.strip(".").split("...")]
    if multi != isinstance(sent, list) or len(items) != len(declared) or not all(
            isinstance(item, dict) and isinstance(item.get("property"), str)
            and _is_output(item.get("id"), wanted)
            for item, wanted in zip(items, declared, strict=False)):
        raise BadCall(400, "The call's outputs do not match the callback's.")


def _is_output(sent_id: Any, declared_id: str) -> bool:
    pattern = _pattern(declared_id)
    return sent_id == declared_id if pattern is None else _matches(sent_id, pattern)


def _not_a_bundle() -> Response:
    return Response("There is no such file.", status=404, mimetype="text/plain")


def _error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response
