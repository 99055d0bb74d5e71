"""An open page in a real headless Chromium while the database stops answering and comes back:
the banner appears and the last good figures stay, then the banner goes and fresh figures come,
all without a reload. The path between the app and the database is cut by the test (on
PostgreSQL the network goes silent; on SQLite the file becomes unreachable: tests/outage.py)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from dashboard.app_factory import create_app
from dashboard.config import Settings
from layouts import formatting as fmt
from tests.accounts import add_user
from tests.browser import browsing, serving
from tests.builders import ONE_MORE_WAITING, TODAY_AT, SteppingClock
from tests.outage import cuttable_engine
from tests.test_faults import LOADED_AT, TODAY_FILES, load

pytestmark = pytest.mark.browser

REFRESH_SECONDS = 2
# A tick finds the outage (or its end) within one refresh plus the seconds the version is taken
# as known (here as long as a refresh); a silent network costs the connect timeout on top, and
# drawing the page takes a moment.
NOTICE_SECONDS = 2 * REFRESH_SECONDS + 3 + 6


def test_an_open_page_shows_the_outage_and_recovers_without_a_reload(
        engine, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    load(engine, tmp_path / "first", TODAY_FILES, LOADED_AT)
    clock = SteppingClock(TODAY_AT)
    with cuttable_engine(database_url) as (app_engine, switch):
        settings = Settings(database_url=database_url, clock=clock,
                            refresh_seconds=REFRESH_SECONDS)
        with browsing(create_app(settings, app_engine).server, add_user(engine, "executive")) \
                as (page, base_url):
            page.goto(f"{base_url}/?area=ICB1")
            waiting, banner = page.locator("#waiting-now-value"), page.locator("#database-down")
            expect(waiting).to_have_text("5")
            expect(banner).to_have_count(0)
            computed_at = clock.now()
            page.evaluate("window.sameDocument = true")  # a reload would forget it

            clock.at += timedelta(minutes=10)
            switch.cut(silent=True)
            expect(banner).to_be_visible(timeout=NOTICE_SECONDS * 1000)
            expect(banner).to_contain_text(
                f"The database is not answering (since {fmt.moment(clock.now())}).")
            expect(banner).to_contain_text(
                f"the last good data, computed at {fmt.moment(computed_at)}")
            expect(waiting).to_have_text("5")  # the last good figures stay on screen
            expect(page.locator("#data-as-at")).to_contain_text(fmt.moment(LOADED_AT))

            new_data_at = clock.now() + timedelta(minutes=2)
            load(engine, tmp_path / "new", {"episodes.csv": ONE_MORE_WAITING}, new_data_at)
            switch.restore()
            restored_at = time.monotonic()
            expect(banner).to_have_count(0, timeout=NOTICE_SECONDS * 1000)
            expect(waiting).to_have_text("6")  # fresh figures: the person added meanwhile
            assert time.monotonic() - restored_at <= NOTICE_SECONDS
            expect(page.locator("#data-as-at")).to_contain_text(fmt.moment(new_data_at))
            assert page.evaluate("window.sameDocument") is True


def test_a_page_opened_during_the_outage_shows_the_banner_alone_then_loads_itself(
        engine, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Opened on a server that knows the user (it read their role) but kept nothing of their
    views or area list: the banner alone; once the database answers the page loads itself
    again, area list included."""
    from playwright.sync_api import expect

    load(engine, tmp_path / "first", TODAY_FILES, LOADED_AT)
    with cuttable_engine(database_url) as (app_engine, switch):
        settings = Settings(database_url=database_url, clock=SteppingClock(TODAY_AT),
                            refresh_seconds=REFRESH_SECONDS)
        with browsing(create_app(settings, app_engine).server, add_user(engine, "executive")) \
                as (page, _), serving(create_app(settings, app_engine).server) as other_url:
            # The session works on every server of the site; this one reads the role only.
            assert page.request.get(f"{other_url}/").ok
            switch.cut()
            page.goto(f"{other_url}/?area=ICB1")
            banner = page.locator("#database-down")
            expect(banner).to_contain_text("This page's figures cannot be shown until it answers")
            expect(page.locator("#waiting-now-value")).to_have_count(0)
            picker = page.locator("#area-picker")
            expect(picker).not_to_contain_text("Test system")  # served without its areas

            switch.restore()
            expect(page.locator("#waiting-now-value")).to_have_text(
                "5", timeout=NOTICE_SECONDS * 1000)
            expect(banner).to_have_count(0)
            expect(picker).to_contain_text("Test system")  # loaded again, areas and all
            # Leave the page before the second server stops first (it is the inner context):
            # its refresh would otherwise find it gone and log a network error.
            page.goto("about:blank")


def test_the_huddle_list_is_drawn_again_after_an_outage(engine, database_url,
                                                         tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The Huddle list redraws only its lists at a new data version (its form stays); after an
    outage, whose banner replaced the page (people's details are never kept), the whole page
    comes back, without a reload."""
    from playwright.sync_api import expect

    load(engine, tmp_path / "first", TODAY_FILES, LOADED_AT)
    clock = SteppingClock(TODAY_AT)
    with cuttable_engine(database_url) as (app_engine, switch):
        settings = Settings(database_url=database_url, clock=clock,
                            refresh_seconds=REFRESH_SECONDS)
        with browsing(create_app(settings, app_engine).server,
                      add_user(engine, "hub_lead", ("D1",))) as (page, base_url):
            page.goto(f"{base_url}/huddle?area=D1")
            escalations, banner = page.locator("#escalation-table"), page.locator("#database-down")
            expect(escalations).to_be_visible()
            page.evaluate("window.sameDocument = true")  # a reload would forget it

            clock.at += timedelta(minutes=10)
            switch.cut(silent=True)
            expect(banner).to_be_visible(timeout=NOTICE_SECONDS * 1000)
            switch.restore()
            expect(banner).to_have_count(0, timeout=NOTICE_SECONDS * 1000)
            expect(escalations).to_be_visible()
            expect(page.locator("#action-save")).to_be_visible()
            assert page.evaluate("window.sameDocument") is True
