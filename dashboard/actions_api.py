"""The actions on people through the push API, for source systems that already record tasks.

    GET  /api/v1/actions?episode_id=E        the actions on the person, each with its version
    GET  /api/v1/actions/<id>/history        every version, with the values before and after
    POST /api/v1/actions                     record one: 201 with its id and version 1
    PUT  /api/v1/actions/<id>                change one, naming the version it was read at:
                                             200 with the new version, 409 if it changed since

Routes of the feed API's blueprint (its token, its JSON errors); what a source may read and
write is decided in ``data_access.feed_actions`` (the ``actions`` kind granted; the source's own
episodes, at sites in its scope). Every answer is JSON: free text goes back as JSON strings,
exactly as stored, never as markup.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pandas as pd
from flask import Blueprint, Response, jsonify, request

from dashboard.auth import client_address
from dashboard.context import AppContext
from dashboard.feeds_api import ApiError, authenticated_source, json_body
from dashboard.vocabulary import ACTION_MAX_BYTES
from data_access.action_store import FIELDS, ActionError, NoSuchRecord, VersionConflict
from data_access.contract import quoted, storable
from data_access.feed_actions import (
    SourceRefused,
    action_history_for_source,
    actions_for_source,
    change_for_source,
    record_for_source,
)

LARGEST_ID = 2**31 - 1  # ids and versions are 32-bit integers in the database
ACTION_ID = f"<int(min=1, max={LARGEST_ID}):action_id>"
NEW_ACTION_FIELDS = ("episode_id", *FIELDS)
CHANGE_FIELDS = (*FIELDS, "version")


def add_action_routes(api: Blueprint, context: AppContext,
                      on_change: Callable[[], None]) -> None:
    """The actions' routes, on the feed API's blueprint; ``on_change`` runs after every write
    (open pages redraw)."""

    def now() -> datetime:
        return context.clock.now()

    @api.get("/actions")
    def actions() -> tuple[Response, int]:
        source = authenticated_source(context)
        episode_id = request.args.get("episode_id", "")
        if not episode_id:
            raise ApiError(422, "name the person: /api/v1/actions?episode_id=EPISODE")
        found = actions_for_source(context.engine, source, episode_id, now(), client_address())
        return jsonify({"episode_id": episode_id, "actions": _rows(found)}), 200

    @api.get(f"/actions/{ACTION_ID}/history")
    def history(action_id: int) -> tuple[Response, int]:
        source = authenticated_source(context)
        kept = action_history_for_source(context.engine, source, action_id, now(),
                                         client_address())
        return jsonify({"action_id": action_id, "versions": _rows(kept)}), 200

    @api.post("/actions")
    def record() -> tuple[Response, int]:
        source = authenticated_source(context)
        values = _object_of(NEW_ACTION_FIELDS)
        if "episode_id" not in values:
            raise ApiError(422, "name the person: episode_id")
        action_id = record_for_source(context.engine, source, values["episode_id"], values,
                                      now(), client_address())
        on_change()
        return jsonify({"id": action_id, "episode_id": values["episode_id"], "version": 1}), 201

    @api.put(f"/actions/{ACTION_ID}")
    def change(action_id: int) -> tuple[Response, int]:
        source = authenticated_source(context)
        values = _object_of(CHANGE_FIELDS)
        version = values.get("version")
        if not isinstance(version, int) or isinstance(version, bool) \
                or not 1 <= version <= LARGEST_ID:
            raise ApiError(422, "version: send the version of the action you read (a whole "
                                "number from 1): a change is made on the version it was read at")
        new_version = change_for_source(context.engine, source, action_id, version, values,
                                        now(), client_address())
        on_change()
        return jsonify({"id": action_id, "version": new_version}), 200

    @api.errorhandler(SourceRefused)
    def refused(error: SourceRefused) -> tuple[Response, int]:
        return jsonify({"error": f"{error} (nothing was read or written)"}), 403

    @api.errorhandler(NoSuchRecord)
    def not_found(error: NoSuchRecord) -> tuple[Response, int]:
        return jsonify({"error": str(error)}), 404

    @api.errorhandler(ActionError)
    def bad_values(error: ActionError) -> tuple[Response, int]:
        return jsonify({"error": f"{error}; nothing was written"}), 422

    @api.errorhandler(VersionConflict)
    def conflict(error: VersionConflict) -> tuple[Response, int]:
        return jsonify({"error": str(error), "action_id": error.action_id,
                        "your_version": error.expected, "version": error.current,
                        "changed_by": error.changed_by,
                        "changed_at": error.changed_at.isoformat()}), 409


def _object_of(allowed: tuple[str, ...]) -> dict[str, Any]:
    """The body: a JSON object of the ``allowed`` fields only (a misspelt field is refused,
    never dropped)."""
    body = json_body(ACTION_MAX_BYTES)
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object: the action's fields")
    unknown = [quoted(storable(name)) for name in body if name not in allowed]
    if unknown:
        raise ApiError(422, f"unknown field(s): {', '.join(unknown[:5])}; the fields are "
                            f"{', '.join(allowed)}")
    return body


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as JSON values: times in ISO 8601 with their offset (London time)."""
    return [{column: _plain(value) for column, value in row.items()}
            for row in frame.to_dict("records")]


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # a numpy number
        return value.item()
    return value
