"""The loader: line-numbered rejections, atomic batches, idempotent upserts, time zones."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from dashboard.clock import LONDON, FixedClock
from data_access.audit import recent_events
from data_access.contract import SPECS_BY_NAME
from data_access.loader import FolderError, load_batch, load_folder, read_records
from data_access.metrics.waiting import waiting_at
from data_access.models import (
    Area,
    AreaLink,
    CapacityReport,
    Episode,
    Load,
    LoadRejection,
    NctrPeriod,
)
from tests.builders import (
    AREAS,
    EPISODE_HEADER,
    GEOGRAPHY,
    TODAY_AT,
    load_files,
    system_area,
    unclosed_quote,
    write_folder,
)

GOOD_EPISODES = EPISODE_HEADER + """\
E1,p1,S1,N1,80,F,2026-11-20T10:00,2026-11-24T08:00,,,,,,,,,
E2,p2,S1,N2,81,M,2026-11-20T10:00,2026-11-23T08:00,2026-11-23T09:00,1,2026-11-24T12:00,P1H,2026-11-24T13:00,,,,
"""


def count(engine, model) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(model))


def test_malformed_file_is_rejected_with_line_numbers_and_nothing_is_loaded(engine, tmp_path):
    bad_episodes = GOOD_EPISODES + """\
E3,p3,S1,N1,80,X,2026-11-20T10:00,2026-11-24T08:00,,,,,,,,,
E4,p4,S1,N9,80,F,2026-11-20T10:00,2026-11-24T08:00,,,,,,,,,
E5,p5,S1,N1,80,F,yesterday,2026-11-24T08:00,,,,,,,,,
E6,p6,S1,N1,80,F,2026-11-20T10:00,2026-11-19T08:00,,,,,,,,,
E1,p1,S1,N1,80,F,2026-11-20T10:00,2026-11-24T08:00,,,,,,,,,
"""
    report = load_files(engine, tmp_path / "bad", {**GEOGRAPHY, "episodes.csv": bad_episodes})
    assert not report.loaded
    reasons = {(r.file_name, r.line): r.reason for r in report.rejections}
    assert reasons[("episodes.csv", 4)].startswith("sex: 'X' is not one of")
    assert reasons[("episodes.csv", 5)] == ("home_area_code 'N9' is not known "
                                           "(not in areas.csv or the database)")
    assert reasons[("episodes.csv", 6)] == "admitted_at: 'yesterday' is not an ISO 8601 timestamp"
    assert reasons[("episodes.csv", 7)] == "nctr_at is before admitted_at"
    assert reasons[("episodes.csv", 8)].startswith("duplicate of line 2")
    assert len(report.rejections) == 5
    # Atomic: the good files and rows of the batch were not loaded either.
    for model in (Area, Episode):
        assert count(engine, model) == 0
    # The attempt is recorded, as rejected.
    with engine.connect() as connection:
        outcomes = set(connection.scalars(select(Load.outcome)))
    assert outcomes == {"rejected"}
    assert "Nothing was loaded" in report.summary()


def test_allow_partial_loads_the_good_rows_only(engine, tmp_path):
    bad = GOOD_EPISODES + "E3,p3,S1,N1,200,F,2026-11-20T10:00,,,,,,,,,,\n"
    report = load_files(engine, tmp_path / "partial", {**GEOGRAPHY, "episodes.csv": bad},
                        allow_partial=True)
    assert report.loaded
    assert [str(r) for r in report.rejections] == [
        "episodes.csv line 4: age: '200' is outside 0 to 120"]
    assert count(engine, Episode) == 2


def test_missing_required_column_rejects_the_whole_file(engine, tmp_path):
    report = load_files(engine, tmp_path / "hdr", {
        **GEOGRAPHY, "capacity.csv": "service_code,reported_at,places\nP1H,2026-11-24T08:00,10\n"})
    assert not report.loaded
    assert [str(r) for r in report.rejections] == [
        "capacity.csv line 1: header lacks required column(s): occupied, unavailable; "
        "the whole file is rejected"]


def test_rejection_cascades_to_rows_that_reference_a_rejected_row(engine, tmp_path):
    services = GEOGRAPHY["services.csv"] + "    BAD,Broken,7,home,X,nhs,D1,3\n"
    capacity = "service_code,reported_at,places,occupied,unavailable\nBAD,2026-11-24T08:00,3,1,0\n"
    report = load_files(engine, tmp_path / "cascade",
                        {**GEOGRAPHY, "services.csv": services, "capacity.csv": capacity})
    assert [(r.file_name, r.line) for r in report.rejections] == [
        ("services.csv", 6), ("capacity.csv", 2)]


def test_loading_the_same_folder_twice_changes_nothing(engine, tmp_path):
    capacity = "service_code,reported_at,places,occupied,unavailable\nP1H,2026-11-24T08:00,10,4,1\n"
    delays = "episode_id,effective_at,reason_code\nE1,2026-11-24T08:00,t1\nE1,2026-11-24T12:00,C1\n"
    folder = write_folder(tmp_path / "twice", {**GEOGRAPHY, "episodes.csv": GOOD_EPISODES,
                                               "delays.csv": delays, "capacity.csv": capacity})
    first = load_folder(engine, folder)
    assert first.loaded and not first.rejections
    with engine.connect() as connection:
        snapshot = [connection.execute(select(model)).all()
                    for model in (Area, AreaLink, Episode, CapacityReport)]
    at = datetime(2026, 11, 24, 18, 0, tzinfo=LONDON)
    figures = waiting_at(engine, system_area(engine, "ICB1"), at)

    second = load_folder(engine, folder)
    assert second.loaded and not second.rejections
    with engine.connect() as connection:
        again = [connection.execute(select(model)).all()
                 for model in (Area, AreaLink, Episode, CapacityReport)]
    # Identical rows, including which load wrote them: nothing was rewritten.
    assert again == snapshot
    assert waiting_at(engine, system_area(engine, "ICB1"), at) == figures
    assert figures.total == 1


def test_an_episode_update_replaces_its_earlier_state(engine, tmp_path):
    load_files(engine, tmp_path / "v1", {**GEOGRAPHY, "episodes.csv": GOOD_EPISODES})
    discharged = EPISODE_HEADER + \
        "E1,p1,S1,N1,80,F,2026-11-20T10:00,2026-11-24T08:00,,0,2026-11-24T15:00,,,,,,\n"
    report = load_files(engine, tmp_path / "v2", {"episodes.csv": discharged})
    assert report.loaded, report.summary()
    assert count(engine, Episode) == 2
    at = datetime(2026, 11, 24, 18, 0, tzinfo=LONDON)
    assert waiting_at(engine, system_area(engine, "ICB1"), at).total == 0


def test_naive_times_are_london_time_and_offsets_are_respected(engine, tmp_path):
    episodes = EPISODE_HEADER + (
        # Summer: naive 10:00 is BST, 09:00 UTC. The second row gives an explicit offset.
        "S,p,S1,N1,80,F,2026-07-01T10:00,2026-07-01T12:00,,,,,,,,,\n"
        "Z,p,S1,N1,80,F,2026-07-01T10:00+01:00,2026-07-01T11:00Z,,,,,,,,,\n")
    report = load_files(engine, tmp_path / "tz", {**GEOGRAPHY, "episodes.csv": episodes})
    assert report.loaded, report.summary()
    with engine.connect() as connection:
        stored = dict(connection.execute(select(Episode.episode_id, Episode.admitted_at)).all())
        nctr_dates = dict(connection.execute(select(Episode.episode_id, Episode.nctr_at)).all())
    assert stored["S"] == datetime(2026, 7, 1, 9, 0)
    assert stored["Z"] == datetime(2026, 7, 1, 9, 0)
    assert nctr_dates["Z"] == datetime(2026, 7, 1, 11, 0)


def test_derived_fields_are_computed_at_load(engine, tmp_path):
    episodes = EPISODE_HEADER + (
        # NCTR 23:30 BST on 30 June is 1 July in UTC but 30 June locally.
        "D,p,S1,N1,80,F,2026-06-29T10:00,2026-06-30T23:30,,1,2026-07-01T10:00,P1H,"
        "2026-07-01T11:30,,,,\n")
    load_files(engine, tmp_path / "derived", {**GEOGRAPHY, "episodes.csv": episodes})
    with engine.connect() as connection:
        row = connection.execute(select(Episode.nctr_date, Episode.discharge_date,
                                        Episode.hours_nctr_to_service,
                                        Episode.in_service_until)).one()
    assert str(row.nctr_date) == "2026-06-30"
    assert row.in_service_until == datetime(9999, 12, 31)  # started, not ended
    assert str(row.discharge_date) == "2026-07-01"
    assert row.hours_nctr_to_service == pytest.approx(12.0)


def test_area_tree_closure_is_built(engine, tmp_path):
    load_files(engine, tmp_path / "areas", GEOGRAPHY)
    with engine.connect() as connection:
        descendants = set(connection.scalars(
            select(AreaLink.descendant_code).where(AreaLink.ancestor_code == "ICB1")))
    assert descendants == {"ICB1", "D1", "D2", "N1", "N2"}


def test_folder_without_contract_files_is_a_clear_error(engine, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(FolderError, match="holds none of the contract files"):
        load_folder(engine, tmp_path / "empty")


@pytest.mark.parametrize(("body", "message"), [
    ("code,name,level\nA,caf\xe9,region\n".encode("latin-1"),
     "areas.csv line 2 is not UTF-8 text"),
    (b"code,name,level\nA," + b"x" * 200_000 + b",region\n",
     r"areas.csv cannot be read as CSV \(line 2: a value is longer than 131,072 characters"),
])
def test_a_file_that_is_not_utf8_csv_is_a_clear_error(engine, tmp_path, body, message):
    """Found by tests/test_properties_loader.py: these raised UnicodeDecodeError and csv.Error."""
    write_folder(tmp_path, GEOGRAPHY)
    (tmp_path / "areas.csv").write_bytes(body)
    with pytest.raises(FolderError, match=message):
        load_folder(engine, tmp_path)
    assert count(engine, Area) == 0 and count(engine, Load) == 0


def test_a_line_short_of_values_is_refused_by_its_line_never_completed(engine, tmp_path):
    episodes = (GOOD_EPISODES
                + "E3,p3,S1,N1,80,F,2026-11-20T10:00,2026-11-24T08:00\n"  # 8 values of 17
                + "\n"  # a blank line is skipped
                + "E4,p4,S1,N1,80,F,2026-11-20T10:00,2026-11-24T08:00,,,,,,,,,,x\n")  # 18
    files = {**GEOGRAPHY, "episodes.csv": episodes}
    report = load_files(engine, tmp_path / "short", files)
    assert [str(r) for r in report.rejections] == [
        "episodes.csv line 4: has 8 values; the header has 17 columns",
        "episodes.csv line 6: has 18 values; the header has 17 columns"]
    assert not report.loaded and count(engine, Episode) == 0
    partial = load_files(engine, tmp_path / "partial", files, allow_partial=True)
    assert partial.loaded and partial.rows_accepted == 5 + 1 + 4 + 2  # E3 and E4 are not
    with engine.connect() as connection:
        assert connection.scalars(select(Episode.episode_id).order_by(Episode.episode_id)
                                  ).all() == ["E1", "E2"]


def test_a_quoted_line_break_loads_and_each_record_is_numbered_by_its_first_line(engine,
                                                                                tmp_path):
    header = EPISODE_HEADER.rstrip("\n") + ",ward\n"
    start = "S1,N1,80,{sex},2026-11-20T10:00" + "," * 10  # nctr_at .. at_home_91_days blank
    episodes = (header
                + "E1,p1," + start.format(sex="X") + ',"Ward 7\nNorth"\n'  # lines 2-3
                + "E2,p2," + start.format(sex="F") + ',"Ward 8\n\nSouth"\n'  # lines 4-6
                + "E3,p3," + start.format(sex="Y") + ",Ward 9\n")  # line 7
    report = load_files(engine, tmp_path / "wards", {**GEOGRAPHY, "episodes.csv": episodes},
                        allow_partial=True)
    assert [(r.line, r.reason[:19]) for r in report.rejections] == [
        (2, "sex: 'X' is not one"), (7, "sex: 'Y' is not one")]
    with engine.connect() as connection:
        assert connection.execute(select(Episode.episode_id, Episode.ward)).all() == [
            ("E2", "Ward 8\n\nSouth")]


@pytest.mark.parametrize(("name", "header", "row", "problem"), [
    ("delays.csv", "episode_id,effective_at,reason_code", lambda n: f"E{n},2026-11-24T09:00,T1",
     "a quoted value opened in this record is never closed"),
    # Longer lines: the rest of the file is more than a CSV value may hold.
    ("episodes.csv", EPISODE_HEADER, lambda n: f"E{n},p{n},S1,N1,80,F,2026-11-20T10:00,,,,,,,,,,",
     "a value is longer than 131,072 characters: too long, or a quoted value opened in this "
     "record is never closed"),
])
def test_an_unclosed_quote_refuses_the_file_naming_the_line_it_opens_on(engine, tmp_path, name,
                                                                        header, row, problem):
    """Found by the security review (issue 14): the error named the file's last line (9964, not
    7000) and quoted the rest of the file, 95 kB."""
    folder = write_folder(tmp_path, {**GEOGRAPHY, name: unclosed_quote(header, row)})
    with pytest.raises(FolderError) as refusal:
        load_folder(engine, folder)
    message = str(refusal.value)
    assert message == f"{name} cannot be read as CSV (line 7000: {problem}); nothing was loaded"
    assert len(message) < 500
    assert count(engine, Area) == 0 and count(engine, Load) == 0


def test_a_rejection_quotes_at_most_100_characters_of_a_value(engine, tmp_path):
    episodes = EPISODE_HEADER + f"E1,p1,S1,N1,{'9' * 4_000},F,{'x' * 100_000},,,,,,,,,,\n"
    report = load_files(engine, tmp_path / "long", {**GEOGRAPHY, "episodes.csv": episodes})
    assert [r.reason for r in report.rejections] == [
        f"age: {'9' * 100!r}… (4,000 characters) is outside 0 to 120"]
    with_time = EPISODE_HEADER + f"E1,p1,S1,N1,80,F,{'x' * 100_000},,,,,,,,,,\n"
    report = load_files(engine, tmp_path / "time", {"episodes.csv": with_time})
    assert [r.reason for r in report.rejections] == [
        f"admitted_at: {'x' * 100!r}… (100,000 characters) is not an ISO 8601 timestamp"]


def test_values_no_database_can_store_are_rejected_and_reasons_stay_storable(engine, tmp_path):
    """Found by tests/test_properties_loader.py: a NUL in free text loaded on SQLite and broke
    the load on PostgreSQL; a timestamp near the year 1 raised OverflowError; a feed record's
    unknown field named with half a UTF-16 pair could not be stored as the reason."""
    report = load_files(engine, tmp_path / "bad", {**GEOGRAPHY, "episodes.csv": EPISODE_HEADER
                        + "E1,p\x00,S1,N1,80,F,2026-11-20T10:00,,,,,,,,,,\n"
                        + "E2,p2,S1,N1,80,F,0001-01-01T00:00+05:00,,,,,,,,,,\n"})
    assert [(r.line, r.reason) for r in report.rejections] == [
        (2, "person_ref: holds a NUL character or half of a UTF-16 pair, which text cannot hold"),
        (3, "admitted_at: '0001-01-01T00:00+05:00' is out of the range of dates")]
    records = read_records(SPECS_BY_NAME["areas.csv"], [
        {"code": "A", "name": "a\ud800", "level": "icb"}, {"code": "B", "\ud800\x00": 1}])
    report = load_batch(engine, {"areas.csv": records}, source="feed", unit="record")
    assert [(r.line, r.reason) for r in report.rejections] == [
        (0, "name: holds a NUL character or half of a UTF-16 pair, which text cannot hold"),
        (1, "unknown field(s): \\ud800\\x00")]
    with engine.connect() as connection:
        assert connection.scalars(select(LoadRejection.reason).order_by(LoadRejection.id)
                                  ).all()[-1] == "unknown field(s): \\ud800\\x00"
    assert count(engine, Area) == 0


@pytest.mark.parametrize("copy_from_rows", [1, 10**9], ids=["in bulk", "row by row"])
def test_bulk_and_row_by_row_writes_follow_the_same_rules(engine, tmp_path, monkeypatch,
                                                          copy_from_rows):
    """PostgreSQL takes large files by COPY into a scratch table: the same upsert rules hold
    (nothing rewritten on a re-load, a newer update applied, an older one ignored)."""
    monkeypatch.setattr("data_access.loader.COPY_FROM_ROWS", copy_from_rows)
    header = EPISODE_HEADER.rstrip("\n") + ",updated_at\n"
    v1 = header + "E1,p1,S1,N1,80,F,2026-11-20T10:00,2026-11-24T08:00,,,,,,,,,,2026-11-24T09:00\n"
    first = load_files(engine, tmp_path / "v1", {**GEOGRAPHY, "episodes.csv": v1})
    assert first.loaded, first.summary()
    with engine.connect() as connection:
        stored = connection.execute(select(Episode)).all()
    again = load_files(engine, tmp_path / "again", {"episodes.csv": v1})
    with engine.connect() as connection:
        assert connection.execute(select(Episode)).all() == stored  # same load_id: untouched
    newer = header + ("E1,p1,S1,N1,80,F,2026-11-20T10:00,2026-11-24T08:00,,0,"
                      "2026-11-24T15:00,,,,,,,2026-11-24T16:00\n")
    older = header + ("E1,p1,S1,N1,80,F,2026-11-20T10:00,2026-11-24T08:00,,0,"
                      "2026-11-24T11:00,,,,,,,2026-11-24T10:00\n")
    applied = load_files(engine, tmp_path / "newer", {"episodes.csv": newer})
    ignored = load_files(engine, tmp_path / "older", {"episodes.csv": older})
    # What each load made of the row, by the same rules both ways.
    assert [report.files[-1].counts for report in (first, again, applied, ignored)] == [
        {"new": 1, "changed": 0, "unchanged": 0, "stale": 0},
        {"new": 0, "changed": 0, "unchanged": 1, "stale": 0},
        {"new": 0, "changed": 1, "unchanged": 0, "stale": 0},
        {"new": 0, "changed": 0, "unchanged": 0, "stale": 1}]
    with engine.connect() as connection:
        discharged, updated = connection.execute(
            select(Episode.discharged_at, Episode.updated_at)).one()
    assert discharged == datetime(2026, 11, 24, 15, 0)
    assert updated == datetime(2026, 11, 24, 16, 0)


def test_area_tree_changes_are_audited_with_the_old_and_new_parent(engine, tmp_path):
    load_files(engine, tmp_path / "v1", GEOGRAPHY)
    created = recent_events(engine, action="area_changed")
    assert sorted(zip(created.scope, created.detail.str.split(";").str[0], strict=True)) == [
        ("area D1", "created under ICB1"), ("area D2", "created under ICB1"),
        ("area ICB1", "created under nothing (a top-level area)"),
        ("area N1", "created under D1"), ("area N2", "created under D2")]
    assert set(created.username) == {"load command"}
    # The same areas again: no change, no event. A new parent: one event.
    load_files(engine, tmp_path / "v1", GEOGRAPHY)
    moved = AREAS.replace("N2,Neighbourhood two,neighbourhood,D2",
                          "N2,Neighbourhood two,neighbourhood,D1")
    load_files(engine, tmp_path / "v2", {"areas.csv": moved})
    events = recent_events(engine, action="area_changed")
    assert len(events) == 6
    assert (events.scope[0], events.detail[0].split(";")[0]) == (
        "area N2", "moved from under D2 to under D1")
    with engine.connect() as connection:
        counts = connection.execute(
            select(Load.rows_new, Load.rows_changed, Load.rows_unchanged, Load.rows_stale)
            .where(Load.file_name == "areas.csv").order_by(Load.id)).all()
    assert [tuple(row) for row in counts] == [(5, 0, 0, 0), (0, 0, 5, 0), (0, 1, 4, 0)]


def test_a_time_ahead_of_the_load_is_rejected_in_a_file_too(engine, tmp_path):
    # TODAY_AT is 08:30 (GMT); up to ten minutes ahead is a clock's drift.
    episodes = EPISODE_HEADER + ("F1,p1,S1,N1,80,F,2026-11-20T10:00,2026-11-25T08:40,,,,,,,,,\n"
                                 "F2,p2,S1,N1,80,F,2026-11-20T10:00,2026-11-25T08:41,,,,,,,,,\n")
    report = load_files(engine, tmp_path / "ahead", {**GEOGRAPHY, "episodes.csv": episodes},
                        clock=FixedClock(TODAY_AT))
    assert [(r.line, r.reason) for r in report.rejections] == [
        (3, "nctr_at: 2026-11-25 08:41 is in the future (more than 10 minutes after "
            "2026-11-25 08:30, the time of the load)")]
    assert not report.loaded and count(engine, Episode) == 0


def test_a_row_without_updated_at_is_stale_against_a_stamped_one(engine, tmp_path):
    header = EPISODE_HEADER.rstrip("\n") + ",updated_at\n"
    stamped = header + "E1,p1,S1,N1,80,F,2026-11-20T10:00,,,,,,,,,,,2026-11-24T09:00:30\n"
    assert load_files(engine, tmp_path / "v1", {**GEOGRAPHY, "episodes.csv": stamped}).loaded
    unstamped = EPISODE_HEADER + "E1,p1,S1,N1,80,F,2026-11-20T10:00,2026-11-24T10:00,,,,,,,,,\n"
    report = load_files(engine, tmp_path / "v2", {"episodes.csv": unstamped})
    assert report.loaded and [str(r) for r in report.files[0].stale] == [
        "episodes.csv line 2: stored record has updated_at 2026-11-24T09:00:30 and this one none"]
    assert "episodes.csv: 1 rows read, 0 new, 1 rows already present, 0 changed, 0 unchanged, " \
        "1 ignored as stale, 0 rejected" in report.summary()
    assert "episodes.csv line 2: ignored as stale: stored record has" in report.summary()
    with engine.connect() as connection:
        assert connection.scalar(select(Episode.nctr_at)) is None


def test_earlier_nctr_periods_are_checked_against_the_episode_and_each_rejection_named(
        engine, tmp_path):
    # E1's last NCTR period starts 20 Nov 10:00 (its nctr_at): an earlier period must end by
    # then. Line 2 is kept; 3 ends after it; 4 ends before it begins; 5 names no episode.
    episodes = EPISODE_HEADER + "E1,p1,S1,N1,80,F,2026-11-10T10:00,2026-11-20T10:00,,,,,,,,,\n"
    periods = ("episode_id,nctr_at,criteria_met_at\n"
               "E1,2026-11-12T10:00,2026-11-14T08:00\n"
               "E1,2026-11-15T10:00,2026-11-21T08:00\n"
               "E1,2026-11-17T10:00,2026-11-16T08:00\n"
               "NOBODY,2026-11-12T10:00,2026-11-14T08:00\n")
    report = load_files(engine, tmp_path / "periods", {
        **GEOGRAPHY, "episodes.csv": episodes, "nctr_periods.csv": periods}, allow_partial=True)
    assert report.loaded
    assert [(r.file_name, r.line, r.reason) for r in report.rejections] == [
        ("nctr_periods.csv", 4, "criteria_met_at is before nctr_at"),
        ("nctr_periods.csv", 5, "episode_id 'NOBODY' is not known (not in episodes.csv or the "
                                "database)"),
        ("nctr_periods.csv", 3, "criteria_met_at 2026-11-21T08:00 is after the episode's nctr_at "
                                "2026-11-20T10:00: an earlier NCTR period ends before the last "
                                "one begins"),
    ]
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(NctrPeriod)) == 1
