"""A huddle in headless Chromium, as two hub leads of place one in two browsers: record an
action, see each other's changes at the page's next refresh (never reloaded) with a half-filled
form left as it was, hit the version conflict, mark done, read the escalations, choose the time
to show changes since, and find and offer a place; axe finds no WCAG 2.2 AA violation on the
views as drawn. And recording an action from the keyboard
alone."""

from __future__ import annotations

import re
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
from tests.test_accessibility import axe_violations, report
from tests.test_actions import MORE_CAPACITY, MORE_SERVICES
from tests.test_keyboard import focused

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
    # The page asks for the data version every second: a colleague's change shows within one.
    app = create_app(Settings(database_url=url, clock=FixedClock(TODAY_AT), refresh_seconds=1),
                     engine)
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
            # CSP bypassed only so the test can put axe on the page.
            page = browser.new_context(viewport={"width": 1400, "height": 1000},
                                       bypass_csp=True).new_page()
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

    # Ben sees it at his page's next refresh, and opens it (version 1).
    expect(ben.locator("#actions-table")).to_contain_text("Place one reablement")
    ben.select_option("#action-person", "E2")
    expect(ben.locator("#action-pick option[value='1']")).to_have_count(1)
    ben.select_option("#action-pick", "1")  # the first action recorded
    expect(ben.locator("#action-owner")).to_have_value("Place one reablement")
    ben.fill("#action-detail", "Half-typed by Ben")

    # Ana blocks it first (version 2): Ben's list shows it at its refresh, his half-filled
    # form stays as it was, and his change on version 1 is refused and says why.
    ana.select_option("#action-person", "E2")
    expect(ana.locator("#action-pick option[value='1']")).to_have_count(1)
    ana.select_option("#action-pick", "1")  # the first action recorded
    expect(ana.locator("#action-owner")).to_have_value("Place one reablement")
    ana.select_option("#action-status", "blocked")
    ana.fill("#action-blocked", "Waiting for the funding panel")
    ana.click("#action-save")
    expect(ana.locator("#action-message")).to_have_text("Saved: version 2.")
    expect(ben.locator("#actions-table")).to_contain_text("blocked: Waiting for the funding")
    expect(ben.locator("#action-detail")).to_have_value("Half-typed by Ben")
    expect(ben.locator("#action-pick")).to_have_value("1")
    ben.select_option("#action-status", "done")
    ben.click("#action-save")
    expect(ben.locator("#action-message")).to_contain_text(
        "Not saved: ana changed this action at 08:30 on 25 Nov (version 2) after you opened "
        "it (version 1)")

    # Ben opens the action again (version 2), then marks it done.
    ben.select_option("#action-pick", "new")
    ben.select_option("#action-pick", "1")
    expect(ben.locator("#action-status")).to_have_value("blocked")
    ben.select_option("#action-status", "done")
    ben.click("#action-save")
    expect(ben.locator("#action-message")).to_have_text("Saved: version 3.")
    expect(ana.locator("#actions-table")).to_contain_text("done")
    expect(ana.locator("#since-done")).to_contain_text("Actions done: 1")

    # Since an earlier time: E2 (NCTR 08:30 yesterday) is new too; the address keeps it.
    expect(ana.locator("#since-new")).to_contain_text("New: 2")
    ana.fill("#since-picker", "2026-11-24T07:30")
    ana.press("#since-picker", "Enter")
    expect(ana).to_have_url(re.compile(r"since=2026-11-24T07%3A30"))
    expect(ana.locator("#since-new")).to_contain_text("New: 3")
    expect(ana.locator(".huddle-since h2")).to_have_text("Since 07:30 Tue 24 Nov")

    # A place for E2 (pathway 1): the system's home care has the most free places; offer it.
    ana.select_option("#action-person", "E2")
    ana.click("#places-find")
    rows = ana.locator("#places-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("System home care")
    rows.first.get_by_role("button", name="Offer").click()
    expect(rows.first).to_contain_text("Offered: recorded as an action.")
    expect(ben.locator("#actions-table")).to_contain_text("Offered to System home care")

    # The new views as drawn, with actions, a conflict's message and a shortlist: WCAG 2.2 AA.
    for page in (ana, ben):
        violations = axe_violations(page)
        assert violations == [], report(violations)


def tab_to(page: Any, element_id: str, most: int = 120) -> None:
    """Press Tab until the element has focus; every element focused on the way shows that it
    has. (Tab moves focus as it is pressed; inside a date and time field it steps through the
    field's parts, so focus may stay on one element for several presses.)"""
    for _ in range(most):
        page.keyboard.press("Tab")
        if focused(page)["id"] == element_id:
            return
    raise AssertionError(f"Tab {most} times did not reach #{element_id}")


def test_an_action_is_recorded_from_the_keyboard_alone(two_leads):
    """No mouse, no clicks, no focus calls: Tab to each field, type or choose, Enter to save.
    Every element focused on the way shows a visible focus indicator (``tab_to``)."""
    from playwright.sync_api import expect

    ana, _, base_url = two_leads
    ana.goto(base_url + HUDDLE)
    expect(ana.locator("#action-person")).to_have_value("E5")  # the longest wait first
    tab_to(ana, "action-person")
    ana.keyboard.press("ArrowDown")  # the next person in the list
    chosen = ana.locator("#action-person").input_value()
    assert chosen != "E5"
    tab_to(ana, "action-detail")
    ana.keyboard.type("Ring the daughter about the care home")
    tab_to(ana, "action-owner")
    ana.keyboard.type("Hub social worker")
    tab_to(ana, "action-save")
    ana.keyboard.press("Enter")
    expect(ana.locator("#action-message")).to_have_text("Recorded.")
    expect(ana.locator("#actions-table")).to_contain_text("Ring the daughter about the care")
    expect(ana.locator("#actions-table")).to_contain_text("Hub social worker")
