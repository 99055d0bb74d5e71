"""System trigger levels: an area's thresholds, its escalation level now (from the Today figures,
each measure defined once by its metric function), and the history of its level changes.

**History**: a row of ``trigger_level_changes`` is appended each time the level evaluated for an
area (when Today is drawn for it, or by ``python -m dashboard trigger-levels``, for a scheduled
job) differs from its latest row; an evaluation of a moment at or before the latest row writes
nothing (history is not rewritten). An unknown level (no measure with a threshold has data) is
not recorded. We keep what was evaluated, rather than re-deriving levels per day from stored
facts, because free places come only from the capacity reports current at that moment.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Engine, insert, select

from dashboard.clock import Clock, from_utc_naive, to_utc_naive
from dashboard.results import TodaySummary
from dashboard.trigger_levels import (
    AreaLevel,
    LevelChange,
    Threshold,
    TriggerLevelsNow,
    area_level,
    reason_of,
    values_now,
)
from data_access.access import AreaInScope, require_in_scope
from data_access.contract import TRIGGER_LEVELS
from data_access.db import lock_for_writing
from data_access.goals import load_from_page
from data_access.loader import LoadReport
from data_access.models import TriggerLevel, TriggerLevelChange

CHANGES_SHOWN = 5
# The write lock of the level history on PostgreSQL (any number, used once; loads use another).
HISTORY_LOCK_KEY = 4_815_162_343


def trigger_thresholds(engine: Engine, area: AreaInScope) -> list[Threshold]:
    """The trigger levels set for the area itself (never those of an area it lies in: two of
    the measures are counts, which mean something else for a larger area)."""
    with engine.connect() as connection:
        return _thresholds(connection, require_in_scope(area).code)


def trigger_levels_now(engine: Engine, area: AreaInScope,
                       summary: TodaySummary) -> TriggerLevelsNow:
    """The area's escalation level at ``summary.at`` from the Today figures ``summary`` (the
    same figures Today shows, so no measure is counted twice), the change recorded if the level
    differs from the latest recorded, and the latest changes at or before that moment."""
    code = require_in_scope(area).code
    at = to_utc_naive(summary.at)
    with engine.connect() as connection:
        thresholds = _thresholds(connection, code)
        changes = _changes(connection, code, at)
    level = area_level(values_now(summary, area.population_65_plus), thresholds) \
        if thresholds else None
    if level is not None and level.level is not None and _is_news(changes, level, summary.at):
        with engine.begin() as connection:
            lock_for_writing(connection, HISTORY_LOCK_KEY)
            latest = _changes(connection, code, None, limit=1)
            if _is_news(latest, level, summary.at):
                _append(connection, code, at, level)
            changes = _changes(connection, code, at)
    return TriggerLevelsNow(level, tuple(changes))


def set_trigger_level(engine: Engine, area: AreaInScope, measure: str, level: str,
                      threshold: str, actions: str, *, set_by: str,
                      clock: Clock) -> LoadReport:
    """Set (or replace) one trigger level for a checked area from the Goals page, as a row of
    trigger_levels.csv: the same checks, order across levels included."""
    row = {"measure": measure, "level": level, "threshold": threshold, "actions": actions}
    return load_from_page(engine, area, TRIGGER_LEVELS.name, row, set_by=set_by, clock=clock)


def _thresholds(connection: Connection, code: str) -> list[Threshold]:
    statement = (select(TriggerLevel.measure, TriggerLevel.level, TriggerLevel.threshold,
                        TriggerLevel.actions)
                 .where(TriggerLevel.area_code == code)
                 .order_by(TriggerLevel.measure, TriggerLevel.level))
    return [Threshold(measure, level, float(threshold), actions)
            for measure, level, threshold, actions in connection.execute(statement)]


def _changes(connection: Connection, code: str, at_or_before: datetime | None,
             limit: int = CHANGES_SHOWN) -> list[LevelChange]:
    """The area's latest level changes (at or before a naive UTC moment, if given), latest
    first."""
    statement = (select(TriggerLevelChange.at, TriggerLevelChange.level,
                        TriggerLevelChange.reason)
                 .where(TriggerLevelChange.area_code == code)
                 .order_by(TriggerLevelChange.at.desc()).limit(limit))
    if at_or_before is not None:
        statement = statement.where(TriggerLevelChange.at <= at_or_before)
    return [LevelChange(from_utc_naive(at), level, reason)
            for at, level, reason in connection.execute(statement)]


def _is_news(latest_first: list[LevelChange], level: AreaLevel, at: datetime) -> bool:
    """The level is worth a row: there is none yet, or the latest is earlier and different."""
    if not latest_first:
        return True
    latest = latest_first[0]
    return latest.at < at and latest.level != level.level


def _append(connection: Connection, code: str, at: datetime, level: AreaLevel) -> None:
    connection.execute(insert(TriggerLevelChange).values(
        area_code=code, at=at, level=level.level,
        measures=",".join(measure.measure for measure in level.set_by),
        reason=reason_of(level)[:1000]))
