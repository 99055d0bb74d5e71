"""The feed API's OpenAPI description: valid, current, served, and true to the contract."""

from __future__ import annotations

import json

import jsonschema
import pytest
from openapi_spec_validator import validate

from dashboard.app_factory import create_app
from dashboard.config import Settings
from dashboard.openapi import DOCUMENT_PATH, document_text, openapi_document
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
