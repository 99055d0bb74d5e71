"""Known-answer tests for capacity roll-ups, capacity day by day (stale and missing reports) and
demand beside supply. The data is the Today case of tests/builders.py; figures worked by hand."""

from __future__ import annotations

from datetime import date

import pytest

from data_access.metrics.capacity import (
    capacity_at,
    capacity_daily,
    roll_up,
    waiting_for_pathway,
)
from tests.builders import (
    GEOGRAPHY,
    TODAY_AT,
    TODAY_CAPACITY,
    TODAY_DELAYS,
    TODAY_EPISODES,
    load_files,
    system_area,
)


@pytest.fixture
def loaded(engine, tmp_path):
    # E1 (no pathway yet) gets a capacity reason for pathway 2 just before T.
    delays = TODAY_DELAYS + "E1,2026-11-25T08:10,C5\n"
    report = load_files(engine, tmp_path / "b", {
        **GEOGRAPHY, "episodes.csv": TODAY_EPISODES, "capacity.csv": TODAY_CAPACITY,
        "delays.csv": delays})
    assert report.loaded and not report.rejections, report.summary()
    return engine


def test_roll_up_by_pathway_counts_current_reports_only(loaded):
    frame = roll_up(capacity_at(loaded, system_area(loaded, "ICB1"),
                                TODAY_AT), "pathway").set_index("pathway")
    # P1: P1H (10 places, 7 occupied, 1 closed) + P1X (5, 6, 0) -> 15, 13, 1; free 2 + 0.
    assert frame.loc[1, ["places", "occupied", "unavailable", "free"]].tolist() == [15, 13, 1, 2]
    assert frame.loc[1, "occupancy"] == pytest.approx(13 / 14)
    assert frame.loc[1, ["current_reports", "stale_reports", "no_report"]].tolist() == [2, 0, 0]
    # P2: its only report is stale, so nothing counts and occupancy is blank.
    assert frame.loc[2, ["places", "stale_reports"]].tolist() == [0, 1]
    assert frame.loc[2, "occupancy"] != frame.loc[2, "occupancy"]  # NaN
    assert frame.loc[3, "no_report"] == 1


def test_roll_up_by_the_area_a_service_belongs_to(loaded):
    frame = roll_up(capacity_at(loaded, system_area(loaded, "ICB1"),
                                TODAY_AT), "area").set_index("area")
    assert frame.loc["Place one", "free"] == 2  # P1H
    assert frame.loc["Test system", "stale_reports"] == 1  # P2B, system-wide


def test_capacity_day_by_day_leaves_stale_reports_out(loaded):
    daily = capacity_daily(loaded, system_area(loaded, "ICB1"),
                           date(2026, 11, 23), date(2026, 11, 25))
    got = {(str(r.date), r.pathway): (r.places, r.occupied, r.free, r.reporting)
           for r in daily.itertuples()}
    # End of 23 Nov: no report yet. End of 24 Nov: P1H (10, 10), P1X (5, 6: over-full, free
    # 0), P2B (20, 15, free 5). End of 25 Nov: P1H's 09:00 report (10, 2, free 8); P1X and P2B
    # last reported 39.5 h and 40 h before, stale, so left out.
    assert got == {("2026-11-24", 1): (15, 16, 0, 2), ("2026-11-24", 2): (20, 15, 5, 1),
                   ("2026-11-25", 1): (10, 2, 8, 1)}


def test_capacity_day_by_day_before_any_report_is_empty(loaded):
    # A period a year before the first report (the load test found the page failing here).
    daily = capacity_daily(loaded, system_area(loaded, "ICB1"), date(2025, 9, 1), date(2025, 12, 1))
    assert daily.empty and {"date", "pathway", "free", "occupancy"} <= set(daily.columns)


def test_demand_beside_supply_counts_people_waiting_for_each_pathway(loaded):
    # Not started, journey not ended: P1 E2, E4 and E13 (at home awaiting a first visit);
    # P2 E5, and E1 (no pathway yet, current reason C5 names pathway 2); P3 E3.
    # E6, E8, E12 are pathway 0; E7, E9, E10, E11 have started.
    assert waiting_for_pathway(loaded, system_area(loaded, "ICB1"), TODAY_AT) == {1: 3, 2: 2, 3: 1}
    # Place one (homes in N1): E2 (P1), E5 (P2), E1 (P2).
    assert waiting_for_pathway(loaded, system_area(loaded, "D1"), TODAY_AT) == {1: 1, 2: 2, 3: 0}
