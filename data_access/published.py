"""Load NHS England's published discharge sitreps, and the organisations they name.

``load_published`` reads any of ``icb_daily_nctr.csv``, ``trust_daily_nctr.csv`` and
``trust_monthly_delay_reasons.csv`` from a folder, with the ICBs and trusts of the product's own
``reference_data/geography``, and writes them in one transaction by the contract loader's rules
(``data_access.loader``): every rejected row reported by line, nothing written while any row is
rejected (unless ``allow_partial``), upserts that rewrite only what changed, each file recorded
in ``loads`` with how many of its rows were new, changed and unchanged, ANALYZE afterwards.
(The population file's counts are of the ICBs its lines add up to.)
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select

from dashboard.clock import Clock, SystemClock, to_utc_naive
from dashboard.reason_matching import ReasonMatch, find_reason
from data_access.contract import Column, FileSpec, quoted, text_up_to
from data_access.loader import (
    FileResult,
    FolderError,
    LoadReport,
    NumberedRows,
    _parse_file,
    _record_loads,
    _refresh_statistics,
    _upsert,
    read_csv,
    record_outcomes,
)
from data_access.models import PublishedOrganisation

GEOGRAPHY_FOLDER = Path(__file__).resolve().parent.parent / "reference_data" / "geography"
POPULATION_FILE = "icb_subicb_la_population.csv"
TRUSTS_FILE = "nhs_trusts.csv"
ICB_DAILY_FILE = "icb_daily_nctr.csv"
TRUST_DAILY_FILE = "trust_daily_nctr.csv"
REASONS_FILE = "trust_monthly_delay_reasons.csv"
TABLES = ("published_organisations", "published_daily", "published_reasons",
          "published_reason_texts")
MAX_COUNT = 10_000_000
MAX_TEXT = 300

Row = dict[str, Any]


# --- value parsers (a ValueError's message becomes "column: message" in the rejection) ---------

_WHOLE = re.compile(r"[0-9]+(\.0+)?")  # the published files write counts as 12 or 12.0
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _count(raw: str) -> int:
    if raw.isascii() and raw.isdigit():  # the usual case, without the regular expression
        digits = raw
    elif _WHOLE.fullmatch(raw):
        digits = raw.split(".")[0]
    else:
        raise ValueError(f"{quoted(raw)} is not a whole number >= 0")
    # Counted in digits first: Python refuses to read a number of over 4,300 digits.
    if len(digits.lstrip("0")) > len(str(MAX_COUNT)) or int(digits) > MAX_COUNT:
        raise ValueError(f"{quoted(raw)} is more than {MAX_COUNT}")
    return int(digits)


def _iso_date(raw: str) -> date:
    try:
        if _ISO_DATE.fullmatch(raw):
            return date.fromisoformat(raw)
    except ValueError:
        pass
    raise ValueError(f"{quoted(raw)} is not an ISO date (YYYY-MM-DD)")


def _month_start(raw: str) -> date:
    day = _iso_date(raw)
    if day.day != 1:
        raise ValueError(f"{quoted(raw)} is not the first day of a month")
    return day


def _org_code(raw: str) -> str:
    if not (len(raw) <= 32 and raw.isascii() and raw.isalnum()):
        raise ValueError(f"{quoted(raw)} is not an organisation code (up to 32 letters and digits)")
    return raw


def _status(raw: str) -> str:
    if raw.lower() not in ("open", "closed"):
        raise ValueError(f"{quoted(raw)} is not open or closed")
    return raw.lower()


@lru_cache(maxsize=4096)
def _reason(raw: str) -> tuple[str, ReasonMatch]:
    """The published text (as given) with the code it matches; no safe match is a rejection."""
    found = find_reason(raw) if len(raw) <= MAX_TEXT else None
    if found is None:
        raise ValueError(f"{quoted(raw)} matches none of the 37 delay reasons")
    return raw, found


# --- file specs: the contract loader's FileSpec, renaming the published columns to ours ---------

@dataclass(frozen=True)
class PublishedSpec(FileSpec):
    """A FileSpec whose parsed values are turned into a row of ``table`` by ``to_row``."""

    to_row: Callable[[Row], Row] = dict

    def parse_row(self, raw: dict[str, str | None]) -> Row:
        return self.to_row(super().parse_row(raw))


COUNT_COLUMNS = ("nctr_patients", "discharged_by_1700", "discharged_between_1701_2359",
                 "discharged_total")


def _daily_spec(name: str, level: str, code_column: str) -> PublishedSpec:
    def to_row(values: Row) -> Row:
        return {"level": level, "org_code": values[code_column], "date": values["date"],
                **{column: values[column] for column in COUNT_COLUMNS}}

    return PublishedSpec(
        name=name, table="published_daily", key=("level", "org_code", "date"),
        columns=(Column(code_column, _org_code, True), Column("date", _iso_date, True),
                 *(Column(column, _count) for column in COUNT_COLUMNS)),
        to_row=to_row,
    )


def _reason_row(values: Row) -> Row:
    _, match = values["delay_reason"]
    return {"trust_code": values["nhs_trust22_code"], "month_start": values["month_start"],
            "reason_code": match.code, "patients": values["patients"]}


def _trust_row(values: Row) -> Row:
    return {"code": values["nhs_trust22_code"], "level": "trust",
            "name": values["nhs_trust22_name"], "region": values["nhs_region21_name"],
            "icb_code": values["icb22_code"], "status": values["status"],
            "population_65_plus": None}


PUBLISHED_SPECS: tuple[PublishedSpec, ...] = (
    _daily_spec(ICB_DAILY_FILE, "icb", "icb22_code"),
    _daily_spec(TRUST_DAILY_FILE, "trust", "nhs_trust22_code"),
    PublishedSpec(
        name=REASONS_FILE, table="published_reasons",
        key=("trust_code", "month_start", "reason_code"),
        columns=(Column("nhs_trust22_code", _org_code, True),
                 Column("month_start", _month_start, True),
                 Column("delay_reason", _reason, True),
                 Column("patients", _count)),
        to_row=_reason_row,
    ),
)
SPECS_BY_NAME = {spec.name: spec for spec in PUBLISHED_SPECS}
# Per published file: the row's organisation column, its name in the file, the level it must be.
ORGANISATION_COLUMN = {ICB_DAILY_FILE: ("org_code", "icb22_code", "icb"),
                       TRUST_DAILY_FILE: ("org_code", "nhs_trust22_code", "trust"),
                       REASONS_FILE: ("trust_code", "nhs_trust22_code", "trust")}

POPULATION_SPEC = PublishedSpec(
    name=POPULATION_FILE, table="published_organisations", key=("sicbl22_code", "ltla22_code"),
    columns=(Column("region_name", text_up_to(100), True), Column("icb22_code", _org_code, True),
             Column("icb22_name", text_up_to(200), True), Column("sicbl22_code", _org_code, True),
             Column("ltla22_code", _org_code, True), Column("population_65_plus", _count, True)),
)
TRUSTS_SPEC = PublishedSpec(
    name=TRUSTS_FILE, table="published_organisations", key=("code",),
    columns=(Column("nhs_trust22_code", _org_code, True),
             Column("nhs_trust22_name", text_up_to(200), True),
             Column("nhs_region21_name", text_up_to(100)), Column("status", _status),
             Column("icb22_code", _org_code)),
    to_row=_trust_row,
)
# ICB rows are summed from the population file's lines; only their upsert uses this spec.
ICBS_SPEC = FileSpec(name=POPULATION_FILE, table="published_organisations", key=("code",),
                     columns=())
TEXTS_SPEC = FileSpec(name=REASONS_FILE, table="published_reason_texts", key=("published_text",),
                      columns=())


# --- reading --------------------------------------------------------------------------------------

def read_published_folder(folder: Path) -> dict[str, NumberedRows]:
    """The published files present in ``folder``, as numbered raw rows."""
    if not folder.is_dir():
        raise FolderError(f"{folder} is not a folder")
    batch = {spec.name: read_csv(folder / spec.name) for spec in PUBLISHED_SPECS
             if (folder / spec.name).is_file()}
    if not batch:
        names = ", ".join(SPECS_BY_NAME)
        raise FolderError(f"{folder} holds none of the published sitrep files ({names})")
    return batch


def _read_geography(folder: Path) -> tuple[NumberedRows, NumberedRows]:
    missing = [name for name in (POPULATION_FILE, TRUSTS_FILE) if not (folder / name).is_file()]
    if missing:
        raise FolderError(f"{folder} lacks the geography file(s) {', '.join(missing)}")
    return read_csv(folder / POPULATION_FILE), read_csv(folder / TRUSTS_FILE)


# --- checking -------------------------------------------------------------------------------------

def _icbs_from_population(result: FileResult) -> FileResult:
    """One row per ICB (65+ population summed); a line naming an ICB differently is rejected."""
    icbs = FileResult(POPULATION_FILE)
    for key, (line, values) in sorted(result.accepted.items(), key=lambda item: item[1][0]):
        code = values["icb22_code"]
        first = icbs.accepted.get((code,))
        if first is None:
            icbs.accepted[(code,)] = (line, {
                "code": code, "level": "icb", "name": values["icb22_name"],
                "region": values["region_name"], "icb_code": None, "status": None,
                "population_65_plus": values["population_65_plus"]})
            continue
        first_line, row = first
        if (row["name"], row["region"]) != (values["icb22_name"], values["region_name"]):
            del result.accepted[key]
            result.reject(line, f"icb22_name or region_name of {code} differs from line "
                                f"{first_line}")
            continue
        row["population_65_plus"] += values["population_65_plus"]
    return icbs


def _existing_organisations(connection: Connection) -> dict[str, str]:
    table = PublishedOrganisation.__table__
    return dict(connection.execute(select(table.c.code, table.c.level)).all())


def _reject_unknown(result: FileResult, column: str, named: str, known: set[str],
                    level: str) -> None:
    """Reject the rows naming an organisation neither in the geography files nor the database."""
    what = "an ICB" if level == "icb" else "a trust"
    for key, (line, values) in list(result.accepted.items()):
        if values[column] is not None and values[column] not in known:
            del result.accepted[key]
            result.reject(line, f"{named} {quoted(values[column])} is not {what} known to "
                                "reference_data/geography or the database")


def _reason_texts(rows: NumberedRows, result: FileResult) -> FileResult:
    """The distinct published texts of the accepted rows, with the code each matched."""
    raw_by_line = {line: raw for line, raw in rows}
    texts = FileResult(REASONS_FILE)
    for line, _ in sorted(result.accepted.values(), key=lambda item: item[0]):
        text = (raw_by_line[line].get("delay_reason") or "").strip()
        if (text,) not in texts.accepted:
            _, match = _reason(text)
            texts.accepted[(text,)] = (line, {"published_text": text, "reason_code": match.code,
                                              "matched_by": match.method})
    return texts


# --- loading --------------------------------------------------------------------------------------

def load_published(engine: Engine, folder: Path, *, allow_partial: bool = False,
                   geography: Path = GEOGRAPHY_FOLDER, clock: Clock | None = None) -> LoadReport:
    """Validate the published files in ``folder`` (and the geography) and load them atomically."""
    clock = clock or SystemClock()
    started_at = to_utc_naive(clock.now())
    batch = read_published_folder(folder)
    population_rows, trust_rows = _read_geography(geography)
    population = _parse_file(POPULATION_SPEC, population_rows)
    icbs = _icbs_from_population(population)
    trusts = _parse_file(TRUSTS_SPEC, trust_rows)
    published = {name: _parse_file(SPECS_BY_NAME[name], rows) for name, rows in batch.items()}
    with engine.connect() as connection:
        _check_organisations(_existing_organisations(connection), icbs, trusts, published)

    files = (population, trusts, *published.values())
    for result in files:
        result.rejections.sort(key=lambda rejection: rejection.line)
    loaded = allow_partial or not any(result.rejections for result in files)
    batch_id = str(uuid.uuid4())
    reports = (LoadReport(batch_id, str(geography), loaded, (population, trusts)),
               LoadReport(batch_id, str(folder), loaded, tuple(published.values())))
    with engine.begin() as connection:
        finished_at = to_utc_naive(clock.now())
        load_ids = {name: load_id for report in reports
                    for name, load_id in _record_loads(connection, report, False, started_at,
                                                       finished_at).items()}
        if loaded:
            _upsert(connection, ICBS_SPEC, icbs, load_ids[POPULATION_FILE])
            population.counts = icbs.counts  # the population file's lines, summed per ICB
            _upsert(connection, TRUSTS_SPEC, trusts, load_ids[TRUSTS_FILE])
            _write_published(connection, batch, published, load_ids)
            record_outcomes(connection, load_ids, files)
    if loaded:
        _refresh_statistics(engine, list(TABLES))
    return LoadReport(batch_id, str(folder), loaded, files)


def _check_organisations(existing: dict[str, str], icbs: FileResult, trusts: FileResult,
                         published: dict[str, FileResult]) -> None:
    """Reject rows naming an ICB or trust neither in the geography nor in the database."""
    known = {level: {code for code, at in existing.items() if at == level}
             for level in ("icb", "trust")}
    known["icb"] |= {code for (code,) in icbs.accepted}
    _reject_unknown(trusts, "icb_code", "icb22_code", known["icb"], "icb")
    known["trust"] |= {code for (code,) in trusts.accepted}
    for name, result in published.items():
        column, named, level = ORGANISATION_COLUMN[name]
        _reject_unknown(result, column, named, known[level], level)


def _write_published(connection: Connection, batch: dict[str, NumberedRows],
                     published: dict[str, FileResult], load_ids: dict[str, int]) -> None:
    for name, result in published.items():
        _upsert(connection, SPECS_BY_NAME[name], result, load_ids[name])
    if REASONS_FILE in published:
        texts = _reason_texts(batch[REASONS_FILE], published[REASONS_FILE])
        _upsert(connection, TEXTS_SPEC, texts, load_ids[REASONS_FILE])
