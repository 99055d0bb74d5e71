"""No refresh storm: many open browsers cost one cached computation per view and data version.

Queries are counted at the engine while the app's real callback endpoint is called as many
browsers would call it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event

from benchmarks.payloads import route_payload, version_payload
from dashboard.app_factory import create_app
from dashboard.clock import FixedClock
from dashboard.config import Settings
from tests.accounts import add_user, is_session_check, sign_in_client
from tests.builders import (
    GEOGRAPHY,
    TODAY_AT,
    TODAY_CAPACITY,
    TODAY_EPISODES,
    feed_source,
    load_files,
)

BROWSERS = 20


class QueryCounter:
    def __init__(self, engine: Engine) -> None:
        self.statements: list[str] = []
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, _conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        self.statements.append(statement)

    def take(self) -> list[str]:
        taken, self.statements = self.statements, []
        return taken


@pytest.fixture
def app_client(engine: Engine, database_url: str, tmp_path) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    report = load_files(engine, tmp_path / "batch", {**GEOGRAPHY, "episodes.csv": TODAY_EPISODES,
                                                     "capacity.csv": TODAY_CAPACITY})
    assert report.loaded
    app = create_app(Settings(database_url=database_url, clock=FixedClock(TODAY_AT)), engine)
    client = app.server.test_client()
    client.environ_base["HTTP_X_CSRFTOKEN"] = sign_in_client(
        client, add_user(engine, "executive"))["X-CSRFToken"]
    yield client, app


def test_many_browsers_asking_for_the_version_cost_one_query(app_client, engine) -> None:
    client, _ = app_client
    counter = QueryCounter(engine)
    answers = [client.post("/_dash-update-component", json=version_payload("stale"))
               for _ in range(BROWSERS)]
    versions = {json.loads(a.data)["response"]["data-version"]["data"] for a in answers}
    assert len(versions) == 1
    statements = counter.take()
    # Each request's session, with the user's role, read afresh (an ended session is refused
    # at once); besides that, only the version (the latest load and the count of action
    # changes, one statement), once for all twenty.
    checks = [s for s in statements if is_session_check(s)]
    assert len(checks) == BROWSERS
    version = [s for s in statements if s not in checks]
    assert len(version) == 1 and "max(loads.id)" in version[0] \
        and "person_action_changes" in version[0]
    # A browser already showing the current version is sent nothing, so nothing is redrawn.
    (current,) = versions
    unchanged = client.post("/_dash-update-component", json=version_payload(current))
    assert json.loads(unchanged.data)["response"] == {}


def test_many_browsers_on_one_view_cost_one_computation_per_data_version(
        app_client, engine) -> None:  # type: ignore[no-untyped-def]
    client, _ = app_client
    callbacks = json.loads(client.get("/_dash-dependencies").data)
    body = route_payload(callbacks, "/", "?area=ICB1")
    counter = QueryCounter(engine)
    first = client.post("/_dash-update-component", json=body)
    assert first.status_code == 200
    computed = [s for s in counter.take() if not is_session_check(s)]
    assert len(computed) > 5  # the Today page's queries (and the version)
    for _ in range(BROWSERS - 1):
        again = client.post("/_dash-update-component", json=body)
        assert again.data == first.data
    # Served from the cache: no query but each request's session check.
    assert [s for s in counter.take() if not is_session_check(s)] == []

    # A delivery makes a new data version; the view is computed once more, for everyone.
    token = feed_source(engine, "Capacity returns", TODAY_AT, kinds=("capacity",)).token
    delivery = client.post("/api/v1/feeds/capacity", headers={"Authorization": f"Bearer {token}"},
                           json=[{"service_code": "P1H", "reported_at": "2026-11-25T08:20",
                                  "places": 10, "occupied": 9, "unavailable": 0}])
    assert delivery.status_code == 200, delivery.data
    counter.take()
    answers = [client.post("/_dash-update-component", json=body) for _ in range(BROWSERS)]
    recomputed = [s for s in counter.take() if not is_session_check(s)]
    assert answers[0].data != first.data and len({a.data for a in answers}) == 1
    assert len(computed) - 2 <= len(recomputed) <= len(computed) + 2
