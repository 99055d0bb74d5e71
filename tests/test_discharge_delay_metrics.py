"""Discharge delays from the discharge ready date: known answers worked by hand.

Every person's home is N1 (place D1) unless the row says N2 (place D2); both are in ICB1.
November 2026, one row each (ages at admission; London times):

| id | age | admitted | ready (DRD) | discharged | counted? | delay |
|---|---|---|---|---|---|---|
| A | 80 | 1 Nov 10:00 | 3 Nov 09:00 | 3 Nov 15:00 | yes | 0 days |
| B | 70 | 1 Nov 10:00 | 3 Nov 23:30 | 4 Nov 00:30 | yes | 1 day (one hour, across midnight) |
| C | 60 | 2 Nov 10:00 | blank | 5 Nov 12:00 | yes | 0 days (a blank DRD is a discharge on it) |
| D | 90 | 20 Oct 10:00 | 1 Nov 10:00 | 22 Nov 09:00 | yes | 21 days (21+ band) |
| E | 17 | 1 Nov 10:00 | 2 Nov 10:00 | 6 Nov 10:00 | no: under 18 | |
| F | 85 | 6 Nov 08:00 | 6 Nov 12:00 | 6 Nov 20:00 | no: a stay of no night | |
| G | blank | 1 Nov 10:00 | 2 Nov 10:00 | 9 Nov 10:00 | no: age not recorded | |
| H (N2) | 75 | 1 Nov 10:00 | 10 Nov 10:00 | 14 Nov 10:00 | yes | 4 days |
| I | 18 | 1 Nov 10:00 | 2 Nov 10:00 | 4 Nov 10:00 | yes (18 is an adult) | 2 days |
| L | 80 | 20 Nov 10:00 | 25 Nov 10:00 | 1 Dec 10:00 | not in November | |

ICB1 in November: 6 counted (A, B, C, D, H, I), delays 0, 1, 0, 21, 4, 2: total 28 days; on the
DRD 2 of 6 (33.3%), delayed 4 of 6; average 28 / 6 = 4.67 days counting everyone, 28 / 4 = 7.0
over those delayed. Bands: 0 days 2, 1 day 1, 2-3 days 1 (I), 4-6 days 1 (H), 21+ days 1 (D).

October, two delays that dates decide, not hours (both aged 80, counted, 2 days):
- J (N2): admitted 20 Oct 10:00, ready 24 Oct 23:30 BST, discharged 26 Oct 00:30 GMT: 26 hours
  across the clock change on 25 Oct, and 2 calendar days.
- K: admitted 25 Sep 10:00, ready 1 Oct 00:30 BST (30 Sep 23:30 UTC), discharged 3 Oct 12:00:
  2 days by London dates, 3 by UTC dates.

The longest delays (21 days or more since NCTR, still in hospital), from three more people who
leave no mark on the figures above (P is still in hospital, Q and R left in December):
- P (N1): ready 1 Nov 10:00, still in hospital. Q (N1): ready 10 Nov 10:00, discharged 2 Dec
  10:00. R (N2): ready 1 Oct 10:00, discharged 3 Dec 10:00.
- 15 Oct 00:00: nobody (R has waited 13.6 days). 22 Nov 09:59: R only (P one minute short).
  22 Nov 10:00: P and R. 1 Dec 10:00: P, Q (exactly 21 days) and R. 2 Dec 10:00: P and R (Q
  left at that moment). In place one (N1) on 1 Dec 10:00: P and Q.
- D waited 20 days 23 hours in hospital, never 21 days by the clock, yet its delay is 21
  calendar days: the two measures count differently, as their definitions say.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from dashboard.clock import LONDON
from dashboard.spc import whole_months_to
from data_access.metrics.delays import longest_delays_at, waiting_by_home_area, waiting_by_site
from data_access.metrics.discharge_delays import (
    discharge_delay_days,
    discharge_delays,
    discharge_delays_by,
    discharge_delays_by_period,
    not_counted,
)
from data_access.models import NctrPeriod
from tests.builders import EPISODE_HEADER, GEOGRAPHY, load_files, system_area

EPISODES = EPISODE_HEADER + """\
A,a,S1,N1,80,F,2026-11-01T10:00,2026-11-03T09:00,,0,2026-11-03T15:00,,,,,,
B,b,S1,N1,70,M,2026-11-01T10:00,2026-11-03T23:30,,0,2026-11-04T00:30,,,,,,
C,c,S1,N1,60,F,2026-11-02T10:00,,,0,2026-11-05T12:00,,,,,,
D,d,S1,N1,90,F,2026-10-20T10:00,2026-11-01T10:00,,0,2026-11-22T09:00,,,,,,
E,e,S1,N1,17,M,2026-11-01T10:00,2026-11-02T10:00,,0,2026-11-06T10:00,,,,,,
F,f,S1,N1,85,F,2026-11-06T08:00,2026-11-06T12:00,,0,2026-11-06T20:00,,,,,,
G,g,S1,N1,,F,2026-11-01T10:00,2026-11-02T10:00,,0,2026-11-09T10:00,,,,,,
H,h,S1,N2,75,M,2026-11-01T10:00,2026-11-10T10:00,,0,2026-11-14T10:00,,,,,,
I,i,S1,N1,18,F,2026-11-01T10:00,2026-11-02T10:00,,0,2026-11-04T10:00,,,,,,
L,l,S1,N1,80,F,2026-11-20T10:00,2026-11-25T10:00,,0,2026-12-01T10:00,,,,,,
J,j,S1,N2,80,F,2026-10-20T10:00,2026-10-24T23:30,,0,2026-10-26T00:30,,,,,,
K,k,S1,N1,80,M,2026-09-25T10:00,2026-10-01T00:30,,0,2026-10-03T12:00,,,,,,
P,p,S1,N1,80,F,2026-10-25T10:00,2026-11-01T10:00,,1,,,,,,,
Q,q,S1,N1,80,M,2026-11-05T10:00,2026-11-10T10:00,,2,2026-12-02T10:00,,,,,,
R,r,S1,N2,80,F,2026-09-20T10:00,2026-10-01T10:00,,3,2026-12-03T10:00,,,,,,
"""
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


@pytest.fixture
def loaded(engine, tmp_path):
    assert load_files(engine, tmp_path / "drd", {**GEOGRAPHY, "episodes.csv": EPISODES}).loaded
    return engine


def test_the_system_in_november(loaded):
    result = discharge_delays(loaded, system_area(loaded, "ICB1"), *NOVEMBER)
    assert result.discharges == 6
    assert result.by_band == {"0 days": 2, "1 day": 1, "2-3 days": 1, "4-6 days": 1,
                              "7-13 days": 0, "14-20 days": 0, "21+ days": 1}
    assert (result.on_ready_date, result.delayed, result.delay_days) == (2, 4, 28)
    assert result.on_ready_date_percent == pytest.approx(100 * 2 / 6)
    assert result.delayed_percent == pytest.approx(100 * 4 / 6)
    assert result.mean_delay_days == pytest.approx(28 / 6)
    assert result.mean_delay_days_of_delayed == pytest.approx(7.0)
    assert result.not_counted == {"under 18": 1, "age not recorded": 1, "stay of no night": 1}


def test_each_discharge_once_by_its_delay_in_days(loaded):
    histogram = discharge_delay_days(loaded, system_area(loaded, "ICB1"), *NOVEMBER)
    assert dict(zip(histogram.delay_days, histogram.discharges, strict=True)) == \
        {0: 2, 1: 1, 2: 1, 4: 1, 21: 1}


def test_dates_decide_across_the_clock_change_and_at_midnight_in_summer_time(loaded):
    histogram = discharge_delay_days(loaded, system_area(loaded, "ICB1"), *OCTOBER)
    assert dict(zip(histogram.delay_days, histogram.discharges, strict=True)) == {2: 2}  # J, K
    assert discharge_delays(loaded, system_area(loaded, "ICB1"), *OCTOBER).delay_days == 4


def test_places_and_neighbourhoods(loaded):
    place_one = discharge_delays(loaded, system_area(loaded, "D1"), *NOVEMBER)
    assert (place_one.discharges, place_one.delay_days) == (5, 24)  # A, B, C, D, I
    assert place_one.not_counted == {"under 18": 1, "age not recorded": 1,
                                     "stay of no night": 1}
    neighbourhood_two = discharge_delays(loaded, system_area(loaded, "N2"), *NOVEMBER)
    assert (neighbourhood_two.discharges, neighbourhood_two.delay_days) == (1, 4)  # H
    assert neighbourhood_two.by_band["4-6 days"] == 1
    assert sum(neighbourhood_two.not_counted.values()) == 0


@pytest.mark.parametrize(("by", "expected"), [
    ("district", {("D1", 0): 2, ("D1", 1): 1, ("D1", 2): 1, ("D1", 21): 1, ("D2", 4): 1}),
    ("trust", {("T1", 0): 2, ("T1", 1): 1, ("T1", 2): 1, ("T1", 4): 1, ("T1", 21): 1}),
    ("site", {("S1", 0): 2, ("S1", 1): 1, ("S1", 2): 1, ("S1", 4): 1, ("S1", 21): 1}),
    ("day", {(date(2026, 11, 3), 0): 1, (date(2026, 11, 4), 1): 1, (date(2026, 11, 4), 2): 1,
             (date(2026, 11, 5), 0): 1, (date(2026, 11, 14), 4): 1,
             (date(2026, 11, 22), 21): 1}),
])
def test_by_home_place_trust_site_and_day(loaded, by, expected):
    frame = discharge_delay_days(loaded, system_area(loaded, "ICB1"), *NOVEMBER, by=by)
    got = {(group if by != "day" else date.fromisoformat(str(group)[:10]), days): n
           for group, days, n in frame.itertuples(index=False)}
    assert got == expected


def test_nothing_left_out_where_every_discharge_counts(loaded):
    assert not_counted(loaded, system_area(loaded, "ICB1"), *OCTOBER) == \
        {"under 18": 0, "age not recorded": 0, "stay of no night": 0}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def test_the_longest_delays_at_each_moment(loaded):
    moments = [at("2026-10-15T00:00"), at("2026-11-22T09:59"), at("2026-11-22T10:00"),
               at("2026-12-01T10:00"), at("2026-12-02T10:00")]
    frame = longest_delays_at(loaded, system_area(loaded, "ICB1"), moments)
    assert list(zip(frame["at"], frame.people, strict=True)) == list(zip(
        moments, [0, 1, 2, 3, 2], strict=True))
    place_one = longest_delays_at(loaded, system_area(loaded, "D1"), [at("2026-12-01T10:00")])
    assert list(place_one.people) == [2]  # P and Q


def test_the_longest_delays_by_site_and_home_place(loaded):
    moment = at("2026-11-22T10:00")  # waiting: P (21 days), Q (12 days), R (52 days)
    by_site = waiting_by_site(loaded, system_area(loaded, "ICB1"), moment)
    assert by_site[["site_code", "people", "longest_delays"]].values.tolist() == [["S1", 3, 2]]
    by_place = waiting_by_home_area(loaded, system_area(loaded, "ICB1"), moment)
    assert sorted(by_place[["area_code", "people", "long_waits", "longest_delays"]]
                  .values.tolist()) == [["D1", 2, 2, 1], ["D2", 1, 1, 1]]


def test_month_by_month_with_the_discharges_that_had_waited_21_days_or_more(loaded):
    frame = discharge_delays_by_period(loaded, system_area(loaded, "ICB1"), date(2026, 10, 1),
                                       date(2026, 11, 30))
    assert frame[["period_start", "discharges", "delay_days", "longest_delays"]] \
        .values.tolist() == [[date(2026, 10, 1), 2, 4, 0], [date(2026, 11, 1), 6, 28, 1]]
    november = frame.iloc[1]
    assert november.on_ready_date_percent == pytest.approx(100 * 2 / 6)
    assert november.mean_delay_days_of_delayed == pytest.approx(7.0)


def test_week_by_week_from_mondays_with_empty_weeks_shown(loaded):
    frame = discharge_delays_by_period(loaded, system_area(loaded, "ICB1"), *NOVEMBER,
                                       period="week")
    # 1 Nov is a Sunday (its week starts 26 Oct); A, B, I and C left in the week of 2 Nov (0,
    # 1, 2 and 0 days), H in the week of 9 Nov (4), D in the week of 16 Nov (21).
    assert frame[["period_start", "discharges", "delay_days", "longest_delays"]] \
        .values.tolist() == [
            [date(2026, 10, 26), 0, 0, 0], [date(2026, 11, 2), 4, 3, 0],
            [date(2026, 11, 9), 1, 4, 0], [date(2026, 11, 16), 1, 21, 1],
            [date(2026, 11, 23), 0, 0, 0], [date(2026, 11, 30), 0, 0, 0]]
    assert frame.mean_delay_days.isna().tolist() == [True, False, False, False, True, True]


def test_by_trust_and_by_home_place_with_names_most_discharges_first(loaded):
    by_trust = discharge_delays_by(loaded, system_area(loaded, "ICB1"), *NOVEMBER, "trust")
    assert by_trust[["group", "name", "discharges", "delay_days", "longest_delays"]] \
        .values.tolist() == [["T1", "Test trust", 6, 28, 1]]
    by_place = discharge_delays_by(loaded, system_area(loaded, "ICB1"), *NOVEMBER, "district")
    # Place one: A, B, C, D, I (0, 1, 0, 21, 2 days); place two: H (4 days).
    assert by_place[["group", "name", "discharges", "delay_days", "longest_delays"]] \
        .values.tolist() == [["D1", "Place one", 5, 24, 1], ["D2", "Place two", 1, 4, 0]]
    assert by_place.delayed_percent.tolist() == pytest.approx([60.0, 100.0])
    assert by_place.mean_delay_days_of_delayed.tolist() == pytest.approx([8.0, 4.0])


# M met the criteria to reside again: not meeting them from 3 Nov 10:00 until 5 Nov 09:00, then
# again from 8 Nov 10:00 (the last period: the DRD), discharged 10 Nov 12:00.
MET_AGAIN = EPISODE_HEADER + """\
M,m,S1,N1,80,F,2026-11-01T10:00,2026-11-08T10:00,,0,2026-11-10T12:00,,,,,,
"""
MET_AGAIN_HISTORY = """\
episode_id,nctr_at,criteria_met_at
M,2026-11-03T10:00,2026-11-05T09:00
"""


def test_a_person_who_met_the_criteria_again_is_delayed_from_the_start_of_the_last_period(
        engine, tmp_path):
    report = load_files(engine, tmp_path / "again", {
        **GEOGRAPHY, "episodes.csv": MET_AGAIN, "nctr_periods.csv": MET_AGAIN_HISTORY})
    assert report.loaded and not report.rejections, report.summary()
    result = discharge_delays(engine, system_area(engine, "ICB1"), *NOVEMBER)
    assert (result.discharges, result.delay_days, result.by_band["2-3 days"]) == (1, 2, 1)
    with engine.connect() as connection:  # the history is kept
        assert connection.execute(select(NctrPeriod.nctr_at, NctrPeriod.criteria_met_at)) \
            .all() == [(datetime(2026, 11, 3, 10, 0), datetime(2026, 11, 5, 9, 0))]


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2026, 11, 24), 24, (date(2024, 11, 1), date(2026, 10, 31))),  # November not whole
    (date(2026, 10, 31), 3, (date(2026, 8, 1), date(2026, 10, 31))),  # October whole
    (date(2024, 3, 1), 2, (date(2024, 1, 1), date(2024, 2, 29))),  # a leap February
])
def test_the_monthly_charts_whole_months(day, months, expected):
    assert whole_months_to(day, months) == expected
