"""Known-answer tests for every figure of the Today page.

The data below is hand-made; every expected figure was worked out by hand from it (see the
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
from tests.builders import EPISODE_HEADER, GEOGRAPHY, load_files

T = datetime(2026, 11, 25, 8, 30, tzinfo=LONDON)

# id, home, nctr_at, pathway, discharged_at, service, service_start_at
EPISODES = EPISODE_HEADER + """\
E1,p1,S1,N1,80,F,2026-11-20T10:00,2026-11-25T08:00,,,,,,,,,
E2,p2,S1,N1,81,M,2026-11-20T10:00,2026-11-24T08:30,2026-11-24T09:00,1,,,,,,,
E3,p3,S1,N2,82,F,2026-11-20T10:00,2026-11-24T08:29,2026-11-24T09:00,3,,,,,,,
E4,p4,S1,N2,83,F,2026-11-10T10:00,2026-11-20T08:30,2026-11-20T09:00,1,,,,,,,
E5,p5,S1,N1,84,M,2026-10-20T10:00,2026-11-01T08:00,2026-11-01T09:00,2,,,,,,,
E6,p6,S1,N1,70,F,2026-11-20T10:00,2026-11-24T10:00,,0,2026-11-25T08:30,,,,,,
E7,p7,S1,N1,71,F,2026-11-20T10:00,2026-11-23T12:00,2026-11-23T13:00,1,2026-11-24T15:00,P1H,2026-11-24T16:00,,,,
E8,p8,S1,N2,72,M,2026-11-20T10:00,2026-11-22T09:00,,0,2026-11-24T09:00,,,,,,
E9,p9,S1,N2,73,F,2026-11-20T10:00,2026-11-23T20:00,2026-11-23T21:00,2,2026-11-24T20:00,P2B,2026-11-24T20:00,,,,
E10,p10,S1,N2,74,M,2026-11-10T10:00,2026-11-19T08:00,2026-11-19T09:00,3,2026-11-21T10:00,P3C,2026-11-21T10:00,,,,
E11,p11,S1,N1,75,F,2026-11-10T10:00,2026-11-17T08:00,2026-11-17T09:00,1,2026-11-18T08:00,P1H,2026-11-18T08:00,,,,
E12,p12,S1,N1,76,M,2026-11-23T10:00,2026-11-24T07:00,,0,2026-11-24T12:00,,,,,,
E13,p13,S1,N2,77,F,2026-11-10T10:00,2026-11-20T09:00,2026-11-20T10:00,1,2026-11-22T10:00,P1X,,,,,
"""

CAPACITY = """\
service_code,reported_at,places,occupied,unavailable
P1H,2026-11-24T08:00,10,10,0
P1H,2026-11-25T08:00,10,7,1
P1H,2026-11-25T09:00,10,2,0
P1X,2026-11-24T08:30,5,6,0
P2B,2026-11-24T08:00,20,15,0
"""


@pytest.fixture
def loaded(engine, tmp_path):
    report = load_files(engine, tmp_path / "batch",
                        {**GEOGRAPHY, "episodes.csv": EPISODES, "capacity.csv": CAPACITY})
    assert report.loaded and not report.rejections, report.summary()
    return engine


def test_waiting_now_by_band_with_exact_24_hour_boundary(loaded):
    snapshot = waiting_at(loaded, "ICB1", T)
    # Waiting at T: E1 (0.5 h), E2 (exactly 24.0 h), E3 (24 h 1 min), E4 (5 days), E5 (24 days).
    # E6 was discharged exactly at T, so it is no longer waiting.
    assert snapshot.total == 5
    assert snapshot.by_band == {"0 days": 1, "1 day": 2, "2-3 days": 0, "4-6 days": 1,
                                "7-13 days": 0, "14-20 days": 0, "21+ days": 1}
    # Over 24 h: E3, E4, E5. E2 at exactly 24.0 h is not over.
    assert snapshot.over_24_hours == 3


def test_waiting_is_confined_to_the_chosen_place(loaded):
    # Homes in place one (N1): E1, E2, E5.
    snapshot = waiting_at(loaded, "D1", T)
    assert snapshot.total == 3
    assert snapshot.over_24_hours == 1


def test_waiting_same_time_yesterday(loaded):
    # At 24 Nov 08:30: E2 (NCTR exactly then), E3, E4, E5, E7, E8, E9, E12.
    assert waiting_at(loaded, "ICB1", datetime(2026, 11, 24, 8, 30, tzinfo=LONDON)).total == 8


def test_discharges_yesterday_by_pathway(loaded):
    # Discharged on 24 Nov: E7 (P1), E8 (P0), E9 (P2), E12 (P0). E6 left on the 25th.
    day = date(2026, 11, 24)
    assert discharges_by_pathway(loaded, "ICB1", day, day) == {0: 2, 1: 1, 2: 1, 3: 0}


def test_nctr_to_service_over_last_seven_days(loaded):
    result = nctr_to_service(loaded, "ICB1", datetime(2026, 11, 18, 8, 30, tzinfo=LONDON), T)
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
    services = capacity_at(loaded, "ICB1", T).set_index("service_code")
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

    by_pathway = capacity_by_pathway(capacity_at(loaded, "ICB1", T))
    assert by_pathway[1].free_current == 2
    assert by_pathway[1].services == 2
    # The stale P2 report's 5 free places are not counted as current.
    assert by_pathway[2].free_current == 0
    assert by_pathway[2].stale_services == 1
    assert by_pathway[3].unreported_services == 1


def test_capacity_for_a_place_includes_system_wide_services(loaded):
    codes = set(capacity_at(loaded, "D1", T).service_code)
    # Place one is served by its own P1H and the system-wide P2B, not by place two's services.
    assert codes == {"P1H", "P2B"}


def test_today_summary_assembles_the_figures(loaded):
    summary = today_summary(loaded, "ICB1", T)
    assert summary.waiting_now.total == 5
    assert summary.change_since_yesterday == 5 - 8
    assert summary.discharges_yesterday[0] == 2
    assert summary.time_to_service_7_days.started == 3
    assert summary.capacity[1].free_current == 2
