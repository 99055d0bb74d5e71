"""The database stops answering: every page says so in words, with the time of the last good
data, keeps the last good figures it has, and recovers by itself when the database is back.

Through the real callback endpoint (HTTP, JSON in and out). The path between the app and the
database is cut by the test (tests/outage.py says what that simulates on each database); the
test reads and writes through its own, uncut engine.
"""

from __future__ import annotations

import json
import socket
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from benchmarks.payloads import route_payload
from dashboard.app_factory import create_app
from dashboard.cache import is_down
from dashboard.clock import FixedClock
from dashboard.config import Settings
from dashboard.pages import PAGES
from data_access.db import CONNECT_TIMEOUT_SECONDS, make_engine
from layouts import formatting as fmt
from tests.accounts import add_user, sign_in_client
from tests.builders import (
    GEOGRAPHY,
    ONE_MORE_WAITING,
    TODAY_AT,
    TODAY_CAPACITY,
    TODAY_EPISODES,
    SteppingClock,
    load_files,
)
from tests.outage import cuttable_engine, wait_until

REFRESH_SECONDS = 1
ROLE_FOR = {None: "executive", "aggregates": "executive", "people": "hub_lead",
            "data": "data_manager", "admin": "administrator", "planning": "executive"}
# Loaded at the Today case's moment, with what had happened by then (no time may be ahead of
# its load: the 09:00 capacity report is left out).
LOADED_AT = TODAY_AT
TODAY_FILES = {**GEOGRAPHY, "episodes.csv": TODAY_EPISODES, "capacity.csv": "\n".join(
    line for line in TODAY_CAPACITY.splitlines() if "T09:00" not in line)}


def load(engine: Engine, folder: Path, files: dict[str, str], at: datetime) -> None:
    report = load_files(engine, folder, files, clock=FixedClock(at))
    assert report.loaded, report.summary()


def signed_in(app: Any, engine: Engine) -> dict[str, Any]:
    clients = {}
    for role in set(ROLE_FOR.values()):
        client = app.server.test_client()
        areas = ("D1",) if role == "hub_lead" else ()
        client.environ_base["HTTP_X_CSRFTOKEN"] = sign_in_client(
            client, add_user(engine, role, areas))["X-CSRFToken"]
        clients[role] = client
    return clients


def route(client: Any, path: str, callbacks: list[dict[str, Any]] | None = None
          ) -> dict[str, Any]:
    """The frame's outputs for ``path`` as the browser receives them (id -> value)."""
    callbacks = callbacks or json.loads(client.get("/_dash-dependencies").data)
    answer = client.post("/_dash-update-component", json=route_payload(callbacks, path, ""))
    assert answer.status_code == 200, (path, answer.status_code, answer.data[:300])
    return {key: next(iter(value.values()))
            for key, value in json.loads(answer.data)["response"].items()}


def tick(client: Any, shown: str, banner: Any = None) -> str | None:
    """What an open page showing version ``shown`` (and ``banner``) is sent on its refresh tick:
    a version to draw, or None (nothing: the page stays as it is)."""
    body = {"output": "data-version.data", "outputs": {"id": "data-version", "property": "data"},
            "changedPropIds": ["refresh-tick.n_intervals"],
            "inputs": [{"id": "refresh-tick", "property": "n_intervals", "value": 1}],
            "state": [{"id": "data-version", "property": "data", "value": shown},
                      {"id": "database-status", "property": "children", "value": banner}]}
    answer = client.post("/_dash-update-component", json=body)
    assert answer.status_code in (200, 204), answer.data[:300]
    sent = json.loads(answer.data)["response"] if answer.status_code == 200 else {}
    return str(sent["data-version"]["data"]) if sent else None


def text_of(value: Any) -> str:
    return json.dumps(value)


def test_every_page_shows_the_outage_and_its_last_good_figures_then_recovers_by_itself(
        engine, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    load(engine, tmp_path / "first", TODAY_FILES, LOADED_AT)
    clock = SteppingClock(TODAY_AT)
    with cuttable_engine(database_url) as (app_engine, switch):
        app = create_app(Settings(database_url=database_url, clock=clock,
                                  refresh_seconds=REFRESH_SECONDS), app_engine)
        clients = signed_in(app, engine)
        client_for = {page.path: clients[ROLE_FOR[page.permission]] for page in PAGES}
        before = {path: route(client, path) for path, client in client_for.items()}
        for path, frame in before.items():
            assert frame["database-status"] is None, path
            assert f"Data as at {fmt.moment(LOADED_AT)}" in frame["data-as-at"], path
        computed_at = clock.now()
        shown = tick(clients["executive"], "")
        assert shown is not None

        clock.at += timedelta(minutes=10)
        switch.cut()
        cut_at = clock.now()
        for path, client in client_for.items():
            frame = route(client, path)
            banner = text_of(frame["database-status"])
            assert "The database is not answering (since " \
                   f"{fmt.moment(cut_at)})" in banner, path
            if path == "/huddle":  # person-level rows are never kept: the banner alone
                assert frame["page-content"] is None
                assert "the last good data was read at " \
                       f"{fmt.moment(computed_at)}" in banner
                continue
            assert f"the last good data, computed at {fmt.moment(computed_at)}" in banner, path
            for output in ("page-content", "data-as-at", "main-nav", "source-status"):
                assert frame[output] == before[path][output], (path, output)
        # Another scope asking for an address kept for the executive gets nothing of it.
        other_scope = route(clients["hub_lead"], "/")
        assert other_scope["page-content"] is None
        assert "figures cannot be shown" in text_of(other_scope["database-status"])
        down = tick(clients["executive"], shown)
        assert down is not None and is_down(down)  # the tick answers (never raises): down
        assert tick(clients["executive"], down) is None  # and no redraw on every tick meanwhile

        # New data arrives meanwhile, through the test's own path to the database.
        new_data_at = clock.now() + timedelta(minutes=2)
        load(engine, tmp_path / "new", {"episodes.csv": ONE_MORE_WAITING}, new_data_at)
        clock.at += timedelta(minutes=5)
        switch.restore()
        back = wait_until(lambda: tick(clients["executive"], down), REFRESH_SECONDS + 2,
                          "within one refresh the tick finds the database again")
        assert not is_down(back)
        for path, client in client_for.items():
            frame = route(client, path)
            assert frame["database-status"] is None, path
            assert f"Data as at {fmt.moment(new_data_at)}" in frame["data-as-at"], path
        today = text_of(route(clients["executive"], "/")["page-content"])
        assert text_of(before["/"]["page-content"]) != today  # one more person waiting


def test_a_page_showing_the_banner_is_redrawn_when_the_database_answers_at_the_same_version(
        engine, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A view can fail after its version was read: the page then holds the current version
    under the banner, and must still be redrawn once the database answers."""
    load(engine, tmp_path / "first", GEOGRAPHY, LOADED_AT)
    app = create_app(Settings(database_url=database_url, clock=FixedClock(TODAY_AT)), engine)
    client = app.server.test_client()
    client.environ_base["HTTP_X_CSRFTOKEN"] = sign_in_client(
        client, add_user(engine, "executive"))["X-CSRFToken"]
    current = tick(client, "")
    assert current is not None and not is_down(current)
    assert tick(client, current) is None  # nothing changed: nothing is redrawn
    assert tick(client, current, banner={"props": {"id": "database-down"}}) == current


def test_sign_in_and_the_frame_answer_in_words_while_the_database_is_cut(
        engine, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    load(engine, tmp_path / "first", GEOGRAPHY, LOADED_AT)
    clock = SteppingClock(TODAY_AT)
    settings = Settings(database_url=database_url, clock=clock, secret_key="faults " * 6,
                        refresh_seconds=REFRESH_SECONDS)
    with cuttable_engine(database_url) as (app_engine, switch):
        app = create_app(settings, app_engine)
        known = app.server.test_client()  # has opened the dashboard before the cut
        sign_in_client(known, add_user(engine, "executive"))
        assert known.get("/").status_code == 200
        assert b"Test system" in known.get("/_dash-layout").data
        scope_only = app.server.test_client()  # signed in, its frame never served
        scope_only.environ_base["HTTP_X_CSRFTOKEN"] = sign_in_client(
            scope_only, add_user(engine, "hub_lead", ("D1",)))["X-CSRFToken"]
        assert scope_only.get("/").status_code == 200
        # Signed in on another server of the same site, which has never read this user.
        other = create_app(settings, app_engine).server.test_client()
        other.environ_base["HTTP_X_CSRFTOKEN"] = sign_in_client(
            other, add_user(engine, "place_manager"))["X-CSRFToken"]

        clock.at += timedelta(minutes=10)
        switch.cut()
        sign_in = app.server.test_client().get("/login")
        assert sign_in.status_code == 503
        page = sign_in.get_data(as_text=True)
        assert f"The database is not answering (since {fmt.moment(clock.now())})." in page
        assert "Traceback" not in page and 'http-equiv="refresh"' in page
        assert known.get("/").status_code == 200
        layout = known.get("/_dash-layout")
        assert layout.status_code == 200 and b"Test system" in layout.data  # the last good list
        incomplete = scope_only.get("/_dash-layout")
        assert incomplete.status_code == 200 and b"frame-incomplete" in incomplete.data
        assert b"area-picker" in incomplete.data
        assert other.get("/").status_code == 503  # its role cannot be read: the plain page
        # An open page's tick and route still answer, with the banner alone.
        frame = route(other, "/", json.loads(known.get("/_dash-dependencies").data))
        assert "The database is not answering" in text_of(frame["database-status"])
        assert "no data has been read since the dashboard started" in \
            text_of(frame["database-status"])
        assert frame["page-content"] is None
        export = known.get("/export?path=/&table=x")
        assert export.status_code == 503 and b"not answering" in export.data

        switch.restore()
        assert app.server.test_client().get("/login").status_code == 200
        wait_until(lambda: b"frame-incomplete" not in scope_only.get("/_dash-layout").data,
                   REFRESH_SECONDS + 2, "within one refresh the frame is whole again")
        assert other.get("/").status_code == 200


def test_a_silent_postgresql_server_is_given_up_on_after_the_connect_timeout() -> None:
    """A network that has gone drops packets: nothing answers. The engine gives up after
    CONNECT_TIMEOUT_SECONDS (a page then shows the banner), not after minutes of TCP retries.
    A listener that never answers stands in for it (no server needed: this runs on both
    databases' test runs)."""
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        engine = make_engine(f"postgresql+psycopg://nobody:nothing@127.0.0.1:{port}/none")
        started = time.monotonic()
        with pytest.raises(OperationalError, match="timeout"):
            engine.connect()
        waited = time.monotonic() - started
        engine.dispose()
    assert CONNECT_TIMEOUT_SECONDS - 0.5 <= waited <= CONNECT_TIMEOUT_SECONDS + 3
