"""Known-answer tests for flow: referrals, discharges and pathway mix, starts and ends, people in
service, journeys, and length of intermediate care with people still in service."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from dashboard.clock import LONDON
from data_access.metrics.flow import (
    discharges_daily,
    in_service_at,
    journeys,
    length_of_intermediate_care,
    pathway_mix_weekly,
    referrals_daily,
    starts_and_ends_daily,
)
from tests.builders import GEOGRAPHY, STAYS, TODAY_AT, TODAY_EPISODES, load_files, system_area


@pytest.fixture
def today(engine, tmp_path):
    report = load_files(engine, tmp_path / "t", {**GEOGRAPHY, "episodes.csv": TODAY_EPISODES})
    assert report.loaded, report.summary()
    return engine


def test_referrals_per_day(today):
    frame = referrals_daily(today, system_area(today, "ICB1"),
                            date(2026, 11, 23), date(2026, 11, 24))
    # 23 Nov: E7 13:00, E9 21:00. 24 Nov: E2 09:00, E3 09:00.
    assert frame.referrals.tolist() == [2, 2]


def test_discharges_per_day_and_pathway_mix_by_week(today):
    daily = discharges_daily(today, system_area(today, "ICB1"),
                             date(2026, 11, 21), date(2026, 11, 24))
    on_24th = daily[daily.date == date(2026, 11, 24)]
    # 24 Nov: E8 and E12 (P0), E7 (P1), E9 (P2).
    assert on_24th.discharges.tolist() == [2, 1, 1, 0]
    weekly = pathway_mix_weekly(daily)
    shares = {(str(w), p): s for w, p, s in weekly[["week_start", "pathway", "share"]]
              .itertuples(index=False)}
    # Week from 16 Nov: E10 (P3, 21st) and E13 (P1, 22nd). Week from 23 Nov: the 24th.
    assert shares[("2026-11-16", 1)] == pytest.approx(50.0)
    assert shares[("2026-11-16", 3)] == pytest.approx(50.0)
    assert shares[("2026-11-23", 0)] == pytest.approx(50.0)
    assert shares[("2026-11-23", 2)] == pytest.approx(25.0)


def test_starts_ends_and_people_in_service(today):
    frame = starts_and_ends_daily(today, system_area(today, "ICB1"),
                                  date(2026, 11, 18), date(2026, 11, 24))
    starts = dict(zip(frame.date.astype(str), frame.starts, strict=True))
    # E11 on the 18th, E10 on the 21st, E7 and E9 on the 24th; none has ended.
    assert (starts["2026-11-18"], starts["2026-11-21"], starts["2026-11-24"]) == (1, 1, 2)
    assert frame.starts.sum() == 4 and frame.ends.sum() == 0
    assert in_service_at(today, system_area(today, "ICB1"), TODAY_AT) == {1: 2, 2: 1, 3: 1}


def test_journeys_from_site_to_outcome(today):
    frame = journeys(today, system_area(today, "ICB1"), date(2026, 11, 24), date(2026, 11, 24))
    rows = {tuple(r[:4]): r[4] for r in frame.itertuples(index=False)}
    assert rows == {
        ("Test hospital", "Pathway 0", "No new service", "Home, no new service"): 2,
        ("Test hospital", "Pathway 1", "Home-based service", "Still in service"): 1,
        ("Test hospital", "Pathway 2", "Bed-based service", "Still in service"): 1,
    }




def test_length_of_intermediate_care_with_people_still_in_service(engine, tmp_path):
    load_files(engine, tmp_path / "s", {**GEOGRAPHY, "episodes.csv": STAYS})
    start = datetime(2026, 10, 1, tzinfo=LONDON)
    end = datetime(2026, 11, 1, tzinfo=LONDON)
    result = length_of_intermediate_care(engine, system_area(engine, "ICB1"), start, end)
    # Ended in October: L1 5 days, L2 49 days, L3 10.5 days. (L6 ended in September.)
    assert result.ended == 3
    assert result.median_days == pytest.approx(10.5)
    assert result.p90_days == pytest.approx(10.5 + 0.8 * (49 - 10.5))  # 41.3
    assert result.beyond_six_weeks == 1  # L2
    assert result.beyond_six_weeks_percent == pytest.approx(100 / 3)
    # Still in service on 1 Nov: L4 (since 10 Sep, over 42 days) and L5 (since 25 Oct).
    assert (result.still_in_service, result.still_in_service_beyond_six_weeks) == (2, 1)
    pathway_two = length_of_intermediate_care(engine, system_area(engine, "ICB1"),
                                              start, end, pathway=2)
    assert (pathway_two.ended, pathway_two.still_in_service) == (1, 1)


def test_pathway_mix_among_intermediate_care_pathways(today):
    daily = discharges_daily(today, system_area(today, "ICB1"),
                             date(2026, 11, 23), date(2026, 11, 24))
    weekly = pathway_mix_weekly(daily, (1, 2, 3))
    shares = dict(zip(weekly.pathway, weekly.share, strict=True))
    # Week from 23 Nov, pathways 1-3 only: E7 (P1) and E9 (P2).
    assert shares == pytest.approx({1: 50.0, 2: 50.0, 3: 0.0})
