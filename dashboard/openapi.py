"""The feed API's OpenAPI 3.1 description, made from the data contract (and the rules of the
actions on people) so the two cannot differ.

    python -m dashboard.openapi     # writes docs/openapi.json

The app serves the same document at ``/api/v1/openapi.json``; a test checks the file is current.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dashboard.config import PROJECT_ROOT
from dashboard.vocabulary import ACTION_KINDS, ACTION_MAX_BYTES, ACTION_STATUSES
from data_access.action_store import TEXT_LIMITS
from data_access.contract import SPECS_BY_KIND, FileSpec, json_schema

DOCUMENT_PATH = PROJECT_ROOT / "docs" / "openapi.json"


def _record_schema(spec: FileSpec) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": spec.required_columns,
        "properties": {column.name: {"anyOf": [json_schema(column), {"type": "null"}]}
                       if not column.required else json_schema(column)
                       for column in spec.columns},
        "description": f"One row of {spec.name} (see docs/data-contract.md). Natural key: "
                       f"{', '.join(spec.key)}. Timestamps without an offset are Europe/London.",
    }


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _json(description: str, schema: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def _action_schemas() -> dict[str, Any]:
    """The actions on people: what a source sends (``NewAction``, ``ActionChange``) and reads."""
    values: dict[str, Any] = {
        "kind": {"enum": list(ACTION_KINDS), "description": "the kind of step"},
        "detail": {"type": "string", "maxLength": TEXT_LIMITS["detail"],
                   "description": "what is to be done (free text, kept and returned exactly "
                                  "as sent, apart from spaces at either end)"},
        "owner_team": {"type": "string", "minLength": 1, "maxLength": TEXT_LIMITS["owner_team"],
                       "description": "the team or organisation that owns the step"},
        "due_at": {"type": "string", "description": "when it is due: ISO 8601; without an "
                                                    "offset, Europe/London time"},
        "status": {"enum": list(ACTION_STATUSES), "default": "open"},
        "blocked_reason": {"type": "string", "maxLength": TEXT_LIMITS["blocked_reason"],
                           "description": "why it is blocked (needed when status is blocked)"},
    }
    episode_id = {"type": "string", "description": "the person's episode (an episode of the "
                                                   "token's source, at a site in its scope)"}
    version = {"type": "integer", "minimum": 1}
    moment = {"type": "string", "format": "date-time",
              "description": "ISO 8601 with the offset of London time"}
    kept = {"type": "object", "properties": {**values, "due_at": {
        "type": "string", "description": "London local time, YYYY-MM-DDTHH:MM"}}}
    return {
        "NewAction": {"type": "object", "additionalProperties": False,
                      "required": ["episode_id", "kind", "owner_team", "due_at"],
                      "properties": {"episode_id": episode_id, **values}},
        "ActionChange": {
            "type": "object", "additionalProperties": False,
            "required": ["kind", "owner_team", "due_at", "version"],
            "properties": {**values, "version": {
                **version, "description": "the version the change was made on (as read): if "
                                          "the action changed since, nothing is written (409)"}},
            "description": "the action's values in full, and the version they were read at"},
        "Action": {"type": "object", "properties": {
            "id": {"type": "integer"}, "episode_id": episode_id, **values, "due_at": moment,
            "version": version, "created_at": moment, "created_by": {"type": "string"},
            "changed_at": moment, "changed_by": {
                "type": "string", "description": "a user, or a feed source, by name"}}},
        "Actions": {"type": "object", "required": ["episode_id", "actions"], "properties": {
            "episode_id": episode_id,
            "actions": {"type": "array", "items": {"$ref": "#/components/schemas/Action"},
                        "description": "due first"}}},
        "ActionHistory": {"type": "object", "required": ["action_id", "versions"],
                          "properties": {"action_id": {"type": "integer"}, "versions": {
                              "type": "array", "description": "oldest first", "items": {
                                  "type": "object", "properties": {
                                      "version": version, "changed_at": moment,
                                      "changed_by": {"type": "string"},
                                      "before": {"anyOf": [kept, {"type": "null"}]},
                                      "after": kept}}}}},
        "ActionWritten": {"type": "object", "required": ["id", "version"], "properties": {
            "id": {"type": "integer"}, "episode_id": episode_id, "version": version}},
        "VersionConflict": {"type": "object", "properties": {
            "error": {"type": "string"}, "action_id": {"type": "integer"},
            "your_version": version, "version": version, "changed_by": {"type": "string"},
            "changed_at": moment}},
    }


def _action_paths() -> dict[str, Any]:
    action_id = {"name": "action_id", "in": "path", "required": True,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}
    unknown = _error("no such action (or person)")
    refused = _error("refused, nothing read or written: the kind actions is not granted to the "
                     "token's source, or the person's episode is not its own, or at a site "
                     "outside its scope")
    denied = {"401": _error("no token, or a wrong or revoked one"), "403": refused}
    body = {"400": _error("the body cannot be read (not UTF-8 JSON, not an object)"),
            "413": _error(f"the body is over {ACTION_MAX_BYTES:,} bytes"),
            "415": _error("a content type other than JSON"),
            "422": _error("a value breaks a rule, or a field is unknown: the reason; nothing "
                          "written")}
    return {
        "/api/v1/actions": {
            "get": {"summary": "The actions on a person",
                    "parameters": [{"name": "episode_id", "in": "query", "required": True,
                                    "schema": {"type": "string"}}],
                    "responses": {"200": _json("every action on the person, due first",
                                               "Actions"),
                                  **denied, "404": _error("no such person"),
                                  "422": _error("no episode_id")}},
            "post": {"summary": "Record an action on a person (version 1)",
                     "requestBody": {"required": True, "content": {"application/json": {
                         "schema": {"$ref": "#/components/schemas/NewAction"}}}},
                     "responses": {"201": _json("recorded: its id and version 1",
                                                "ActionWritten"),
                                   **denied, "404": _error("no such person"), **body}},
        },
        "/api/v1/actions/{action_id}": {"put": {
            "summary": "Change an action, on the version it was read at",
            "parameters": [action_id],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/ActionChange"}}}},
            "responses": {"200": _json("changed: its new version", "ActionWritten"),
                          **denied, "404": unknown, **body,
                          "409": _json("the action changed since that version (who changed "
                                       "it and when): nothing written", "VersionConflict")}}},
        "/api/v1/actions/{action_id}/history": {"get": {
            "summary": "Every version of an action, with the values before and after",
            "parameters": [action_id],
            "responses": {"200": _json("every version, oldest first", "ActionHistory"),
                          **denied, "404": unknown}}},
    }


def openapi_document() -> dict[str, Any]:
    kinds = list(SPECS_BY_KIND)
    schemas: dict[str, Any] = {
        f"{kind}_record": _record_schema(spec) for kind, spec in SPECS_BY_KIND.items()}
    schemas["Error"] = {"type": "object", "required": ["error"],
                        "properties": {"error": {"type": "string"}}}
    schemas.update(_action_schemas())
    named = {"type": "array", "items": {
        "type": "object", "required": ["reason"],
        "properties": {"index": {"type": "integer",
                                 "description": "the record's place in a JSON list, from 0"},
                       "line": {"type": "integer",
                                "description": "the CSV line (1 is the header)"},
                       "reason": {"type": "string"}}}}
    positions = {"type": "array", "items": {"type": "integer"}}
    schemas["Delivery"] = {
        "type": "object", "additionalProperties": False,
        "required": ["kind", "delivery_id", "loaded", "received", "position", "new", "changed",
                     "unchanged", "stale", "rejected", "refused"],
        "properties": {
            "kind": {"enum": kinds}, "delivery_id": {"type": "string", "format": "uuid"},
            "loaded": {"type": "boolean",
                       "description": "true: every record was accepted and the changes "
                                      "written; false: nothing was written"},
            "received": {"type": "integer"},
            "position": {"enum": ["index", "line"],
                         "description": "what the numbers below count: a record's index in "
                                        "the JSON list, or its CSV line"},
            "new": {**positions, "description": "records written, not stored before"},
            "changed": {**positions, "description": "records written over a stored one"},
            "unchanged": {**positions, "description": "records identical to what is stored: "
                                                      "nothing written"},
            "stale": {**named, "description": "records not written: the stored one has a later "
                                              "updated_at (or this one has none)"},
            "rejected": {**named, "description": "records that break the data contract (422)"},
            "refused": {**named, "description": "records outside what the token's source may "
                                                "write (403)"},
            "error": {"type": "string", "description": "why a delivery was refused (403)"},
        },
    }
    one_of_records = {"oneOf": [{"type": "array", "minItems": 1,
                                 "items": {"$ref": f"#/components/schemas/{kind}_record"}}
                                for kind in kinds]}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Intermediate care dashboard: feed API",
            "version": "1",
            "description": (
                "Source systems push data contract records. A request is atomic: every record "
                "is accepted, or nothing is written and every rejected (or refused) record is "
                "named. A token writes only the kinds its source is granted, for the sites, "
                "services and areas it is granted, and only records its source created. The "
                "answer names every record: new, changed, unchanged or stale. Sending the same "
                "records again changes nothing. A record never replaces a stored one with a "
                "later updated_at (a record without updated_at counts as older than any "
                "stamped one); no time may be more than 10 minutes ahead of the server's "
                "clock. Tokens are made with `python -m dashboard token create SOURCE`, "
                "grants with `python -m dashboard source grant SOURCE`. A source granted the "
                "kind `actions` also reads and writes the actions on people agreed at the "
                "huddle (/api/v1/actions), on its own episodes at sites in its scope, whoever "
                "recorded them; a change names the version it was read at and is refused "
                "(409, nothing written) if the action changed since. Every read and write of "
                "an action is recorded in the audit log with the source named."),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/feeds/{kind}": {"post": {
                "summary": "Deliver records of one kind",
                "parameters": [{"name": "kind", "in": "path", "required": True,
                                "schema": {"enum": kinds}}],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": one_of_records},
                    "text/csv": {"schema": {"type": "string", "description":
                                            "a contract CSV file, header first"}}}},
                "responses": {
                    "200": {"description": "every record accepted; the new and changed ones "
                                           "written",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/Delivery"}}}},
                    "422": {"description": "some records rejected: nothing was written",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/Delivery"}}}},
                    "400": _error("the body cannot be read (not JSON, not a list, not CSV, "
                                  "empty)"),
                    "401": _error("no token, or a wrong or revoked one"),
                    "403": {"description": "refused: records outside what the token's source "
                                           "may write (a kind not granted, a site, service or "
                                           "area outside its grants, another source's "
                                           "record): nothing was written",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/Delivery"}}}},
                    "404": _error("unknown kind"),
                    "413": _error("the body or the number of records is over the limit"),
                    "415": _error("a content type other than JSON or CSV"),
                    "503": _error("the database is not available; send again later"),
                },
            }},
            "/api/v1/reference": {"get": {
                "summary": "The areas, sites and services records may refer to, and what the "
                           "token's source may write",
                "responses": {"200": {"description": "lists of areas, sites and services; "
                                                     "source: its name, the kinds it may "
                                                     "send, the sites and services it may "
                                                     "write for",
                                      "content": {"application/json": {"schema": {
                                          "type": "object",
                                          "required": ["areas", "sites", "services",
                                                       "source"]}}}},
                              "401": _error("no token, or a wrong or revoked one")},
            }},
            **_action_paths(),
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "the source's API token"}},
            "schemas": schemas,
        },
    }


def document_text() -> str:
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"


def write_document(path: Path = DOCUMENT_PATH) -> None:
    path.write_text(document_text(), encoding="utf-8")


if __name__ == "__main__":
    write_document()
    print(f"Wrote {DOCUMENT_PATH.relative_to(PROJECT_ROOT)}")
