"""Known-answer tests for time from NCTR to service: weekly figures, bands, stage medians and
people still waiting. Every figure was worked by hand from the rows below."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from dashboard.clock import LONDON
from data_access.metrics.time_to_service import (
    nctr_to_service,
    nctr_to_service_by_area,
    nctr_to_service_by_groups,
    nctr_to_service_weekly,
    stage_medians,
    time_to_service_bands,
    waiting_for_service_over_24h,
)
from tests.builders import EPISODE_HEADER, GEOGRAPHY, load_files, system_area

# Period: (Mon 2 Nov 00:00, Mon 16 Nov 00:00] 2026, two whole weeks; GMT.
START = datetime(2026, 11, 2, tzinfo=LONDON)
END = datetime(2026, 11, 16, tzinfo=LONDON)

# id, home, nctr_at, referred_to_hub_at, pathway, discharged_at, service, service_start_at
EPISODES = EPISODE_HEADER + """\
A,a,S1,N1,80,F,2026-11-01T10:00,2026-11-02T08:00,2026-11-02T10:00,1,2026-11-02T20:00,P1H,2026-11-03T08:00,,,,
B,b,S1,N1,80,F,2026-11-01T10:00,2026-11-02T08:00,2026-11-02T12:00,1,2026-11-03T08:00,P1H,2026-11-04T08:00,,,,
C,c,S1,N2,80,F,2026-11-01T10:00,2026-11-03T08:00,,2,2026-11-05T08:00,P2B,2026-11-05T08:00,,,,
D,d,S1,N2,80,F,2026-11-01T10:00,2026-11-09T08:00,2026-11-09T09:00,3,2026-11-09T20:00,P3C,2026-11-09T20:00,,,,
E,e,S1,N1,80,F,2026-11-01T10:00,2026-11-10T08:00,2026-11-10T16:00,1,2026-11-20T08:00,P1H,2026-11-24T08:00,,,,
F,f,S1,N1,80,F,2026-11-01T10:00,2026-11-12T08:00,2026-11-12T09:00,1,,,,,,,
G,g,S1,N2,80,F,2026-11-01T10:00,2026-11-12T08:00,2026-11-12T09:00,2,2026-11-13T08:00,,,,died,,
H,h,S1,N1,80,F,2026-11-01T10:00,2026-11-14T08:00,,0,2026-11-14T09:00,,,,,,
"""
# Hours NCTR -> service: A 24.0 (Tue wk 1), B 48.0 (Wed wk 1), C 48.0 (Thu wk 1), D 12.0 (Mon
# wk 2). E starts on 24 Nov, after the period. F: pathway 1, no service. G died without one.


@pytest.fixture
def loaded(engine, tmp_path):
    report = load_files(engine, tmp_path / "b", {**GEOGRAPHY, "episodes.csv": EPISODES})
    assert report.loaded and not report.rejections, report.summary()
    return engine


def test_period_figures_with_people_still_waiting(loaded):
    result = nctr_to_service(loaded, system_area(loaded, "ICB1"), START, END)
    assert result.started == 4
    assert result.median_hours == pytest.approx(36.0)  # middle of [12, 24, 48, 48]
    assert result.p90_hours == pytest.approx(48.0)  # rank 2.7 between 48 and 48
    assert result.within_24h == 2  # D 12 h and A exactly 24.0 h
    assert result.within_24h_percent == pytest.approx(50.0)
    # At 16 Nov 00:00 still without a service and over 24 h: E (pathway 1, NCTR 10 Nov, starts
    # on the 24th) and F (pathway 1). G died: its journey ended. H is pathway 0.
    assert result.still_waiting_over_24h == 2
    assert waiting_for_service_over_24h(loaded, system_area(loaded, "ICB1"),
                                        END) == {1: 2, 2: 0, 3: 0}


def test_weekly_figures(loaded):
    weekly = nctr_to_service_weekly(loaded, system_area(loaded, "ICB1"), START, END)
    assert list(weekly.week_start) == [date(2026, 11, 2), date(2026, 11, 9)]
    assert list(weekly.started) == [3, 1]
    assert list(weekly.median_hours) == pytest.approx([48.0, 12.0])
    assert list(weekly.within_24h_percent) == pytest.approx([100 / 3, 100.0])
    pathway_one = nctr_to_service_weekly(loaded, system_area(loaded, "ICB1"), START, END, pathway=1)
    assert list(pathway_one.started) == [2]


def test_bands_by_pathway(loaded):
    bands = time_to_service_bands(loaded, system_area(loaded, "ICB1"), START, END)
    counts = {(r.pathway, r.band): r.people for r in bands.itertuples() if r.people}
    # A 24.0 h is within 24 h; B 48.0 h is in 24-48 h (upper bound inclusive); C 48.0 h too.
    assert counts == {(1, "within 24 h"): 1, (1, "24-48 h"): 1, (2, "24-48 h"): 1,
                      (3, "within 24 h"): 1}
    assert len(bands) == 3 * 6


def test_stage_medians_by_pathway_and_place(loaded):
    by_pathway = stage_medians(loaded, system_area(loaded, "ICB1"), START, END, by="pathway")
    got = {(r.group, r.stage): (r.median_hours, r.people) for r in by_pathway.itertuples()}
    # Pathway 1 (A, B): NCTR->referral 2 h and 4 h; referral->discharge 10 h and 20 h;
    # discharge->start 12 h and 24 h.
    assert got[(1, "NCTR to hub referral")] == pytest.approx((3.0, 2))
    assert got[(1, "Hub referral to discharge")] == pytest.approx((15.0, 2))
    assert got[(1, "Discharge to service start")] == pytest.approx((18.0, 2))
    # Pathway 2 (C): no referral time, so only discharge->start (0 h) is measured.
    assert (2, "NCTR to hub referral") not in got
    assert got[(2, "Discharge to service start")] == pytest.approx((0.0, 1))
    by_place = stage_medians(loaded, system_area(loaded, "ICB1"), START, END, by="place")
    places = {(r.group, r.stage): r.median_hours for r in by_place.itertuples()}
    # Place two (C, D): NCTR->referral only D (1 h); discharge->start C 0 h, D 0 h.
    assert places[("Place two", "NCTR to hub referral")] == pytest.approx(1.0)
    assert places[("Place two", "Discharge to service start")] == pytest.approx(0.0)


def test_weekly_figures_by_home_place(loaded):
    weekly = nctr_to_service_weekly(loaded, system_area(loaded, "ICB1"),
                                    START, END, by_level="district")
    got = {(r.area_code, str(r.week_start)): (r.started, r.within_24h)
           for r in weekly.itertuples()}
    # Place one: A (24.0 h) and B (48 h) in week 1. Place two: C (48 h) in week 1, D (12 h)
    # in week 2.
    assert got == {("D1", "2026-11-02"): (2, 1), ("D2", "2026-11-02"): (1, 0),
                   ("D2", "2026-11-09"): (1, 1)}


def test_period_figures_by_home_place_in_one_query(loaded):
    frame = nctr_to_service_by_area(loaded, system_area(loaded, "ICB1"),
                                    START, END).set_index("area_code")
    # Place one: A 24.0 h, B 48 h -> median 36, 1 of 2 within. Place two: C 48 h, D 12 h.
    assert frame.loc["D1", ["started", "within_24h"]].tolist() == [2, 1]
    assert frame.loc["D1", "median_hours"] == pytest.approx(36.0)
    assert frame.loc["D2", "median_hours"] == pytest.approx(30.0)
    assert frame.loc["D2", "within_24h_percent"] == pytest.approx(50.0)


def test_equity_of_waits_by_sex_with_wilson_intervals(loaded):
    frame = nctr_to_service_by_groups(loaded, system_area(loaded, "ICB1"),
                                      START, END, ["sex"])["sex"].set_index("group")
    # Everyone in this case is F: A 24.0 h, B 48 h, C 48 h, D 12 h -> 2 of 4 within 24 h.
    assert frame.loc["F", ["started", "within_24h"]].tolist() == [4, 2]
    assert frame.loc["F", "median_hours"] == pytest.approx(36.0)
    assert frame.loc["F", "within_24h_percent"] == pytest.approx(50.0)
    # Wilson 95% for 2 of 4: scale 1 + 3.8415/4 = 1.9604, centre 0.5, half-width
    # (1.96 / 1.9604) * sqrt(0.0625 + 3.8415/64) = 0.3500 -> 15.0% to 85.0%.
    assert (frame.loc["F", "low"], frame.loc["F", "high"]) == pytest.approx((15.0, 85.0),
                                                                              abs=0.01)
