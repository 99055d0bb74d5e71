"""A page's figures over a period that ended before today are kept for the day
(``callbacks.common.for_the_day``): the time step, which redraws every open page, recomputes
only the figures "now", and the page is the same as one computed afresh."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from dashboard.app_factory import create_app
from dashboard.cache import ViewCache
from dashboard.config import Settings
from data_access.models import User
from tests.accounts import add_user, sign_in_client
from tests.builders import ONE_MORE_WAITING, TODAY_AT, SteppingClock, load_files
from tests.test_warm import built, page

# The pages whose period figures are kept for the day, with the figures "now" beside them.
KEPT_FOR_THE_DAY = ("/delays", "/discharge-delays", "/time-to-service", "/capacity", "/flow",
                    "/outcomes", "/places", "/goals", "/benchmark")
LATE_THE_SAME_DAY = TODAY_AT.replace(hour=23, minute=55)  # many time steps on, the same day


@contextmanager
def computed_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The cache keys of every view computed (not read from the cache) meanwhile."""
    keys: list[str] = []
    computed = ViewCache._computed

    def spy(self: ViewCache, cache_key: str, *args: Any) -> Any:
        keys.append(cache_key)
        return computed(self, cache_key, *args)

    with monkeypatch.context() as patch:
        patch.setattr(ViewCache, "_computed", spy)
        yield keys


def day_keys(keys: list[str]) -> list[str]:
    return [key for key in keys if key.startswith("('view', ('day',")]


def content_keys(keys: list[str]) -> list[str]:
    return [key for key in keys if key.startswith("('view', ('content',")]


def signed_in(app: Any, engine: Any, username: str) -> tuple[Any, dict[str, str]]:
    """A browser signed in as an executive (added if new): one per time of the clock, as a
    session idle for hours has ended."""
    client = app.server.test_client()
    if not users(engine, username):
        add_user(engine, "executive", username=username)
    return client, sign_in_client(client, username)


def users(engine: Any, username: str) -> bool:
    with engine.connect() as connection:
        return bool(connection.scalar(select(func.count()).select_from(User)
                                      .where(User.username == username)))


def test_a_later_time_step_recomputes_the_figures_now_and_keeps_the_periods(
        engine, database_url, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app = built(engine, database_url, tmp_path)
    clock = app.server.extensions["dashboard_context"].clock
    client, headers = signed_in(app, engine, "exec-kept")
    with computed_keys(monkeypatch) as first:
        for path in KEPT_FOR_THE_DAY:
            page(client, headers, path, "?area=ICB1")
    assert len(day_keys(first)) == len(KEPT_FOR_THE_DAY)  # one part per page, computed once

    clock.at = LATE_THE_SAME_DAY
    client, headers = signed_in(app, engine, "exec-kept")
    with computed_keys(monkeypatch) as later:
        kept = [page(client, headers, path, "?area=ICB1") for path in KEPT_FOR_THE_DAY]
    assert len(content_keys(later)) == len(KEPT_FOR_THE_DAY)  # each page drawn again
    assert day_keys(later) == []  # but its period's figures read from the cache

    # What the person sees is what a server with no cache computes at that time.
    fresh_app = create_app(Settings(database_url=database_url, cache_type="null",
                                    clock=SteppingClock(LATE_THE_SAME_DAY)), engine)
    fresh_client, fresh_headers = signed_in(fresh_app, engine, "exec-fresh")
    assert kept == [page(fresh_client, fresh_headers, path, "?area=ICB1")
                    for path in KEPT_FOR_THE_DAY]


def test_the_next_day_and_new_data_compute_the_periods_again(
        engine, database_url, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app = built(engine, database_url, tmp_path)
    context = app.server.extensions["dashboard_context"]
    client, headers = signed_in(app, engine, "exec-again")
    search = "?area=ICB1&from=2026-11-01&to=2026-11-24"  # the same period, whatever the day
    page(client, headers, "/flow", search)

    assert load_files(engine, tmp_path / "more", {"episodes.csv": ONE_MORE_WAITING}).loaded
    context.views.data_changed()
    with computed_keys(monkeypatch) as after_a_load:
        page(client, headers, "/flow", search)
    assert len(day_keys(after_a_load)) == 1

    context.clock.at = TODAY_AT + timedelta(days=1)
    client, headers = signed_in(app, engine, "exec-again")
    with computed_keys(monkeypatch) as next_day:
        page(client, headers, "/flow", search)
    assert len(day_keys(next_day)) == 1


def test_a_period_that_reaches_today_is_computed_with_the_page(
        engine, database_url, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app = built(engine, database_url, tmp_path)
    clock = app.server.extensions["dashboard_context"].clock
    client, headers = signed_in(app, engine, "exec-today")
    search = f"?area=ICB1&from=2026-11-01&to={TODAY_AT.date()}"  # it ends now, not at midnight
    with computed_keys(monkeypatch) as first:
        page(client, headers, "/flow", search)
    clock.at = LATE_THE_SAME_DAY
    client, headers = signed_in(app, engine, "exec-today")
    with computed_keys(monkeypatch) as later:
        shown = page(client, headers, "/flow", search)
    assert day_keys(first + later) == []
    assert len(content_keys(later)) == 1

    fresh_app = create_app(Settings(database_url=database_url, cache_type="null",
                                    clock=SteppingClock(LATE_THE_SAME_DAY)), engine)
    fresh_client, fresh_headers = signed_in(fresh_app, engine, "exec-fresh-today")
    assert shown == page(fresh_client, fresh_headers, "/flow", search)
