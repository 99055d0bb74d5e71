"""The one loader: validates a batch against the data contract and upserts it atomically.

Every way data arrives (the ``load`` command, the demo, the push API) goes through
``load_batch``. A batch is all-or-nothing: if any row is rejected, nothing is written unless the
caller allows a partial load. Re-loading identical rows changes nothing: rows are upserted by their
natural key and an update is written only when a value differs. Updates arriving out of order are
settled by the source's ``updated_at``: an older update never overwrites a newer one.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    Table,
    and_,
    delete,
    insert,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from dashboard.clock import Clock, SystemClock, as_london, from_utc_naive, to_utc_naive
from dashboard.results import WRITE_OUTCOMES
from dashboard.trigger_levels import TRIGGER_MEASURES, order_problem
from dashboard.vocabulary import UPPER_TIER_LEVEL
from data_access import audit, ownership
from data_access.contract import (
    FILE_SPECS,
    REFERENCES,
    SPECS_BY_NAME,
    FileSpec,
    RowError,
    check_not_in_future,
    quoted,
    storable,
)
from data_access.db import lock_for_writing
from data_access.facts import local_date, merge_earliest, refresh_daily_waits, stored_waits
from data_access.models import (
    STILL_IN_HOSPITAL,
    Area,
    AreaLink,
    Base,
    Episode,
    Goal,
    Load,
    LoadRejection,
    TriggerLevel,
)

RawRow = dict[str, str | None]
NumberedRows = list[tuple[int, RawRow]]  # (line number, or record index, in the source; values)
# Raw-row keys that carry no value: a CSV header, or why a feed record could not be read at all.
HEADER_KEY = "__header__"
UNREADABLE_KEY = "__unreadable__"
MAX_REJECTIONS_KEPT = 200  # per load, in load_rejections; the count is always kept in full
# Refreshing planner statistics costs a scan: worth it after a bulk load, not a small feed delivery.
ANALYZE_AFTER_ROWS = 5_000
# PostgreSQL takes a file's rows by COPY from this many on (one round trip instead of thousands).
COPY_FROM_ROWS = 5_000
# The advisory lock every batch's write transaction takes on PostgreSQL (any number, used once).
WRITE_LOCK_KEY = 4_815_162_342
# Who changed the area tree, in the audit log, when the administrator's load did (a feed: the
# source's name).
LOAD_COMMAND = "load command"


@dataclass(frozen=True)
class Rejection:
    file_name: str
    line: int  # the CSV line, or the record's index in a feed delivery
    reason: str
    unit: str = "line"  # "line" or "record"

    def __str__(self) -> str:
        return f"{self.file_name} {self.unit} {self.line}: {self.reason}"


STALE_SHOWN = 20  # in a load's summary; a feed's answer names every stale record


@dataclass
class FileResult:
    file_name: str
    unit: str = "line"
    rows_read: int = 0
    accepted: dict[tuple[Any, ...], tuple[int, dict[str, Any]]] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    # Accepted rows a feed source may not write (data_access/ownership.py): nothing is written.
    refusals: list[Rejection] = field(default_factory=list)
    # Once written, the rows are let go and only their count kept (a national build loads one
    # system after another and must not hold them all).
    written: int | None = None
    # How many accepted rows the write found new, changed or unchanged; the stale ones by name.
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(WRITE_OUTCOMES, 0))
    stale: list[Rejection] = field(default_factory=list)
    # Each row's position by outcome (new, changed, unchanged), kept for a feed's answer only.
    positions: dict[str, list[int]] | None = None

    @property
    def rows_accepted(self) -> int:
        return len(self.accepted) if self.written is None else self.written

    def let_go(self) -> None:
        self.written, self.accepted = self.rows_accepted, {}

    def reject(self, line: int, reason: str) -> None:
        self.rejections.append(Rejection(self.file_name, line, storable(reason), self.unit))

    def refuse(self, line: int, reason: str) -> None:
        self.refusals.append(Rejection(self.file_name, line, storable(reason), self.unit))

    def count(self, outcome: str, line: int, reason: str = "") -> None:
        """Note what the write made of the row at ``line``."""
        self.counts[outcome] += 1
        if outcome == "stale":
            self.stale.append(Rejection(self.file_name, line, storable(reason), self.unit))
        elif self.positions is not None:
            self.positions.setdefault(outcome, []).append(line)

    def summary(self, loaded: bool) -> str:
        if not loaded:
            refused = f", {len(self.refusals)} refused" if self.refusals else ""
            return (f"{self.file_name}: {self.rows_read} rows read, nothing written, "
                    f"{len(self.rejections)} rejected{refused}")
        new, changed, unchanged, stale = (self.counts[o] for o in WRITE_OUTCOMES)
        return (f"{self.file_name}: {self.rows_read} rows read, {new} new, "
                f"{changed + unchanged + stale} rows already present, {changed} changed, "
                f"{unchanged} unchanged, {stale} ignored as stale, "
                f"{len(self.rejections)} rejected")


@dataclass(frozen=True)
class LoadReport:
    batch_id: str
    source: str
    loaded: bool
    files: tuple[FileResult, ...]

    @property
    def rejections(self) -> list[Rejection]:
        return [r for f in self.files for r in f.rejections]

    @property
    def refusals(self) -> list[Rejection]:
        """Rows outside what the feed source may write: the batch was refused as a whole."""
        return [r for f in self.files for r in f.refusals]

    @property
    def rows_accepted(self) -> int:
        return sum(f.rows_accepted for f in self.files) if self.loaded else 0

    def summary(self) -> str:
        lines = [f.summary(self.loaded) for f in self.files]
        lines.extend(str(r) for r in self.rejections)
        lines.extend(f"{r} (refused)" for r in self.refusals)
        stale = [r for f in self.files for r in f.stale]
        lines.extend(f"{r.file_name} {r.unit} {r.line}: ignored as stale: {r.reason}"
                     for r in stale[:STALE_SHOWN])
        if len(stale) > STALE_SHOWN:
            lines.append(f"... and {len(stale) - STALE_SHOWN} more rows ignored as stale")
        if self.refusals:
            lines.append(f"Nothing was loaded: {self.source!r} may not write the rows refused "
                         "above.")
        elif not self.loaded:
            lines.append("Nothing was loaded: the batch has rejected rows "
                         "(use --allow-partial to load the accepted rows).")
        return "\n".join(lines)


class FolderError(ValueError):
    """The folder cannot be read as a batch at all (missing, no contract files in it, or a file
    that is not UTF-8 CSV)."""


def read_folder(folder: Path) -> dict[str, NumberedRows]:
    """Read every contract file present in ``folder`` as numbered raw rows."""
    if not folder.is_dir():
        raise FolderError(f"{folder} is not a folder")
    batch = {
        spec.name: read_csv(folder / spec.name)
        for spec in FILE_SPECS
        if (folder / spec.name).is_file()
    }
    if not batch:
        names = ", ".join(spec.name for spec in FILE_SPECS)
        raise FolderError(f"{folder} holds none of the contract files ({names})")
    return batch


def read_csv(path: Path) -> NumberedRows:
    """A CSV file as numbered raw rows; ``FolderError`` (naming the line) if it is not UTF-8 CSV."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return csv_rows(handle)
    except UnicodeDecodeError:
        raise FolderError(f"{path.name} line {_first_line_not_utf8(path)} is not UTF-8 text "
                          "(save the file as CSV UTF-8); nothing was loaded") from None
    except csv.Error as error:
        raise FolderError(f"{path.name} cannot be read as CSV ({error}); "
                          "nothing was loaded") from None


def _first_line_not_utf8(path: Path) -> int:
    # A line break is never part of a multi-byte UTF-8 character, so lines decode on their own.
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 1


def csv_rows(lines: Iterable[str]) -> NumberedRows:
    """CSV text as raw rows numbered by the line each starts on, the header first.

    A line with fewer or more values than the header is kept as unreadable, with the counts as
    its reason: a missing value is never filled in. Blank lines are skipped. Raises
    ``csv.Error`` naming the line of a record that cannot be read at all, such as one opening a
    quoted value that is never closed (after it, the text cannot be split into records).
    """
    source = _CountedLines(lines)
    reader = csv.reader(source)
    header: list[str] | None = None
    rows: NumberedRows = []
    while True:
        start = source.record_start = source.count + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise csv.Error(f"line {start}: {_csv_problem(error)}") from None
        if source.ended_inside_record:
            raise csv.Error(f"line {start}: a quoted value opened in this record is never "
                            "closed")
        if header is None:
            header = values
        elif len(values) == len(header):
            rows.append((start, dict(zip(header, values, strict=True))))
        elif values:  # never completed with blanks, never cut to fit
            rows.append((start, {UNREADABLE_KEY: f"has {len(values)} values; the header has "
                                                 f"{len(header)} columns"}))
    return with_header(header or [], rows)


class _CountedLines:
    """Lines handed to ``csv.reader`` one at a time, counted, so that a record is known by the
    line it starts on, and a record still open at the end of the text (a quote never closed:
    the reader would take the rest of the text as its value) is told from a complete one."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self.count = 0  # lines handed out so far
        self.record_start = 1  # the first line of the record being read
        self.ended_inside_record = False

    def __iter__(self) -> _CountedLines:
        return self

    def __next__(self) -> str:
        try:
            line = next(self._lines)
        except StopIteration:
            self.ended_inside_record = self.count >= self.record_start
            raise
        self.count += 1
        return line


def _csv_problem(error: csv.Error) -> str:
    """What ``csv.reader`` could not read, in words a data lead can act on."""
    if "field larger than field limit" in str(error):
        return (f"a value is longer than {csv.field_size_limit():,} characters: too long, or a "
                "quoted value opened in this record is never closed")
    return str(error)


def with_header(header: list[str], rows: NumberedRows) -> NumberedRows:
    """The header travels as line 1, so a missing column is reported like any other rejection."""
    return [(1, {HEADER_KEY: ",".join(header)}), *rows]


def read_records(spec: FileSpec, records: list[Any]) -> NumberedRows:
    """A feed's JSON records as raw rows numbered by their index (0 = the first record).

    Values become the text a CSV would carry, so both go through the same parsing. A record that
    is not an object, names a field the contract does not have, or holds a list or object as a
    value is marked unreadable and rejected with the reason.
    """
    known = {column.name for column in spec.columns}
    rows: NumberedRows = []
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            rows.append((index, {UNREADABLE_KEY: "a record must be a JSON object"}))
            continue
        unknown = sorted(str(name) for name in record if name not in known)
        if unknown:
            rows.append((index, {UNREADABLE_KEY: f"unknown field(s): {', '.join(unknown)[:200]}"}))
            continue
        try:
            rows.append((index, {name: _as_text(name, value) for name, value in record.items()}))
        except ValueError as error:
            rows.append((index, {UNREADABLE_KEY: str(error)}))
    return rows


def _as_text(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise ValueError(f"{name}: must be text, a number, true/false or null")


def load_folder(engine: Engine, folder: Path, *, allow_partial: bool = False,
                synthetic: bool = False, clock: Clock | None = None) -> LoadReport:
    return load_batch(engine, read_folder(folder), source=str(folder),
                      allow_partial=allow_partial, synthetic=synthetic, clock=clock)


def load_batch(engine: Engine, batch: dict[str, NumberedRows], *, source: str,
               allow_partial: bool = False, synthetic: bool = False,
               clock: Clock | None = None, channel: str = "file",
               unit: str = "line") -> LoadReport:
    """Validate and, if allowed, write one batch in one transaction.

    ``channel`` records how the batch came: "file" (the administrator's load command, the demo:
    any record may be written) or "feed" (a delivery of the feed source ``source``: refused as a
    whole if any record is outside its grants or not its own, see data_access/ownership.py).
    ``unit`` names what rejections count ("line" of a CSV file, or "record" index of a feed
    delivery). Each accepted row is then new, changed, unchanged or ignored as stale (a later
    ``updated_at`` is stored); a feed's report keeps which row was which.
    """
    clock = clock or SystemClock()
    started_at = to_utc_naive(clock.now())
    unknown = sorted(set(batch) - set(SPECS_BY_NAME))
    if unknown:
        raise FolderError(f"not files of the data contract: {', '.join(unknown)}")
    specs = [spec for spec in FILE_SPECS if spec.name in batch]
    results = {spec.name: _parse_file(spec, batch[spec.name], unit, started_at)
               for spec in specs}
    with engine.connect() as connection:
        _check_upper_tiers(connection, results)  # first: what it rejects cascades
        _check_references(connection, results)
        _check_earlier_periods(connection, results)
        _check_goal_periods(connection, results)
        _check_trigger_order(connection, results)
    feed = channel == "feed"
    with engine.begin() as connection:
        # One batch written at a time, locked before the first statement: two at once would
        # otherwise deadlock on the same keys, or collide rebuilding area_links (DELETE all,
        # INSERT all), on PostgreSQL; the lock goes with the transaction, even a killed one.
        # What is stored is compared under the same lock, so nothing changes in between.
        lock_for_writing(connection, WRITE_LOCK_KEY)
        writes = {spec.name: _FileWrite(connection, spec, results[spec.name]) for spec in specs}
        if feed:
            _refuse_outside_grants(connection, source, writes, unit)
        refused = any(r.refusals for r in results.values())
        loaded = not refused and (allow_partial or not any(r.rejections
                                                           for r in results.values()))
        report = LoadReport(str(uuid.uuid4()), source, loaded, tuple(results.values()))
        load_ids = _record_loads(connection, report, synthetic, started_at,
                                 to_utc_naive(clock.now()), channel)
        if refused:
            _audit_refusal(connection, report, clock.now())
        if loaded:
            touched = _waits_touched(connection, results)  # as stored, before the writes
            for spec in specs:
                results[spec.name].positions = {} if feed else None
                written = writes[spec.name].write(load_ids[spec.name], source if feed else None)
                if spec.name == "areas.csv" and written:
                    _audit_area_changes(connection, writes[spec.name], written, report,
                                        source if feed else LOAD_COMMAND, clock.now())
                    rebuild_area_links(connection)
            record_outcomes(connection, load_ids, results.values())
            # The daily facts change with the data, in the same transaction.
            refresh_daily_waits(connection, as_london(clock.now()).date(), touched)
    for result in results.values():
        result.let_go()
    if loaded and report.rows_accepted >= ANALYZE_AFTER_ROWS:
        _refresh_statistics(engine, [_table(spec).name for spec in specs])
    return report


def _refuse_outside_grants(connection: Connection, source: str, writes: dict[str, _FileWrite],
                           unit: str) -> None:
    """Refuse every accepted row the feed source may not write, with the reason."""
    found = ownership.refusals(
        connection, ownership.grants_of(connection, source),
        {name: list(write.result.accepted.values()) for name, write in writes.items()},
        {name: write.stored for name, write in writes.items()},
        whole_file_position=1 if unit == "line" else 0)
    for name, refused in found.items():
        for line, reason in refused:
            writes[name].result.refuse(line, reason)


def _audit_refusal(connection: Connection, report: LoadReport, at: datetime) -> None:
    refusals = report.refusals
    kinds = ", ".join(f.file_name.removesuffix(".csv") for f in report.files if f.refusals)
    audit.record_in(connection, at, "refused", f"feed delivery of {kinds} ({report.batch_id})",
                    username=report.source, rows=len(refusals),
                    detail=f"{len(refusals)} record(s) outside the source's grants, nothing "
                           f"written; first: {refusals[0]}")


def _audit_area_changes(connection: Connection, write: _FileWrite, written: set[Key],
                        report: LoadReport, who: str, at: datetime) -> None:
    """Every area the batch created or moved to another parent, with the old and new parent."""
    for _, values in write.result.accepted.values():
        code, parent = values["code"], values["parent_code"]
        if (code,) not in written:
            continue
        before = write.stored.get((code,))
        if before is None:
            change = f"created under {parent or 'nothing (a top-level area)'}"
        elif before.parent_code != parent:
            change = (f"moved from under {before.parent_code or 'nothing (top level)'} to "
                      f"under {parent or 'nothing (top level)'}")
        else:
            continue
        audit.record_in(connection, at, "area_changed", f"area {code}", username=who,
                        detail=f"{change}; batch {report.batch_id} from {report.source}")


def record_outcomes(connection: Connection, load_ids: dict[str, int],
                    results: Iterable[FileResult]) -> None:
    """Each written file's counts of new, changed, unchanged and stale rows, on its load."""
    for result in results:
        connection.execute(update(Load).where(Load.id == load_ids[result.file_name]).values(
            {f"rows_{outcome}": count for outcome, count in result.counts.items()}))


def _waits_touched(connection: Connection, results: dict[str, FileResult]) -> dict[str, date]:
    """The home areas whose waits the batch may change, each with the earliest day it may
    change: the episodes it names as stored now, and as the batch gives them."""
    episodes, delays = results.get("episodes.csv"), results.get("delays.csv")
    ids = {key[0] for key in episodes.accepted} if episodes else set()
    if delays:
        ids |= {values["episode_id"] for _, values in delays.accepted.values()}
    touched = stored_waits(connection, ids)
    for _, values in (episodes.accepted.values() if episodes else ()):
        if values["nctr_at"] is not None:
            merge_earliest(touched, {values["home_area_code"]: local_date(values["nctr_at"])})
    return touched


def _refresh_statistics(engine: Engine, tables: list[str]) -> None:
    """Let the query planner see the new row counts (both dialects spell it ANALYZE)."""
    with engine.connect() as connection:
        for table in tables + (["area_links"] if "areas" in tables else []):
            connection.exec_driver_sql(f"ANALYZE {table}")
        connection.commit()


def _parse_file(spec: FileSpec, rows: NumberedRows, unit: str = "line",
                now_utc: datetime | None = None) -> FileResult:
    """Parse and check each row; with ``now_utc`` (the load's time), no timestamp may lie
    ahead of it (``check_not_in_future``)."""
    result = FileResult(spec.name, unit)
    header_rows = [raw for line, raw in rows if HEADER_KEY in raw]
    if header_rows:
        present = set(filter(None, (header_rows[0][HEADER_KEY] or "").split(",")))
        missing = [name for name in spec.required_columns if name not in present]
        if missing:
            result.rows_read = len(rows) - 1
            result.reject(1, f"header lacks required column(s): {', '.join(missing)}; "
                             "the whole file is rejected")
            return result
    first_line_of: dict[tuple[Any, ...], int] = {}
    for line, raw in rows:
        if HEADER_KEY in raw:
            continue
        result.rows_read += 1
        if UNREADABLE_KEY in raw:
            result.reject(line, str(raw[UNREADABLE_KEY]))
            continue
        try:
            values = spec.parse_row(raw)
            if now_utc is not None:
                check_not_in_future(spec, values, now_utc)
        except RowError as error:
            result.reject(line, str(error))
            continue
        key = tuple(values[name] for name in spec.key)
        if key in first_line_of:
            result.reject(line, f"duplicate of line {first_line_of[key]} "
                                f"({', '.join(spec.key)} = {', '.join(map(str, key))})")
            continue
        first_line_of[key] = line
        result.accepted[key] = (line, values)
    return result


def _check_references(connection: Connection, results: dict[str, FileResult]) -> None:
    """Reject rows that point at something neither in the batch nor in the database.

    Files are checked in contract order, so a rejection cascades: an episode whose site was
    rejected is rejected too. Self-references (area parents) are settled by repeating until stable.
    """
    for spec in FILE_SPECS:
        result = results.get(spec.name)
        if result is None:
            continue
        changed = True
        while changed:
            changed = False
            for (file_name, column), (target_name, target_key) in REFERENCES.items():
                if file_name != spec.name:
                    continue
                target = results.get(target_name)
                in_batch = {key[0] for key in target.accepted} if target else set()
                wanted = {values[column] for _, values in result.accepted.values()
                          if values[column] is not None} - in_batch
                known = in_batch | _existing(connection, SPECS_BY_NAME[target_name], target_key,
                                              wanted)
                for key, (line, values) in list(result.accepted.items()):
                    if values[column] is not None and values[column] not in known:
                        del result.accepted[key]
                        result.reject(line, f"{column} {quoted(values[column])} is not known "
                                            f"(not in {target_name} or the database)")
                        changed = changed or file_name == target_name


def _check_earlier_periods(connection: Connection, results: dict[str, FileResult]) -> None:
    """Reject an earlier NCTR period that does not end before the episode's last one begins
    (its nctr_at, as the batch gives it, else as stored): the history comes before the
    discharge ready date."""
    periods = results.get("nctr_periods.csv")
    if periods is None or not periods.accepted:
        return
    episodes = results.get("episodes.csv")
    last_start = {key[0]: values["nctr_at"]
                  for key, (_, values) in (episodes.accepted.items() if episodes else ())}
    wanted = sorted({values["episode_id"] for _, values in periods.accepted.values()}
                    - set(last_start))
    for start in range(0, len(wanted), 500):
        last_start.update(connection.execute(
            select(Episode.episode_id, Episode.nctr_at)
            .where(Episode.episode_id.in_(wanted[start:start + 500]))).all())
    for key, (line, values) in list(periods.accepted.items()):
        last = last_start.get(values["episode_id"])
        if last is not None and values["criteria_met_at"] > last:
            del periods.accepted[key]
            periods.reject(line, f"criteria_met_at {_stamp(values['criteria_met_at'])} is after "
                                 f"the episode's nctr_at {_stamp(last)}: an earlier NCTR period "
                                 "ends before the last one begins")


def _check_goal_periods(connection: Connection, results: dict[str, FileResult]) -> None:
    """Reject a goal whose days overlap another goal of the same area and measure (as stored, or
    earlier in the batch): on any day one goal holds, never two to choose between."""
    goals = results.get("goals.csv")
    if goals is None or not goals.accepted:
        return
    pairs = {(values["area_code"], values["measure"]) for _, values in goals.accepted.values()}
    held: dict[tuple[str, str], dict[Any, tuple[Any, Any]]] = {pair: {} for pair in pairs}
    areas = sorted({area for area, _ in pairs})
    for start in range(0, len(areas), 500):
        for area, measure, first, last in connection.execute(
                select(Goal.area_code, Goal.measure, Goal.first_day, Goal.last_day)
                .where(Goal.area_code.in_(areas[start:start + 500]))):
            if (area, measure) in held:
                held[area, measure][first] = (first, last)
    for key, (line, values) in sorted(goals.accepted.items(), key=lambda item: item[1][0]):
        periods = held[values["area_code"], values["measure"]]
        first, last = values["first_day"], values["last_day"]
        clash = next((other for start_day, other in periods.items()
                      if start_day != first and other[0] <= last and first <= other[1]), None)
        if clash is not None:
            del goals.accepted[key]
            goals.reject(line, f"{values['measure']} for {values['area_code']} from {first} to "
                               f"{last} overlaps its goal from {clash[0]} to {clash[1]}: one "
                               "goal holds on a day")
            continue
        periods[first] = (first, last)


def _check_trigger_order(connection: Connection, results: dict[str, FileResult]) -> None:
    """Reject the trigger levels of an area and measure whose thresholds, as they would stand
    after the batch (stored, with the batch's rows in place of those they replace), are out of
    order: each level's threshold must be more severe than every lower level's, else a level
    could never be reached. Every row the batch sends for that area and measure is rejected
    (one of them is wrong, and which one is for the data manager to say)."""
    levels = results.get("trigger_levels.csv")
    if levels is None or not levels.accepted:
        return
    pairs = {(values["area_code"], values["measure"]) for _, values in levels.accepted.values()}
    held: dict[tuple[str, str], dict[int, float]] = {pair: {} for pair in pairs}
    areas = sorted({area for area, _ in pairs})
    for start in range(0, len(areas), 500):
        for area, measure, level, threshold in connection.execute(
                select(TriggerLevel.area_code, TriggerLevel.measure, TriggerLevel.level,
                       TriggerLevel.threshold)
                .where(TriggerLevel.area_code.in_(areas[start:start + 500]))):
            if (area, measure) in held:
                held[area, measure][level] = threshold
    for _, values in levels.accepted.values():
        held[values["area_code"], values["measure"]][values["level"]] = values["threshold"]
    problems = {pair: order_problem(TRIGGER_MEASURES[pair[1]], by_level)
                for pair, by_level in held.items()}
    for key, (line, values) in list(levels.accepted.items()):
        problem = problems[values["area_code"], values["measure"]]
        if problem is not None:
            del levels.accepted[key]
            levels.reject(line, f"{values['measure']} for {values['area_code']}: {problem}")


def _check_upper_tiers(connection: Connection, results: dict[str, FileResult]) -> None:
    """Reject a district whose upper_tier_code is not an upper-tier local authority (level
    utla) of the system the district lies in (areas as the batch gives them, else as stored):
    it would take in another system's people."""
    areas = results.get("areas.csv")
    if areas is None or not any(values["upper_tier_code"]
                                for _, values in areas.accepted.values()):
        return
    given = {key[0]: (values["level"], values["parent_code"])
             for key, (_, values) in areas.accepted.items()}
    stored = {code: (level, parent) for code, level, parent in connection.execute(
        select(Area.code, Area.level, Area.parent_code))}
    known = {**stored, **given}

    def system_of(code: str | None) -> str | None:
        seen: set[str] = set()
        while code is not None and code not in seen:
            seen.add(code)
            level, parent = known.get(code, (None, None))
            if level == "icb":
                return code
            code = parent
        return None

    for key, (line, values) in list(areas.accepted.items()):
        upper = values["upper_tier_code"]
        if upper is None or upper not in known:
            continue  # a missing area is the reference check's to report
        if known[upper][0] != UPPER_TIER_LEVEL:
            why = f"is a {known[upper][0]}, not an upper-tier local authority (level utla)"
        elif system_of(upper) != system_of(values["parent_code"]):
            why = "lies in another system than the district"
        else:
            continue
        del areas.accepted[key]
        areas.reject(line, f"upper_tier_code {upper} {why}")


def _existing(connection: Connection, spec: FileSpec, column: str, wanted: set[Any]) -> set[Any]:
    table = _table(spec)
    found: set[Any] = set()
    values = sorted(wanted)
    for start in range(0, len(values), 500):
        chunk = values[start:start + 500]
        found.update(connection.scalars(select(table.c[column]).where(table.c[column].in_(chunk))))
    return found


def _record_loads(connection: Connection, report: LoadReport, synthetic: bool,
                  started_at: datetime, finished_at: datetime,
                  channel: str = "file") -> dict[str, int]:
    """One ``loads`` row per file (accepted or not), with the first rejections' (and
    refusals') reasons."""
    ids: dict[str, int] = {}
    for f in report.files:
        if report.refusals:
            outcome = "refused"
        elif not report.loaded:
            outcome = "rejected"
        else:
            outcome = "partial" if f.rejections else "loaded"
        ids[f.file_name] = connection.execute(
            insert(Load).returning(Load.id),
            {
                "batch_id": report.batch_id, "source": report.source[:500],
                "file_name": f.file_name, "started_at": started_at, "finished_at": finished_at,
                "outcome": outcome, "rows_read": f.rows_read,
                "rows_accepted": f.rows_accepted if report.loaded else 0,
                "rows_rejected": len(f.rejections) + len(f.refusals), "synthetic": synthetic,
                "channel": channel, "unit": f.unit,
            },
        ).scalar_one()
        kept = (f.rejections + f.refusals)[:MAX_REJECTIONS_KEPT]
        if kept:
            connection.execute(insert(LoadRejection), [
                {"load_id": ids[f.file_name], "position": r.line, "reason": r.reason[:500]}
                for r in kept])
    return ids


def _table(spec: FileSpec) -> Table:
    return Base.metadata.tables[spec.table]


Key = tuple[Any, ...]
# What is read of a stored row to classify an incoming one, and to check who may change it.
STORED_COLUMNS = ("updated_at", "owner", "parent_code", "upper_tier_code")
# Keys asked for in one statement (two values each at most: well within SQLite's 32,766).
STORED_KEYS_AT_ONCE = 5_000


class _FileWrite:
    """One file's accepted rows on their way into their table: staged (PostgreSQL takes a large
    file by COPY into a scratch table), compared with the rows of the same keys as stored, and
    written where they change something."""

    def __init__(self, connection: Connection, spec: FileSpec, result: FileResult) -> None:
        self.connection, self.spec, self.result = connection, spec, result
        self.table = _table(spec)

    def key(self, row: dict[str, Any]) -> Key:
        return tuple(row[name] for name in self.spec.key)

    @cached_property
    def rows(self) -> list[dict[str, Any]]:
        return [_with_derived(self.spec, values) for _, values in self.result.accepted.values()]

    @cached_property
    def scratch(self) -> Table | None:
        """The rows in a scratch table, when PostgreSQL takes them in bulk."""
        if self.connection.dialect.name != "postgresql" or len(self.rows) < COPY_FROM_ROWS:
            return None
        return _copy_to_scratch(self.connection, self.table, list(self.rows[0]), self.rows)

    @cached_property
    def stored(self) -> dict[Key, Any]:
        """The stored rows of the file's keys: their key, updated_at, owner (and an area's
        parent), read once: by a join with the scratch table, else STORED_KEYS_AT_ONCE keys at
        a time; nothing to ask of an empty table (a first load)."""
        table = self.table
        if not self.rows or self.connection.scalar(
                select(literal(1)).select_from(table).limit(1)) is None:
            return {}
        key_columns = [table.c[name] for name in self.spec.key]
        query = select(*key_columns, *(table.c[name] for name in STORED_COLUMNS
                                       if name in table.c))
        if self.scratch is not None:
            scratch = self.scratch
            rows: Iterable[Any] = self.connection.execute(query.join(scratch, and_(*(
                table.c[name] == scratch.c[name] for name in self.spec.key))))
        else:
            keys = [self.key(row) for row in self.rows]
            if len(key_columns) == 1:
                matching, keys = key_columns[0], [key for (key,) in keys]
            else:
                matching = tuple_(*key_columns)
            rows = (row for start in range(0, len(keys), STORED_KEYS_AT_ONCE)
                    for row in self.connection.execute(query.where(
                        matching.in_(keys[start:start + STORED_KEYS_AT_ONCE]))))
        return {tuple(row[:len(key_columns)]): row for row in rows}

    def write(self, load_id: int, owner: str | None) -> set[Key]:
        """Upsert the rows (a new row gets ``load_id`` and ``owner``; a changed one ``load_id``),
        note what became of each in the file's result, and return the keys written."""
        stored = self.stored  # as it was: read before the write
        written = self._upsert(load_id, owner) if self.rows else set()
        for line, values in self.result.accepted.values():
            key = self.key(values)
            before = stored.get(key)
            if key in written:
                self.result.count("changed" if before is not None else "new", line)
            elif before is not None and (reason := _stale(before, values)):
                self.result.count("stale", line, reason)
            else:
                self.result.count("unchanged", line)
        return written

    def _upsert(self, load_id: int, owner: str | None) -> set[Key]:
        table, connection = self.table, self.connection
        fixed = {name: value for name, value in (("load_id", load_id), ("owner", owner))
                 if name in table.c}
        columns = [*self.rows[0], *fixed]
        key_columns = [table.c[name] for name in self.spec.key]
        if self.scratch is not None:
            # In bulk: one INSERT ... SELECT from the scratch table with the same rules.
            source = postgresql.insert(table).from_select(columns, select(
                *(self.scratch.c[name] for name in self.rows[0]),
                *(literal(value, table.c[name].type) for name, value in fixed.items())))
            statement = _only_real_changes(source, self.spec, table, columns)
            return {tuple(row) for row in connection.execute(statement.returning(*key_columns))}
        dialect_insert = postgresql.insert if connection.dialect.name == "postgresql" \
            else sqlite.insert
        statement = _only_real_changes(dialect_insert(table), self.spec, table, columns) \
            .returning(*key_columns)
        written: set[Key] = set()
        for start in range(0, len(self.rows), 5000):
            chunk = [{**row, **fixed} for row in self.rows[start:start + 5000]]
            written.update(tuple(row) for row in connection.execute(statement, chunk))
        return written


def _upsert(connection: Connection, spec: FileSpec, result: FileResult, load_id: int) -> None:
    """Write a file's accepted rows as the administrator's load (no owner)."""
    _FileWrite(connection, spec, result).write(load_id, None)


def _stale(before: Any, values: dict[str, Any]) -> str | None:
    """Why the incoming row is out of date against the stored one, or None if it is not: the
    stored row has an ``updated_at`` later than the incoming one's, or the incoming one has
    none. (Without a stamp on either side, arrival order decides.)"""
    stored, incoming = getattr(before, "updated_at", None), values.get("updated_at")
    if stored is None or (incoming is not None and incoming >= stored):
        return None
    return (f"stored record has updated_at {_stamp(stored)} and this one "
            f"{_stamp(incoming) if incoming is not None else 'none'}")


def _stamp(moment: datetime) -> str:
    return from_utc_naive(moment).replace(tzinfo=None).isoformat(
        timespec="seconds" if moment.second else "minutes")


def _only_real_changes(statement: Any, spec: FileSpec, table: Table, columns: list[str]) -> Any:
    """``statement`` as an upsert on the natural key that writes only real changes (re-loading
    the same rows leaves every row untouched), never applies an out-of-date update (the same
    rule as ``_stale``) and never changes who owns a row."""
    excluded = statement.excluded
    data_columns = [name for name in columns
                    if name not in spec.key and name not in ("load_id", "updated_at", "owner")]
    changed = or_(*(table.c[name].is_distinct_from(excluded[name]) for name in data_columns))
    set_ = {name: excluded[name] for name in columns if name not in spec.key and name != "owner"}
    if "updated_at" in table.c:
        stored, incoming = table.c.updated_at, excluded.updated_at
        # Applied only over an unstamped row, or by one stamped at or after the stored stamp.
        not_older = or_(stored.is_(None), incoming >= stored)
        changed = and_(not_older, or_(changed, incoming.is_distinct_from(stored)))
    return statement.on_conflict_do_update(index_elements=list(spec.key), set_=set_,
                                           where=changed)


def _copy_to_scratch(connection: Connection, table: Table, columns: list[str],
                     rows: list[dict[str, Any]]) -> Table:
    """The rows in a temporary table (dropped at commit or rollback), by PostgreSQL's COPY;
    analysed, so that joining it with what is stored takes a good plan."""
    name = f"scratch_{table.name}"
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {name} (LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DROP")
    cursor = connection.connection.cursor()
    with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])
    connection.exec_driver_sql(f"ANALYZE {name}")
    return Table(name, MetaData(), *(Column(column, table.c[column].type) for column in columns))


def _with_derived(spec: FileSpec, values: dict[str, Any]) -> dict[str, Any]:
    """Add the columns derived once at load time (local dates, hours to service)."""
    row = dict(values)
    if spec.table == "episodes":
        row["admission_date"] = _local_date(values["admitted_at"])
        row["nctr_date"] = _local_date(values["nctr_at"])
        row["discharge_date"] = _local_date(values["discharged_at"])
        row["in_hospital_until"] = values["discharged_at"] or STILL_IN_HOSPITAL
        row["in_service_until"] = (None if values["service_start_at"] is None
                                   else values["service_end_at"] or STILL_IN_HOSPITAL)
        row["service_start_date"] = _local_date(values["service_start_at"])
        row["service_end_date"] = _local_date(values["service_end_at"])
        start, nctr = values["service_start_at"], values["nctr_at"]
        row["hours_nctr_to_service"] = (
            (start - nctr).total_seconds() / 3600 if start is not None and nctr is not None
            else None
        )
    return row


def _local_date(stored: datetime | None) -> date | None:
    return None if stored is None else local_date(stored)


def rebuild_area_links(connection: Connection) -> None:
    """Recompute the closure of the area tree from the areas table: each area's ancestors up the
    tree, and a district's upper-tier local authority above the district and all inside it."""
    areas = Base.metadata.tables["areas"]
    parent_of: dict[str, str | None] = {}
    upper_of: dict[str, str] = {}
    for code, parent, upper in connection.execute(select(areas.c.code, areas.c.parent_code,
                                                         areas.c.upper_tier_code)):
        parent_of[code] = parent
        if upper is not None:
            upper_of[code] = upper
    depths: dict[tuple[str, str], int] = {}
    for code in parent_of:
        ancestor, depth, seen = code, 0, set()
        while ancestor is not None and ancestor not in seen:
            seen.add(ancestor)
            depths.setdefault((ancestor, code), depth)
            if ancestor in upper_of:
                depths.setdefault((upper_of[ancestor], code), depth + 1)
            ancestor, depth = parent_of.get(ancestor), depth + 1
    connection.execute(delete(AreaLink))
    if depths:
        connection.execute(insert(AreaLink), [
            {"ancestor_code": ancestor, "descendant_code": code, "depth": depth}
            for (ancestor, code), depth in depths.items()])


