"""The planning back-test: the comparison worked by hand, and what happened counted from the
database (docs/planning.md, "Back-test")."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from dashboard.planning.backtest import Actual, compare, summary
from dashboard.planning.outputs import Daily
from data_access import planning
from tests.builders import GEOGRAPHY, load_files, system_area
from tests.test_outlook_inputs import EPISODES


def _runs(occupancy: list[float], starts: list[int], within: list[float]) -> Daily:
    """Two runs of 28 days; every day of a run has the same figures."""
    def every_day(values):
        return np.repeat(np.array(values, dtype=float)[:, None], 28, axis=1)
    return Daily(occupancy=every_day(occupancy), waiting=every_day([3, 5]),
                 delayed_bed_days=every_day([0, 0]), service_days=every_day([0, 0]),
                 starts=every_day(starts), median_wait=every_day([0, 0]),
                 p90_wait=every_day([0, 0]), within_24h=every_day(within))


def test_the_comparison_worked_by_hand():
    """Two runs. At the end of week 4: in service 10 and 14 (mean 12; band 5th-95th percentile:
    10.2 to 13.8), waiting 3 and 5 (mean 4; 3.1 to 4.9). Share within 24 h over the 4 weeks: run 1
    starts 2 a day, half within 24 h (0.5); run 2 starts 1 a day, none within (0): mean 0.25,
    band 0.025 to 0.475. What happened: 13 in service (error 12 - 13 = -1, inside), 6
    waiting (4 - 6 = -2, outside), 0.3 within 24 h (-0.05, inside)."""
    rows = compare(date(2026, 10, 1), 1, _runs([10, 14], [2, 1], [0.5, 0.0]),
                   [Actual(4, 13, 6, 0.3)])
    got = rows.set_index("measure")
    assert got.loc["occupancy", ["predicted", "low", "high", "error"]].tolist() == \
        pytest.approx([12, 10.2, 13.8, -1])
    assert got.loc["waiting", ["predicted", "error"]].tolist() == pytest.approx([4, -2])
    assert got.loc["within_24h", ["predicted", "low", "high", "error"]].tolist() == \
        pytest.approx([0.25, 0.025, 0.475, -0.05])
    assert got.inside_band.tolist() == [True, False, True]
    table = summary(pd.concat([rows, rows.assign(origin=date(2026, 10, 29))]))
    occupancy = table[table.measure == "occupancy"].iloc[0]
    assert (occupancy.origins, occupancy.mean_absolute_error, occupancy.inside_band) == \
        (2, pytest.approx(1.0), 1.0)


def test_a_period_with_no_service_started_has_no_share_to_compare():
    rows = compare(date(2026, 10, 1), 2, _runs([1, 1], [1, 1], [1.0, 1.0]),
                   [Actual(4, 1, 3, None)])
    share = rows[rows.measure == "within_24h"].iloc[0]
    assert pd.isna(share.actual) and pd.isna(share.error) and share.inside_band is None
    assert summary(rows).measure.tolist() == ["occupancy", "waiting"]


def test_what_happened_counted_from_the_database(engine, tmp_path):
    """Pathway 1 from 00:00 on 2 Nov (GMT) (tests/test_outlook_inputs.py's case): after 4 weeks
    (30 Nov 00:00) B and D are in service (A and C have ended), nobody waits. Services started
    in the period: B 2 Nov (NCTR 30 Oct 10:00: 62 h), C 3 Nov 06:00 (NCTR 31 Oct 10:00: 68 h),
    D 6 Nov (NCTR 31 Oct 11:00: 133 h): none within 24 h. The 8 weeks are the same."""
    load_files(engine, tmp_path / "a", {**GEOGRAPHY, "episodes.csv": EPISODES})
    four, eight = planning.actual_outcomes(engine, system_area(engine, "ICB1"), 1,
                                           date(2026, 11, 2))
    assert (four.weeks, four.occupancy, four.waiting, four.within_24h) == (4, 2, 0, 0.0)
    assert (eight.weeks, eight.occupancy, eight.waiting, eight.within_24h) == (8, 2, 0, 0.0)
