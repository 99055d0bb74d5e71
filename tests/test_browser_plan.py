"""The Plan page in headless Chromium: an executive builds a scenario with the form, runs it in
the background, sees the progress reach its end, compares it with the baseline (the totals
table, and the daily charts with their tables), exports the comparison as CSV, saves the
scenario and loads it back; runs the back-test and sees its table.

The case: tests/builders.py's Today and STAYS episodes (pathways 1 and 2 have stays to draw
from; pathway 3 is left out). Runs are small: 3 replications (DASHBOARD_PLAN_REPLICATIONS), a
2-week horizon set in the form."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dashboard.app_factory import create_app
from dashboard.clock import FixedClock
from dashboard.config import Settings
from dashboard.planning.backtest import TABLE_COLUMNS
from data_access.audit import recent_events
from data_access.db import make_engine
from tests.accounts import add_user
from tests.browser import browsing, sign_in_page
from tests.builders import (
    GEOGRAPHY,
    STAYS,
    TODAY_AT,
    TODAY_CAPACITY,
    TODAY_DELAYS,
    TODAY_EPISODES,
    load_files,
)
from tests.conftest import fresh_database
from tests.test_accessibility import STRUCTURE, axe_violations, report

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(migrated_template, tmp_path_factory) -> Iterator[tuple[object, str, object]]:
    folder = tmp_path_factory.mktemp("plan")
    patch = pytest.MonkeyPatch()
    patch.setenv("DASHBOARD_PLAN_REPLICATIONS", "3")
    patch.setenv("DASHBOARD_JOBS_DIR", str(folder / "jobs"))
    url = fresh_database(migrated_template, folder)
    engine = make_engine(url)
    assert load_files(engine, folder / "today", {
        **GEOGRAPHY, "episodes.csv": TODAY_EPISODES, "capacity.csv": TODAY_CAPACITY,
        "delays.csv": TODAY_DELAYS}).loaded
    assert load_files(engine, folder / "stays", {"episodes.csv": STAYS}).loaded
    app = create_app(Settings(database_url=url, clock=FixedClock(TODAY_AT)), engine)
    with browsing(app.server, add_user(engine, "executive")) as (page, base_url):
        yield page, base_url, engine
    engine.dispose()
    patch.undo()


def test_a_scenario_is_built_run_compared_with_the_baseline_and_exported(site, tmp_path):
    from playwright.sync_api import expect

    page, base_url, engine = site
    page.goto(f"{base_url}/plan?area=ICB1")
    expect(page.locator("#page-title")).to_have_text("Plan: Test system")
    expect(page.locator("#plan-inputs-table")).to_contain_text("People becoming NCTR")
    expect(page.locator("#plan-progress")).to_have_attribute("value", "0")
    page.fill("#plan-name", "Ten more reablement places")
    page.fill("#plan-horizon", "2")
    page.fill("#plan-places-1", "10")
    page.fill("#plan-shift", "10")
    page.click("#plan-run")
    # Progress is reported as each step ends, up to the last (the places needed per pathway).
    expect(page.locator("#plan-progress")).to_have_attribute("value", "100")
    expect(page.locator("#plan-comparison-title")).to_have_text(
        "Baseline and Ten more reablement places")
    totals = page.locator("#plan-totals-table")
    expect(totals.locator("th").nth(3)).to_have_text("Ten more reablement places")
    expect(totals).to_contain_text("Acute bed days lost to waiting")
    expect(page.locator("#plan-occupancy-1")).to_be_visible()  # the chart, baseline and scenario
    expect(page.locator("#plan-needed-table")).to_contain_text("Places to add")
    expect(page.locator("#plan-left-out")).to_contain_text("Pathway 3 left out")
    expect(page.locator("#plan-run")).to_be_enabled()
    expect(page.locator("#plan-cancel")).to_be_disabled()
    shown = [[cell.strip() for cell in row.split("\t")] for row in
             totals.locator("tbody tr").evaluate_all(
                 "rows => rows.map(r => [...r.cells].map(c => c.innerText).join('\\t'))")]
    with page.expect_download() as download_info:
        page.locator("#plan-totals-table-csv-team").click()
    path = tmp_path / "totals.csv"
    download_info.value.save_as(path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert download_info.value.suggested_filename == "plan-totals-table.csv"
    assert lines[0] == "Pathway,Over the horizon,Baseline,Ten more reablement places"
    # The export recomputes the run from its ticket: the same seeded figures as shown.
    exported = [line.split(",", 2) for line in lines[1:1 + len(shown)]]
    assert [row[:2] for row in exported] == [row[:2] for row in shown]
    assert all(shown_row[2] in line for shown_row, line in
               zip(shown, lines[1:1 + len(shown)], strict=True))
    assert len(recent_events(engine, limit=10, action="export", username="test-executive")) == 1


def test_a_scenario_is_saved_and_loaded_back_into_the_form(site):
    from playwright.sync_api import expect

    page, base_url, engine = site
    page.goto(f"{base_url}/plan?area=D1")
    expect(page.locator("#plan-saved")).to_contain_text("No scenario is saved")
    page.fill("#plan-name", "Place one winter")
    page.fill("#plan-surge", "15")
    page.click("#plan-save")
    expect(page.locator("#plan-save-message")).to_have_text("Saved Place one winter for Place "
                                                            "one.")
    expect(page.locator("#plan-saved-table")).to_contain_text("Place one winter")
    page.fill("#plan-name", "Something else")
    page.fill("#plan-surge", "0")
    page.click("#plan-load")
    expect(page.locator("#plan-name")).to_have_value("Place one winter")
    expect(page.locator("#plan-surge")).to_have_value("15")
    assert len(recent_events(engine, limit=10, action="plan_scenario_loaded")) == 1


def test_a_saved_scenario_is_chosen_and_compared_beside_the_form_s(site):
    """Save a winter scenario for the system, tick it under "Compare with saved scenarios",
    run another from the form: the totals table has a column for each, the saved one named
    as saved, and the export has it too."""
    from playwright.sync_api import expect

    page, base_url, engine = site
    page.goto(f"{base_url}/plan?area=ICB1")
    page.fill("#plan-name", "Compared winter")
    page.fill("#plan-horizon", "2")
    page.fill("#plan-surge", "15")
    page.click("#plan-save")
    expect(page.locator("#plan-save-message")).to_contain_text("Saved Compared winter")
    page.get_by_label("Compared winter (Test system)").check()
    page.fill("#plan-name", "Form scenario")
    page.fill("#plan-surge", "0")
    page.click("#plan-run")
    expect(page.locator("#plan-progress")).to_have_attribute("value", "100")
    expect(page.locator("#plan-comparison-title")).to_have_text(
        "Baseline, Form scenario and Compared winter (saved)")
    headings = page.locator("#plan-totals-table thead th")
    expect(headings).to_have_text(["Pathway", "Over the horizon", "Baseline", "Form scenario",
                                   "Compared winter (saved)"])
    expect(page.locator("#plan-occupancy-1-table")).to_contain_text(
        "Compared winter (saved) mean")
    with page.expect_download() as download_info:
        page.locator("#plan-totals-table-csv-team").click()
    first = download_info.value.path().read_text(encoding="utf-8-sig").splitlines()[0]
    assert first == "Pathway,Over the horizon,Baseline,Form scenario,Compared winter (saved)"
    runs = recent_events(engine, limit=10, action="plan_run", username="test-executive")
    assert runs.detail.str.contains("Form scenario compared with").any()


def test_the_back_test_is_run_and_its_table_shown(site):
    """Run the back-test: its progress reaches its end, the table shows pathway 1 from 29 Sep
    2026 (the one origin with history: tests/test_plan_page.py works it out) with the same
    columns as docs/planning.md's, and the origins with too little history are named."""
    from playwright.sync_api import expect

    page, base_url, engine = site
    page.goto(f"{base_url}/plan?area=ICB1")
    expect(page.locator("#plan-backtest-progress")).to_have_attribute("value", "0")
    page.click("#plan-backtest-run")
    expect(page.locator("#plan-backtest-progress")).to_have_attribute("value", "100")
    table = page.locator("#plan-backtest-table")
    expect(table.locator("thead th")).to_have_text(list(TABLE_COLUMNS))
    expect(table.locator("tbody tr")).to_have_count(4)
    expect(table.locator("tbody tr").first).to_contain_text("occupancy")
    expect(page.locator("#plan-backtest-too-little")).to_contain_text("pathway 3 from 07 Jul 2026")
    expect(page.locator("#plan-backtest-run")).to_be_enabled()
    expect(page.locator("#plan-backtest-cancel")).to_be_disabled()
    assert len(recent_events(engine, limit=10, action="plan_backtest")) >= 1


def test_the_results_meet_wcag_22_aa(site):
    """tests/test_accessibility.py checks the page as it opens; this, the results of a run and
    of the back-test.
    (A context of its own: the strict CSP would refuse the injected axe script.)"""
    from playwright.sync_api import expect

    page, base_url, _ = site
    context = page.context.browser.new_context(viewport={"width": 1400, "height": 1000},
                                               bypass_csp=True)
    checked = context.new_page()
    sign_in_page(checked, base_url, "test-executive")
    checked.goto(f"{base_url}/plan?area=ICB1")
    checked.fill("#plan-horizon", "2")
    checked.click("#plan-run")
    expect(checked.locator("#plan-needed-table")).to_be_visible()
    checked.click("#plan-backtest-run")
    expect(checked.locator("#plan-backtest-table")).to_be_visible()
    violations = axe_violations(checked)
    assert not violations, report(violations)
    assert checked.evaluate(STRUCTURE) == []
    context.close()
