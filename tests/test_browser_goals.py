"""Local goals in headless Chromium: the Goals page shows each measure against its goal with the
assurance icon the metric and SPC functions give, at system, place and neighbourhood level; the
pages of the measures read their charts against the same goal; a data manager sets a goal with
the form, and a bad one is refused in words."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from callbacks.trends import goal_spc, longest_delays_trend, week_ends
from dashboard.app_factory import create_app
from dashboard.clock import FixedClock
from dashboard.config import Settings
from dashboard.goals import GOAL_MEASURES
from dashboard.spc import ASSURANCE_LABELS, Assurance, weekly_series
from dashboard.url_state import read_view_state
from data_access.db import make_engine
from data_access.goals import goals_in_force
from data_access.metrics.delays import longest_delays_at
from data_access.metrics.discharge_delays import discharge_delays_by_period
from data_access.metrics.time_to_service import nctr_to_service_weekly
from layouts import formatting as fmt
from tests.accounts import add_user
from tests.browser import browsing
from tests.builders import (
    EPISODE_HEADER,
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
AREAS = ("ICB1", "D1", "N1")  # a system, a place, a neighbourhood
# The system's plan, and place one's own goal for the share on the ready date.
GOALS = """
    area_code,measure,first_day,last_day,goal,better
    ICB1,within_24h_percent,2026-04-01,2027-03-31,80,up
    ICB1,discharged_on_drd_percent,2026-04-01,2027-03-31,85,up
    D1,discharged_on_drd_percent,2026-04-01,2027-03-31,95,up
    ICB1,mean_delay_days,2026-04-01,2027-03-31,1,down
    ICB1,waiting_21_days_plus,2026-04-01,2027-03-31,12,down
"""

# Discharges from neighbourhood one in each whole week of the period (delays 0 and 2, 0 and 1,
# 0 and 0 days), so its weekly share on the ready date has limits to set a goal against.
WEEKLY_DISCHARGES = EPISODE_HEADER + """\
G1,g1,S1,N1,80,F,2026-11-01T10:00,2026-11-03T10:00,,0,2026-11-03T15:00,,,,,,
G2,g2,S1,N1,81,M,2026-11-01T10:00,2026-11-04T10:00,,0,2026-11-06T15:00,,,,,,
G3,g3,S1,N1,82,F,2026-11-08T10:00,2026-11-10T10:00,,0,2026-11-10T15:00,,,,,,
G4,g4,S1,N1,83,M,2026-11-08T10:00,2026-11-11T10:00,,0,2026-11-12T15:00,,,,,,
G5,g5,S1,N1,84,F,2026-11-15T10:00,2026-11-17T10:00,,0,2026-11-17T15:00,,,,,,
G6,g6,S1,N1,85,M,2026-11-15T10:00,2026-11-18T10:00,,0,2026-11-18T15:00,,,,,,
"""


@pytest.fixture(scope="module")
def site(migrated_template, tmp_path_factory) -> Iterator[tuple[object, str, object]]:
    folder = tmp_path_factory.mktemp("goals")
    url = fresh_database(migrated_template, folder)
    engine = make_engine(url)
    report = load_files(engine, folder / "batch", {
        **GEOGRAPHY, "episodes.csv": TODAY_EPISODES, "capacity.csv": TODAY_CAPACITY,
        "delays.csv": TODAY_DELAYS, "goals.csv": GOALS})
    assert report.loaded, report.summary()
    assert load_files(engine, folder / "weekly", {"episodes.csv": WEEKLY_DISCHARGES}).loaded
    app = create_app(Settings(database_url=url, clock=FixedClock(TODAY_AT)), engine)
    with browsing(app.server, add_user(engine, "data_manager")) as (page, base_url):
        yield page, base_url, engine
    engine.dispose()


def expected_trends(engine, code):
    """Each measure's weekly SPC against its goal, from the metric and SPC functions."""
    state = read_view_state(f"?{PERIOD}&area={code}", TODAY_AT.date())
    area, (start, end) = system_area(engine, code), state.bounds(TODAY_AT)
    goals = goals_in_force(engine, area, state.last_day)
    first, last = state.first_day, state.last_day
    weeks = discharge_delays_by_period(engine, area, first, last, period="week").rename(
        columns={"period_start": "week_start"})
    within = nctr_to_service_weekly(engine, area, start, end)
    return goals, {
        "within_24h_percent": goal_spc(weekly_series(within, "within_24h_percent", first, last),
                                       "within_24h_percent", goals, state),
        "discharged_on_drd_percent": goal_spc(
            weekly_series(weeks, "on_ready_date_percent", first, last),
            "discharged_on_drd_percent", goals, state),
        "mean_delay_days": goal_spc(weekly_series(weeks, "mean_delay_days", first, last),
                                    "mean_delay_days", goals, state),
        "waiting_21_days_plus": longest_delays_trend(
            longest_delays_at(engine, area, week_ends(start, end)), state, goals),
    }


def goal_text(goal) -> str:
    if goal is None:
        return "No local goal is set here, so no assurance icon."
    return (f"Local goal: {fmt.goal_level(goal.measure, goal.value, goal.better)}, "
            f"{fmt.day(goal.first_day)} to {fmt.day(goal.last_day)} (set for {goal.area_name}).")


@pytest.mark.parametrize("area", AREAS)
def test_each_measure_is_shown_against_its_goal_with_its_assurance_icon(site, area):
    from playwright.sync_api import expect

    page, base_url, engine = site
    page.goto(f"{base_url}/goals?area={area}&{PERIOD}")
    expect(page.locator("#page-title")).to_contain_text("Goals")
    goals, trends = expected_trends(engine, area)
    shown = 0
    for key in GOAL_MEASURES:
        expect(page.locator(f"#goal-{key}-goal")).to_have_text(goal_text(goals.get(key)))
        badges = page.locator(f"#goal-{key}-badges")
        assurance = trends[key].assurance
        if assurance is None:
            expect(badges).not_to_contain_text("onsistently")
            expect(badges).not_to_contain_text("Hit and miss")
        else:
            expect(badges).to_contain_text(ASSURANCE_LABELS[Assurance(assurance)])
            shown += 1
    # The case's worked figures: the 21+ count (0, 0, 1 at the Mondays 9, 16 and 23 Nov) has
    # limits far below the system's goal of 12, so it consistently passes; the count is not
    # held by the places and neighbourhoods below.
    if area == "ICB1":
        assert trends["waiting_21_days_plus"].assurance == Assurance.PASS
        expect(page.locator("#goal-waiting_21_days_plus-badges")).to_contain_text(
            "Consistently passes the target")
    else:
        assert "waiting_21_days_plus" not in goals
    assert shown >= 1
    # Place one's own goal for the share on the ready date (95%) holds for its neighbourhood
    # too. Worked for N1: weeks of 50%, 50% and 67% (E11 left a day late in the third), mean
    # 55.6%, mean moving range 8.3, upper limit 55.6 + 2.66 x 8.3 = 77.7%, below 95%: higher is
    # better, so the process consistently fails the goal.
    if area in ("D1", "N1"):
        assert goals["discharged_on_drd_percent"].value == 95
        assert trends["discharged_on_drd_percent"].assurance == Assurance.FAIL
    if area == "N1":
        assert list(trends["discharged_on_drd_percent"].points.value.round(1)) == \
            [50.0, 50.0, 66.7]


def test_the_pages_of_the_measures_read_their_charts_against_the_same_goal(site):
    from playwright.sync_api import expect

    page, base_url, engine = site
    goals, trends = expected_trends(engine, "D1")
    page.goto(f"{base_url}/discharge-delays?area=D1&{PERIOD}")
    expect(page.locator("#drd-on-date-spc-goal")).to_have_text(
        goal_text(goals["discharged_on_drd_percent"]))
    expect(page.locator("#longest-spc-chart-goal")).to_have_text(goal_text(None))
    page.goto(f"{base_url}/time-to-service?area=D1&{PERIOD}")
    expect(page.locator("#within-spc-goal")).to_have_text(goal_text(goals["within_24h_percent"]))
    page.goto(f"{base_url}/?area=ICB1")
    system_goals = goals_in_force(engine, system_area(engine, "ICB1"), date(2026, 11, 25))
    expect(page.locator("#today-longest-goal")).to_have_text(
        goal_text(system_goals["waiting_21_days_plus"]))


def test_a_data_manager_sets_a_goal_with_the_form_and_a_bad_one_is_refused(site):
    from playwright.sync_api import expect

    page, base_url, engine = site
    page.goto(f"{base_url}/goals?area=D2&{PERIOD}")
    expect(page.locator("#page-title")).to_contain_text("Goals")
    page.select_option("#goal-measure", "mean_delay_days")
    page.fill("#goal-value", "0.8")
    page.select_option("#goal-better", "up")  # wrong: fewer days is better
    page.click("#goal-save")
    expect(page.locator("#goal-message")).to_have_text(
        "The goal was not set: better: for mean_delay_days better lies down, not up")
    page.select_option("#goal-better", "down")
    page.click("#goal-save")
    expect(page.locator("#goal-message")).to_have_text("The goal is set.")
    expect(page.locator("#goals-table")).to_contain_text("at most 0.8 days")
    held = goals_in_force(engine, system_area(engine, "D2"), date(2026, 11, 24))
    assert (held["mean_delay_days"].value, held["mean_delay_days"].area_code) == (0.8, "D2")
    # The page read afresh shows it against the measure.
    page.goto(f"{base_url}/goals?area=D2&{PERIOD}")
    expect(page.locator("#goal-mean_delay_days-goal")).to_have_text(
        goal_text(held["mean_delay_days"]))
