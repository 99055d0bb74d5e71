"""The Delays, Time to service, Capacity and Flow pages in a real headless Chromium, for a
system, a place and a neighbourhood: the figures on screen equal the metric functions' results
for the same inputs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pandas as pd
import pytest

from dashboard.app_factory import create_app
from dashboard.clock import FixedClock
from dashboard.config import Settings
from dashboard.url_state import read_view_state
from data_access.db import make_engine
from data_access.metrics.ascof import ascof_2d
from data_access.metrics.capacity import capacity_at, roll_up, waiting_for_pathway
from data_access.metrics.delays import (
    bed_days_lost,
    waiting_by_reason,
    waiting_by_site,
    waiting_hours_by_reason,
)
from data_access.metrics.discharge_delays import discharge_delays
from data_access.metrics.flow import in_service_at, length_of_intermediate_care
from data_access.metrics.time_to_service import nctr_to_service, waiting_for_service_over_24h
from data_access.metrics.waiting import waiting_at
from layouts import formatting as fmt
from tests.accounts import add_user, sign_in_page
from tests.browser import browsing, open_figures, wait_drawn
from tests.builders import (
    GEOGRAPHY,
    TODAY_AT,
    TODAY_CAPACITY,
    TODAY_DELAYS,
    TODAY_EPISODES,
    load_files,
    system_area,
)
from tests.conftest import fresh_database

pytestmark = pytest.mark.browser
PERIOD = "from=2026-11-02&to=2026-11-24"
# The home-based service of place one, now said to be reablement (ASCOF 2D counts it).
REABLEMENT_SERVICES = """
    code,name,pathway,setting,provider,sector,area_code,places,service_type
    P1H,Place one reablement,1,home,Council one,local_authority,D1,10,reablement
"""
AREAS = ("ICB1", "D1", "N1")  # a system, a place, a neighbourhood


@pytest.fixture(scope="module")
def site(migrated_template, tmp_path_factory) -> Iterator[tuple[object, str, object]]:
    folder = tmp_path_factory.mktemp("pages")
    url = fresh_database(migrated_template, folder)
    engine = make_engine(url)
    report = load_files(engine, folder / "batch", {
        **GEOGRAPHY, "episodes.csv": TODAY_EPISODES, "capacity.csv": TODAY_CAPACITY,
        "delays.csv": TODAY_DELAYS})
    assert report.loaded, report.summary()
    assert load_files(engine, folder / "types", {"services.csv": REABLEMENT_SERVICES}).loaded
    app = create_app(Settings(database_url=url, clock=FixedClock(TODAY_AT)), engine)
    add_user(engine, "data_manager")
    with browsing(app.server, add_user(engine, "executive")) as (page, base_url):
        yield page, base_url, engine
    engine.dispose()


@pytest.mark.parametrize("area", AREAS)
def test_delays_page_figures_equal_the_metric_functions(site, area):
    from playwright.sync_api import expect

    page, base_url, engine = site
    page.goto(f"{base_url}/delays?area={area}&{PERIOD}")
    expect(page.locator("#page-title")).to_contain_text("Delays by reason")
    waiting = waiting_at(engine, system_area(engine, area), TODAY_AT)
    expect(page.locator("#delays-waiting-value")).to_have_text(fmt.whole(waiting.total))
    expect(page.locator("#delays-21-value")).to_have_text(fmt.whole(waiting.by_band["21+ days"]))
    rows = page.locator("#reasons-table tbody tr")
    reasons = waiting_by_reason(engine, system_area(engine, area), TODAY_AT)
    expect(rows).to_have_count(len(reasons))
    for i, reason in enumerate(reasons.itertuples()):
        expect(rows.nth(i).locator("th")).to_have_text(reason.reason_code)
        expect(rows.nth(i).locator("td").last).to_have_text(str(reason.people))
    start, end = read_view_state(f"?{PERIOD}", date(2026, 11, 25)).bounds(TODAY_AT)
    lost = bed_days_lost(waiting_hours_by_reason(engine, system_area(engine, area), start, end))
    expect(page.locator("#bed-days-chart").locator("..")).to_contain_text(
        f"{lost:,.1f} bed days were lost")
    # The longest delays: 21+ days by site, and their weekly trend drawn.
    by_site = waiting_by_site(engine, system_area(engine, area), TODAY_AT)
    site_rows = open_figures(page, "sites-table")
    expect(site_rows).to_have_count(len(by_site))
    for i, site in enumerate(by_site.itertuples()):
        expect(site_rows.nth(i).locator("td").last).to_have_text(str(site.longest_delays))
    expect(page.locator("#longest-spc-chart .main-svg").first).to_be_attached()


@pytest.mark.parametrize("area", AREAS)
def test_discharge_delays_page_figures_equal_the_metric_functions(site, area):
    from playwright.sync_api import expect

    page, base_url, engine = site
    page.goto(f"{base_url}/discharge-delays?area={area}&{PERIOD}")
    expect(page.locator("#page-title")).to_contain_text("Discharge delays")
    checked = system_area(engine, area)
    result = discharge_delays(engine, checked, date(2026, 11, 2), date(2026, 11, 24))
    assert result.discharges > 0  # the case has discharges to count at every level
    expect(page.locator("#drd-on-date-value")).to_have_text(
        fmt.percent(result.on_ready_date_percent))
    expect(page.locator("#drd-delayed-value")).to_have_text(fmt.percent(result.delayed_percent))
    expect(page.locator("#drd-days-value")).to_have_text(fmt.whole(result.delay_days))
    longest = waiting_by_site(engine, checked, TODAY_AT).longest_delays.sum()
    expect(page.locator("#longest-now-value")).to_have_text(fmt.whole(int(longest)))
    months = page.locator("#drd-monthly-table tbody tr")
    expect(months).to_have_count(1)  # November only
    expect(months.first.locator("td").first).to_have_text(fmt.whole(result.discharges))
    # The monthly SPC chart: the 24 whole months to the period's end (October 2026 and before:
    # November is not whole on the 24th), drawn.
    expect(page.locator("#drd-on-date-monthly-spc .main-svg").first).to_be_attached()


@pytest.mark.parametrize("area", AREAS)
def test_time_to_service_page_figures_equal_the_metric_functions(site, area):
    from playwright.sync_api import expect

    page, base_url, engine = site
    page.goto(f"{base_url}/time-to-service?area={area}&{PERIOD}")
    expect(page.locator("#page-title")).to_contain_text("Time from NCTR to service")
    start, end = read_view_state(f"?{PERIOD}", date(2026, 11, 25)).bounds(TODAY_AT)
    summary = nctr_to_service(engine, system_area(engine, area), start, end)
    expect(page.locator("#tts-page-within-value")).to_have_text(
        fmt.percent(summary.within_24h_percent))
    expect(page.locator("#tts-page-median-value")).to_have_text(fmt.hours(summary.median_hours))
    expect(page.locator("#tts-page-p90-value")).to_have_text(fmt.hours(summary.p90_hours))
    waiting = waiting_for_service_over_24h(engine, system_area(engine, area), TODAY_AT)
    for pathway, count in waiting.items():
        expect(page.locator(f"#tts-waiting-p{pathway}-value")).to_have_text(fmt.whole(count))


def test_choosing_a_pathway_writes_the_url_and_filters_the_figures(site):
    from playwright.sync_api import expect

    page, base_url, engine = site
    page.goto(f"{base_url}/time-to-service?area=ICB1&{PERIOD}")
    expect(page.locator("#tts-waiting-p2-value")).to_be_visible()
    page.locator("#pathway-picker").click()
    page.get_by_role("option", name="Pathway 1").click()
    expect(page).to_have_url(f"{base_url}/time-to-service?area=ICB1&{PERIOD}&pathway=1")
    expect(page.locator("#tts-waiting-p2-value")).to_have_count(0)
    start, end = read_view_state(f"?{PERIOD}", date(2026, 11, 25)).bounds(TODAY_AT)
    summary = nctr_to_service(engine, system_area(engine, "ICB1"), start, end, pathway=1)
    expect(page.locator("#tts-page-median-value")).to_have_text(fmt.hours(summary.median_hours))
    page.go_back()
    expect(page.locator("#tts-waiting-p2-value")).to_be_visible()


def test_a_table_exports_as_csv_with_the_figures_shown(site, tmp_path):
    from playwright.sync_api import expect

    page, base_url, engine = site
    page.goto(f"{base_url}/delays?area=ICB1&{PERIOD}")
    expect(page.locator("#reasons-table")).to_be_visible()
    with page.expect_download() as download_info:
        page.locator("#reasons-table-csv-team").click()
    path = tmp_path / "reasons.csv"
    download_info.value.save_as(path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    reasons = waiting_by_reason(engine, system_area(engine, "ICB1"), TODAY_AT)
    assert download_info.value.suggested_filename == "reasons-table.csv"
    # The export says it is working, then what it did, in a live region.
    status = page.locator("#reasons-table-csv-team").locator("xpath=..").locator(".export-status")
    expect(status).to_have_text("Downloaded reasons-table.csv.")
    assert lines[0] == "Code,Group,Reason,People"
    assert lines[1:1 + len(reasons)] == [
        f"{r.reason_code},{r.reason_group},{_csv(r.reason)},{r.people}"
        for r in reasons.itertuples()]
    # For sharing, the small-number rule: every group here is under 8 people.
    with page.expect_download() as shared_info:
        page.locator("#reasons-table-csv-share").click()
    shared = shared_info.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert [line.rsplit(",", 1)[1] for line in shared[1:1 + len(reasons)]] == \
        ["0" if r.people == 0 else "*" for r in reasons.itertuples()]
    assert any("Small-number rule applied" in line for line in shared)


def _csv(text: str) -> str:
    return f'"{text}"' if "," in text else text


@pytest.mark.parametrize("area", AREAS)
def test_capacity_page_figures_equal_the_metric_functions(site, area):
    from playwright.sync_api import expect

    page, base_url, engine = site
    page.goto(f"{base_url}/capacity?area={area}&{PERIOD}")
    expect(page.locator("#page-title")).to_contain_text("Capacity")
    waiting = waiting_for_pathway(engine, system_area(engine, area), TODAY_AT)
    by_pathway = roll_up(capacity_at(engine, system_area(engine, area),
                                     TODAY_AT), "pathway").set_index("pathway")
    rows = open_figures(page, "demand-supply-table")
    expect(rows).to_have_count(3)
    for i, pathway in enumerate((1, 2, 3)):
        free = int(by_pathway.free.get(pathway, 0))
        expect(rows.nth(i).locator("td")).to_have_text(
            [str(waiting[pathway]), str(free), str(waiting[pathway] - free)])
    services = capacity_at(engine, system_area(engine, area), TODAY_AT)
    expect(page.locator("#services-grid .ag-center-cols-container .ag-row")).to_have_count(
        len(services))


@pytest.mark.parametrize("area", AREAS)
def test_flow_page_figures_equal_the_metric_functions(site, area):
    from playwright.sync_api import expect

    page, base_url, engine = site
    page.goto(f"{base_url}/flow?area={area}&{PERIOD}")
    expect(page.locator("#page-title")).to_contain_text("Flow")
    in_service = in_service_at(engine, system_area(engine, area), TODAY_AT)
    expect(page.locator("#flow-in-service-value")).to_have_text(
        fmt.whole(sum(in_service.values())))
    for pathway, count in in_service.items():
        expect(page.locator(f"#flow-in-service-p{pathway}-value")).to_have_text(fmt.whole(count))
    start, end = read_view_state(f"?{PERIOD}", date(2026, 11, 25)).bounds(TODAY_AT)
    los = length_of_intermediate_care(engine, system_area(engine, area), start, end)
    expect(page.locator("#flow-still-value")).to_have_text(fmt.whole(los.still_in_service))
    expect(page.locator("#flow-waiting-value")).to_have_text(
        fmt.whole(waiting_at(engine, system_area(engine, area), TODAY_AT).total))


def test_opening_a_page_leaves_its_address_and_history_as_they_were(site):
    """The period picker, put on the page, says the default period: that is not a choice. Were
    it written into the address, the back button would need two presses and the page's parts
    would be asked for twice."""
    page, base_url, _ = site
    asked: list[str] = []

    def record(request: Any) -> None:
        if request.url.endswith("/_dash-update-component"):
            asked.append(request.post_data or "")

    page.on("request", record)
    try:
        page.goto(f"{base_url}/delays?area=ICB1")
        steps = page.evaluate("history.length")
        wait_drawn(page)
    finally:
        page.remove_listener("request", record)
    assert page.url == f"{base_url}/delays?area=ICB1"
    assert page.evaluate("history.length") == steps
    assert sum("page-content.children" in body for body in asked) == 1
    assert sum('"output":"url.search@' in body for body in asked) <= 2  # the controls' first calls


def test_charts_follow_the_window_width(site):
    """Charts fill their place on the page, are not laid out again at the size they have, and
    follow their place when the window changes."""
    page, base_url, _ = site
    page.goto(f"{base_url}/delays?area=ICB1")
    wait_drawn(page)
    width = "document.querySelector('#remaining-spc-chart .main-svg').getBoundingClientRect().width"
    box = "document.querySelector('#remaining-spc-chart').getBoundingClientRect().width"
    wide = page.evaluate(width)
    assert abs(wide - page.evaluate(box)) < 2
    # Asked to lay itself out again at the size it has, a chart does nothing
    # (assets/chart_resize.js); Plotly's own answer would lay it out again after 100 ms.
    laid_out = page.evaluate("""async () => {
        const chart = document.querySelector('#remaining-spc-chart .js-plotly-plot');
        let count = 0;
        chart.on('plotly_relayout', () => { count += 1; });
        await Plotly.Plots.resize(chart);
        return count;
    }""")
    assert laid_out == 0
    try:
        page.set_viewport_size({"width": 900, "height": 1000})
        page.wait_for_function(
            f"() => Math.abs(({width}) - ({box})) < 2 && ({width}) < {wide} - 100")
    finally:
        page.set_viewport_size({"width": 1400, "height": 1000})
    page.wait_for_function(f"() => Math.abs(({width}) - {wide}) < 2")


def test_a_period_chosen_is_written_into_the_address(site):
    from playwright.sync_api import expect

    page, base_url, _ = site
    page.goto(f"{base_url}/delays?area=ICB1")
    wait_drawn(page)
    start = page.locator("input#period-picker")  # the start date (the end has its own id)
    start.fill("1 Nov 2026")
    start.press("Enter")
    expect(page).to_have_url(f"{base_url}/delays?area=ICB1&from=2026-11-01&to=2026-11-24")


def test_capacity_outlook_and_its_back_test_are_on_the_page(site):
    from playwright.sync_api import expect

    from data_access.metrics.outlook import capacity_outlook, outlook_backtest
    from layouts.capacity import backtest_sentence

    page, base_url, engine = site
    page.goto(f"{base_url}/capacity?area=ICB1&{PERIOD}")
    by_pathway = roll_up(capacity_at(engine, system_area(engine, "ICB1"), TODAY_AT), "pathway")
    tables = capacity_outlook(
        engine, system_area(engine, "ICB1"), TODAY_AT,
        free_now=dict(zip(by_pathway.pathway, by_pathway.free, strict=True)),
        waiting_now=waiting_for_pathway(engine, system_area(engine, "ICB1"), TODAY_AT))
    backtest = outlook_backtest(engine, system_area(engine, "ICB1"), TODAY_AT)
    for pathway in (1, 2, 3):
        last = tables[pathway].iloc[-1]
        expect(page.locator(f"#outlook-summary-p{pathway}")).to_contain_text(
            "No outlook" if pd.isna(last.expected_shortfall)
            else f"expected shortfall {last.expected_shortfall:+,.0f}")
        expect(page.locator(f"#outlook-backtest-p{pathway}")).to_contain_text(
            backtest_sentence(backtest[pathway].demand, "new demand"))
        expect(page.locator(f"#outlook-backtest-p{pathway}")).to_contain_text(
            backtest_sentence(backtest[pathway].places, "places freed"))


@pytest.mark.parametrize("area", AREAS)
def test_outcomes_page_figures_equal_the_metric_functions(site, area):
    from playwright.sync_api import expect

    from data_access.metrics.outcomes import end_of_service_outcomes, readmitted_within_30_days

    page, base_url, engine = site
    page.goto(f"{base_url}/outcomes?area={area}&{PERIOD}")
    expect(page.locator("#page-title")).to_contain_text("Outcomes")
    start, end = read_view_state(f"?{PERIOD}", date(2026, 11, 25)).bounds(TODAY_AT)
    ended = end_of_service_outcomes(engine, system_area(engine, area), start, end)
    expect(page.locator("#ended-value")).to_have_text(fmt.whole(int(ended.people.sum())))
    readmitted = readmitted_within_30_days(engine, system_area(engine, area), start, end, TODAY_AT)
    expected = ("–" if readmitted.empty or pd.isna(readmitted.value.iloc[0])
                else fmt.percent(100 * readmitted.value.iloc[0]))
    expect(page.locator("#readmitted-value")).to_have_text(expected)
    expect(open_figures(page, "equity-sex-table")).not_to_have_count(0)
    # ASCOF 2D: P1H is reablement (REABLEMENT_SERVICES), so E7 and E11 went into it; their day
    # 84 falls after the period.
    ascof = ascof_2d(engine, system_area(engine, area), date(2026, 11, 2), date(2026, 11, 24),
                     TODAY_AT)
    expect(page.locator("#ascof-part2-value")).to_have_text(fmt.percent(ascof.part_2_percent))
    expect(page.locator("#ascof-part1-value")).to_have_text(fmt.percent(ascof.part_1_percent))
    for element_id, count in (("ascof-died", ascof.died), ("ascof-readmitted", ascof.readmitted),
                              ("ascof-entered-care", ascof.entered_care)):
        expect(page.locator(f"#{element_id}")).to_have_text(fmt.whole(count))
    assert ascof.into_reablement == 2 and ascof.followed_up == 0  # N1 is in each area


def test_places_page_and_the_drill_down_through_the_url(site):
    from playwright.sync_api import expect

    from data_access.metrics.places import place_comparison

    page, base_url, engine = site
    page.goto(f"{base_url}/places?area=ICB1&{PERIOD}")
    expect(page.locator("#page-title")).to_contain_text("Places")
    start, end = read_view_state(f"?{PERIOD}", date(2026, 11, 25)).bounds(TODAY_AT)
    places = place_comparison(engine, system_area(engine, "ICB1"), "district", TODAY_AT, start, end)
    for r in places.itertuples():
        expect(page.locator(f"#place-waiting-{r.area_code}")).to_have_text(fmt.whole(r.waiting))
        expect(page.locator(f"#place-waiting-rate-{r.area_code}")).to_have_text(
            f"{r.waiting_rate:,.1f}")
    # Drill into place one: its neighbourhoods, and every page now follows it.
    page.locator("#place-link-D1").click()
    expect(page).to_have_url(f"{base_url}/places?area=D1&{PERIOD}")
    expect(page.locator("#page-title")).to_have_text("Places: Place one")
    expect(page.locator("#place-waiting-N1")).to_be_visible()
    page.locator("#nav-today").click()
    expect(page.locator("#page-title")).to_have_text("Today: Place one")


@pytest.mark.parametrize("area", AREAS)
def test_data_page_checks_equal_the_check_functions(site, area):
    from playwright.sync_api import expect

    from data_access.quality import run_checks

    page, base_url, engine = site
    # The Data page is the data manager's; an executive is refused it.
    page.goto(f"{base_url}/data?area={area}")
    expect(page.locator("#access-denied")).to_contain_text("does not give access")
    sign_in_page(page, base_url, "test-data_manager")
    try:
        page.goto(f"{base_url}/data?area={area}")
        expect(page.locator("#page-title")).to_contain_text("Data: ")
        for check in run_checks(engine, system_area(engine, area), TODAY_AT):
            expect(page.locator(f"#check-{check.check_id}-count")).to_have_text(
                fmt.whole(check.count))
        # Every load of the fixture is listed, newest first: the first batch's six files and
        # the services' types.
        expect(page.locator("#deliveries-table tbody tr")).to_have_count(7)
    finally:
        sign_in_page(page, base_url, "test-executive")
