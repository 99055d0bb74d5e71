"""Known-answer tests for the data quality checks and the record of loads and deliveries.

Every expected figure was worked out by hand from the rows below, never by calling the code
under test. NOW = Wednesday 25 November 2026, 08:30 GMT (UTC = London time). Timestamps in the
files are London local time: before 25 October 2026 that is BST (UTC+1), so e.g. 26 Sep 09:30
local is 08:30 UTC, exactly 60 days before NOW.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from dashboard.clock import LONDON, FixedClock
from dashboard.results import CheckResult
from data_access import quality
from data_access.contract import SPECS_BY_NAME
from data_access.deliveries import recent_deliveries, rejection_reasons
from data_access.loader import load_batch, load_folder, read_records
from tests.builders import EPISODE_HEADER, GEOGRAPHY, feed_source, system_area, write_folder

NOW = datetime(2026, 11, 25, 8, 30, tzinfo=LONDON)
# The files hold times up to 12:00 (after NOW, which the checks must leave out): they are loaded
# then (no time may be ahead of its load).
LOADED_AT = datetime(2026, 11, 25, 12, 0, tzinfo=LONDON)


def at(text: str) -> datetime:
    """A London time, as the checks name it."""
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


QUALITY_EPISODES = EPISODE_HEADER + """\
Q1,q1,S1,N1,80,F,2026-11-10T10:00,,,1,2026-11-24T12:00,,,,,,
Q2,q2,S1,N2,80,F,2026-11-10T10:00,,,0,2026-11-24T12:00,,,,,,
Q3,q3,S1,N1,80,F,2026-11-10T10:00,,,2,2026-11-25T08:31,,,,,,
Q4,q4,S1,N2,80,F,2026-11-22T10:00,,2026-11-25T08:30,,,,,,,,
Q5,q5,S1,N1,80,F,2026-11-01T10:00,,,1,2026-11-20T09:00,P1H,2026-11-20T10:00,,,,
Q6,q6,S1,N2,80,F,2026-11-10T10:00,,2026-11-25T08:31,,,,,,,,
Q7,q7,S1,N2,80,F,2026-11-10T10:00,,,,,,,,,,
Q8,q8,S1,N1,80,F,2026-11-10T10:00,,,,2026-11-24T12:00,,,,,,
R1,r1,S1,N1,80,F,2026-11-20T10:00,2026-11-24T08:00,,,,,,,,,
R2,r2,S1,N2,80,F,2026-11-20T10:00,2026-11-25T08:30,,,,,,,,,
R3,r3,S1,N1,80,F,2026-11-20T10:00,2026-11-23T08:00,,,,,,,,,
R4,r4,S1,N2,80,F,2026-11-20T10:00,2026-11-23T08:00,,,,,,,,,
R5,r5,S1,N1,80,F,2026-11-20T10:00,2026-11-25T08:31,,,,,,,,,
R6,r6,S1,N1,80,F,2026-11-20T10:00,2026-11-22T08:00,,0,2026-11-25T08:30,,,,,,
R7,r7,S1,N2,80,F,2026-11-20T10:00,2026-11-22T08:00,,0,2026-11-25T09:00,,,,,,
C1,c1,S1,N1,80,F,2026-11-18T10:00,2026-11-20T12:00,,1,2026-11-20T12:00,P1H,2026-11-20T10:00,,,,
C2,c2,S1,N2,80,F,2026-11-18T10:00,2026-11-20T12:00,,1,2026-11-20T12:00,P1X,2026-11-20T12:00,,,,
C3,c3,S1,N2,80,F,2026-11-18T10:00,2026-11-21T12:00,,2,2026-11-21T12:00,P2B,2026-11-19T12:00,,,,
C4,c4,S1,N1,80,F,2026-11-20T10:00,2026-11-25T12:00,,1,,P1H,2026-11-25T10:00,,,,
H1,h1,S1,N1,80,F,2026-09-20T10:00,2026-09-26T09:29,,,,,,,,,
H2,h2,S1,N2,80,F,2026-09-20T10:00,2026-09-26T09:30,,,,,,,,,
H3,h3,S1,N2,80,F,2026-07-20T10:00,2026-08-01T10:00,,0,2026-11-25T08:30,,,,,,
H4,h4,S1,N2,80,F,2026-06-20T10:00,2026-07-01T10:00,,,,,,,,,
L1,l1,S1,N1,80,F,2026-07-20T10:00,2026-07-27T10:00,,2,2026-07-28T09:29,P2B,2026-07-28T09:29,,,,
L2,l2,S1,N2,80,F,2026-07-20T10:00,2026-07-27T10:00,,2,2026-07-28T09:30,P2B,2026-07-28T09:30,,,,
L3,l3,S1,N2,80,F,2026-05-20T10:00,2026-05-28T10:00,,1,2026-06-01T10:00,P1X,2026-06-01T10:00,2026-11-25T09:00,,,
L4,l4,S1,N1,80,F,2026-05-20T10:00,2026-05-28T10:00,,1,2026-06-01T10:00,P1H,2026-06-01T10:00,2026-11-25T08:30,home_no_support,,
L5,l5,S1,N2,80,F,2026-04-20T10:00,2026-04-28T10:00,,1,2026-05-01T10:00,P1X,2026-05-01T10:00,2026-06-15T10:00,home_no_support,,
"""
QUALITY_DELAYS = """\
episode_id,effective_at,reason_code
R3,2026-11-25T08:30,T1
R4,2026-11-25T09:00,T1
H1,2026-09-26T09:29,C5
H2,2026-09-26T09:30,C5
H4,2026-07-01T10:00,C7
"""
# P1H, P2B serve place one (D1); P1X, P2B, P3C serve place two (D2). 26 Oct is GMT.
QUALITY_CAPACITY = """\
service_code,reported_at,places,occupied,unavailable
P1H,2026-11-25T08:00,10,11,0
P1H,2026-11-25T09:00,10,12,0
P1X,2026-11-24T08:00,5,6,0
P1X,2026-11-25T08:30,5,5,0
P2B,2026-10-26T08:30,20,25,0
P2B,2026-10-26T08:31,20,21,0
P2B,2026-11-01T08:00,20,20,0
P3C,2026-09-01T08:00,5,6,0
"""
QUALITY_FILES = {**GEOGRAPHY, "episodes.csv": QUALITY_EPISODES, "delays.csv": QUALITY_DELAYS,
                 "capacity.csv": QUALITY_CAPACITY}


@pytest.fixture
def loaded(engine, tmp_path):
    report = load_folder(engine, write_folder(tmp_path / "quality", QUALITY_FILES),
                         clock=FixedClock(LOADED_AT))
    assert report.loaded and not report.rejections, report.summary()
    return engine


def ids(result: CheckResult) -> list[str]:
    return [row[0] for row in result.rows]


def test_nctr_missing_where_a_later_step_happened(loaded):
    result = quality.nctr_missing(loaded, system_area(loaded, "ICB1"), NOW)
    # Q1 discharged on P1; Q4 referred to the hub exactly at NOW; Q5 service started (and
    # discharged on P1). Not: Q2 (pathway 0), Q3 (discharged after NOW), Q6 (referred after
    # NOW), Q7 (still in hospital, nothing after NCTR yet), Q8 (discharged, no pathway).
    assert result.count == 3
    assert result.columns == ("episode_id", "site_code", "pathway", "admitted_at",
                              "referred_to_hub_at", "discharged_at", "service_start_at")
    # Newest admissions first.
    assert result.rows == (
        ("Q4", "S1", None, at("2026-11-22T10:00"), at("2026-11-25T08:30"), None, None),
        ("Q1", "S1", 1, at("2026-11-10T10:00"), None, at("2026-11-24T12:00"), None),
        ("Q5", "S1", 1, at("2026-11-01T10:00"), None, at("2026-11-20T09:00"),
         at("2026-11-20T10:00")),
    )


def test_reason_missing_for_people_waiting_now(loaded):
    result = quality.reason_missing(loaded, system_area(loaded, "ICB1"), NOW)
    # Waiting at NOW without a reason effective by NOW: R7 (discharged after NOW), R4 (its
    # reason takes effect after NOW), R1, R2 (NCTR exactly at NOW). Not: R3 (reason exactly at
    # NOW), R5 (NCTR after NOW), R6 and H3 (discharged exactly at NOW), H1, H2, H4 (reasons).
    assert result.count == 4
    assert result.columns == ("episode_id", "site_code", "pathway", "nctr_at",
                              "referred_to_hub_at")
    assert result.rows == (
        ("R7", "S1", 0, at("2026-11-22T08:00"), None),
        ("R4", "S1", None, at("2026-11-23T08:00"), None),
        ("R1", "S1", None, at("2026-11-24T08:00"), None),
        ("R2", "S1", None, at("2026-11-25T08:30"), None),
    )


def test_service_start_before_nctr(loaded):
    result = quality.service_before_nctr(loaded, system_area(loaded, "ICB1"), NOW)
    # C1 started 2 h before NCTR, C3 48 h before. Not: C2 (at the same moment), C4 (starts
    # after NOW), Q5 (no NCTR: the first check's business).
    assert result.count == 2
    assert result.columns == ("episode_id", "site_code", "pathway", "service_code", "nctr_at",
                              "service_start_at", "hours_nctr_to_service")
    assert result.rows == (
        ("C1", "S1", 1, "P1H", at("2026-11-20T12:00"), at("2026-11-20T10:00"), -2.0),
        ("C3", "S1", 2, "P2B", at("2026-11-21T12:00"), at("2026-11-19T12:00"), -48.0),
    )


def test_latest_capacity_report_with_more_occupied_than_places(loaded):
    result = quality.capacity_over_places_now(loaded, system_area(loaded, "ICB1"), NOW)
    # Latest at or before NOW: P1H 08:00 (11 > 10; its 09:00 report is after NOW), P1X exactly
    # at NOW (5 = 5, not over), P2B 1 Nov (20 = 20), P3C 1 Sep (6 > 5, however old).
    assert result.count == 2
    assert result.columns == ("service_code", "reported_at", "places", "occupied")
    assert result.rows == (("P1H", at("2026-11-25T08:00"), 10, 11),
                           ("P3C", at("2026-09-01T08:00"), 5, 6))


def test_capacity_reports_over_places_in_the_last_30_days(loaded):
    result = quality.capacity_over_places_recent(loaded, system_area(loaded, "ICB1"), NOW)
    # In (26 Oct 08:30, 25 Nov 08:30]: P1H 25 Nov 08:00, P1X 24 Nov, P2B 26 Oct 08:31.
    # Not: P2B 26 Oct 08:30 (exactly 30 days), P1H 09:00 (after NOW), P3C (1 Sep), and the
    # reports with occupied equal to places.
    assert result.count == 3
    assert result.rows == (("P1H", at("2026-11-25T08:00"), 10, 11),
                           ("P1X", at("2026-11-24T08:00"), 5, 6),
                           ("P2B", at("2026-10-26T08:31"), 20, 21))


def test_stuck_in_hospital_more_than_60_days_after_nctr(loaded):
    result = quality.stuck_in_hospital(loaded, system_area(loaded, "ICB1"), NOW)
    # H4: 1 Jul 10:00 BST = 09:00 UTC, 147 days less 30 min. H1: 60 days and 1 minute.
    # Not: H2 (exactly 60 days), H3 (discharged exactly at NOW).
    assert result.count == 2
    assert result.columns == ("episode_id", "site_code", "pathway", "admitted_at", "nctr_at",
                              "days_since_nctr")
    assert [row[:5] for row in result.rows] == [
        ("H4", "S1", None, at("2026-06-20T10:00"), at("2026-07-01T10:00")),
        ("H1", "S1", None, at("2026-09-20T10:00"), at("2026-09-26T09:29")),
    ]
    assert [row[5] for row in result.rows] == [pytest.approx(147 - 0.5 / 24),
                                               pytest.approx(60 + 1 / 1440)]


def test_stuck_in_intermediate_care_more_than_120_days(loaded):
    result = quality.stuck_in_service(loaded, system_area(loaded, "ICB1"), NOW)
    # L3: started 1 Jun 10:00 BST, ends after NOW: 177 days less 30 min. L1: 120 days and 1
    # minute, no end. Not: L2 (exactly 120 days), L4 (ended exactly at NOW), L5 (ended in June).
    assert result.count == 2
    assert result.columns == ("episode_id", "site_code", "pathway", "service_code",
                              "discharged_at", "service_start_at", "days_since_service_start")
    assert [row[:6] for row in result.rows] == [
        ("L3", "S1", 1, "P1X", at("2026-06-01T10:00"), at("2026-06-01T10:00")),
        ("L1", "S1", 2, "P2B", at("2026-07-28T09:29"), at("2026-07-28T09:29")),
    ]
    assert [row[6] for row in result.rows] == [pytest.approx(177 - 0.5 / 24),
                                               pytest.approx(120 + 1 / 1440)]


@pytest.mark.parametrize(("area", "expected"), [
    # Place one (homes in N1; services P1H and the system's P2B).
    ("D1", {"nctr-missing": ["Q1", "Q5"], "reason-missing": ["R1"],
            "service-before-nctr": ["C1"], "capacity-over-places-now": ["P1H"],
            "capacity-over-places-recent": ["P1H", "P2B"], "stuck-in-hospital": ["H1"],
            "stuck-in-service": ["L1"]}),
    # Place two (homes in N2; services P1X, P3C and the system's P2B).
    ("D2", {"nctr-missing": ["Q4"], "reason-missing": ["R7", "R4", "R2"],
            "service-before-nctr": ["C3"], "capacity-over-places-now": ["P3C"],
            "capacity-over-places-recent": ["P1X", "P2B"], "stuck-in-hospital": ["H4"],
            "stuck-in-service": ["L3"]}),
    # A neighbourhood: the same people as its place, and the services of its place and system.
    ("N1", {"nctr-missing": ["Q1", "Q5"], "reason-missing": ["R1"],
            "service-before-nctr": ["C1"], "capacity-over-places-now": ["P1H"],
            "capacity-over-places-recent": ["P1H", "P2B"], "stuck-in-hospital": ["H1"],
            "stuck-in-service": ["L1"]}),
])
def test_checks_are_confined_to_the_area(loaded, area, expected):
    results = quality.run_checks(loaded, system_area(loaded, area), NOW)
    assert [r.check_id for r in results] == list(expected)
    assert {r.check_id: ids(r) for r in results} == expected
    assert {r.check_id: r.count for r in results} == {k: len(v) for k, v in expected.items()}


def test_the_count_covers_every_record_beyond_those_named(loaded, monkeypatch):
    monkeypatch.setattr(quality, "ROWS_SHOWN", 1)
    result = quality.reason_missing(loaded, system_area(loaded, "ICB1"), NOW)
    assert (result.count, ids(result)) == (4, ["R7"])
    latest = quality.capacity_over_places_now(loaded, system_area(loaded, "ICB1"), NOW)
    assert (latest.count, ids(latest)) == (2, ["P1H"])


def test_checks_name_no_personal_details(loaded):
    for result in quality.run_checks(loaded, system_area(loaded, "ICB1"), NOW):
        assert not {"person_ref", "age", "sex", "ethnic_group"} & set(result.columns)
        assert result.definition and result.why_it_matters
        values = {value for row in result.rows for value in row}
        assert not {"q1", "r1", "c1", "h1", "l1", 80} & values


def test_a_database_without_records_flags_nothing(engine, tmp_path):
    assert load_folder(engine, write_folder(tmp_path / "areas", GEOGRAPHY)).loaded  # no records
    results = quality.run_checks(engine, system_area(engine, "ICB1"), NOW)
    assert [(r.count, r.rows) for r in results] == [(0, ())] * len(quality.CHECKS)


# Deliveries: the geography by file in July (BST), a rejected episodes file, a feed delivery.
JULY = datetime(2026, 7, 1, 10, 0, tzinfo=LONDON)  # 09:00 UTC
BAD_EPISODES = EPISODE_HEADER + """\
E1,p1,S1,N1,80,F,2026-11-20T10:00,2026-11-24T08:00,,,,,,,,,
E2,p2,S1,N1,80,F,yesterday,2026-11-24T08:00,,,,,,,,,
E3,p3,S1,N1,80,F,2026-11-20T10:00,2026-11-19T08:00,,,,,,,,,
"""
FEED_RECORDS = [
    {"episode_id": "F1", "person_ref": "f1", "site_code": "S1", "home_area_code": "N1",
     "sex": "F", "admitted_at": "2026-11-24T07:00"},
    {"episode_id": "F2", "person_ref": "f2", "site_code": "S1", "home_area_code": "N2",
     "sex": "M", "admitted_at": "2026-11-24T08:00"},
]


def deliver(engine, records, source, when):
    return load_batch(engine, {"episodes.csv": read_records(SPECS_BY_NAME["episodes.csv"],
                                                            records)},
                      source=source, clock=FixedClock(when), channel="feed", unit="record")


@pytest.fixture
def delivered(engine, tmp_path):
    geography = write_folder(tmp_path / "geography", GEOGRAPHY)
    assert load_folder(engine, geography, clock=FixedClock(JULY)).loaded
    bad = write_folder(tmp_path / "bad", {"episodes.csv": BAD_EPISODES})
    assert not load_folder(engine, bad, clock=FixedClock(datetime(2026, 11, 25, 8, 0))).loaded
    feed_source(engine, "ward-system", NOW, every_minutes=60)
    assert deliver(engine, FEED_RECORDS, "ward-system", datetime(2026, 11, 25, 8, 15)).loaded
    return engine, str(geography), str(bad)


def written(**counts: int) -> dict[str, int]:
    """A load's counts of new, changed, unchanged and stale rows (those not given: 0)."""
    return {f"rows_{outcome}": counts.get(outcome, 0)
            for outcome in ("new", "changed", "unchanged", "stale")}


NOTHING_WRITTEN = dict.fromkeys(written(), None)


def test_deliveries_newest_first_a_batch_together(delivered):
    engine, geography, bad = delivered
    frame = recent_deliveries(engine)
    assert frame.drop(columns=["batch_id", "finished_at"]).to_dict("records") == [
        {"id": 5, "source": "ward-system", "channel": "feed", "kind": "episodes",
         "outcome": "loaded", "rows_read": 2, "rows_accepted": 2,
         "rows_rejected": 0, "unit": "record", **written(new=2)},
        {"id": 4, "source": bad, "channel": "file", "kind": "episodes",
         "outcome": "rejected", "rows_read": 3, "rows_accepted": 0,
         "rows_rejected": 2, "unit": "line", **NOTHING_WRITTEN},
        {"id": 1, "source": geography, "channel": "file", "kind": "areas",
         "outcome": "loaded", "rows_read": 5, "rows_accepted": 5,
         "rows_rejected": 0, "unit": "line", **written(new=5)},
        {"id": 2, "source": geography, "channel": "file", "kind": "sites",
         "outcome": "loaded", "rows_read": 1, "rows_accepted": 1,
         "rows_rejected": 0, "unit": "line", **written(new=1)},
        {"id": 3, "source": geography, "channel": "file", "kind": "services",
         "outcome": "loaded", "rows_read": 4, "rows_accepted": 4,
         "rows_rejected": 0, "unit": "line", **written(new=4)},
    ]
    # London times: the July load finished at 10:00 BST (stored as 09:00 UTC).
    assert list(frame.finished_at) == [at("2026-11-25T08:15"), at("2026-11-25T08:00"),
                                       JULY, JULY, JULY]
    assert frame.batch_id.nunique() == 3
    assert frame.batch_id[2] == frame.batch_id[3] == frame.batch_id[4]


def test_deliveries_limit_counts_batches_and_filter_by_source(delivered):
    engine, geography, _ = delivered
    assert list(recent_deliveries(engine, limit=2).id) == [5, 4]
    assert list(recent_deliveries(engine, limit=3).id) == [5, 4, 1, 2, 3]
    assert list(recent_deliveries(engine, source=geography).id) == [1, 2, 3]
    assert list(recent_deliveries(engine, source="ward-system").id) == [5]
    assert recent_deliveries(engine, source="nobody").empty


def test_rejection_reasons_with_their_lines(delivered):
    engine, _, _ = delivered
    assert rejection_reasons(engine, [1, 4, 5]) == {4: [
        (3, "admitted_at: 'yesterday' is not an ISO 8601 timestamp"),
        (4, "nctr_at is before admitted_at"),
    ]}
    assert rejection_reasons(engine, [4], per_load=1) == {
        4: [(3, "admitted_at: 'yesterday' is not an ISO 8601 timestamp")]}
    assert rejection_reasons(engine, []) == {}


def test_rejected_feed_delivery_names_its_records(delivered):
    engine, _, _ = delivered
    bad = [FEED_RECORDS[0], {**FEED_RECORDS[1], "sex": "X"}, {"episode_id": "F3", "bay": "7"}]
    assert not deliver(engine, bad, "ward-system", datetime(2026, 11, 25, 8, 20)).loaded
    frame = recent_deliveries(engine, limit=1)
    assert frame.drop(columns=["batch_id", "finished_at"]).to_dict("records") == [
        {"id": 6, "source": "ward-system", "channel": "feed", "kind": "episodes",
         "outcome": "rejected", "rows_read": 3, "rows_accepted": 0, "rows_rejected": 2,
         "unit": "record", **NOTHING_WRITTEN}]
    reasons = rejection_reasons(engine, [6])[6]
    # Records are numbered from 0: the first record was good.
    assert reasons == [(1, "sex: 'X' is not one of F, M, U"), (2, "unknown field(s): bay")]
