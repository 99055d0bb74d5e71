"""A huddle in headless Chromium, as two hub leads of place one in two browsers: record an
action, see each other's changes at the next refresh, hit the version conflict, mark done,
read the escalations, and find and offer a place."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dashboard.app_factory import create_app
from dashboard.clock import FixedClock
from dashboard.config import Settings
from data_access.db import make_engine
from tests.accounts import add_user, sign_in_page
from tests.browser import CHROMIUM_ARGS, chromium_path, serving
from tests.builders import (
    GEOGRAPHY,
    TODAY_AT,
    TODAY_DELAYS,
    TODAY_EPISODES,
    load_files,
)
from tests.conftest import fresh_database, skip_or_fail
from tests.test_actions import MORE_CAPACITY, MORE_SERVICES

pytestmark = pytest.mark.browser
HUDDLE = "/huddle?area=D1"


@pytest.fixture
def two_leads(migrated_template, tmp_path) -> Iterator[tuple[Any, Any, str]]:
    url = fresh_database(migrated_template, tmp_path)
    engine = make_engine(url)
    assert load_files(engine, tmp_path / "case", {
        **GEOGRAPHY, "episodes.csv": TODAY_EPISODES, "delays.csv": TODAY_DELAYS}).loaded
    assert load_files(engine, tmp_path / "capacity", {"services.csv": MORE_SERVICES,
                                                       "capacity.csv": MORE_CAPACITY}).loaded
    for name in ("ana", "ben"):
        add_user(engine, "hub_lead", ("D1",), name)
    app = create_app(Settings(database_url=url, clock=FixedClock(TODAY_AT)), engine)
    executable = chromium_path()
    if executable is None:
        skip_or_fail("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)
    with serving(app.server) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=CHROMIUM_ARGS)
        pages = []
        errors: list[str] = []
        for name in ("ana", "ben"):
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            sign_in_page(page, base_url, name)
            pages.append(page)
        yield pages[0], pages[1], base_url
        browser.close()
    engine.dispose()
    assert errors == [], errors


def fill(page: Any, person: str, *, owner: str, detail: str = "", status: str = "open",
         blocked: str = "") -> None:
    page.select_option("#action-person", person)
    page.fill("#action-owner", owner)
    page.fill("#action-detail", detail)
    page.select_option("#action-status", status)
    page.fill("#action-blocked", blocked)


def test_two_hub_leads_run_a_huddle_together(two_leads):
    from playwright.sync_api import expect

    ana, ben, base_url = two_leads
    for page in (ana, ben):
        page.goto(base_url + HUDDLE)
        expect(page.locator("#page-title")).to_contain_text("Huddle list")
    # Escalations: E5 has waited 24 days with no action (level 3), E1 has no reason yet.
    escalations = ana.locator("#escalation-table tbody tr")
    expect(escalations).to_have_count(2)
    expect(escalations.first).to_contain_text("Level 3")
    expect(escalations.first).to_contain_text("waiting 21 days or more")

    # Ana records an action for E2; the text goes in as text.
    hostile = "<b>call</b> the family <script>alert(1)</script>"
    fill(ana, "E2", owner="Place one reablement", detail=hostile)
    ana.click("#action-save")
    expect(ana.locator("#action-message")).to_have_text("Recorded.")
    expect(ana.locator("#actions-table")).to_contain_text(hostile)

    # Ben sees it at his next refresh, and opens it (version 1).
    ben.reload()
    expect(ben.locator("#actions-table")).to_contain_text("Place one reablement")
    ben.select_option("#action-person", "E2")
    expect(ben.locator("#action-pick option[value='1']")).to_have_count(1)
    ben.select_option("#action-pick", "1")  # the first action recorded
    expect(ben.locator("#action-owner")).to_have_value("Place one reablement")

    # Ana blocks it first (version 2); Ben's change on version 1 is refused and says why.
    ana.select_option("#action-person", "E2")
    expect(ana.locator("#action-pick option[value='1']")).to_have_count(1)
    ana.select_option("#action-pick", "1")  # the first action recorded
    expect(ana.locator("#action-owner")).to_have_value("Place one reablement")
    ana.select_option("#action-status", "blocked")
    ana.fill("#action-blocked", "Waiting for the funding panel")
    ana.click("#action-save")
    expect(ana.locator("#action-message")).to_have_text("Saved: version 2.")
    ben.select_option("#action-status", "done")
    ben.click("#action-save")
    expect(ben.locator("#action-message")).to_contain_text(
        "Not saved: ana changed this action at 08:30 on 25 Nov (version 2) after you opened "
        "it (version 1)")

    # Ben reads the change at his refresh, then marks it done.
    ben.reload()
    expect(ben.locator("#actions-table")).to_contain_text("blocked: Waiting for the funding")
    ben.select_option("#action-person", "E2")
    expect(ben.locator("#action-pick option[value='1']")).to_have_count(1)
    ben.select_option("#action-pick", "1")  # the first action recorded
    expect(ben.locator("#action-status")).to_have_value("blocked")
    ben.select_option("#action-status", "done")
    ben.click("#action-save")
    expect(ben.locator("#action-message")).to_have_text("Saved: version 3.")
    ana.reload()
    expect(ana.locator("#actions-table")).to_contain_text("done")

    # A place for E2 (pathway 1): the system's home care has the most free places; offer it.
    ana.select_option("#action-person", "E2")
    ana.click("#places-find")
    rows = ana.locator("#places-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("System home care")
    rows.first.get_by_role("button", name="Offer").click()
    expect(rows.first).to_contain_text("Offered: recorded as an action.")
    ben.reload()
    expect(ben.locator("#actions-table")).to_contain_text("Offered to System home care")
