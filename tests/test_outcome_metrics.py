"""Known answers for outcomes: at home 91 days (ASCOF 2B(1) denominator rules, with deaths and
care-home admissions), readmission within 30 days, and end-of-service outcomes."""

from __future__ import annotations

from datetime import datetime

import pytest

from dashboard.clock import LONDON
from data_access.metrics.outcomes import (
    at_home_91_days,
    end_of_service_outcomes,
    functional_change,
    readmitted_within_30_days,
)
from tests.builders import EPISODE_HEADER, GEOGRAPHY, STAYS, load_files, system_area

# 91-day points in October 2026 come from discharges after 2 Jul and on or before 1 Aug (noon).
AT_HOME = EPISODE_HEADER + """\
O1,a,S1,N1,80,F,2026-07-01T10:00,2026-07-05T10:00,,1,2026-07-10T12:00,,,,home_no_support,,true
O2,b,S1,N1,90,M,2026-07-01T10:00,2026-07-05T10:00,,2,2026-07-15T12:00,,,,died,,false
O3,c,S1,N2,70,F,2026-07-01T10:00,2026-07-05T10:00,,1,2026-07-20T12:00,,,,care_home,,false
O4,d,S1,N2,60,F,2026-07-01T10:00,2026-07-05T10:00,,1,2026-07-25T12:00,,,,,,true
O5,e,S1,N1,80,F,2026-07-01T10:00,2026-07-05T10:00,,3,2026-07-28T12:00,,,,,,true
O6,f,S1,N1,85,M,2026-07-01T10:00,2026-07-05T10:00,,1,2026-07-30T12:00,,,,,,
O7,g,S1,N1,80,F,2026-06-01T10:00,2026-06-05T10:00,,1,2026-06-20T12:00,,,,,,true
O8,h,S1,N1,80,F,2026-08-01T10:00,2026-08-02T10:00,,1,2026-08-05T12:00,,,,,,true
"""
OCTOBER = (datetime(2026, 10, 1, tzinfo=LONDON), datetime(2026, 11, 1, tzinfo=LONDON))


@pytest.fixture
def outcomes(engine, tmp_path):
    report = load_files(engine, tmp_path / "o", {**GEOGRAPHY, "episodes.csv": AT_HOME})
    assert report.loaded, report.summary()
    return engine


def test_at_home_91_days_denominator_and_numerator(outcomes):
    frame = at_home_91_days(outcomes, system_area(outcomes, "ICB1"), *OCTOBER)
    row = frame.iloc[0]
    # In: O1 (at home), O2 (died: denominator only), O3 (care home: denominator only), and O6
    # (not recorded: in neither, counted apart). Out: O4 aged 60, O5 pathway 3, O7 and O8
    # whose 91-day points fall in September and November.
    assert (row.numerator, row.denominator, row.not_recorded) == (1, 3, 1)
    assert row.value == pytest.approx(1 / 3)
    assert row.low < 1 / 3 < row.high


def test_at_home_91_days_for_equity_by_sex_and_age_band(outcomes):
    by_sex = at_home_91_days(outcomes, system_area(outcomes, "ICB1"),
                             *OCTOBER, by="sex").set_index("group")
    assert by_sex.loc["F", ["numerator", "denominator"]].tolist() == [1, 2]  # O1, O3
    assert by_sex.loc["M", ["numerator", "denominator", "not_recorded"]].tolist() == [0, 1, 1]
    by_age = at_home_91_days(outcomes, system_area(outcomes, "ICB1"),
                             *OCTOBER, by="age_band").set_index("group")
    assert by_age.loc["75-84", ["numerator", "denominator"]].tolist() == [1, 1]  # O1, 80
    assert by_age.loc["85+", ["numerator", "denominator"]].tolist() == [0, 1]  # O2; O6 apart
    assert by_age.loc["65-74", ["numerator", "denominator"]].tolist() == [0, 1]  # O3


READMISSIONS = EPISODE_HEADER + """\
R1,a,S1,N1,80,F,2026-09-01T10:00,2026-09-02T10:00,,0,2026-10-05T12:00,,,,,2026-10-20T12:00,
R2,b,S1,N1,80,F,2026-09-01T10:00,2026-09-02T10:00,,0,2026-10-06T12:00,,,,,2026-11-10T12:00,
R3,c,S1,N1,80,F,2026-09-01T10:00,2026-09-02T10:00,,0,2026-10-07T12:00,,,,,,
R4,d,S1,N1,80,F,2026-09-01T10:00,2026-09-02T10:00,,1,2026-09-05T12:00,,,,,2026-10-05T12:00,
R5,e,S1,N1,80,F,2026-09-01T10:00,2026-09-02T10:00,,0,2026-11-01T12:00,,,,,,
"""


def test_readmission_within_30_days_only_after_30_days_have_passed(engine, tmp_path):
    load_files(engine, tmp_path / "r", {**GEOGRAPHY, "episodes.csv": READMISSIONS})
    now = datetime(2026, 11, 25, 8, 30, tzinfo=LONDON)
    frame = readmitted_within_30_days(engine, system_area(engine, "ICB1"),
                                      datetime(2026, 9, 1, tzinfo=LONDON),
                                      now, now)
    row = frame.iloc[0]
    # R1 after 15 days and R4 after exactly 30.0 days are within; R2 after 35 days is not; R3
    # was not readmitted. R5 left on 1 Nov: its 30 days have not passed, so it is not counted.
    assert (row.numerator, row.denominator) == (2, 4)


def test_end_of_service_outcomes(engine, tmp_path):
    load_files(engine, tmp_path / "s", {**GEOGRAPHY, "episodes.csv": STAYS})
    frame = end_of_service_outcomes(engine, system_area(engine, "ICB1"), *OCTOBER)
    got = {(r.group, r.outcome): r.people for r in frame.itertuples()}
    # Ended in October: L1 (P1, home, no support), L2 (P1, home with care), L3 (P2, home).
    assert got == {(1, "Home with no ongoing support"): 1, (1, "Home with ongoing care"): 1,
                   (2, "Home with no ongoing support"): 1}
    by_month = end_of_service_outcomes(engine, system_area(engine, "ICB1"), *OCTOBER, by="month")
    assert set(by_month.group) == {"2026-10"} and by_month.people.sum() == 3
    by_place = end_of_service_outcomes(engine, system_area(engine, "ICB1"), *OCTOBER, by="place")
    # L1, L2 live in place one (N1); L3 in place two.
    assert by_place.groupby("group").people.sum().to_dict() == {"Place one": 2, "Place two": 1}


DETAILS = EPISODE_HEADER.rstrip("\n") + \
    ",ethnic_group,imd_decile,barthel_start,barthel_end,goals_met\n" + """\
F1,a,S1,N1,80,F,2026-09-01T10:00,2026-09-02T10:00,,1,2026-09-03T10:00,P1H,2026-09-03T10:00,2026-10-10T10:00,home_no_support,,,white,1,10,15,true
F2,b,S1,N1,80,F,2026-09-01T10:00,2026-09-02T10:00,,1,2026-09-03T10:00,P1H,2026-09-03T10:00,2026-10-12T10:00,home_with_support,,,asian,2,12,12,false
F3,c,S1,N2,80,M,2026-09-01T10:00,2026-09-02T10:00,,2,2026-09-03T10:00,P2B,2026-09-03T10:00,2026-10-14T10:00,care_home,,,,9,8,6,
F4,d,S1,N2,80,M,2026-09-01T10:00,2026-09-02T10:00,,2,2026-09-03T10:00,P2B,2026-09-03T10:00,2026-10-16T10:00,died,,,NOT_STATED,10,7,,
"""


def test_functional_change_and_goals_met(engine, tmp_path):
    report = load_files(engine, tmp_path / "f", {**GEOGRAPHY, "episodes.csv": DETAILS})
    assert report.loaded, report.summary()
    result = functional_change(engine, system_area(engine, "ICB1"), *OCTOBER)
    # Both scores: F1 +5, F2 0, F3 -2 (F4 died: no end score). Median 0; 2 of 3 kept or improved.
    assert (result.people, result.median_change, result.improved_or_kept) == (3, 0.0, 2)
    # Goals recorded for F1 (met) and F2 (not met).
    goals = result.goals.iloc[0]
    assert (goals.numerator, goals.denominator) == (1, 2)


def test_breakdowns_by_ethnic_group_and_deprivation_quintile(engine, tmp_path):
    load_files(engine, tmp_path / "g", {**GEOGRAPHY, "episodes.csv": DETAILS})
    assert group_values(engine, "ethnic_group") == {"white": 1, "asian": 1, "not recorded": 1,
                                                    "not_stated": 1}
    # Deciles 1 and 2 make quintile 1; 9 and 10 make quintile 5.
    assert group_values(engine, "deprivation_quintile") == {"1": 2, "5": 2}


def group_values(engine, by):
    from sqlalchemy import func, select

    from data_access.metrics.outcomes import group_column
    from data_access.models import Episode

    column = group_column(by)
    with engine.connect() as connection:
        return dict(connection.execute(
            select(column, func.count()).select_from(Episode).group_by(column)).all())


def test_at_home_91_days_for_several_periods_in_one_query(outcomes):
    from data_access.metrics.outcomes import at_home_91_days_by_period

    september = (datetime(2026, 9, 1, tzinfo=LONDON), datetime(2026, 10, 1, tzinfo=LONDON))
    frame = at_home_91_days_by_period(outcomes, system_area(outcomes, "ICB1"), [("Sep", *september),
                                                          ("Oct", *OCTOBER)])
    rows = {r.period: (r.numerator, r.denominator, r.not_recorded) for r in frame.itertuples()}
    # September's 91-day points: O7 (discharged 20 Jun, at home). October as above.
    assert rows == {"Sep": (1, 1, 0), "Oct": (1, 3, 1)}
