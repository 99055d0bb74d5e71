"""Known-answer tests for every figure of the Today page.

The data (``TODAY_EPISODES`` in tests/builders.py, listed with a comment per row) is hand-made;
every expected figure was worked out by hand from it (see the
comments), never by calling the code under test. T = Wednesday 25 November 2026, 08:30 (GMT).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from dashboard.clock import LONDON
from data_access.metrics.capacity import capacity_at, capacity_by_pathway
from data_access.metrics.discharges import discharges_by_pathway
from data_access.metrics.time_to_service import nctr_to_service
from data_access.metrics.today import today_summary
from data_access.metrics.waiting import waiting_at
from tests.builders import (
    EPISODE_HEADER,
    GEOGRAPHY,
    TODAY_AT,
    TODAY_CAPACITY,
    TODAY_EPISODES,
    load_files,
    system_area,
)

T = TODAY_AT

@pytest.fixture
def loaded(engine, tmp_path):
    files = {**GEOGRAPHY, "episodes.csv": TODAY_EPISODES, "capacity.csv": TODAY_CAPACITY}
    report = load_files(engine, tmp_path / "batch", files)
    assert report.loaded and not report.rejections, report.summary()
    return engine


def test_waiting_now_by_band_with_exact_24_hour_boundary(loaded):
    snapshot = waiting_at(loaded, system_area(loaded, "ICB1"), T)
    # Waiting at T: E1 (0.5 h), E2 (exactly 24.0 h), E3 (24 h 1 min), E4 (5 days), E5 (24 days).
    # E6 was discharged exactly at T, so it is no longer waiting.
    assert snapshot.total == 5
    assert snapshot.by_band == {"0 days": 1, "1 day": 2, "2-3 days": 0, "4-6 days": 1,
                                "7-13 days": 0, "14-20 days": 0, "21+ days": 1}
    # Over 24 h: E3, E4, E5. E2 at exactly 24.0 h is not over.
    assert snapshot.over_24_hours == 3


def test_waiting_is_confined_to_the_chosen_place(loaded):
    # Homes in place one (N1): E1, E2, E5.
    snapshot = waiting_at(loaded, system_area(loaded, "D1"), T)
    assert snapshot.total == 3
    assert snapshot.over_24_hours == 1


def test_waiting_same_time_yesterday(loaded):
    # At 24 Nov 08:30: E2 (NCTR exactly then), E3, E4, E5, E7, E8, E9, E12.
    assert waiting_at(loaded, system_area(loaded, "ICB1"),
                      datetime(2026, 11, 24, 8, 30, tzinfo=LONDON)).total == 8


def test_discharges_yesterday_by_pathway(loaded):
    # Discharged on 24 Nov: E7 (P1), E8 (P0), E9 (P2), E12 (P0). E6 left on the 25th.
    day = date(2026, 11, 24)
    assert discharges_by_pathway(loaded, system_area(loaded, "ICB1"),
                                 day, day) == {0: 2, 1: 1, 2: 1, 3: 0}


def test_nctr_to_service_over_last_seven_days(loaded):
    result = nctr_to_service(loaded, system_area(loaded, "ICB1"),
                             datetime(2026, 11, 18, 8, 30, tzinfo=LONDON), T)
    # Started in (18 Nov 08:30, 25 Nov 08:30]: E7 28 h, E9 exactly 24.0 h, E10 50 h.
    # E11 started 18 Nov 08:00, before the window.
    assert result.started == 3
    assert result.median_hours == pytest.approx(28.0)
    # 90th percentile of [24, 28, 50], linear between ranks: 28 + 0.8 * (50 - 28) = 45.6.
    assert result.p90_hours == pytest.approx(45.6)
    assert result.within_24h == 1  # E9: exactly 24.0 h counts as within
    assert result.within_24h_percent == pytest.approx(100 / 3)
    # No service yet and NCTR over 24 h ago, pathway 1-3: E3, E4, E5, and E13 (at home,
    # first visit not yet made). E2 is at exactly 24.0 h; E1 has no pathway yet.
    assert result.still_waiting_over_24h == 4


def test_capacity_latest_report_at_or_before_now_with_stale_and_missing(loaded):
    services = capacity_at(loaded, system_area(loaded, "ICB1"), T).set_index("service_code")
    # P1H: the 08:00 report (the 09:00 one is after T): 10 - 7 - 1 = 2 free, 7/9 occupied.
    assert services.loc["P1H", "free"] == 2
    assert services.loc["P1H", "occupancy"] == pytest.approx(7 / 9)
    assert services.loc["P1H", "status"] == "current"
    # P1X: reported exactly 24.0 h ago (not older, so current); over-full, so free is 0.
    assert services.loc["P1X", "status"] == "current"
    assert services.loc["P1X", "free"] == 0
    # P2B: 24.5 h old, stale. P3C: never reported.
    assert services.loc["P2B", "status"] == "stale"
    assert services.loc["P3C", "status"] == "no report"

    by_pathway = capacity_by_pathway(capacity_at(loaded, system_area(loaded, "ICB1"), T))
    assert by_pathway[1].free_current == 2
    assert by_pathway[1].services == 2
    # The stale P2 report's 5 free places are not counted as current.
    assert by_pathway[2].free_current == 0
    assert by_pathway[2].stale_services == 1
    assert by_pathway[3].unreported_services == 1


def test_capacity_for_a_place_includes_system_wide_services(loaded):
    codes = set(capacity_at(loaded, system_area(loaded, "D1"), T).service_code)
    # Place one is served by its own P1H and the system-wide P2B, not by place two's services.
    assert codes == {"P1H", "P2B"}


def test_today_summary_assembles_the_figures(loaded):
    summary = today_summary(loaded, system_area(loaded, "ICB1"), T)
    assert summary.waiting_now.total == 5
    assert summary.change_since_yesterday == 5 - 8
    assert summary.discharges_yesterday[0] == 2
    assert summary.time_to_service_7_days.started == 3
    assert summary.capacity[1].free_current == 2


def test_same_time_yesterday_is_local_clock_time_across_the_october_clock_change(engine,
                                                                                   tmp_path):
    # Clocks went back at 02:00 on Sunday 25 October 2026. T = 08:30 GMT that day.
    # A: NCTR 24 Oct 08:00 BST (07:00 UTC): 25.5 h at T. B: NCTR 24 Oct 08:45 BST (07:45 UTC).
    episodes = EPISODE_HEADER + (
        "A,a,S1,N1,80,F,2026-10-20T10:00,2026-10-24T08:00,,,,,,,,,\n"
        "B,b,S1,N1,80,F,2026-10-20T10:00,2026-10-24T08:45,,,,,,,,,\n")
    load_files(engine, tmp_path / "dst", {**GEOGRAPHY, "episodes.csv": episodes})
    summary = today_summary(engine, system_area(engine, "ICB1"),
                            datetime(2026, 10, 25, 8, 30, tzinfo=LONDON))
    assert summary.waiting_now.total == 2
    assert summary.waiting_now.over_24_hours == 2  # 25.5 h and 24.75 h
    # Same clock time yesterday is 08:30 BST (07:30 UTC), 25 hours earlier: only A was waiting.
    assert summary.waiting_same_time_yesterday.total == 1
