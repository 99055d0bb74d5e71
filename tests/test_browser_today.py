"""The Today page in a real headless Chromium: the figures shown equal the metric functions."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from dashboard.app_factory import create_app
from dashboard.clock import FixedClock
from dashboard.config import Settings
from data_access.metrics.today import today_summary
from layouts import formatting as fmt
from tests.accounts import add_user
from tests.browser import browsing
from tests.builders import (
    GEOGRAPHY,
    TODAY_AT,
    TODAY_CAPACITY,
    TODAY_EPISODES,
    load_files,
    system_area,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_page(engine, database_url, tmp_path) -> Iterator[tuple[object, str]]:
    report = load_files(engine, tmp_path / "batch", {**GEOGRAPHY, "episodes.csv": TODAY_EPISODES,
                                                     "capacity.csv": TODAY_CAPACITY},
                        synthetic=True)
    assert report.loaded, report.summary()
    app = create_app(Settings(database_url=database_url, clock=FixedClock(TODAY_AT)), engine)
    with browsing(app.server, add_user(engine, "executive")) as page_and_url:
        yield page_and_url


def test_today_page_shows_the_metric_figures(engine, browser_page, tmp_path):
    from playwright.sync_api import expect

    page, base_url = browser_page
    page.goto(f"{base_url}/?area=ICB1")
    expected = today_summary(engine, system_area(engine, "ICB1"), TODAY_AT)
    expect(page.locator("#page-title")).to_have_text("Today: Test system")
    expect(page.locator("#waiting-now-value")).to_have_text(fmt.whole(expected.waiting_now.total))
    expect(page.locator("#waiting-over-24-value")).to_have_text(
        fmt.whole(expected.waiting_now.over_24_hours))
    expect(page.locator("#waiting-change")).to_have_text(
        fmt.change(expected.change_since_yesterday))
    for pathway, count in expected.discharges_yesterday.items():
        expect(page.locator(f"#discharges-p{pathway}-value")).to_have_text(fmt.whole(count))
    tts = expected.time_to_service_7_days
    expect(page.locator("#tts-median-value")).to_have_text(fmt.hours(tts.median_hours))
    expect(page.locator("#tts-within-24-value")).to_have_text(fmt.percent(tts.within_24h_percent))
    expect(page.locator("#tts-waiting-value")).to_have_text(fmt.whole(tts.still_waiting_over_24h))
    for pathway, capacity in expected.capacity.items():
        expect(page.locator(f"#free-p{pathway}-value")).to_have_text(
            fmt.whole(capacity.free_current))
    expect(page.locator("#stale-p2")).to_contain_text("not counted")
    expect(page.locator("#today-longest-value")).to_have_text(
        fmt.whole(expected.waiting_now.by_band["21+ days"]))
    expect(page.locator("#today-longest-value")).to_have_text("1")  # E5, 24 days
    expect(page.locator("#today-longest-spc .main-svg").first).to_be_attached()
    # And the known answers themselves (worked by hand in test_today_metrics).
    expect(page.locator("#waiting-now-value")).to_have_text("5")
    expect(page.locator("#free-p1-value")).to_have_text("2")
    # Synthetic data is labelled on the page.
    expect(page.locator("#synthetic-notice")).to_contain_text("Synthetic demonstration data")
    page.screenshot(path=str(tmp_path / "today.png"), full_page=True)


def test_area_choice_lives_in_the_url_and_the_back_button_restores_it(engine, browser_page):
    from playwright.sync_api import expect

    page, base_url = browser_page
    page.goto(f"{base_url}/?area=ICB1")
    expect(page.locator("#waiting-now-value")).to_have_text("5")
    page.locator("#area-picker").click()
    page.get_by_role("option", name="Place one (place)").click()
    expect(page).to_have_url(f"{base_url}/?area=D1")
    expect(page.locator("#page-title")).to_have_text("Today: Place one")
    expect(page.locator("#waiting-now-value")).to_have_text(
        fmt.whole(today_summary(engine, system_area(engine, "D1"), TODAY_AT).waiting_now.total))
    # Links to other pages carry the area.
    expect(page.locator("#nav-today")).to_have_attribute("href", "/?area=D1")
    page.go_back()
    expect(page.locator("#page-title")).to_have_text("Today: Test system")
    expect(page.locator("#waiting-now-value")).to_have_text("5")


def test_unknown_area_in_the_url_gets_a_clear_message(browser_page):
    from playwright.sync_api import expect

    page, base_url = browser_page
    page.goto(f"{base_url}/?area=NOWHERE")
    expect(page.locator("#area-message")).to_contain_text(
        "There is no area with the code 'NOWHERE'")
    expect(page.locator("#waiting-now-value")).to_have_text("5")


def test_how_we_count_opens_from_a_card_at_its_definition(browser_page):
    from playwright.sync_api import expect

    page, base_url = browser_page
    page.goto(f"{base_url}/?area=ICB1")
    card = page.locator(".how-we-count").first
    card.locator("summary").click()
    expect(card.locator(".definition-text")).to_be_visible()
    card.locator("text=All definitions").click()
    expect(page).to_have_url(re.compile(r"/how-we-count#[a-z0-9-]+$"))
    anchor = page.url.split("#", 1)[1]
    expect(page.locator(f"#{anchor}")).to_be_in_viewport()
