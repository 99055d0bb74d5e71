"""The feed API's OpenAPI description: valid, current, served, true to the contract and to the
rules of the actions on people, and describing every route the API serves."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate

from dashboard.app_factory import create_app
from dashboard.config import Settings
from dashboard.openapi import DOCUMENT_PATH, document_text, openapi_document
from data_access.action_store import ActionError, checked_values
from data_access.contract import SPECS_BY_KIND
from data_access.loader import read_records


def test_docs_openapi_json_is_current_and_valid() -> None:
    assert DOCUMENT_PATH.read_text(encoding="utf-8") == document_text(), \
        "docs/openapi.json is out of date: run python -m dashboard.openapi"
    validate(json.loads(document_text()))


def test_the_app_serves_the_same_description(database_url: str) -> None:
    client = create_app(Settings(database_url=database_url)).server.test_client()
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    assert answer.get_json() == openapi_document()


def test_every_kind_and_column_of_the_contract_is_described() -> None:
    schemas = openapi_document()["components"]["schemas"]
    kinds = openapi_document()["paths"]["/api/v1/feeds/{kind}"]["post"]["parameters"][0]
    assert kinds["schema"]["enum"] == list(SPECS_BY_KIND)
    for kind, spec in SPECS_BY_KIND.items():
        record = schemas[f"{kind}_record"]
        assert list(record["properties"]) == [c.name for c in spec.columns]
        assert record["required"] == spec.required_columns


def test_the_schema_and_the_loader_agree_on_good_and_bad_records() -> None:
    schema = openapi_document()["components"]["schemas"]["capacity_record"]
    good = {"service_code": "P1H", "reported_at": "2026-11-25T08:00:00Z", "places": 10,
            "occupied": 7, "unavailable": 1, "updated_at": None}
    jsonschema.validate(good, schema)
    assert "__unreadable__" not in read_records(SPECS_BY_KIND["capacity"], [good])[0][1]
    unknown_field = {**good, "beds": 3}
    with pytest.raises(jsonschema.ValidationError, match="beds"):
        jsonschema.validate(unknown_field, schema)
    (_, raw), = read_records(SPECS_BY_KIND["capacity"], [unknown_field])
    assert raw == {"__unreadable__": "unknown field(s): beds"}


def test_every_route_of_the_api_is_described_with_its_methods(database_url: str) -> None:
    """The routes the app serves under /api/v1/ are the document's paths, method by method
    (the catch-all that answers any other address in JSON, and the document itself, aside)."""
    server = create_app(Settings(database_url=database_url)).server
    served = set()
    for rule in server.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.endswith("no_such_address") \
                or rule.rule == "/api/v1/openapi.json":
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        served |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    described = {(path, method) for path, item in openapi_document()["paths"].items()
                 for method in item}
    assert served == described
    assert ("/api/v1/actions/{action_id}", "put") in served


def schema_of(name: str) -> dict[str, Any]:
    """A schema of the document's components, its references resolved within the document."""
    return {"$ref": f"#/components/schemas/{name}",
            "components": openapi_document()["components"]}


STEP = {"kind": "assessment", "detail": "<b>OT</b> assessment", "owner_team": "Ward 3",
        "due_at": "2026-11-25T17:00", "status": "open"}


@pytest.mark.parametrize(("change", "accepted"), [
    ({}, True), ({"status": "blocked", "blocked_reason": "no bed"}, True),
    ({"kind": "teleport"}, False), ({"status": "stuck"}, False),
    ({"owner_team": ""}, False), ({"detail": "x" * 501}, False), ({"due_at": 7}, False),
])
def test_the_action_schemas_and_the_checks_agree(change: dict[str, Any], accepted: bool) -> None:
    values = {**STEP, **change}
    for schema, body in ((schema_of("NewAction"), {"episode_id": "W1", **values}),
                         (schema_of("ActionChange"), {**values, "version": 1})):
        valid = jsonschema.Draft202012Validator(schema).is_valid(body)
        assert valid is accepted, (schema["$ref"], body)
    try:
        checked_values(values)
    except ActionError:
        assert not accepted
    else:
        assert accepted
    for schema in (schema_of("NewAction"), schema_of("ActionChange")):
        assert not jsonschema.Draft202012Validator(schema).is_valid({**STEP, "Detail": "x"})
