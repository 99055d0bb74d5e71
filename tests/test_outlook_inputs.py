"""Known answers for the outlook's inputs from the database: arrivals per pathway and day, and
the people in service at a past origin with how many of them remained on each later day."""

from __future__ import annotations

from datetime import date, datetime

from dashboard.clock import LONDON
from data_access.metrics.outlook import arrivals_daily, places_case, service_spans
from tests.builders import EPISODE_HEADER, GEOGRAPHY, load_files, system_area

# Pathway 1 services (GMT, November): A from 1 Nov to 4 Nov 12:00; B from 2 Nov, still going;
# C from 3 Nov to 3 Nov 18:00 (ended the day it started); D starts 6 Nov.
EPISODES = EPISODE_HEADER + """\
A,a,S1,N1,80,F,2026-10-28T10:00,2026-10-30T10:00,,1,2026-11-01T00:00,P1H,2026-11-01T00:00,2026-11-04T12:00,home_no_support,,
B,b,S1,N1,80,F,2026-10-28T10:00,2026-10-30T10:00,,1,2026-11-02T00:00,P1H,2026-11-02T00:00,,,,
C,c,S1,N2,80,F,2026-10-28T10:00,2026-10-31T10:00,,1,2026-11-03T00:00,P1H,2026-11-03T06:00,2026-11-03T18:00,home_no_support,,
D,d,S1,N2,80,F,2026-10-28T10:00,2026-10-31T11:00,,1,2026-11-06T00:00,P1H,2026-11-06T00:00,,,,
E,e,S1,N2,80,F,2026-10-28T10:00,2026-10-31T12:00,,2,2026-11-06T00:00,P2B,2026-11-06T00:00,,,,
"""


def test_arrivals_per_pathway_and_day(engine, tmp_path):
    load_files(engine, tmp_path / "a", {**GEOGRAPHY, "episodes.csv": EPISODES})
    frame = arrivals_daily(engine, system_area(engine, "ICB1"),
                           date(2026, 10, 30), date(2026, 10, 31))
    got = {(str(d), p): n for d, p, n in frame.itertuples(index=False)}
    # NCTR on 30 Oct: A, B (P1). On 31 Oct: C, D (P1) and E (P2).
    assert got == {("2026-10-30", 1): 2, ("2026-10-31", 1): 2, ("2026-10-31", 2): 1}


def test_people_in_service_at_an_origin_and_how_many_remain(engine, tmp_path):
    load_files(engine, tmp_path / "b", {**GEOGRAPHY, "episodes.csv": EPISODES})
    spans = service_spans(engine, system_area(engine, "ICB1"), datetime(2026, 10, 1, tzinfo=LONDON),
                          datetime(2026, 11, 25, tzinfo=LONDON))
    spans = spans[spans.pathway == 1]
    case = places_case(spans, date(2026, 11, 2), horizon=3)
    # End of 2 Nov (3 Nov 00:00): A (in for 2 days) and B (1 day). C starts later.
    assert sorted(case.elapsed_days) == [1.0, 2.0]
    # End of 3 Nov: both. End of 4 Nov: A left at 12:00, B remains. End of 5 Nov: B.
    assert list(case.actual_remaining) == [2, 1, 1]
