"""ASCOF 2D: known answers worked by hand.

Services: REA is reablement, REH rehabilitation (not reablement). Everyone lives in N1 (place
D1, system ICB1) and is discharged in October 2026; "now" is 1 Feb 2027, so every 84 days have
passed (the last discharge, 12 Oct, reaches day 84 on 4 Jan). Day numbers are local dates after
the discharge.

| id | age | setting at admission | discharged | service starts | event | counts as |
|---|---|---|---|---|---|---|
| R1 | 70 | own home | 10 Oct | REA 7 Oct (3 days before) | none | reablement, at home |
| R2 | 80 | | 10 Oct | REA 17 Oct (7 days after) | none | reablement, at home |
| R3 | 80 | | 10 Oct | REA 6 Oct (4 days before) | none | discharge only (outside the window) |
| R4 | 80 | | 10 Oct | REA 18 Oct (8 days after) | none | discharge only |
| D84 | 75 | | 1 Oct | REA 1 Oct | died 24 Dec (day 84) | reablement, died |
| D85 | 75 | | 1 Oct | REA 2 Oct | died 25 Dec (day 85) | reablement, at home |
| A84 | 75 | | 1 Oct | REA 1 Oct | readmitted 24 Dec (day 84) | reablement, readmitted |
| A85 | 75 | | 1 Oct | REA 1 Oct | readmitted 25 Dec (day 85) | reablement, at home |
| C84 | 75 | | 1 Oct | REA 1 Oct | permanent care 24 Dec (day 84) | reablement, entered care |
| C85 | 75 | | 1 Oct | REA 1 Oct | permanent care 25 Dec (day 85) | reablement, at home |
| B2 | 75 | | 1 Oct | REA 1 Oct | readmitted, died 20 Nov | reablement, died (same day: died) |
| B3 | 75 | | 1 Oct | REA 1 Oct | readmitted 10 Nov, died 20 Nov | reablement, readmitted (first) |
| N1 | 85 | | 12 Oct | none (pathway 0) | | discharge only |
| H1 | 85 | | 12 Oct | REH 12 Oct | | discharge only (not reablement) |
| X1 | 90 | residential care | 10 Oct | REA 10 Oct | | left out: long-term care at admission |
| X2 | 64 | | 10 Oct | REA 10 Oct | | not counted (under 65) |
| X3 | blank | | 10 Oct | REA 10 Oct | | left out: age not recorded |

Part 2, over October's discharges: 10 into reablement (R1, R2, D84, D85, A84, A85, C84, C85,
B2, B3) of 14 discharges (those and R3, R4, N1, H1): 71.4%.

Part 1 counts people by their day 84, as the 91-day measure counts its 91st: the 1 Oct
discharges reach it on 24 Dec, the 10 Oct ones on 2 Jan. Over 24 Dec to 4 Jan: 5 at home (R1,
R2, D85, A85, C85) of the 10: 50%; not at home: died 2 (D84, B2), readmitted 2 (A84, B3),
entered care 1 (C84). Over October, nobody's day 84 falls: no share.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from dashboard.clock import LONDON, FixedClock
from data_access.metrics.ascof import ascof_2d
from tests.builders import AREAS, SITES, load_files, system_area

SERVICES = """
    code,name,pathway,setting,provider,sector,area_code,places,service_type
    REA,Reablement,1,home,Council one,local_authority,D1,30,reablement
    REH,Home rehabilitation,1,home,Community trust,nhs,D1,10,rehabilitation
"""
HEADER = ("episode_id,person_ref,site_code,home_area_code,age,sex,admitted_at,nctr_at,pathway,"
          "discharged_at,service_code,service_start_at,readmitted_at,died_at,permanent_care_at,"
          "setting_at_admission\n")
EPISODES = HEADER + """\
R1,r1,S1,N1,70,F,2026-10-01T10:00,2026-10-05T10:00,1,2026-10-10T12:00,REA,2026-10-07T09:00,,,,own_home
R2,r2,S1,N1,80,F,2026-10-01T10:00,2026-10-05T10:00,1,2026-10-10T12:00,REA,2026-10-17T09:00,,,,
R3,r3,S1,N1,80,F,2026-10-01T10:00,2026-10-05T10:00,1,2026-10-10T12:00,REA,2026-10-06T09:00,,,,
R4,r4,S1,N1,80,F,2026-10-01T10:00,2026-10-05T10:00,1,2026-10-10T12:00,REA,2026-10-18T09:00,,,,
D84,d84,S1,N1,75,M,2026-09-25T10:00,2026-09-28T10:00,1,2026-10-01T12:00,REA,2026-10-01T15:00,,2026-12-24T10:00,,
D85,d85,S1,N1,75,M,2026-09-25T10:00,2026-09-28T10:00,1,2026-10-01T12:00,REA,2026-10-02T15:00,,2026-12-25T10:00,,
A84,a84,S1,N1,75,M,2026-09-25T10:00,2026-09-28T10:00,1,2026-10-01T12:00,REA,2026-10-01T15:00,2026-12-24T23:30,,,
A85,a85,S1,N1,75,M,2026-09-25T10:00,2026-09-28T10:00,1,2026-10-01T12:00,REA,2026-10-01T15:00,2026-12-25T00:30,,,
C84,c84,S1,N1,75,F,2026-09-25T10:00,2026-09-28T10:00,1,2026-10-01T12:00,REA,2026-10-01T15:00,,,2026-12-24T10:00,
C85,c85,S1,N1,75,F,2026-09-25T10:00,2026-09-28T10:00,1,2026-10-01T12:00,REA,2026-10-01T15:00,,,2026-12-25T10:00,
B2,b2,S1,N1,75,F,2026-09-25T10:00,2026-09-28T10:00,1,2026-10-01T12:00,REA,2026-10-01T15:00,2026-11-20T08:00,2026-11-20T20:00,,
B3,b3,S1,N1,75,F,2026-09-25T10:00,2026-09-28T10:00,1,2026-10-01T12:00,REA,2026-10-01T15:00,2026-11-10T08:00,2026-11-20T20:00,,
N1,n1,S1,N1,85,F,2026-10-05T10:00,2026-10-12T09:00,0,2026-10-12T12:00,,,,,,
H1,h1,S1,N1,85,F,2026-10-05T10:00,2026-10-11T09:00,1,2026-10-12T12:00,REH,2026-10-12T15:00,,,,
X1,x1,S1,N1,90,F,2026-10-01T10:00,2026-10-05T10:00,1,2026-10-10T12:00,REA,2026-10-10T15:00,,,,residential_care
X2,x2,S1,N1,64,F,2026-10-01T10:00,2026-10-05T10:00,1,2026-10-10T12:00,REA,2026-10-10T15:00,,,,
X3,x3,S1,N1,,F,2026-10-01T10:00,2026-10-05T10:00,1,2026-10-10T12:00,REA,2026-10-10T15:00,,,,
"""
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
DAYS_84 = (date(2026, 12, 24), date(2027, 1, 4))  # the October discharges' 84th days
NOW = datetime(2027, 2, 1, 9, 0, tzinfo=LONDON)


@pytest.fixture
def loaded(engine, tmp_path):
    report = load_files(engine, tmp_path / "ascof", {
        "areas.csv": AREAS, "sites.csv": SITES, "services.csv": SERVICES,
        "episodes.csv": EPISODES}, clock=FixedClock(NOW))
    assert report.loaded and not report.rejections, report.summary()
    return engine


def test_part_2_over_the_periods_discharges(loaded):
    result = ascof_2d(loaded, system_area(loaded, "ICB1"), *OCTOBER, NOW)
    assert (result.discharges, result.into_reablement) == (14, 10)
    assert result.part_2_percent == pytest.approx(100 * 10 / 14)
    assert result.left_out == {"in long-term care at admission": 1, "age not recorded": 1}
    assert (result.followed_up, result.not_yet_followed_up) == (0, 0)  # no day 84 in October
    assert result.part_1_percent is None


def test_part_1_by_day_84_with_the_ways_of_not_counting_apart(loaded):
    result = ascof_2d(loaded, system_area(loaded, "ICB1"), *DAYS_84, NOW)
    assert (result.followed_up, result.not_yet_followed_up) == (10, 0)
    assert (result.at_home, result.died, result.readmitted, result.entered_care) == (5, 2, 2, 1)
    assert result.part_1_percent == pytest.approx(50.0)
    assert result.discharges == 0  # nobody was discharged from 24 Dec to 4 Jan


def test_people_whose_day_84_is_still_to_come_are_counted_apart_not_guessed(loaded):
    # On 27 Dec, the 1 Oct discharges have passed day 84 (24 Dec); the 10 Oct ones (R1, R2)
    # reach it on 2 Jan.
    result = ascof_2d(loaded, system_area(loaded, "ICB1"), *DAYS_84,
                      datetime(2026, 12, 27, 9, 0, tzinfo=LONDON))
    assert (result.followed_up, result.not_yet_followed_up) == (8, 2)
    assert (result.at_home, result.died, result.readmitted, result.entered_care) == (3, 2, 2, 1)


def test_an_area_with_none_of_these_people_has_no_shares(loaded):
    result = ascof_2d(loaded, system_area(loaded, "D2"), *OCTOBER, NOW)
    assert (result.discharges, result.into_reablement) == (0, 0)
    assert result.part_1_percent is None and result.part_2_percent is None
