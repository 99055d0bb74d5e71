"""Dash's own endpoints under hostile requests: malformed callback bodies and requests for
component bundles that do not exist answer 400 or 404 in a short message, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine

from benchmarks.payloads import backtest_payload
from dashboard.app_factory import create_app
from dashboard.config import Settings
from dashboard.dash_guard import MAX_CALLBACK_BYTES
from tests.accounts import add_user, sign_in_client
from tests.builders import GEOGRAPHY, TODAY_AT, TODAY_EPISODES, SteppingClock, load_files

GOOD = backtest_payload("?area=ICB1")
MALFORMED: list[tuple[Any, int]] = [
    (b"", 400), (b"not json", 400), (b"[]", 400), (b"{}", 400), (b'"text"', 400),
    ({"output": 5}, 400), ({"output": None, "inputs": []}, 400),
    ({"output": "nope.children"}, 404),
    ({"output": "page-content.children"}, 404),  # part of a callback's outputs, not its key
    ({**GOOD, "inputs": 5}, 400), ({**GOOD, "inputs": [5]}, 400),
    ({**GOOD, "inputs": []}, 400), ({**GOOD, "inputs": GOOD["inputs"] * 2}, 400),
    ({**GOOD, "inputs": [{"id": "url"}]}, 400),
    ({**GOOD, "inputs": [{"id": "url", "property": "pathname", "value": "/"}]}, 400),
    ({**GOOD, "inputs": [{"id": "elsewhere", "property": "search", "value": ""}]}, 400),
    ({**GOOD, "state": [{"id": "url", "property": "search", "value": ""}]}, 400),
    ({**GOOD, "state": "x"}, 400),
    ({**GOOD, "changedPropIds": 5}, 400), ({**GOOD, "changedPropIds": [5]}, 400),
    ({key: value for key, value in GOOD.items() if key != "outputs"}, 400),
    ({**GOOD, "outputs": [GOOD["outputs"], GOOD["outputs"]]}, 400),
    ({**GOOD, "outputs": "outlook-backtest.children"}, 400),
]


@pytest.fixture
def signed_in(engine: Engine, database_url: str, tmp_path) -> tuple[Any, dict[str, str]]:  # type: ignore[no-untyped-def]
    assert load_files(engine, tmp_path / "batch", {**GEOGRAPHY,
                                                  "episodes.csv": TODAY_EPISODES}).loaded
    app = create_app(Settings(database_url=database_url, clock=SteppingClock(TODAY_AT)), engine)
    client = app.server.test_client()
    return client, sign_in_client(client, add_user(engine, "executive"))


@pytest.mark.parametrize(("body", "status"), MALFORMED, ids=range(len(MALFORMED)))
def test_a_malformed_callback_body_gets_a_short_json_error(signed_in, body, status) -> None:
    client, headers = signed_in
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    answer = client.post("/_dash-update-component", data=data,
                         headers={**headers, "Content-Type": "application/json"})
    assert answer.status_code == status, answer.get_data(as_text=True)[:300]
    assert answer.is_json and set(answer.json) == {"error"}
    assert len(answer.get_data()) < 300 and "Traceback" not in answer.get_data(as_text=True)


def test_the_well_formed_call_still_answers(signed_in) -> None:
    client, headers = signed_in
    answer = client.post("/_dash-update-component", json=GOOD, headers=headers)
    assert answer.status_code == 200 and "Back-test" in answer.get_data(as_text=True)


def test_an_oversized_callback_body_is_refused_unread(signed_in) -> None:
    client, headers = signed_in
    body = json.dumps({**GOOD, "padding": "x" * MAX_CALLBACK_BYTES}).encode()
    answer = client.post("/_dash-update-component", data=body,
                         headers={**headers, "Content-Type": "application/json"})
    assert answer.status_code == 413 and answer.is_json


@pytest.mark.parametrize("path", [
    "/_dash-component-suites/dash/../../../etc/passwd",
    "/_dash-component-suites/dash/..%2f..%2f__init__.py",
    "/_dash-component-suites/dash/%2e%2e/__init__.py",
    "/_dash-component-suites/dash/deps/../../__init__.py",
    "/_dash-component-suites/nope/x.js",
    "/_dash-component-suites/dash/dash-renderer/build/nope.js",
    "/_dash-component-suites/dash/",
])
def test_a_bundle_dash_does_not_serve_is_not_found(signed_in, path) -> None:
    client, _ = signed_in
    for asking in (client, client.application.test_client()):  # signed in, and anonymous
        answer = asking.get(path)
        assert answer.status_code == 404, (path, answer.status_code)
        assert answer.get_data() == b"There is no such file."
    assert client.get("/_dash-component-suites/dash/dcc/async-graph.js").status_code == 200
