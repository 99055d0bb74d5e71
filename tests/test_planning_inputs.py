"""Known answers for the planning model's inputs from the database (data_access/planning.py), on
the hand-made cases of tests/builders.py."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pytest

from dashboard.clock import LONDON
from data_access import planning
from tests.builders import (
    GEOGRAPHY,
    STAYS,
    TODAY_AT,
    TODAY_CAPACITY,
    TODAY_DELAYS,
    TODAY_EPISODES,
    load_files,
    system_area,
)


@pytest.fixture
def today(engine, tmp_path):
    load_files(engine, tmp_path / "today", {**GEOGRAPHY, "episodes.csv": TODAY_EPISODES,
                                             "capacity.csv": TODAY_CAPACITY,
                                             "delays.csv": TODAY_DELAYS})
    return system_area(engine, "ICB1")


def test_the_state_today_who_is_in_service_and_who_waits(engine, today):
    """At 25 Nov 08:30 (GMT). In service: pathway 1 E7 since 24 Nov 16:00 (0.6875 days) and
    E11 since 18 Nov 08:00 (7.0208); pathway 2 E9 since 24 Nov 20:00 (0.5208); pathway 3 E10
    since 21 Nov 10:00 (3.9375).
    Waiting (pathway recorded, journey open): pathway 1 E2 NCTR 24 Nov 08:30 (1 day), E13 NCTR
    20 Nov 09:00, discharged home awaiting a first visit (4.9792), E4 20 Nov 08:30 (5); pathway 2
    E5 1 Nov 08:00 (24.0208); pathway 3 E3 24 Nov 08:29 (1 day 1 minute = 1.00069)."""
    one = planning.state(engine, today, 1, TODAY_AT)
    np.testing.assert_allclose(one.in_service_days, [0.6875, 7 + 0.5 / 24])
    np.testing.assert_allclose(one.waiting_days, [1.0, 4 + 23.5 / 24, 5.0])
    assert "2 in service, 3 waiting" in one.source
    two = planning.state(engine, today, 2, TODAY_AT)
    np.testing.assert_allclose(two.in_service_days, [12.5 / 24])
    np.testing.assert_allclose(two.waiting_days, [24 + 0.5 / 24])
    three = planning.state(engine, today, 3, TODAY_AT)
    np.testing.assert_allclose(three.in_service_days, [3 + 22.5 / 24])
    np.testing.assert_allclose(three.waiting_days, [1 + 1 / 1440])


def test_places_open_now_count_only_current_reports(engine, today):
    """Pathway 1 at 25 Nov 08:30: P1H's latest report is 08:00 today (10 places, 1 unavailable:
    9 open; the 09:00 one is later), P1X's is 24 Nov 08:30, exactly 24 h old, still current (5):
    14. Pathway 2: P2B's report is 24.5 h old, stale, left out and named: 0."""
    assert planning.capacity(engine, today, 1, TODAY_AT).places == 14
    two = planning.capacity(engine, today, 2, TODAY_AT)
    assert two.places == 0
    assert "P2B stale" in two.source


def test_completed_stays_and_their_log_normal_fit(engine, tmp_path):
    """At 1 Nov 2026, pathway 1 services ended in the last year: L6 1 Aug to 15 Sep (45 days),
    L1 1 Oct to 6 Oct (5), L2 1 Sep to 20 Oct (49); L4 is still in service.
    Log-normal: μ = mean(ln 5, ln 45, ln 49) = (1.6094 + 3.8067 + 3.8918)/3 = 3.1026;
    σ = √(((-1.4932)² + 0.7041² + 0.7892²)/3) = √1.1160 = 1.0564."""
    load_files(engine, tmp_path / "s", {**GEOGRAPHY, "episodes.csv": STAYS})
    found = planning.stays(engine, system_area(engine, "ICB1"), 1,
                           datetime(2026, 11, 1, tzinfo=LONDON))
    np.testing.assert_allclose(found.completed, [5.0, 45.0, 49.0])
    assert found.lognormal is not None
    assert (found.lognormal.mu, found.lognormal.sigma) == pytest.approx((3.1026, 1.0564),
                                                                        abs=1e-4)
    assert "3 completed stays" in found.source


def test_arrivals_with_weekday_pattern_and_trend(engine, tmp_path):
    """Pathway 1 from Mon 28 Sep to Sun 11 Oct 2026 (14 days): one person, L1, NCTR on Tue 29 Sep.
    Mean 1/14 a day; Tuesday's factor (1 in 2 Tuesdays) / (1/14) = 7, every other weekday 0.
    Trend: least squares of the counts on day 0..13: Σ(x - 6.5)·y / Σ(x - 6.5)² = (1 - 6.5) /
    227.5 = -0.024176 a day."""
    load_files(engine, tmp_path / "a", {**GEOGRAPHY, "episodes.csv": STAYS})
    found = planning.arrivals(engine, system_area(engine, "ICB1"), 1, date(2026, 9, 28),
                              date(2026, 10, 11))
    assert found.mean_per_day == pytest.approx(1 / 14)
    assert found.weekday_factors == pytest.approx((0, 7, 0, 0, 0, 0, 0))
    assert found.trend_per_day == pytest.approx(-5.5 / 227.5)
    assert "14 days, 1 in all" in found.source
    # Next Tuesday, without the trend: 1/14 × 7 = 0.5.
    assert found.expected(date(2026, 10, 13), 1)[0] == pytest.approx(0.5)


# A pathway 2 journey with a wait for a bed: NCTR 10 Nov 08:00, hub (T1) from 09:00, no bed (C5)
# from 11 Nov 08:00, arrangements (I5) from 14 Nov 08:00, discharged into P2B on 15 Nov 08:00.
WAITED_FOR_A_BED = ("Q1,q,S1,N1,80,F,2026-11-05T10:00,2026-11-10T08:00,2026-11-10T09:00,2,"
                    "2026-11-15T08:00,P2B,2026-11-15T08:00,,,,\n")
WAITED_FOR_A_BED_REASONS = ("Q1,2026-11-10T09:00,T1\nQ1,2026-11-11T08:00,C5\n"
                            "Q1,2026-11-14T08:00,I5\n")


def test_process_time_is_nctr_to_service_less_the_time_waiting_under_a_capacity_reason(
        engine, tmp_path):
    """Services started in the 12 weeks to 25 Nov 08:30. Pathway 2: E9 NCTR 23 Nov 20:00, started
    24 Nov 20:00, no reason: 1 day. Q1: 5 days from NCTR to service, of which C5 (no bed) from 11
    Nov 08:00 to 14 Nov 08:00, 3 days: 2 days of process. Pathway 1: E11 24 h (no reason): 1 day;
    E7 NCTR 23 Nov 12:00, started 24 Nov 16:00 (T1, the hub, is process): 28 h = 1.1667 days."""
    load_files(engine, tmp_path / "q", {
        **GEOGRAPHY, "episodes.csv": TODAY_EPISODES + WAITED_FOR_A_BED,
        "delays.csv": TODAY_DELAYS + WAITED_FOR_A_BED_REASONS})
    area = system_area(engine, "ICB1")
    two = planning.process_times(engine, area, 2, TODAY_AT, 84)
    np.testing.assert_allclose(two.completed, [1.0, 2.0])
    assert "2 services started" in two.source
    one = planning.process_times(engine, area, 1, TODAY_AT, 84)
    np.testing.assert_allclose(one.completed, [1.0, 28 / 24])
