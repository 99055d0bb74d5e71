"""Local goals: goals.csv through the loader (every bad row rejected with its line and reason),
which goal holds for an area on a day (a share held from the area above, a count never), and a
goal set from the Goals page through the same checks."""

from __future__ import annotations

from datetime import date

from dashboard.clock import FixedClock
from dashboard.goals import GOAL_MEASURES, GoalInForce, met
from data_access.goals import goals_around, goals_in_force, set_goal
from tests.builders import GEOGRAPHY, TODAY_AT, load_files, system_area

GOALS = """
    area_code,measure,first_day,last_day,goal,better
    ICB1,within_24h_percent,2026-04-01,2027-03-31,80,up
    D1,within_24h_percent,2026-04-01,2027-03-31,90,up
    ICB1,waiting_21_days_plus,2026-04-01,2027-03-31,12,down
    ICB1,mean_delay_days,2025-04-01,2026-03-31,1.5,down
"""


def _load_goals(engine, tmp_path, goals=GOALS, **options):
    assert load_files(engine, tmp_path / "geography", GEOGRAPHY).loaded
    return load_files(engine, tmp_path / "goals", {"goals.csv": goals}, **options)


def test_a_goal_holds_where_it_is_set_and_a_share_also_below_it(engine, tmp_path):
    assert _load_goals(engine, tmp_path).loaded
    day = date(2026, 11, 24)
    system = goals_in_force(engine, system_area(engine, "ICB1"), day)
    assert system["within_24h_percent"] == GoalInForce(
        "within_24h_percent", 80.0, "up", date(2026, 4, 1), date(2027, 3, 31), "ICB1",
        "Test system")
    assert system["waiting_21_days_plus"].value == 12
    assert "mean_delay_days" not in system  # its year ended on 31 March 2026
    # D1 set its own share; D2 holds the system's; a count of people is not held below.
    place_one = goals_in_force(engine, system_area(engine, "D1"), day)
    assert place_one["within_24h_percent"].value == 90 and place_one["within_24h_percent"] \
        .set_on("D1")
    neighbourhood = goals_in_force(engine, system_area(engine, "N1"), day)
    assert neighbourhood["within_24h_percent"].area_code == "D1"  # the nearest area above
    place_two = goals_in_force(engine, system_area(engine, "D2"), day)
    assert place_two["within_24h_percent"].value == 80 and not \
        place_two["within_24h_percent"].set_on("D2")
    assert "waiting_21_days_plus" not in place_two
    # The last day counts; the day after does not.
    assert goals_in_force(engine, system_area(engine, "ICB1"), date(2026, 3, 31))[
        "mean_delay_days"].value == 1.5


def test_every_bad_goal_is_rejected_with_its_line_and_reason(engine, tmp_path):
    bad = """
        area_code,measure,first_day,last_day,goal,better
        ICB1,within_24h_percent,2026-04-01,2027-03-31,80,up
        ICB1,within_24h_percent,2026-10-01,2027-09-30,85,up
        ICB1,within_24h_percent,2027-04-01,2028-03-31,101,up
        ICB1,mean_delay_days,2026-04-01,2027-03-31,1.5,up
        ICB1,mean_delay_days,2027-03-31,2026-04-01,1.5,down
        ICB1,waiting_21_days_plus,2026-04-01,2027-03-31,12.5,down
        ICB1,beds_free,2026-04-01,2027-03-31,3,up
        ICB1,mean_delay_days,1 April 2026,2027-03-31,1,down
        NOWHERE,mean_delay_days,2026-04-01,2027-03-31,1,down
        ICB1,waiting_21_days_plus,2026-04-01,2027-03-31,-1,down
        ICB1,waiting_21_days_plus,2026-04-01,2027-03-31,nan,down
    """
    report = _load_goals(engine, tmp_path, bad)
    assert not report.loaded
    reasons = {r.line: r.reason for r in report.rejections}
    assert reasons == {
        3: "within_24h_percent for ICB1 from 2026-10-01 to 2027-09-30 overlaps its goal from "
           "2026-04-01 to 2027-03-31: one goal holds on a day",
        4: "goal: a share cannot be above 100%",
        5: "better: for mean_delay_days better lies down, not up",
        6: "last_day is before first_day",
        7: "goal: a count of people is a whole number",
        8: f"measure: 'beds_free' is not one of {', '.join(GOAL_MEASURES)}",
        9: "first_day: '1 April 2026' is not a date (YYYY-MM-DD)",
        10: "area_code 'NOWHERE' is not known (not in areas.csv or the database)",
        11: "goal: a goal cannot be below 0",
        12: "goal: 'nan' is not a number",
    }
    assert goals_around(engine, system_area(engine, "ICB1")).empty  # nothing written


def test_loading_the_same_goals_twice_changes_nothing(engine, tmp_path):
    assert _load_goals(engine, tmp_path).loaded
    again = load_files(engine, tmp_path / "again", {"goals.csv": GOALS})
    assert again.loaded and again.files[0].counts["unchanged"] == 4
    assert again.files[0].counts["new"] == again.files[0].counts["changed"] == 0


def test_the_goals_around_an_area_are_its_own_those_inside_and_those_above(engine, tmp_path):
    assert _load_goals(engine, tmp_path).loaded
    around = goals_around(engine, system_area(engine, "D1"))
    assert sorted(zip(around.area_code, around.measure, around.set_for, strict=True)) == [
        ("D1", "within_24h_percent", "here"),
        ("ICB1", "mean_delay_days", "above"),
        ("ICB1", "waiting_21_days_plus", "above"),
        ("ICB1", "within_24h_percent", "above")]
    assert set(goals_around(engine, system_area(engine, "D2")).area_code) == {"ICB1"}
    system = goals_around(engine, system_area(engine, "ICB1"))
    assert set(zip(system.area_code, system.set_for, strict=True)) == {("ICB1", "here"),
                                                                     ("D1", "inside")}


def test_a_goal_set_on_the_page_passes_the_same_checks_and_names_who_set_it(engine, tmp_path):
    assert load_files(engine, tmp_path / "geography", GEOGRAPHY).loaded
    clock = FixedClock(TODAY_AT)
    place = system_area(engine, "D2")
    refused = set_goal(engine, place, "discharged_on_drd_percent", "2026-04-01", "2027-03-31",
                       "120", "up", set_by="dm", clock=clock)
    assert not refused.loaded
    assert [r.reason for r in refused.rejections] == ["goal: a share cannot be above 100%"]
    report = set_goal(engine, place, "discharged_on_drd_percent", "2026-04-01", "2027-03-31",
                      "85", "up", set_by="dm", clock=clock)
    assert report.loaded and report.source == "Goals page: dm"
    held = goals_in_force(engine, place, date(2026, 11, 24))["discharged_on_drd_percent"]
    assert (held.value, held.better, held.area_code) == (85.0, "up", "D2")


def test_a_goal_is_met_on_its_value_and_on_its_better_side():
    up = GoalInForce("within_24h_percent", 80.0, "up", date(2026, 4, 1), date(2027, 3, 31),
                     "ICB1", "Test system")
    down = GoalInForce("mean_delay_days", 1.5, "down", date(2026, 4, 1), date(2027, 3, 31),
                       "ICB1", "Test system")
    assert met(up, 80.0) and met(up, 80.1) and not met(up, 79.9)
    assert met(down, 1.5) and met(down, 1.0) and not met(down, 1.6)
