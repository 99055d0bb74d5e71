"""Views warmed before anyone asks (callbacks/warm.py): every page's default view for every
system and place is computed at each new data version, once for every user who may see it, and
a person then opening it runs none of its queries."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

from benchmarks import load_test
from benchmarks.payloads import backtest_payload, route_payload
from callbacks import warm
from callbacks.warm import LEVELS, Warmer, warmed_pages
from dashboard.app_factory import create_app
from dashboard.cache import TIME_STEP_SECONDS
from dashboard.config import Settings
from data_access.access import disable_user
from deploy.stack import ROOT
from tests.accounts import add_user, sign_in_client
from tests.builders import (
    GEOGRAPHY,
    ONE_MORE_WAITING,
    TODAY_AT,
    TODAY_CAPACITY,
    TODAY_DELAYS,
    TODAY_EPISODES,
    SteppingClock,
    load_files,
)

# The tables of a page's figures (a view computed on request reads some of them).
FIGURE_TABLES = re.compile(r"\b(episodes|delay_reasons|capacity_reports|daily_waits)\b")


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    sent: list[str] = []
    listen = lambda _c, _k, statement, *_a: sent.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def built(engine: Engine, database_url: str, tmp_path, **settings: Any) -> Any:  # type: ignore[no-untyped-def]
    assert load_files(engine, tmp_path / "batch", {
        **GEOGRAPHY, "episodes.csv": TODAY_EPISODES, "capacity.csv": TODAY_CAPACITY,
        "delays.csv": TODAY_DELAYS}).loaded
    return create_app(Settings(database_url=database_url, clock=SteppingClock(TODAY_AT),
                               **settings), engine)


def page(client: Any, headers: dict[str, str], path: str, search: str) -> str:
    callbacks = json.loads(client.get("/_dash-dependencies").data)
    answer = client.post("/_dash-update-component", json=route_payload(callbacks, path, search),
                         headers=headers)
    assert answer.status_code == 200, answer.data[:300]
    return json.dumps(json.loads(answer.data)["response"]["page-content"])


def test_every_default_view_is_warmed_and_then_opened_without_its_queries(
        engine, database_url, tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    app = built(engine, database_url, tmp_path)
    warmer = Warmer(app.server.extensions["dashboard_context"], LEVELS["places"])
    areas = [area.code for area in warmer.areas()]
    assert areas == ["ICB1", "D1", "D2"]  # the system and its places, not neighbourhoods
    with statements(engine) as warming, caplog.at_level(logging.INFO, logger="callbacks.warm"):
        assert warmer.warm_if_changed() == len(areas) * len(warmed_pages())
    assert any(FIGURE_TABLES.search(s) for s in warming)
    # The line the load test waits for before its users come (benchmarks/load_test.py).
    (tmp_path / "instance-1.log").write_text(caplog.text, encoding="utf-8")
    done = load_test.warm_up_done([tmp_path / "instance-1.log"])
    assert done is not None and done.views == len(areas) * len(warmed_pages())
    assert warmer.warm_if_changed() == 0  # the same version: nothing to do

    # Whoever opens a default view then, whatever their role, its figures are not worked out.
    for role, areas_of_hub in (("executive", ()), ("hub_lead", ("D1",)),
                               ("data_manager", ())):
        client = app.server.test_client()
        headers = sign_in_client(client, add_user(engine, role, areas_of_hub))
        for path in ("/", "/delays", "/capacity", "/flow", "/benchmark"):
            for search in ("?area=D1", ""):
                with statements(engine) as opening:
                    shown = page(client, headers, path, search)
                    if path == "/capacity":  # and what the page fills in after it shows
                        filled_in = client.post("/_dash-update-component",
                                                json=backtest_payload(search), headers=headers)
                        assert b"outlook-backtest" in filled_in.data, filled_in.data[:300]
                assert "access-denied" not in shown
                assert not [s for s in opening if FIGURE_TABLES.search(s)], (role, path, search)


def test_a_warmed_view_is_the_view_computed_on_request(engine, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    warm_app = built(engine, database_url, tmp_path)
    Warmer(warm_app.server.extensions["dashboard_context"], LEVELS["systems"]).warm_if_changed()
    cold_app = create_app(Settings(database_url=database_url, clock=SteppingClock(TODAY_AT),
                                   cache_type="null"), engine)
    shown = []
    for app in (warm_app, cold_app):
        client = app.server.test_client()
        headers = sign_in_client(client, add_user(engine, "place_manager",
                                                  username=f"pm-{len(shown)}"))
        shown.append([page(client, headers, path, "?area=ICB1")
                      for path in ("/", "/delays", "/time-to-service", "/outcomes")])
    assert shown[0] == shown[1]


def test_new_data_is_warmed_again_and_a_shared_cache_is_warmed_once(
        engine, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    shared = {"cache_type": "filesystem", "cache_dir": str(tmp_path / "cache")}
    first = built(engine, database_url, tmp_path, **shared)
    second = create_app(Settings(database_url=database_url, clock=SteppingClock(TODAY_AT),
                                 **shared), engine)
    warmers = [Warmer(app.server.extensions["dashboard_context"], LEVELS["systems"])
               for app in (first, second)]
    assert warmers[0].warm_if_changed() > 0
    assert warmers[1].warm_if_changed() == 0  # the other process claimed this version
    assert load_files(engine, tmp_path / "more", {"episodes.csv": ONE_MORE_WAITING}).loaded
    for app in (first, second):
        app.server.extensions["dashboard_context"].views.data_changed()
    assert sorted(w.warm_if_changed() for w in warmers) == [0, len(warmed_pages())]


def test_the_app_warms_in_the_background_from_its_first_request(
        engine, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = built(engine, database_url, tmp_path, warm_views="systems")
    context = app.server.extensions["dashboard_context"]
    key = ("content", "/", "?area=ICB1")
    assert app.server.test_client().get("/login").status_code == 200  # the first request
    assert app.server.extensions["dashboard_warmer"].warmed.wait(timeout=60), "nothing warmed"
    assert context.views.peek(key) is not None  # the default view, warmed


def test_a_warm_up_longer_than_half_a_time_step_is_named_in_the_log(
        engine, database_url, tmp_path, caplog, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app = built(engine, database_url, tmp_path)
    warmer = Warmer(app.server.extensions["dashboard_context"], LEVELS["systems"])
    ticks = iter([0.0, TIME_STEP_SECONDS * 0.6])  # the warm-up's start and end, as measured
    monkeypatch.setattr(warm.time, "monotonic", lambda: next(ticks))
    with caplog.at_level(logging.INFO, logger="callbacks.warm"):
        assert warmer.warm_if_changed() == len(warmed_pages())
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [f"warming took 180 s of every {TIME_STEP_SECONDS} s time step: warm "
                        "fewer views (DASHBOARD_WARM_VIEWS=systems, or off) or serve from more "
                        "cores"]


def test_the_warm_command_warms_the_cache_the_web_processes_share(
        engine, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    shared = {"cache_type": "filesystem", "cache_dir": str(tmp_path / "cache")}
    app = built(engine, database_url, tmp_path, **shared)
    env = {**os.environ, "DATABASE_URL": database_url, "DASHBOARD_NOW": TODAY_AT.isoformat(),
           "DASHBOARD_CACHE": "filesystem", "DASHBOARD_CACHE_DIR": shared["cache_dir"],
           "DASHBOARD_WARM_VIEWS": "systems"}
    warmed = subprocess.run([sys.executable, "-m", "dashboard", "warm", "--once"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=300)
    assert warmed.returncode == 0, warmed.stderr[-2000:]
    assert f"warmed {len(warmed_pages())} views" in warmed.stderr
    assert app.server.extensions["dashboard_context"].views.peek(("content", "/", "?area=ICB1"))

    alone = subprocess.run([sys.executable, "-m", "dashboard", "warm", "--once"], cwd=ROOT,
                           env={**env, "DASHBOARD_CACHE": "simple"}, capture_output=True,
                           text=True, timeout=300)
    assert alone.returncode == 2
    assert "needs a cache the web processes share" in alone.stderr


def test_a_process_that_handed_the_warm_up_over_never_starts_it(
        engine, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = built(engine, database_url, tmp_path, warm_views="systems")
    warmer = app.server.extensions["dashboard_warmer"]
    warmer.hand_over()
    assert app.server.test_client().get("/login").status_code == 200  # the first request
    assert warmer._thread is None


def test_the_warm_up_also_covers_the_area_each_user_of_a_hub_opens_first(
        engine, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = built(engine, database_url, tmp_path)
    add_user(engine, "hub_lead", ("N2", "D2"), username="hub-two")  # opens D2 first
    add_user(engine, "hub_lead", ("D2",), username="hub-two-more")
    add_user(engine, "hub_lead", ("N1",), username="gone")
    disable_user(engine, "gone", TODAY_AT)
    warmer = Warmer(app.server.extensions["dashboard_context"], LEVELS["systems"])
    assert [area.code for area in warmer.areas()] == ["ICB1", "D2"]
    assert warmer.warm_if_changed() == 2 * len(warmed_pages())

    client = app.server.test_client()
    headers = sign_in_client(client, "hub-two")
    with statements(engine) as opening:
        shown = page(client, headers, "/delays", "")  # no area asked for: their first
    assert "Place two" in shown
    assert not [s for s in opening if FIGURE_TABLES.search(s)]
