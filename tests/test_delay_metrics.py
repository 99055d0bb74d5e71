"""Known-answer tests for the delay metrics: current reasons, and waiting time by reason and bed
days lost across period boundaries. Every figure was worked by hand from the rows below."""

from __future__ import annotations

from datetime import datetime

import pytest

from dashboard.clock import LONDON
from data_access.metrics.delays import (
    bed_days_lost,
    waiting_by_home_area,
    waiting_by_reason,
    waiting_by_reason_group_at,
    waiting_by_site,
    waiting_hours_by_reason,
)
from tests.builders import EPISODE_HEADER, GEOGRAPHY, load_files, system_area

# The period is the local day 24 November 2026: (24 Nov 00:00, 25 Nov 00:00], GMT.
DAY_START = datetime(2026, 11, 24, 0, 0, tzinfo=LONDON)
DAY_END = datetime(2026, 11, 25, 0, 0, tzinfo=LONDON)
NOW = datetime(2026, 11, 25, 8, 30, tzinfo=LONDON)

EPISODES = EPISODE_HEADER + """\
A,a,S1,N1,80,F,2026-11-20T10:00,2026-11-23T20:00,,1,2026-11-24T22:00,,,,,,
B,b,S1,N1,80,F,2026-11-20T10:00,2026-11-24T10:00,,,,,,,,,
C,c,S1,N1,80,F,2026-11-10T10:00,2026-11-20T00:00,,0,2026-11-23T12:00,,,,,,
D,d,S1,N1,80,F,2026-11-20T10:00,2026-11-25T06:00,,,,,,,,,
E,e,S1,N2,80,F,2026-11-10T10:00,2026-11-22T00:00,,,,,,,,,
"""
DELAYS = """\
episode_id,effective_at,reason_code
A,2026-11-23T22:00,T1
A,2026-11-24T08:00,C1
B,2026-11-24T12:00,H3
B,2026-11-24T22:00,T1
C,2026-11-21T00:00,W1
"""


@pytest.fixture
def loaded(engine, tmp_path):
    report = load_files(engine, tmp_path / "b", {**GEOGRAPHY, "episodes.csv": EPISODES,
                                                 "delays.csv": DELAYS})
    assert report.loaded and not report.rejections, report.summary()
    return engine


def test_waiting_hours_are_attributed_to_the_reason_current_at_each_moment(loaded):
    hours = waiting_hours_by_reason(loaded, system_area(loaded, "ICB1"), DAY_START, DAY_END)
    by_code = dict(zip(hours.reason_code, hours.hours, strict=True))
    # A: T1 00:00-08:00 (8 h, its 20:00-22:00 gap on the 23rd is outside the day), C1 08:00-22:00
    #    (14 h, then discharged). B: not recorded 10:00-12:00 (2 h), H3 12:00-22:00 (10 h),
    #    T1 22:00-24:00 (2 h). C: discharged before the day. D: NCTR after the day.
    #    E: no reason at all, the whole day (24 h).
    assert by_code == pytest.approx({"T1": 10.0, "C1": 14.0, "H3": 10.0, "not recorded": 26.0})
    assert dict(zip(hours.reason_code, hours.reason_group, strict=True))["C1"] == "Capacity"


def test_bed_days_lost_clip_to_the_period_and_equal_the_attributed_hours(loaded):
    # A 22 h + B 14 h + E 24 h = 60 h = 2.5 days.
    hours = waiting_hours_by_reason(loaded, system_area(loaded, "ICB1"), DAY_START, DAY_END)
    assert bed_days_lost(hours) == pytest.approx(2.5)
    by_group = hours.groupby("reason_group").hours.sum() / 24
    assert by_group.sum() == pytest.approx(2.5)
    # Place one only (A, B): 36 h.
    assert bed_days_lost(waiting_hours_by_reason(loaded, system_area(loaded, "D1"),
                                                 DAY_START, DAY_END)) == \
        pytest.approx(1.5)


def test_the_issue_example_ten_hours_hub_then_forty_hours_for_pathway_one(engine, tmp_path):
    episodes = EPISODE_HEADER + \
        "F,f,S1,N1,80,F,2026-11-09T10:00,2026-11-10T00:00,,1,2026-11-12T02:00,,,,,,\n"
    delays = ("episode_id,effective_at,reason_code\n"
              "F,2026-11-10T00:00,T1\nF,2026-11-10T10:00,C1\n")
    load_files(engine, tmp_path / "f", {**GEOGRAPHY, "episodes.csv": episodes,
                                        "delays.csv": delays})
    hours = waiting_hours_by_reason(engine, system_area(engine, "ICB1"),
                                    datetime(2026, 11, 9, tzinfo=LONDON),
                                    datetime(2026, 11, 13, tzinfo=LONDON))
    assert dict(zip(hours.reason_code, hours.hours, strict=True)) == pytest.approx(
        {"C1": 40.0, "T1": 10.0})


def test_people_waiting_now_by_current_reason(loaded):
    # Waiting at 25 Nov 08:30: B (T1 since 22:00 on the 24th), D and E (no reason recorded).
    frame = waiting_by_reason(loaded, system_area(loaded, "ICB1"), NOW)
    assert dict(zip(frame.reason_code, frame.people, strict=True)) == {"not recorded": 2, "T1": 1}


def test_a_reason_that_takes_effect_later_is_not_current_yet(loaded):
    # At 24 Nov 21:00, B's current reason is H3 (T1 starts at 22:00); A's is C1.
    frame = waiting_by_reason(loaded, system_area(loaded, "ICB1"),
                              datetime(2026, 11, 24, 21, 0, tzinfo=LONDON))
    assert dict(zip(frame.reason_code, frame.people, strict=True)) == {
        "C1": 1, "H3": 1, "not recorded": 1}


def test_people_waiting_now_by_site_and_by_home_place(loaded):
    sites = waiting_by_site(loaded, system_area(loaded, "ICB1"), NOW)
    assert sites.to_dict("records") == [
        {"site_code": "S1", "site": "Test hospital", "people": 3, "longest_delays": 0}]
    places = waiting_by_home_area(loaded, system_area(loaded, "ICB1"), NOW)
    assert dict(zip(places.area_code, places.people, strict=True)) == {"D1": 2, "D2": 1}


def test_snapshots_by_reason_group_at_several_moments_in_one_query(loaded):
    evening = datetime(2026, 11, 24, 21, 0, tzinfo=LONDON)
    frame = waiting_by_reason_group_at(loaded, system_area(loaded, "ICB1"), [evening, NOW])
    got = {(at, group): people for at, group, people in frame.itertuples(index=False)}
    # 24 Nov 21:00: A (C1, Capacity), B (H3, Hospital process), E (none). D is not NCTR yet.
    # 25 Nov 08:30: B (T1, Care transfer hub process); D and E have no reason.
    assert got == {(evening, "Capacity"): 1, (evening, "Hospital process"): 1,
                   (evening, "not recorded"): 1, (NOW, "Care transfer hub process"): 1,
                   (NOW, "not recorded"): 2}
