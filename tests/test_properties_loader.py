"""Property-based tests of the loader: malformed and hostile contract files and feed records.

Hypothesis builds batches of the six contract files from good rows (referring to the test
geography of ``tests/builders.py``), then breaks some of them: hostile values (script text,
formulae, NUL bytes, lone surrogates, huge numbers, very long text), missing or extra columns and
values, duplicate keys, unknown areas, sites and services, timestamps out of order, unbalanced
quotes, other encodings, stray bytes, BOMs. Whatever arrives:

- the loader raises nothing but ``FolderError`` (a file that is not UTF-8 CSV), else it reports;
- a batch with any rejected row writes nothing (only the ``loads`` bookkeeping records it);
- every rejection names its file, a line (or record index) that exists, and a reason;
- a batch that certainly breaks the contract is never loaded;
- a line with fewer values than its header is rejected, named by the line its record starts on,
  never completed with blanks;
- every message is short, however long the value it quotes;
- a batch without rejections is stored completely, and loading it again changes nothing.

The loads' clock is later than every generated moment (``AFTER_EVERY_MOMENT``), but for the
moments put ahead of it on purpose. Feed records come from a source granted every kind
everywhere, which still may not change the administrator's records (the test geography).

The example budget is fixed (``tests/properties.py``: the ``ci`` profile, derandomised);
``HYPOTHESIS_PROFILE=thorough`` runs 20 times as many random examples.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from dashboard.clock import LONDON, FixedClock
from dashboard.goals import GOAL_MEASURES
from dashboard.trigger_levels import TRIGGER_MEASURES
from dashboard.vocabulary import (
    AREA_LEVELS,
    DELAY_REASONS,
    END_OUTCOMES,
    ETHNIC_GROUPS,
    SERVICE_SECTORS,
    SERVICE_SETTINGS,
    SERVICE_TYPES,
    SETTINGS_AT_ADMISSION,
)
from data_access.contract import FILE_SPECS, REFERENCES, SPECS_BY_NAME, FileSpec
from data_access.feeds import create_token
from data_access.loader import (
    FolderError,
    LoadReport,
    load_batch,
    load_folder,
    read_folder,
    read_records,
)
from data_access.models import Base, Load
from data_access.ownership import KINDS, GrantChange, grant
from tests.builders import EPISODE_HEADER, GEOGRAPHY, load_files
from tests.properties import (
    HOSTILE,
    SCRIPTS,
    budget,
    data_tables,
    empty_all_tables,
    hostile_text,
)

AREAS, SITES, SERVICES = ("ICB1", "D1", "D2", "N1", "N2"), ("S1",), ("P1H", "P1X", "P2B", "P3C")
UNKNOWN_CODE = "unknown-9"  # the generated codes are upper case: this one is never known
MAX_MESSAGE = 500  # characters: a message quotes at most about 100 of a value


@pytest.fixture(scope="module")
def engine(module_database: tuple[str, Engine]) -> Engine:
    return module_database[1]


def start_from_geography(engine: Engine, folder: Path) -> None:
    """Every example starts from the same database: the test geography only."""
    empty_all_tables(engine)
    assert load_files(engine, folder, GEOGRAPHY).loaded


# --- good rows, as the text a CSV carries ---------------------------------------------------------

CODES = st.from_regex(r"[A-Z][A-Z0-9._-]{0,7}", fullmatch=True)
FREE_TEXT = st.one_of(
    st.sampled_from(SCRIPTS + HOSTILE[6:9]),  # markup and formulae are valid free text
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=30),
).filter(lambda text: text.strip() != "")
YES_NO = st.sampled_from(["true", "false", "yes", "no", "Y", "0", ""])


def optional(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), strategy)


def numbers(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(str)


MOMENTS = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1))
# Later than any timeline (the last moment plus six steps of up to 60 days): the loads' clock.
AFTER_EVERY_MOMENT = datetime(2031, 1, 1, tzinfo=UTC)
LOAD_CLOCK = FixedClock(AFTER_EVERY_MOMENT)


def stamp(moment: datetime, style: int) -> str:
    """A UTC moment as the contract accepts it: with Z, with an offset, or as London time."""
    aware = moment.replace(tzinfo=UTC)
    if style == 0:
        return aware.strftime("%Y-%m-%dT%H:%M:%SZ")
    if style == 1:
        return aware.astimezone(LONDON).isoformat()
    return aware.astimezone(LONDON).replace(tzinfo=None).isoformat(timespec="minutes")


@st.composite
def timeline(draw: st.DrawFn, steps: int) -> list[str]:
    """``steps`` timestamps, each at least two hours after the one before (so London times
    without an offset keep their order across a clock change)."""
    moment, style = draw(MOMENTS), draw(st.integers(0, 2))
    stamps = []
    for _ in range(steps):
        stamps.append(stamp(moment, style))
        moment += timedelta(hours=draw(st.integers(2, 24 * 60)))
    return stamps


@st.composite
def episode_row(draw: st.DrawFn) -> dict[str, str]:
    admitted, nctr, referred, discharged, start, end, readmitted, care, died = \
        draw(timeline(9))
    pathway = draw(st.sampled_from(["", "0", "1", "2", "3"]))
    has_service = pathway in ("1", "2", "3") and draw(st.booleans())
    return {
        "episode_id": draw(st.one_of(CODES, FREE_TEXT.map(lambda t: t[:64]))),
        "person_ref": draw(FREE_TEXT).strip()[:64] or "p",
        "site_code": draw(st.sampled_from(SITES)),
        "ward": draw(optional(FREE_TEXT.map(lambda t: t[:64]))),
        "home_area_code": draw(st.sampled_from(AREAS)), "age": draw(optional(numbers(0, 120))),
        "sex": draw(st.sampled_from(["F", "M", "U", "f"])), "admitted_at": admitted,
        "nctr_at": draw(optional(st.just(nctr))),
        "referred_to_hub_at": draw(optional(st.just(referred))), "pathway": pathway,
        "discharged_at": draw(optional(st.just(discharged))),
        "service_code": draw(st.sampled_from(SERVICES)) if has_service else "",
        "service_start_at": start if has_service else "",
        "service_end_at": end if has_service and draw(st.booleans()) else "",
        "end_outcome": draw(optional(st.sampled_from(list(END_OUTCOMES)))),
        "readmitted_at": draw(optional(st.just(readmitted))),
        "at_home_91_days": draw(YES_NO),
        "ethnic_group": draw(optional(st.sampled_from(list(ETHNIC_GROUPS)))),
        "imd_decile": draw(optional(numbers(1, 10))),
        "barthel_start": draw(optional(numbers(0, 20))),
        "barthel_end": draw(optional(numbers(0, 20))), "goals_met": draw(YES_NO),
        "permanent_care_at": draw(optional(st.just(care))),
        "died_at": draw(optional(st.just(died))),
        "setting_at_admission": draw(optional(st.sampled_from(
            [*SETTINGS_AT_ADMISSION, "Own_Home"]))),
        "needs": draw(optional(st.sampled_from(["nursing", "Dementia|nursing", "bariatric"]))),
    }


@st.composite
def capacity_row(draw: st.DrawFn) -> dict[str, str]:
    places = draw(st.integers(0, 100_000))
    return {"service_code": draw(st.sampled_from(SERVICES)), "reported_at": draw(timeline(1))[0],
            "places": str(places), "occupied": draw(numbers(0, 100_000)),
            "unavailable": draw(numbers(0, places))}


@st.composite
def goal_row(draw: st.DrawFn) -> dict[str, str]:
    """A good goal: one financial year (so two goals of an area and measure share a first day,
    never overlap), a level the measure can have, better as the measure says (any case)."""
    measure = draw(st.sampled_from(list(GOAL_MEASURES.values())))
    level = draw({"percent": st.floats(0, 100), "days": st.floats(0, 30),
                  "people": st.integers(0, 10_000)}[measure.unit])
    return {"area_code": draw(st.sampled_from(AREAS)), "measure": measure.key,
            "first_day": "2026-04-01", "last_day": "2027-03-31", "goal": str(level),
            "better": draw(st.sampled_from([measure.better, measure.better.upper()]))}


@st.composite
def trigger_level_row(draw: st.DrawFn) -> dict[str, str]:
    """A good trigger level: its threshold fixed by measure and level, so the levels of any
    batch rise in severity (10, 20, 30 where higher is worse; 60, 40, 20 where lower is)."""
    measure = draw(st.sampled_from(list(TRIGGER_MEASURES.values())))
    level = draw(st.integers(2, 4))
    threshold = 10 * level if measure.worse == "higher" else 20 * (5 - level)
    return {"area_code": draw(st.sampled_from(AREAS)), "measure": measure.key,
            "level": str(level), "threshold": str(threshold), "actions": draw(FREE_TEXT)}


ROWS: dict[str, st.SearchStrategy[dict[str, str]]] = {
    "areas.csv": st.fixed_dictionaries({
        "code": CODES, "name": FREE_TEXT, "level": st.sampled_from(AREA_LEVELS),
        "parent_code": optional(st.sampled_from(AREAS)),
        "population_65_plus": optional(numbers(0, 100_000_000)),
        "population_all": optional(numbers(0, 100_000_000)),
        # A county is checked against the tree (tests/test_upper_tier.py): left blank here.
        "upper_tier_code": st.just("")}),
    "sites.csv": st.fixed_dictionaries({
        "code": CODES, "name": FREE_TEXT, "trust_code": CODES, "trust_name": FREE_TEXT,
        "area_code": st.sampled_from(AREAS)}),
    "services.csv": st.fixed_dictionaries({
        "code": CODES, "name": FREE_TEXT, "pathway": st.sampled_from(["1", "2", "3"]),
        "setting": st.sampled_from(SERVICE_SETTINGS), "provider": FREE_TEXT,
        "sector": st.sampled_from(SERVICE_SECTORS), "area_code": st.sampled_from(AREAS),
        "places": numbers(0, 100_000),
        "service_type": optional(st.sampled_from([*SERVICE_TYPES, "Reablement"])),
        "meets_needs": optional(st.sampled_from(["none", "nursing|dementia", "Bariatric"]))}),
    "episodes.csv": episode_row(),
    "delays.csv": st.fixed_dictionaries({
        "episode_id": st.just(""), "effective_at": timeline(1).map(lambda s: s[0]),
        "reason_code": st.sampled_from([*DELAY_REASONS, "t1"])}),
    "nctr_periods.csv": timeline(2).map(lambda stamps: {
        "episode_id": "", "nctr_at": stamps[0], "criteria_met_at": stamps[1]}),
    "capacity.csv": capacity_row(),
    "goals.csv": goal_row(),
    "trigger_levels.csv": trigger_level_row(),
}


# --- a batch, and how it is broken ----------------------------------------------------------------

@dataclass
class ContractFile:
    spec: FileSpec
    header: list[str]
    rows: list[list[str]]
    line_end: str = "\n"
    encoding: str = "utf-8"
    prefix: bytes = b""
    byte_edits: list[Callable[[bytes], bytes]] = field(default_factory=list)

    def __repr__(self) -> str:
        return (f"ContractFile({self.spec.name!r}, header={self.header!r:.300}, "
                f"rows={self.rows!r:.2000}, encoding={self.encoding!r}, prefix={self.prefix!r}, "
                f"{len(self.byte_edits)} byte edits)")

    def cell(self, row: int, column: str) -> str:
        values, at = self.rows[row], self.header.index(column)
        return values[at] if at < len(values) else ""  # a row cut short

    def set_cell(self, row: int, column: str, value: str) -> None:
        values, at = self.rows[row], self.header.index(column)
        values.extend([""] * (at + 1 - len(values)))
        values[at] = value

    def _text(self, rows: list[list[str]]) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator=self.line_end).writerows(rows)
        return buffer.getvalue()

    def short_rows(self) -> dict[int, int]:
        """The rows cut short, by the line each starts on: their number of values. (A row cut
        to nothing is a blank line, which is skipped; a value holding a lone \\r is written
        unquoted when lines end in \\n, which splits its row: such a row is left out.)"""
        short, line = {}, 1 + _line_breaks(self._text([self.header]))
        for values in self.rows:
            text = self._text([values])
            as_read = list(csv.reader(io.StringIO(text, newline="")))
            if 0 < len(values) < len(self.header) and as_read == [values]:
                short[line] = len(values)
            line += _line_breaks(text)
        return short

    def as_bytes(self) -> bytes:
        text = self._text([self.header, *self.rows])
        data = self.prefix + text.encode(self.encoding, "surrogatepass"
                                         if self.encoding.startswith("utf") else "replace")
        for edit in self.byte_edits:
            data = edit(data)
        return data


def _line_breaks(text: str) -> int:
    """The lines a reader sees end in \\n, \\r or \\r\\n."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


@dataclass
class Batch:
    files: dict[str, ContractFile]
    broken: list[str] = field(default_factory=list)  # what certainly breaks the contract
    maybe_unreadable: bool = False  # bytes were changed: the file may not be UTF-8 CSV

    def write(self, folder: Path) -> tuple[dict[str, int], list[str]]:
        """The files in ``folder``; how many physical lines each has, and those not UTF-8."""
        lines, not_utf8 = {}, []
        for name, contract_file in self.files.items():
            data = contract_file.as_bytes()
            (folder / name).write_bytes(data)
            lines[name] = _line_breaks(data.decode("utf-8", "surrogateescape")) + 1
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                not_utf8.append(name)
        return lines, not_utf8


@st.composite
def good_batches(draw: st.DrawFn) -> Batch:
    names = set(draw(st.lists(st.sampled_from([spec.name for spec in FILE_SPECS]), min_size=1,
                              max_size=len(FILE_SPECS), unique=True)))
    files, episode_ids, without_nctr = {}, [], []
    for spec in (spec for spec in FILE_SPECS if spec.name in names):
        rows = draw(st.lists(ROWS[spec.name], max_size=4,
                             unique_by=lambda row, key=spec.key: tuple(row[k] for k in key)))
        if spec.name == "episodes.csv":
            episode_ids = [row["episode_id"] for row in rows]
            # An earlier NCTR period must end before the episode's last one begins: only
            # episodes with no NCTR time take one here, so any period fits.
            without_nctr = [row["episode_id"] for row in rows if not row["nctr_at"]]
        if spec.name == "delays.csv":  # each delay belongs to an episode of the batch
            for row in rows:
                row["episode_id"] = draw(st.sampled_from(episode_ids)) if episode_ids else "E"
            rows = list({(r["episode_id"], r["effective_at"]): r for r in rows}.values())
            rows = rows if episode_ids else []
        if spec.name == "nctr_periods.csv":  # each period belongs to an episode with no NCTR
            for row in rows:
                row["episode_id"] = draw(st.sampled_from(without_nctr)) if without_nctr else "E"
            rows = list({(r["episode_id"], r["nctr_at"]): r for r in rows}.values())
            rows = rows if without_nctr else []
        header = draw(st.permutations([c.name for c in spec.columns if c.name != "updated_at"
                                       and (c.required or draw(st.booleans()))]))
        files[spec.name] = ContractFile(spec, list(header),
                                        [[row[name] for name in header] for row in rows],
                                        line_end=draw(st.sampled_from(["\n", "\r\n"])))
    return Batch(files)


def _a_row(draw: st.DrawFn, batch: Batch) -> tuple[ContractFile, int] | None:
    with_rows = [f for f in batch.files.values() if f.rows]
    if not with_rows:
        return None
    contract_file = draw(st.sampled_from(with_rows))
    return contract_file, draw(st.integers(0, len(contract_file.rows) - 1))


def hostile_value(draw: st.DrawFn, batch: Batch) -> None:
    if (found := _a_row(draw, batch)) is not None:
        contract_file, row = found
        contract_file.set_cell(row, draw(st.sampled_from(contract_file.header)),
                               draw(hostile_text()))


def nul_in_text(draw: st.DrawFn, batch: Batch) -> None:
    if (found := _a_row(draw, batch)) is not None:
        contract_file, row = found
        known = {c.name for c in contract_file.spec.columns}
        column = draw(st.sampled_from([name for name in contract_file.header if name in known]))
        contract_file.set_cell(row, column, contract_file.cell(row, column)[:3] + "\x00x")
        batch.broken.append(f"a NUL byte in {contract_file.spec.name} {column}")


def lose_required_column(draw: st.DrawFn, batch: Batch) -> None:
    contract_file = draw(st.sampled_from(list(batch.files.values())))
    present = [name for name in contract_file.spec.required_columns
               if name in contract_file.header]
    if not present:  # lost already
        return
    column = draw(st.sampled_from(present))
    at = contract_file.header.index(column)
    contract_file.header.pop(at)
    for row in contract_file.rows:
        del row[at:at + 1]  # a row cut short may not reach it
    batch.broken.append(f"{contract_file.spec.name} lacks {column}")


def extra_column(draw: st.DrawFn, batch: Batch) -> None:
    contract_file = draw(st.sampled_from(list(batch.files.values())))
    known = {c.name for c in contract_file.spec.columns}
    contract_file.header.append(draw(hostile_text(10).filter(lambda name: name not in known)))
    for row in contract_file.rows:
        row.append(draw(hostile_text(10)))


def extra_value(draw: st.DrawFn, batch: Batch) -> None:
    if (found := _a_row(draw, batch)) is not None:
        contract_file, row = found
        contract_file.rows[row].append(draw(hostile_text(10)))
        batch.broken.append(f"{contract_file.spec.name}: a value too many")


def missing_values(draw: st.DrawFn, batch: Batch) -> None:
    """A row cut short: rejected, never completed (``ContractFile.short_rows``; a later change
    may lengthen it again)."""
    if (found := _a_row(draw, batch)) is not None:
        contract_file, row = found
        del contract_file.rows[row][draw(st.integers(0, len(contract_file.header) - 1)):]


def duplicate_row(draw: st.DrawFn, batch: Batch) -> None:
    if (found := _a_row(draw, batch)) is not None:
        contract_file, row = found
        contract_file.rows.insert(draw(st.integers(0, len(contract_file.rows))),
                                  list(contract_file.rows[row]))
        batch.broken.append(f"{contract_file.spec.name}: a duplicate key")


def unknown_reference(draw: st.DrawFn, batch: Batch) -> None:
    references = [(name, column) for (name, column), (target, _) in REFERENCES.items()
                  if name in batch.files and name != target and batch.files[name].rows
                  and column in batch.files[name].header]
    if references:
        name, column = draw(st.sampled_from(references))
        row = draw(st.integers(0, len(batch.files[name].rows) - 1))
        batch.files[name].set_cell(row, column, UNKNOWN_CODE)
        batch.broken.append(f"{name} {column} refers to nothing")


def out_of_order(draw: st.DrawFn, batch: Batch) -> None:
    episodes, capacity = batch.files.get("episodes.csv"), batch.files.get("capacity.csv")
    later = [c for c in ("nctr_at", "discharged_at") if episodes and c in episodes.header]
    if episodes and episodes.rows and later:
        row, column = draw(st.integers(0, len(episodes.rows) - 1)), draw(st.sampled_from(later))
        episodes.set_cell(row, column, "2019-12-31T23:00:00Z")  # before any admission
        batch.broken.append(f"episodes.csv {column} before admitted_at")
    elif capacity and capacity.rows and {"places", "unavailable"} <= set(capacity.header):
        row = draw(st.integers(0, len(capacity.rows) - 1))
        places = capacity.cell(row, "places")
        capacity.set_cell(row, "unavailable", str(int(places) + 1) if places.isdigit() else "1")
        capacity.set_cell(row, "places", places if places.isdigit() else "0")
        batch.broken.append("capacity.csv unavailable above places")


def _file(draw: st.DrawFn, batch: Batch) -> ContractFile:
    batch.maybe_unreadable = True
    return draw(st.sampled_from(list(batch.files.values())))


def other_encoding(draw: st.DrawFn, batch: Batch) -> None:
    _file(draw, batch).encoding = draw(st.sampled_from(["latin-1", "cp1252", "utf-16"]))


def stray_bytes(draw: st.DrawFn, batch: Batch) -> None:
    junk, at = draw(st.binary(min_size=1, max_size=8)), draw(st.integers(0, 10_000))
    _file(draw, batch).byte_edits.append(lambda data: data[:at] + junk + data[at:])


def cut_short(draw: st.DrawFn, batch: Batch) -> None:
    at = draw(st.integers(0, 10_000))
    _file(draw, batch).byte_edits.append(lambda data: data[:at])


def unbalanced_quote(draw: st.DrawFn, batch: Batch) -> None:
    at = draw(st.integers(0, 10_000))
    _file(draw, batch).byte_edits.append(lambda data: data[:at] + b'"' + data[at:])


def byte_order_mark(draw: st.DrawFn, batch: Batch) -> None:
    contract_file = draw(st.sampled_from(list(batch.files.values())))
    contract_file.prefix = draw(st.sampled_from([b"\xef\xbb\xbf", b"\xef\xbb\xbf" * 2]))


def huge_field(draw: st.DrawFn, batch: Batch) -> None:
    if (found := _a_row(draw, batch)) is not None:
        contract_file, row = found
        contract_file.set_cell(row, draw(st.sampled_from(contract_file.header)), "x" * 200_000)
        batch.maybe_unreadable = True  # longer than the csv module's field limit
        batch.broken.append(f"{contract_file.spec.name}: a value of 200,000 characters")


def in_the_future(draw: st.DrawFn, batch: Batch) -> None:
    """A moment eleven minutes after the load's clock (ten are allowed for clocks' drift)."""
    timed = [(f, column) for f in batch.files.values() if f.rows
             for column in ("admitted_at", "effective_at", "reported_at") if column in f.header]
    if timed:
        contract_file, column = draw(st.sampled_from(timed))
        row = draw(st.integers(0, len(contract_file.rows) - 1))
        contract_file.set_cell(row, column, "2031-01-01T00:11:00Z")
        batch.broken.append(f"{contract_file.spec.name} {column} in the future")


# Those that may or may not break the contract come first: once a row is certainly broken,
# nothing mends it (but changed bytes may: cut short, a row is gone).
BREAKAGES = (hostile_value, missing_values, extra_column, byte_order_mark, other_encoding,
             stray_bytes, cut_short, unbalanced_quote,
             nul_in_text, lose_required_column, extra_value, duplicate_row, unknown_reference,
             out_of_order, in_the_future, huge_field)


@st.composite
def batches(draw: st.DrawFn) -> Batch:
    """A good batch, broken in up to three ways (or not at all)."""
    batch = draw(good_batches())
    for breakage in sorted(draw(st.lists(st.sampled_from(BREAKAGES), max_size=3)),
                           key=BREAKAGES.index):
        breakage(draw, batch)
    return batch


# --- the properties -------------------------------------------------------------------------------

def loads_recorded(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            select(Load.file_name, Load.outcome).order_by(Load.id))]


def assert_all_or_nothing(engine: Engine, report: LoadReport, before: dict[str, Any],
                          positions: dict[str, range], unit: str) -> None:
    """Rejections are named and located, and a batch with any writes nothing."""
    for rejection in report.rejections + report.refusals:
        assert rejection.file_name in positions and rejection.unit == unit, rejection
        assert rejection.line in positions[rejection.file_name], rejection
        assert rejection.reason.strip() and len(rejection.reason) < MAX_MESSAGE, rejection
    if report.rejections or report.refusals:
        assert not report.loaded and report.rows_accepted == 0
        assert data_tables(engine) == before, "a rejected batch wrote data"


def assert_short_rows_rejected(batch: Batch, report: LoadReport) -> None:
    """A row cut short is rejected by the line it starts on, with its values counted (unless
    its whole file is, for a header lacking a required column)."""
    reasons = {(r.file_name, r.line): r.reason for r in report.rejections}
    for name, contract_file in batch.files.items():
        if reasons.get((name, 1), "").startswith("header lacks"):
            continue
        for line, count in contract_file.short_rows().items():
            event("a row cut short")
            assert reasons.get((name, line)) == (
                f"has {count} values; the header has {len(contract_file.header)} columns"), (
                name, line, reasons)


def assert_stored_completely(engine: Engine, batch: dict[str, list[tuple[int, Any]]],
                             report: LoadReport) -> None:
    """Every row of a clean batch is in its table with exactly the values the contract reads."""
    assert report.loaded and not report.rejections
    assert report.rows_accepted == sum(len([r for r in rows if "__header__" not in r[1]])
                                       for rows in batch.values())
    with engine.connect() as connection:
        for name, rows in batch.items():
            spec = SPECS_BY_NAME[name]
            table = Base.metadata.tables[spec.table]
            for _, raw in rows:
                if "__header__" in raw:
                    continue
                wanted = spec.parse_row(raw)
                key = [table.c[k] == wanted[k] for k in spec.key]
                stored = connection.execute(select(table).where(*key)).mappings().one()
                assert {c: stored[c] for c in wanted} == wanted, (name, raw)


@budget(200)
@given(batch=batches())
def test_any_folder_of_files_loads_all_or_nothing(engine: Engine, batch: Batch) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        start_from_geography(engine, Path(scratch) / "geography")
        folder = Path(scratch) / "batch"
        folder.mkdir()
        lines, not_utf8 = batch.write(folder)
        before, attempts = data_tables(engine), len(loads_recorded(engine))
        try:
            report = load_folder(engine, folder, clock=LOAD_CLOCK)
        except FolderError as error:
            assert not_utf8 or batch.maybe_unreadable, f"FolderError for readable files: {error}"
            assert any(name in str(error) for name in batch.files), str(error)
            assert len(str(error)) < MAX_MESSAGE, str(error)
            assert data_tables(engine) == before and len(loads_recorded(engine)) == attempts
            event("not UTF-8 CSV")
            return
        assert not not_utf8, f"{not_utf8} are not UTF-8, yet were read"
        assert_all_or_nothing(engine, report, before,
                              {name: range(1, count + 1) for name, count in lines.items()},
                              "line")
        assert loads_recorded(engine)[attempts:] == [
            (f.file_name, "loaded" if report.loaded else "rejected") for f in report.files]
        if not batch.maybe_unreadable:
            assert_short_rows_rejected(batch, report)
        event("rejected" if report.rejections else "loaded")
        if report.rejections:
            return
        assert not batch.broken or batch.maybe_unreadable, f"loaded, though {batch.broken}"
        assert_stored_completely(engine, read_folder(folder), report)
        stored = data_tables(engine)
        again = load_folder(engine, folder, clock=LOAD_CLOCK)
        assert again.loaded and data_tables(engine) == stored


@st.composite
def batches_with_a_row_cut_short(draw: st.DrawFn) -> Batch:
    batch = draw(good_batches().filter(lambda b: any(f.rows for f in b.files.values())))
    missing_values(draw, batch)
    return batch


@budget(50)
@given(batch=batches_with_a_row_cut_short())
def test_a_row_cut_short_is_rejected_by_its_line_never_completed(engine: Engine,
                                                                 batch: Batch) -> None:
    assume(any(f.short_rows() for f in batch.files.values()))  # not cut to a blank line
    with tempfile.TemporaryDirectory() as scratch:
        start_from_geography(engine, Path(scratch) / "geography")
        folder = Path(scratch) / "batch"
        folder.mkdir()
        batch.write(folder)
        before = data_tables(engine)
        report = load_folder(engine, folder)
    assert not report.loaded and data_tables(engine) == before
    assert_short_rows_rejected(batch, report)


# --- feed records (JSON) --------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | hostile_text(20),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(hostile_text(10), children, max_size=3),
    max_leaves=8)


def as_json(column: str, text: str) -> Any:
    """A good CSV value as a feed would more likely send it: numbers as numbers, blanks as null."""
    if text == "":
        return None
    if column in ("age", "places", "occupied", "unavailable", "imd_decile") and text.isdigit():
        return int(text)
    return {"true": True, "false": False}.get(text, text)


@st.composite
def records(draw: st.DrawFn) -> tuple[FileSpec, list[Any], bool]:
    """One kind's records: good ones, broken ones and anything JSON; whether any is broken."""
    spec = draw(st.sampled_from([s for s in FILE_SPECS
                                 if s.name not in ("delays.csv", "nctr_periods.csv")]))
    good = draw(st.lists(ROWS[spec.name], min_size=1, max_size=4,
                         unique_by=lambda row: tuple(row[k] for k in spec.key)))
    intact = [{k: as_json(k, v) for k, v in row.items()} for row in good]
    items: list[Any] = list(intact)
    known, broken = {c.name for c in spec.columns}, False
    for _ in range(draw(st.integers(0, 3))):
        how = draw(st.sampled_from(["anything", "unknown field", "nested value", "hostile value",
                                    "drop a field"]))
        if how == "anything":
            item = draw(JSON_VALUES)
            items.insert(draw(st.integers(0, len(items))), item)
            broken = broken or not isinstance(item, dict) or bool(set(item) - known)
            continue
        if not intact:
            continue
        record = draw(st.sampled_from(intact))
        if how == "hostile value":  # may still be valid (free text may be anything storable)
            record[draw(st.sampled_from(sorted(record)))] = draw(hostile_text())
            continue
        intact.remove(record)  # once broken, no later change may mend it
        broken = True
        if how == "unknown field":
            record[draw(hostile_text(10).filter(lambda name: name not in known))] = 1
        elif how == "nested value":
            record[draw(st.sampled_from(sorted(record)))] = draw(
                st.lists(JSON_VALUES, max_size=2)
                | st.dictionaries(st.text(max_size=3), JSON_VALUES, max_size=2))
        else:
            del record[draw(st.sampled_from(spec.required_columns))]
    return spec, items, broken


@budget(200)
@given(delivery=records())
def test_any_feed_records_load_all_or_nothing(engine: Engine,
                                              delivery: tuple[FileSpec, list[Any], bool]) -> None:
    spec, items, broken = delivery
    with tempfile.TemporaryDirectory() as scratch:
        start_from_geography(engine, Path(scratch))
    create_token(engine, "feed", AFTER_EVERY_MOMENT)
    grant(engine, "feed", GrantChange(kinds=KINDS, everywhere=True))
    before = data_tables(engine)
    rows = read_records(spec, items)
    report = load_batch(engine, {spec.name: rows}, source="feed", channel="feed", unit="record",
                        clock=LOAD_CLOCK)
    assert_all_or_nothing(engine, report, before, {spec.name: range(len(items))}, "record")
    event("rejected" if report.rejections else "refused" if report.refusals else "loaded")
    if not report.rejections and not report.refusals:
        assert not broken, f"loaded, though broken: {items!r:.2000}"
        assert_stored_completely(engine, {spec.name: rows}, report)
        stored = data_tables(engine)
        assert load_batch(engine, {spec.name: read_records(spec, items)}, source="feed",
                          channel="feed", unit="record", clock=LOAD_CLOCK).loaded
        assert data_tables(engine) == stored


@budget(30)
@given(name=st.sampled_from(sorted(ROWS)), data=st.data())
def test_the_good_rows_have_every_column_of_the_contract(name: str, data: st.DataObject) -> None:
    """Every column is exercised (but the source's own stamp, which would order the updates)."""
    row = data.draw(ROWS[name])
    assert set(row) == {c.name for c in SPECS_BY_NAME[name].columns} - {"updated_at"}
    if name == "episodes.csv":
        assert set(EPISODE_HEADER.strip().split(",")) < set(row)


def test_an_unreadable_folder_is_a_folder_error(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(FolderError, match="is not a folder"):
        load_folder(engine, tmp_path / "missing")
    with pytest.raises(FolderError, match="holds none of the contract files"):
        load_folder(engine, tmp_path)

