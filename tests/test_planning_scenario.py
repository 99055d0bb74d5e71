"""Planning scenarios as files (dashboard/planning/scenario.py): what they change, worked by
hand, and the messages a wrong file gets."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from dashboard.planning.scenario import ScenarioError, parse_scenario

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "scenarios" / "winter-home-first.json"


def _scenario(**changes: object):
    return parse_scenario(json.dumps({"name": "Test", "area": "ICB1", **changes}))


def test_the_documented_example_is_a_valid_scenario():
    scenario = parse_scenario(EXAMPLE.read_text(encoding="utf-8"))
    assert scenario.horizon_days == 182
    assert scenario.shift is not None and scenario.shift.to_pathway == 1
    assert scenario.unit_costs[2].service_day == 250


def test_growth_surge_and_shift_change_demand_as_worked():
    """Base: pathway 1 two a day, pathway 2 one a day, for the 7 days from 1 Dec. Growth +10%;
    a surge of +50% on 3-4 Dec; 20% of pathway 2 moved to pathway 1.
    Factor: 1.1 on 1, 2, 5, 6, 7 Dec; 1.1 × 1.5 = 1.65 on 3-4 Dec.
    Pathway 2: 1 × factor × 0.8 = 0.88 (1.32 in the surge). Pathway 1: 2 × factor + 1 × factor
    × 0.2 = 2.42 (3.63 in the surge)."""
    scenario = _scenario(horizon_weeks=1, demand_growth=0.1, shift={"from": 2, "to": 1,
                                                                    "share": 0.2},
                         winter_surge={"from": "2026-12-03", "to": "2026-12-04",
                                       "increase": 0.5})
    demand = scenario.demand({1: np.full(7, 2.0), 2: np.full(7, 1.0)}, date(2026, 12, 1))
    np.testing.assert_allclose(demand[1], [2.42, 2.42, 3.63, 3.63, 2.42, 2.42, 2.42])
    np.testing.assert_allclose(demand[2], [0.88, 0.88, 1.32, 1.32, 0.88, 0.88, 0.88])


def test_capacity_changes_apply_from_their_day_and_never_go_below_zero():
    """Pathway 1, 10 places now; +5 from 3 Dec, -20 from 5 Dec: 10, 10, 15, 15, 0, 0, 0.
    Pathway 2 with its places set by the scenario (8) is unchanged by pathway 1's changes."""
    scenario = _scenario(horizon_weeks=1, places={"2": 8}, capacity_changes=[
        {"pathway": 1, "from": "2026-12-03", "places": 5},
        {"pathway": 1, "from": "2026-12-05", "places": -20}])
    assert scenario.capacity(1, 10, date(2026, 12, 1)).tolist() == [10, 10, 15, 15, 0, 0, 0]
    assert scenario.capacity(2, 3, date(2026, 12, 1)).tolist() == [8] * 7


def test_every_problem_of_a_file_is_named_at_once():
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(json.dumps({"name": "", "area": "ICB1", "horizon_weeks": 27,
                                   "pathways": [1, 4], "colour": "red",
                                   "length_of_stay": {"1": "long"},
                                   "capacity_changes": [{"pathway": 1, "from": "soon",
                                                         "places": 2.5}]}))
    message = str(caught.value)
    for part in ("unknown keys: colour", "name: a text of 1 to 200 printable characters",
                 "horizon_weeks: from 1 to 26, not 27", "pathways: pathway 1, 2 or 3, not 4",
                 "length_of_stay 1: a number, not 'long'",
                 "capacity_changes[0] from: a date such as 2027-01-04, not 'soon'",
                 "capacity_changes[0] places: a whole number, not 2.5"):
        assert part in message


def test_a_text_that_is_not_json_or_not_an_object_is_a_message():
    with pytest.raises(ScenarioError, match="not JSON: Expecting value at line 1, column 1"):
        parse_scenario("name: winter")
    with pytest.raises(ScenarioError, match="a scenario is a JSON object"):
        parse_scenario("[1, 2]")
    with pytest.raises(ScenarioError, match="winter_surge: 'from' is after 'to'"):
        _scenario(winter_surge={"from": "2027-02-01", "to": "2027-01-01", "increase": 0.1})


def test_hostile_text_and_huge_numbers_are_refused_before_anything_runs():
    """A NUL or a lone surrogate never reaches a query (PostgreSQL refuses them); a place count
    beyond 100,000 is a typo, not a plan."""
    with pytest.raises(ScenarioError) as caught:
        parse_scenario('{"name": "a\\u0000b", "area": "\\ud800", "places": {"1": 10000000}, '
                       '"capacity_changes": [{"pathway": 2, "from": "2027-01-04", '
                       '"places": -1000000}]}')
    message = str(caught.value)
    assert "name: a text of 1 to 200 printable characters" in message
    assert "area: a text of 1 to 200 printable characters" in message
    assert "places 1: from 0 to 100000, not 10000000" in message
    assert "capacity_changes[0] places: from -100000 to 100000, not -1000000" in message
