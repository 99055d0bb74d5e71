"""The data contract: the CSV files, their columns, and how each value is read and checked.

This module is the single source of the contract; ``docs/data-contract.md`` describes it for people.
Parsing a row either yields typed values ready for the database or raises ``RowError`` with a reason
a data lead can act on.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

from dashboard.clock import LONDON, from_utc_naive, to_utc_naive
from dashboard.goals import DIRECTIONS, GOAL_MEASURES
from dashboard.trigger_levels import ACTIONS_LIMIT, STEADY, TRIGGER_MEASURES
from dashboard.vocabulary import (
    AREA_LEVELS,
    CARE_NEEDS,
    DELAY_REASONS,
    END_OUTCOMES,
    ETHNIC_GROUPS,
    INTERMEDIATE_CARE_PATHWAYS,
    MEETS_NONE,
    PATHWAYS,
    SERVICE_SECTORS,
    SERVICE_SETTINGS,
    SERVICE_TYPES,
    SETTINGS_AT_ADMISSION,
    SEXES,
)


class RowError(ValueError):
    """A row breaks the contract; the message says why."""


Parser = Callable[[str], Any]
# Each parser's JSON Schema, for the feed API's OpenAPI description (dashboard/openapi.py).
_SCHEMAS: dict[Parser, dict[str, Any]] = {}


def _described(parse: Parser, schema: dict[str, Any]) -> Parser:
    _SCHEMAS[parse] = schema
    return parse


def json_schema(column: Column) -> dict[str, Any]:
    """The JSON Schema of a column's values as a feed record carries them."""
    return {**_SCHEMAS[column.parse], "description": column.description or column.name}


QUOTE_LIMIT = 100  # characters of a value a message quotes: a value may hold a whole file


def quoted(raw: str) -> str:
    """A value as a message quotes it (Python's repr), cut to about 100 characters."""
    if len(raw) <= QUOTE_LIMIT:
        return repr(raw)
    return f"{raw[:QUOTE_LIMIT]!r}… ({len(raw):,} characters)"


# No database stores these in text: NUL, and half of a UTF-16 pair (JSON can carry one alone).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(message: str) -> str:
    """A message that may quote any input (a reason, an audit detail): NUL and lone surrogates
    spelled out, so that it can be stored, printed and sent."""
    return message.encode("utf-8", "backslashreplace").decode().replace("\x00", "\\x00")


def text_up_to(max_length: int) -> Callable[[str], str]:
    """A parser for free text of at most ``max_length`` characters."""
    def parse(raw: str) -> str:
        if len(raw) > max_length:
            raise ValueError(f"longer than {max_length} characters")
        if _UNSTORABLE.search(raw):
            raise ValueError("holds a NUL character or half of a UTF-16 pair, which text "
                             "cannot hold")
        return raw

    return _described(parse, {"type": "string", "maxLength": max_length})


def _code(raw: str) -> str:
    if len(raw) > 32 or not raw.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise ValueError("must be up to 32 letters, digits, '-', '_' or '.'")
    return raw


_described(_code, {"type": "string", "maxLength": 32, "pattern": "^[A-Za-z0-9._-]+$"})
parse_code = _code  # also for the codes an administrator grants a feed source


def _whole_number(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"{quoted(raw)} is not a whole number") from None
        if not low <= value <= high:
            raise ValueError(f"{quoted(raw)} is outside {low} to {high}")
        return value

    return _described(parse, {"type": "integer", "minimum": low, "maximum": high})


def _one_of(allowed: Any, normalise: Callable[[str], str] = str) -> Callable[[str], Any]:
    def parse(raw: str) -> Any:
        value = normalise(raw)
        if value not in allowed:
            raise ValueError(f"{quoted(raw)} is not one of {', '.join(map(str, allowed))}")
        return value

    return _described(parse, {"enum": list(allowed)})


def _needs(allowed: tuple[str, ...]) -> Callable[[str], str]:
    """A set of care needs written ``nursing|dementia`` (any order, any case): stored sorted,
    each named once."""
    def parse(raw: str) -> str:
        needs = {part.strip().lower() for part in raw.split("|") if part.strip()}
        unknown = sorted(needs - set(allowed))
        if unknown or not needs:
            raise ValueError(f"{quoted(raw)} is not a list of {', '.join(allowed)} "
                             "separated by |")
        if MEETS_NONE in needs and len(needs) > 1:
            raise ValueError(f"{quoted(raw)} says none and names a need")
        return "|".join(sorted(needs))

    return _described(parse, {"type": "string", "maxLength": 64})


def _pathway(allowed: tuple[int, ...]) -> Callable[[str], int]:
    return _one_of(allowed, normalise=lambda raw: int(raw) if raw.isdigit() else raw)  # type: ignore[return-value,arg-type]


def parse_timestamp(raw: str) -> datetime:
    """ISO 8601 to naive UTC. A timestamp without an offset is Europe/London local time."""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{quoted(raw)} is not an ISO 8601 timestamp") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LONDON)
    try:
        return to_utc_naive(moment)
    except OverflowError:  # within a few hours of the years 1 or 9999
        raise ValueError(f"{quoted(raw)} is out of the range of dates") from None


_described(parse_timestamp, {"type": "string", "format": "date-time"})


def _date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{quoted(raw)} is not a date (YYYY-MM-DD)") from None


_described(_date, {"type": "string", "format": "date"})


def _number(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{quoted(raw)} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{quoted(raw)} is not a number")
    return value


_described(_number, {"type": "number"})


_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


def _boolean(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"{quoted(raw)} is not true or false")


_described(_boolean, {"type": "boolean"})


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[str], Any]
    required: bool = False
    description: str = ""


@dataclass(frozen=True)
class FileSpec:
    """One CSV file of the contract: its columns, natural key and row-level rules."""

    name: str
    table: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    check: Callable[[dict[str, Any]], None] = lambda row: None

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @cached_property
    def timestamp_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.parse is parse_timestamp)

    def parse_row(self, raw: dict[str, str | None]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for column in self.columns:
            text = (raw.get(column.name) or "").strip()
            if not text:
                if column.required:
                    raise RowError(f"{column.name} is missing")
                values[column.name] = None
                continue
            try:
                values[column.name] = column.parse(text)
            except ValueError as error:
                raise RowError(f"{column.name}: {error}") from None
        self.check(values)
        return values


# No moment of a record can lie ahead of the load's clock by more than this (clocks of source
# systems drift a little). A stamp far ahead would freeze the record: no real update is newer.
FUTURE_TOLERANCE = timedelta(minutes=10)


def check_not_in_future(spec: FileSpec, row: dict[str, Any], now_utc: datetime) -> None:
    """``RowError`` if a timestamp of the row (naive UTC, as parsed) is more than
    ``FUTURE_TOLERANCE`` after ``now_utc``, the load's time (naive UTC)."""
    latest = now_utc + FUTURE_TOLERANCE
    for name in spec.timestamp_columns:
        moment = row.get(name)
        if moment is not None and moment > latest:
            raise RowError(f"{name}: {_local(moment)} is in the future (more than "
                           f"{FUTURE_TOLERANCE.seconds // 60} minutes after {_local(now_utc)}, "
                           "the time of the load)")


def _local(stored: datetime) -> str:
    try:
        return f"{from_utc_naive(stored):%Y-%m-%d %H:%M}"
    except OverflowError:  # within hours of the year 9999
        return f"{stored:%Y-%m-%d %H:%M} UTC"


def _not_before(row: dict[str, Any], later: str, earlier: str) -> None:
    if row[later] is not None and row[earlier] is not None and row[later] < row[earlier]:
        raise RowError(f"{later} is before {earlier}")


def _check_episode(row: dict[str, Any]) -> None:
    _not_before(row, "nctr_at", "admitted_at")
    _not_before(row, "discharged_at", "admitted_at")
    _not_before(row, "discharged_at", "nctr_at")
    _not_before(row, "service_end_at", "service_start_at")
    if row["service_end_at"] is not None and row["service_start_at"] is None:
        raise RowError("service_end_at is given without service_start_at")
    if row["service_start_at"] is not None and row["pathway"] == 0:
        raise RowError("pathway 0 has no intermediate care service, but service_start_at is given")


def _check_area(row: dict[str, Any]) -> None:
    if row["upper_tier_code"] is not None and row["level"] != "district":
        raise RowError(f"upper_tier_code is given for a {row['level']}: only a district lies in "
                       "an upper-tier local authority")


TIMESTAMP = parse_timestamp
POPULATION = _whole_number(0, 100_000_000)
# Every file may say when the source last changed each record; see data_access.loader._upsert.
UPDATED_AT = Column("updated_at", TIMESTAMP, False,
                    "when the source last changed the record; an older update, or one without "
                    "updated_at, never overwrites a record stamped later")

AREAS = FileSpec(
    name="areas.csv",
    table="areas",
    key=("code",),
    columns=(
        Column("code", _code, True, "ONS code, or a local code for a neighbourhood"),
        Column("name", text_up_to(200), True),
        Column("level", _one_of(AREA_LEVELS), True, " | ".join(AREA_LEVELS)),
        Column("parent_code", _code, False, "code of the area one level up; blank at the top"),
        Column("population_65_plus", POPULATION, False, "resident population aged 65+"),
        Column("population_all", POPULATION, False, "resident population, all ages"),
        Column("upper_tier_code", _code, False,
               "for a district: its upper-tier local authority (an area of level utla)"),
        UPDATED_AT,
    ),
    check=_check_area,
)

SITES = FileSpec(
    name="sites.csv",
    table="sites",
    key=("code",),
    columns=(
        Column("code", _code, True, "ODS site code"),
        Column("name", text_up_to(200), True),
        Column("trust_code", _code, True, "ODS trust code, such as RKB"),
        Column("trust_name", text_up_to(200), True),
        Column("area_code", _code, True, "the area the site is in (usually its ICB)"),
        UPDATED_AT,
    ),
)

SERVICES = FileSpec(
    name="services.csv",
    table="services",
    key=("code",),
    columns=(
        Column("code", _code, True),
        Column("name", text_up_to(200), True),
        Column("pathway", _pathway(INTERMEDIATE_CARE_PATHWAYS), True, "1, 2 or 3"),
        Column("setting", _one_of(SERVICE_SETTINGS), True, "home | bed"),
        Column("provider", text_up_to(200), True),
        Column("sector", _one_of(SERVICE_SECTORS), True, " | ".join(SERVICE_SECTORS)),
        Column("area_code", _code, True, "the area the service serves"),
        Column("places", _whole_number(0, 100_000), True, "commissioned beds, or people at once"),
        Column("service_type", _one_of(SERVICE_TYPES, normalise=str.lower), False,
               " | ".join(SERVICE_TYPES)),
        Column("meets_needs", _needs((*CARE_NEEDS, MEETS_NONE)), False,
               f"the care needs its places meet, of {', '.join(CARE_NEEDS)}, separated by | "
               f"(or {MEETS_NONE}): a residential-only home writes {MEETS_NONE} or dementia"),
        UPDATED_AT,
    ),
)

EPISODES = FileSpec(
    name="episodes.csv",
    table="episodes",
    key=("episode_id",),
    columns=(
        Column("episode_id", text_up_to(64), True, "the source system's identifier of the journey"),
        Column("person_ref", text_up_to(64), True, "pseudonymised person reference"),
        Column("site_code", _code, True),
        Column("ward", text_up_to(64), False, "the ward the person is on, if known"),
        Column("home_area_code", _code, True, "the person's home area (a neighbourhood, ideally)"),
        Column("age", _whole_number(0, 120), False, "age in years at admission"),
        Column("sex", _one_of(tuple(SEXES), normalise=str.upper), True, "F | M | U"),
        Column("admitted_at", TIMESTAMP, True),
        Column("nctr_at", TIMESTAMP, False, "no longer meets the criteria to reside"),
        Column("referred_to_hub_at", TIMESTAMP, False),
        Column("pathway", _pathway(tuple(PATHWAYS)), False, "0, 1, 2 or 3 (decided or intended)"),
        Column("discharged_at", TIMESTAMP, False),
        Column("service_code", _code, False),
        Column("service_start_at", TIMESTAMP, False, "first visit, or admission to the bed"),
        Column("service_end_at", TIMESTAMP, False),
        Column("end_outcome", _one_of(tuple(END_OUTCOMES)), False, " | ".join(END_OUTCOMES)),
        Column("readmitted_at", TIMESTAMP, False, "next emergency readmission to acute"),
        Column("at_home_91_days", _boolean, False, "true or false, once the 91-day point passed"),
        Column("ethnic_group", _one_of(tuple(ETHNIC_GROUPS), normalise=str.lower), False,
               " | ".join(ETHNIC_GROUPS)),
        Column("imd_decile", _whole_number(1, 10), False,
               "deprivation decile of the home (IMD; 1 = most deprived)"),
        Column("barthel_start", _whole_number(0, 20), False,
               "Modified Barthel score at service start"),
        Column("barthel_end", _whole_number(0, 20), False, "Modified Barthel score at service end"),
        Column("goals_met", _boolean, False, "the person's own goals met: true or false"),
        Column("died_at", TIMESTAMP, False, "date and time of death, if known"),
        Column("permanent_care_at", TIMESTAMP, False,
               "entered permanent residential or nursing care, if so"),
        Column("setting_at_admission", _one_of(SETTINGS_AT_ADMISSION, normalise=str.lower),
               False, " | ".join(SETTINGS_AT_ADMISSION)),
        Column("needs", _needs(CARE_NEEDS), False,
               f"care needs a place must meet, of {', '.join(CARE_NEEDS)}, separated by |"),
        UPDATED_AT,
    ),
    check=_check_episode,
)

DELAYS = FileSpec(
    name="delays.csv",
    table="delay_reasons",
    key=("episode_id", "effective_at"),
    columns=(
        Column("episode_id", text_up_to(64), True),
        Column("effective_at", TIMESTAMP, True, "when this became the current reason"),
        Column("reason_code", _one_of(tuple(DELAY_REASONS), normalise=str.upper), True,
               "one of the 37 codes, H1 to C11"),
        UPDATED_AT,
    ),
)


def _check_nctr_period(row: dict[str, Any]) -> None:
    _not_before(row, "criteria_met_at", "nctr_at")
    if row["criteria_met_at"] == row["nctr_at"]:
        raise RowError("criteria_met_at is the same moment as nctr_at: a period has a length")


# Earlier periods of not meeting the criteria to reside, each ended when the person met the
# criteria again (their condition changed). The episode's nctr_at is the start of the last such
# period, the discharge ready date; these keep the history before it.
NCTR_PERIODS = FileSpec(
    name="nctr_periods.csv",
    table="nctr_periods",
    key=("episode_id", "nctr_at"),
    columns=(
        Column("episode_id", text_up_to(64), True),
        Column("nctr_at", TIMESTAMP, True, "when the earlier period began: no longer met the "
                                           "criteria to reside"),
        Column("criteria_met_at", TIMESTAMP, True,
               "when the person met the criteria to reside again, ending the period"),
        UPDATED_AT,
    ),
    check=_check_nctr_period,
)


def _check_capacity(row: dict[str, Any]) -> None:
    # Occupied above places is accepted (and flagged as a data quality issue), closed places
    # above places cannot be true.
    if row["unavailable"] > row["places"]:
        raise RowError("unavailable is more than places")


CAPACITY = FileSpec(
    name="capacity.csv",
    table="capacity_reports",
    key=("service_code", "reported_at"),
    columns=(
        Column("service_code", _code, True),
        Column("reported_at", TIMESTAMP, True),
        Column("places", _whole_number(0, 100_000), True),
        Column("occupied", _whole_number(0, 100_000), True),
        Column("unavailable", _whole_number(0, 100_000), True, "closed for staffing or infection"),
        UPDATED_AT,
    ),
    check=_check_capacity,
)

def _check_goal(row: dict[str, Any]) -> None:
    _not_before(row, "last_day", "first_day")
    measure = GOAL_MEASURES[row["measure"]]
    if row["better"] != measure.better:
        raise RowError(f"better: for {row['measure']} better lies {measure.better}, not "
                       f"{row['better']}")
    why = measure.valid_value(row["goal"])
    if why:
        raise RowError(f"goal: {why}")


# Local goals: per area, measure and period, with the direction in which better lies
# (dashboard/goals.py lists the measures). Set on the Goals page or sent as this file.
GOALS = FileSpec(
    name="goals.csv",
    table="goals",
    key=("area_code", "measure", "first_day"),
    columns=(
        Column("area_code", _code, True, "the area the goal is set for"),
        Column("measure", _one_of(tuple(GOAL_MEASURES)), True, " | ".join(GOAL_MEASURES)),
        Column("first_day", _date, True, "the first day the goal holds (YYYY-MM-DD)"),
        Column("last_day", _date, True, "the last day the goal holds (YYYY-MM-DD)"),
        Column("goal", _number, True, "the level to reach: a percentage, days or people, as "
                                      "the measure counts"),
        Column("better", _one_of(DIRECTIONS, normalise=str.lower), True,
               "up | down: the direction in which better lies"),
        UPDATED_AT,
    ),
    check=_check_goal,
)


def _check_trigger_level(row: dict[str, Any]) -> None:
    if row["level"] == STEADY:
        raise RowError("level: level 1 (steady) has no threshold: an area is at level 1 while no "
                       "measure reaches its level 2 threshold or above; give levels 2 to 4")
    why = TRIGGER_MEASURES[row["measure"]].valid_threshold(row["threshold"])
    if why:
        raise RowError(f"threshold: {why}")


# System trigger levels (dashboard/trigger_levels.py): per area and measure, where levels 2-4
# begin and what to do at each. The levels of an area and measure must rise in severity
# (checked across rows, stored and sent, by the loader).
TRIGGER_LEVELS = FileSpec(
    name="trigger_levels.csv",
    table="trigger_levels",
    key=("area_code", "measure", "level"),
    columns=(
        Column("area_code", _code, True, "the area the trigger level is set for"),
        Column("measure", _one_of(tuple(TRIGGER_MEASURES)), True, " | ".join(TRIGGER_MEASURES)),
        Column("level", _whole_number(1, 4), True,
               "2 | 3 | 4: the escalation level that begins at the threshold (1, steady, has "
               "none)"),
        Column("threshold", _number, True,
               "the value at or beyond which the measure is at the level: at or above it where "
               "higher is worse, at or below it where lower is worse"),
        Column("actions", text_up_to(ACTIONS_LIMIT), True,
               "what to do when the measure reaches the level (plain text)"),
        UPDATED_AT,
    ),
    check=_check_trigger_level,
)

# Load order: a file's references point only at files earlier in this tuple.
FILE_SPECS: tuple[FileSpec, ...] = (AREAS, SITES, SERVICES, EPISODES, DELAYS, NCTR_PERIODS,
                                     CAPACITY, GOALS, TRIGGER_LEVELS)
SPECS_BY_NAME: dict[str, FileSpec] = {spec.name: spec for spec in FILE_SPECS}
# The feed API names a file by its kind: "episodes" -> episodes.csv
SPECS_BY_KIND: dict[str, FileSpec] = {spec.name.removesuffix(".csv"): spec for spec in FILE_SPECS}

# (file, column) -> (referenced file, its key column)
REFERENCES: dict[tuple[str, str], tuple[str, str]] = {
    ("areas.csv", "parent_code"): ("areas.csv", "code"),
    ("areas.csv", "upper_tier_code"): ("areas.csv", "code"),
    ("sites.csv", "area_code"): ("areas.csv", "code"),
    ("services.csv", "area_code"): ("areas.csv", "code"),
    ("episodes.csv", "site_code"): ("sites.csv", "code"),
    ("episodes.csv", "home_area_code"): ("areas.csv", "code"),
    ("episodes.csv", "service_code"): ("services.csv", "code"),
    ("delays.csv", "episode_id"): ("episodes.csv", "episode_id"),
    ("nctr_periods.csv", "episode_id"): ("episodes.csv", "episode_id"),
    ("capacity.csv", "service_code"): ("services.csv", "code"),
    ("goals.csv", "area_code"): ("areas.csv", "code"),
    ("trigger_levels.csv", "area_code"): ("areas.csv", "code"),
}
