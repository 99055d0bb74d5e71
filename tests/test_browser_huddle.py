"""The huddle list in a real headless Chromium: a hub lead sees their hub's people only, long
waits are flagged in words, the filters write the address, and the printout has one sheet per
25 people; an executive is offered no huddle list and is refused one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from dashboard.app_factory import create_app
from dashboard.clock import FixedClock
from dashboard.config import Settings
from data_access.access import load_scope
from data_access.huddle import huddle_list
from layouts import formatting as fmt
from tests.accounts import add_user, sign_in_page
from tests.browser import browsing
from tests.builders import (
    GEOGRAPHY,
    TODAY_AT,
    TODAY_DELAYS,
    TODAY_EPISODES,
    checked_area,
    load_files,
)
from tests.test_huddle import MORE_DELAYS, MORE_EPISODES, MORE_SITES

pytestmark = pytest.mark.browser
PLACE_TWO_REFS = {"p3", "p4", "x4"}  # waiting at T, homes in place two
EXTRA = 30  # more people in place one, so the list prints on two sheets


def crowd() -> dict[str, str]:
    """``EXTRA`` people waiting in place one with long site, ward and reason texts (the widest
    rows a sheet must hold), every one over 24 hours."""
    sites = ("code,name,trust_code,trust_name,area_code\n"
             "S3,University Hospital Coventry and Warwickshire (Walsgrave),T1,Test trust,ICB1\n")
    episodes = ["episode_id,person_ref,site_code,ward,home_area_code,sex,admitted_at,nctr_at,"
                "referred_to_hub_at,pathway"]
    delays = ["episode_id,effective_at,reason_code"]
    for n in range(1, EXTRA + 1):
        nctr = datetime(2026, 11, 10, 9, 0) + timedelta(hours=7 * n)
        episodes.append(f"Q{n:02d},q{n:02d},S3,Ward {n} Elderly Care Assessment Unit,N1,F,"
                        f"2026-11-01T10:00,{nctr:%Y-%m-%dT%H:%M},"
                        f"{nctr + timedelta(hours=1):%Y-%m-%dT%H:%M},1")
        delays.append(f"Q{n:02d},{nctr + timedelta(hours=2):%Y-%m-%dT%H:%M},C8")
    return {"sites.csv": sites, "episodes.csv": "\n".join(episodes) + "\n",
            "delays.csv": "\n".join(delays) + "\n"}


@pytest.fixture
def app(engine, database_url, tmp_path):  # type: ignore[no-untyped-def]
    batches = [{**GEOGRAPHY, "episodes.csv": TODAY_EPISODES, "delays.csv": TODAY_DELAYS},
               {"sites.csv": MORE_SITES, "episodes.csv": MORE_EPISODES,
                "delays.csv": MORE_DELAYS}, crowd()]
    for n, files in enumerate(batches):
        report = load_files(engine, tmp_path / f"batch{n}", files, synthetic=True)
        assert report.loaded and not report.rejections, report.summary()
    return create_app(Settings(database_url=database_url, clock=FixedClock(TODAY_AT)), engine)


@pytest.fixture
def hub_lead_page(app, engine) -> Iterator[tuple[object, str, str]]:  # type: ignore[no-untyped-def]
    username = add_user(engine, "hub_lead", ("D1",))
    with browsing(app.server, username) as (page, base_url):
        yield page, base_url, username


def test_a_hub_lead_sees_their_hubs_people_longest_wait_first(hub_lead_page, engine, tmp_path):
    from playwright.sync_api import expect

    page, base_url, username = hub_lead_page
    page.goto(f"{base_url}/huddle?area=D1")
    expect(page.locator("#page-title")).to_have_text("Huddle list: Place one")
    expect(page.locator("#huddle-at")).to_contain_text("waiting at 08:30 Wed 25 Nov 2026")
    scope = load_scope(engine, username)
    expected = huddle_list(engine, scope, checked_area(engine, scope, "D1"), TODAY_AT)
    rows = page.locator("tr[data-episode]")
    expect(rows).to_have_count(len(expected))
    assert [rows.nth(i).get_attribute("data-episode") for i in range(len(expected))] \
        == list(expected.episode_id)
    shown = set(page.locator("tr[data-episode] th[scope=row]").all_inner_texts())
    assert shown == set(expected.person_ref) and not shown & PLACE_TWO_REFS
    expect(page.locator("#huddle-waiting-count")).to_have_text(fmt.whole(len(expected)))
    expect(page.locator("#huddle-over-24-count")).to_have_text(
        fmt.whole(int(expected.over_24_hours.sum())))
    # Over 24 h is said in words: E5 (576.5 h) and X1 (46.5 h) yes; E2 at exactly 24.0 h not.
    expect(page.locator('tr[data-episode="E5"] .over-24-badge')).to_have_text("Over 24 h")
    expect(page.locator('tr[data-episode="X1"] .over-24-badge')).to_have_text("Over 24 h")
    expect(page.locator('tr[data-episode="E2"] .over-24-badge')).to_have_count(0)
    expect(page.locator("tr.over-24 .over-24-badge")).to_have_count(
        int(expected.over_24_hours.sum()))
    x1 = page.locator('tr[data-episode="X1"]')
    expect(x1).to_contain_text("Second hospital")
    expect(x1).to_contain_text("Ward 7")
    expect(x1).to_contain_text("46.5 h")
    expect(x1).to_contain_text("W2 ongoing safeguarding concern")
    expect(x1).to_contain_text("22.0 h")
    expect(x1).to_contain_text("07:45 Wed 25 Nov")
    # The tables are accessible: a caption each, column and row headers.
    expect(page.locator("#huddle-table-1 caption")).to_contain_text("people 1 to 25 of 35")
    expect(page.locator("#huddle-table-1 th[scope=col]")).to_have_count(8)
    page.screenshot(path=str(tmp_path / "huddle.png"), full_page=True)


def test_the_area_picker_offers_only_the_hubs_areas(hub_lead_page):
    from playwright.sync_api import expect

    page, base_url, _ = hub_lead_page
    page.goto(f"{base_url}/huddle?area=D1")
    expect(page.locator("#page-title")).to_have_text("Huddle list: Place one")
    page.locator("#area-picker").click()
    # The picker's options (the page's own selects have options too): every area ends in its
    # level, so an area outside the hub would show here.
    options = page.get_by_role("option", name=re.compile(r"\((system|place|neighbourhood)\)$"))
    expect(options).to_have_count(2)
    assert [text.strip() for text in options.all_inner_texts()] == [
        "Place one (place)", "Neighbourhood one (neighbourhood)"]
    page.get_by_role("option", name="Neighbourhood one (neighbourhood)").click()
    expect(page.locator("#page-title")).to_have_text("Huddle list: Neighbourhood one")
    expect(page).to_have_url(re.compile(r"area=N1"))


def test_the_filters_live_in_the_address(hub_lead_page):
    from playwright.sync_api import expect

    page, base_url, _ = hub_lead_page
    page.goto(f"{base_url}/huddle?area=D1")
    expect(page.locator("tr[data-episode]")).to_have_count(35)
    page.locator("#reasons-picker").click()
    page.get_by_role("option", name="Care transfer hub process").click()
    expect(page).to_have_url(re.compile(r"reasons=care-transfer-hub-process"))
    expect(page.locator("tr[data-episode]")).to_have_count(1)
    expect(page.locator('tr[data-episode="E2"]')).to_have_count(1)
    page.locator("#site-picker").click()
    page.get_by_role("option", name="Second hospital").click()
    expect(page).to_have_url(re.compile(r"site=S2"))
    expect(page.locator("#huddle-empty")).to_be_visible()
    page.go_back()
    expect(page.locator("tr[data-episode]")).to_have_count(1)
    page.goto(f"{base_url}/huddle?area=D1&pathway=2&site=S2")
    expect(page.locator("tr[data-episode]")).to_have_count(1)
    expect(page.locator('tr[data-episode="X1"]')).to_have_count(1)
    expect(page.locator("#site-picker")).to_contain_text("Second hospital")


def test_the_longest_delays_filter_lives_in_the_address_and_carries_the_badge(
        hub_lead_page, engine):
    from playwright.sync_api import expect

    page, base_url, username = hub_lead_page
    scope = load_scope(engine, username)
    longest = huddle_list(engine, scope, checked_area(engine, scope, "D1"), TODAY_AT,
                          waited_days=21)
    assert len(longest) >= 1  # E5 has waited 24 days
    page.goto(f"{base_url}/huddle?area=D1")
    expect(page.locator("#huddle-longest-count")).to_have_text(str(len(longest)))
    expect(page.locator("tr[data-episode] .longest-badge")).to_have_count(len(longest))
    page.locator("#waited-picker").click()
    page.get_by_role("option", name="21 days or more").click()
    expect(page).to_have_url(re.compile(r"waited=21"))
    rows = page.locator("tr[data-episode]")
    expect(rows).to_have_count(len(longest))
    for i, episode in enumerate(longest.episode_id):
        expect(rows.nth(i)).to_have_attribute("data-episode", episode)
    page.go_back()
    expect(rows).to_have_count(35)


def test_the_printout_has_one_sheet_per_25_people_each_with_its_header(hub_lead_page):
    from playwright.sync_api import expect

    page, base_url, _ = hub_lead_page
    page.goto(f"{base_url}/huddle?area=D1")
    expect(page.locator("#huddle-table-2")).to_be_attached()
    # The Print button prints (window.print is replaced here, to count the calls).
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.locator("#huddle-print").click()
    assert page.evaluate("window.printed") == 1
    page.emulate_media(media="print")
    expect(page.locator("#main-nav")).to_be_hidden()
    expect(page.locator("#huddle-print")).to_be_hidden()
    expect(page.locator("#reasons-picker")).to_be_hidden()
    expect(page.locator("#synthetic-notice")).to_be_visible()
    for n, (first, last) in enumerate([(1, 25), (26, 35)], start=1):
        expect(page.locator(f"#huddle-table-{n}")).to_be_visible()
        expect(page.locator(f"#huddle-table-{n} tbody tr")).to_have_count(last - first + 1)
    headers = page.locator(".huddle-print-header")
    expect(headers).to_have_count(2)
    for n in range(2):
        expect(headers.nth(n)).to_be_visible()
        expect(headers.nth(n)).to_contain_text("Huddle list: Place one")
        expect(headers.nth(n)).to_contain_text("waiting at 08:30 Wed 25 Nov 2026")
        expect(headers.nth(n)).to_contain_text("Synthetic data: invented people")
    expect(headers.nth(1)).to_contain_text("sheet 2 of 2 (people 26 to 35 of 35)")
    # Printed: exactly one A4 sheet per 25 people, even with the widest rows.
    pdf = page.pdf(prefer_css_page_size=True, print_background=False)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 2


def test_an_executive_is_offered_no_huddle_list_and_refused_one(app, engine):
    from playwright.sync_api import expect

    with browsing(app.server, add_user(engine, "executive")) as (page, base_url):
        page.goto(f"{base_url}/?area=ICB1")
        expect(page.locator("#nav-today")).to_be_visible()
        expect(page.locator("#nav-huddle")).to_have_count(0)
        page.goto(f"{base_url}/huddle?area=ICB1")
        expect(page.locator("#access-denied")).to_contain_text("does not give access")
        expect(page.locator("tr[data-episode]")).to_have_count(0)
        text = page.locator("body").inner_text().lower()
        assert not set(re.findall(r"\b[pqx]\d+\b", text)) & {"p1", "p5", "x1", "q01"}
        # The same browser, signed in again as a hub lead, is served the list.
        sign_in_page(page, base_url, add_user(engine, "hub_lead", ("ICB1",)))
        page.goto(f"{base_url}/huddle?area=ICB1")
        expect(page.locator("#nav-huddle")).to_be_visible()
        expect(page.locator('tr[data-episode="E4"]')).to_have_count(1)

