"""The one loader: validates a batch against the data contract and upserts it atomically.

Every way data arrives (the ``load`` command, the demo, later the push API) goes through
``load_batch``. A batch is all-or-nothing: if any row is rejected, nothing is written unless the
caller allows a partial load. Re-loading identical rows changes nothing: rows are upserted by their
natural key and an update is written only when a value differs.
"""

from __future__ import annotations

import csv
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, delete, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from dashboard.clock import Clock, SystemClock, from_utc_naive, to_utc_naive
from data_access.contract import (
    FILE_SPECS,
    REFERENCES,
    SPECS_BY_NAME,
    FileSpec,
    RowError,
)
from data_access.models import STILL_IN_HOSPITAL, AreaLink, Base, Load

RawRow = dict[str, str | None]
NumberedRows = list[tuple[int, RawRow]]  # (line number in the source, raw values)


@dataclass(frozen=True)
class Rejection:
    file_name: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file_name} line {self.line}: {self.reason}"


@dataclass
class FileResult:
    file_name: str
    rows_read: int = 0
    accepted: dict[tuple[Any, ...], tuple[int, dict[str, Any]]] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def rows_accepted(self) -> int:
        return len(self.accepted)

    def reject(self, line: int, reason: str) -> None:
        self.rejections.append(Rejection(self.file_name, line, reason))


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
    def rows_accepted(self) -> int:
        return sum(f.rows_accepted for f in self.files) if self.loaded else 0

    def summary(self) -> str:
        lines = []
        for f in self.files:
            written = f.rows_accepted if self.loaded else 0
            lines.append(f"{f.file_name}: {f.rows_read} rows read, {written} loaded, "
                         f"{len(f.rejections)} rejected")
        lines.extend(str(r) for r in self.rejections)
        if not self.loaded:
            lines.append("Nothing was loaded: the batch has rejected rows "
                         "(use --allow-partial to load the accepted rows).")
        return "\n".join(lines)


class FolderError(ValueError):
    """The folder cannot be read as a batch at all (missing, or no contract files in it)."""


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
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        rows: NumberedRows = []
        for raw in reader:
            rows.append((reader.line_num, raw))
        header = reader.fieldnames or []
    # The header travels as line 1, so a missing column is reported like any other rejection.
    return [(1, {"__header__": ",".join(header)}), *rows]


def load_folder(engine: Engine, folder: Path, *, allow_partial: bool = False,
                synthetic: bool = False, clock: Clock | None = None) -> LoadReport:
    return load_batch(engine, read_folder(folder), source=str(folder),
                      allow_partial=allow_partial, synthetic=synthetic, clock=clock)


def load_batch(engine: Engine, batch: dict[str, NumberedRows], *, source: str,
               allow_partial: bool = False, synthetic: bool = False,
               clock: Clock | None = None) -> LoadReport:
    """Validate and, if allowed, write one batch in one transaction."""
    clock = clock or SystemClock()
    started_at = to_utc_naive(clock.now())
    unknown = sorted(set(batch) - set(SPECS_BY_NAME))
    if unknown:
        raise FolderError(f"not files of the data contract: {', '.join(unknown)}")
    specs = [spec for spec in FILE_SPECS if spec.name in batch]
    results = {spec.name: _parse_file(spec, batch[spec.name]) for spec in specs}
    with engine.connect() as connection:
        _check_references(connection, results)
    has_rejections = any(r.rejections for r in results.values())
    loaded = allow_partial or not has_rejections
    report = LoadReport(str(uuid.uuid4()), source, loaded, tuple(results.values()))
    with engine.begin() as connection:
        load_ids = _record_loads(connection, report, synthetic, started_at,
                                 to_utc_naive(clock.now()))
        if loaded:
            for spec in specs:
                _upsert(connection, spec, results[spec.name], load_ids[spec.name])
            if "areas.csv" in results:
                rebuild_area_links(connection)
    if loaded:
        _refresh_statistics(engine, [_table(spec).name for spec in specs])
    return report


def _refresh_statistics(engine: Engine, tables: list[str]) -> None:
    """Let the query planner see the new row counts (both dialects spell it ANALYZE)."""
    with engine.connect() as connection:
        for table in tables + (["area_links"] if "areas" in tables else []):
            connection.exec_driver_sql(f"ANALYZE {table}")
        connection.commit()


def _parse_file(spec: FileSpec, rows: NumberedRows) -> FileResult:
    result = FileResult(spec.name)
    header_rows = [raw for line, raw in rows if "__header__" in raw]
    if header_rows:
        present = set(filter(None, (header_rows[0]["__header__"] or "").split(",")))
        missing = [name for name in spec.required_columns if name not in present]
        if missing:
            result.rows_read = len(rows) - 1
            result.reject(1, f"header lacks required column(s): {', '.join(missing)}; "
                             "the whole file is rejected")
            return result
    first_line_of: dict[tuple[Any, ...], int] = {}
    for line, raw in rows:
        if "__header__" in raw:
            continue
        result.rows_read += 1
        if None in raw:  # csv.DictReader puts surplus values under the key None
            result.reject(line, "more values than columns in the header")
            continue
        try:
            values = spec.parse_row(raw)
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
                        result.reject(line, f"{column} {values[column]!r} is not known "
                                            f"(not in {target_name} or the database)")
                        changed = changed or file_name == target_name


def _existing(connection: Connection, spec: FileSpec, column: str, wanted: set[Any]) -> set[Any]:
    table = _table(spec)
    found: set[Any] = set()
    values = sorted(wanted)
    for start in range(0, len(values), 500):
        chunk = values[start:start + 500]
        found.update(connection.scalars(select(table.c[column]).where(table.c[column].in_(chunk))))
    return found


def _record_loads(connection: Connection, report: LoadReport, synthetic: bool,
                  started_at: datetime, finished_at: datetime) -> dict[str, int]:
    ids: dict[str, int] = {}
    for f in report.files:
        if not report.loaded:
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
                "rows_rejected": len(f.rejections), "synthetic": synthetic,
            },
        ).scalar_one()
    return ids


def _table(spec: FileSpec) -> Table:
    return Base.metadata.tables[spec.table]


def _upsert(connection: Connection, spec: FileSpec, result: FileResult, load_id: int) -> None:
    rows = [_with_derived(spec, values) for _, values in result.accepted.values()]
    if not rows:
        return
    table = _table(spec)
    if "load_id" in table.c:
        for row in rows:
            row["load_id"] = load_id
    dialect_insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = dialect_insert(table)
    data_columns = [name for name in rows[0] if name not in spec.key and name != "load_id"]
    statement = statement.on_conflict_do_update(
        index_elements=list(spec.key),
        set_={name: statement.excluded[name] for name in rows[0] if name not in spec.key},
        # Write only real changes: re-loading the same rows leaves every row untouched.
        where=or_(*(table.c[name].is_distinct_from(statement.excluded[name])
                    for name in data_columns)),
    )
    for start in range(0, len(rows), 5000):
        connection.execute(statement, rows[start:start + 5000])


def _with_derived(spec: FileSpec, values: dict[str, Any]) -> dict[str, Any]:
    """Add the columns derived once at load time (local dates, hours to service)."""
    row = dict(values)
    if spec.table == "episodes":
        row["nctr_date"] = _local_date(values["nctr_at"])
        row["discharge_date"] = _local_date(values["discharged_at"])
        row["in_hospital_until"] = values["discharged_at"] or STILL_IN_HOSPITAL
        row["service_start_date"] = _local_date(values["service_start_at"])
        row["service_end_date"] = _local_date(values["service_end_at"])
        start, nctr = values["service_start_at"], values["nctr_at"]
        row["hours_nctr_to_service"] = (
            (start - nctr).total_seconds() / 3600 if start is not None and nctr is not None
            else None
        )
    return row


def _local_date(stored: datetime | None) -> date | None:
    return None if stored is None else from_utc_naive(stored).date()


def rebuild_area_links(connection: Connection) -> None:
    """Recompute the closure of the area tree from the areas table."""
    parent_of = dict(connection.execute(select(Base.metadata.tables["areas"].c.code,
                                               Base.metadata.tables["areas"].c.parent_code)).all())
    links: list[dict[str, Any]] = []
    for code in parent_of:
        ancestor, depth, seen = code, 0, set()
        while ancestor is not None and ancestor not in seen:
            seen.add(ancestor)
            links.append({"ancestor_code": ancestor, "descendant_code": code, "depth": depth})
            ancestor, depth = parent_of.get(ancestor), depth + 1
    connection.execute(delete(AreaLink))
    if links:
        connection.execute(insert(AreaLink), links)


