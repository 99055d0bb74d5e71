"""The feed API's OpenAPI 3.1 description, made from the data contract so the two cannot differ.

    python -m dashboard.openapi     # writes docs/openapi.json

The app serves the same document at ``/api/v1/openapi.json``; a test checks the file is current.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dashboard.config import PROJECT_ROOT
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


def openapi_document() -> dict[str, Any]:
    kinds = list(SPECS_BY_KIND)
    schemas: dict[str, Any] = {
        f"{kind}_record": _record_schema(spec) for kind, spec in SPECS_BY_KIND.items()}
    schemas["Error"] = {"type": "object", "required": ["error"],
                        "properties": {"error": {"type": "string"}}}
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
                "grants with `python -m dashboard source grant SOURCE`."),
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
