"""Daily facts, maintained on every load: for each local day, home area and delay reason, the
seconds people spent waiting after NCTR that day and how many were waiting at its 00:00.

Waiting time by reason over a period, bed days lost and the weekly snapshots by reason read
these instead of every episode of the period, so their cost grows with the days shown, not with
the people in them (see docs/performance.md). They hold exactly what the definitions in
``data_access.metrics.delays`` count: both are made from the same ``waiting_spans``.

The facts cover every day before ``facts_until`` (the local day of the latest refresh, kept in
``facts_state``). Days from then on are still going on or had no load since, and are computed
from the episodes directly. Each load refreshes, in its own transaction, the days from the
earliest NCTR date of the episodes it changed (before and after the change) in the home areas
they were in, and brings every area up to the load's day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Subquery,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from dashboard.clock import day_start, from_utc_naive, to_utc_naive
from data_access.models import (
    CalendarDay,
    DailyWait,
    DelayReasonChange,
    Episode,
    FactsState,
)
from data_access.sql import epoch_seconds, greatest, hours_before, least

NO_REASON = ""  # the reason code of time before any reason was recorded
_STATE = "daily_waits"
_ID_CHUNK = 2000


def waiting_spans(*conditions: Any) -> Subquery:
    """Each episode's waiting time after NCTR (``conditions`` choose the episodes) cut at every
    change of delay reason: reason_code (None before any reason was recorded), episode_id,
    home_area_code, span_start, span_end (stored UTC; the end is exclusive, and the end of time
    while still in hospital).

    A reason holds from its ``effective_at`` (or the NCTR time, if later) until the next reason or
    the discharge, whichever comes first; the time between NCTR and the first reason has none. A
    span may be empty (a reason replaced before NCTR, or given after the discharge).
    """
    later = aliased(DelayReasonChange)
    next_change = (select(func.min(later.effective_at))
                   .where(later.episode_id == DelayReasonChange.episode_id,
                          later.effective_at > DelayReasonChange.effective_at)
                   .scalar_subquery())
    first_change = (select(func.min(later.effective_at))
                    .where(later.episode_id == Episode.episode_id)
                    .scalar_subquery())
    waiting = [Episode.nctr_at.is_not(None), *conditions]
    with_reason = (
        select(DelayReasonChange.reason_code.label("reason_code"),
               Episode.episode_id.label("episode_id"),
               Episode.home_area_code.label("home_area_code"),
               greatest(DelayReasonChange.effective_at, Episode.nctr_at).label("span_start"),
               least(func.coalesce(next_change, Episode.in_hospital_until),
                     Episode.in_hospital_until).label("span_end"))
        .join(Episode, Episode.episode_id == DelayReasonChange.episode_id)
        .where(*waiting)
    )
    before_first_reason = (
        select(literal(None).label("reason_code"),
               Episode.episode_id.label("episode_id"),
               Episode.home_area_code.label("home_area_code"),
               Episode.nctr_at.label("span_start"),
               least(func.coalesce(first_change, Episode.in_hospital_until),
                     Episode.in_hospital_until).label("span_end"))
        .where(*waiting)
    )
    return union_all(with_reason, before_first_reason).subquery("spans")


def overlap_seconds(start: Any, end: Any, period_start: Any,
                    period_end: Any) -> ColumnElement[float]:
    """Seconds of [start, end) inside [period_start, period_end) (0 when they do not meet)."""
    low, high = greatest(start, period_start), least(end, period_end)
    return case((high > low, epoch_seconds(high) - epoch_seconds(low)), else_=0.0)


# --- reading -------------------------------------------------------------------------------


def facts_until(connection: Connection) -> date | None:
    """The first day the facts do not cover (None: no facts yet)."""
    return connection.scalar(select(FactsState.up_to).where(FactsState.name == _STATE))


@dataclass(frozen=True)
class Split:
    """A period (start, end] cut into whole local days the facts cover and the rest."""

    fact_days: tuple[date, date] | None  # first and last day read from the facts
    direct: tuple[tuple[datetime, datetime], ...] = field(default=())  # computed directly


def starts_a_day(moment: datetime) -> bool:
    """Whether the (London) moment is a local midnight."""
    return to_utc_naive(moment) == to_utc_naive(day_start(moment.date()))


def split_period(start: datetime, end: datetime, covered_until: date | None) -> Split:
    """Whole local days inside the period and before ``covered_until`` come from the facts;
    the parts before and after them are computed from the episodes."""
    first = start.date() if starts_a_day(start) else start.date() + timedelta(days=1)
    last = end.date() - timedelta(days=1)  # the day before the one ``end`` falls in
    if covered_until is not None:
        last = min(last, covered_until - timedelta(days=1))
    if covered_until is None or first > last:
        return Split(None, ((start, end),) if end > start else ())
    direct = []
    if to_utc_naive(day_start(first)) > to_utc_naive(start):
        direct.append((start, day_start(first)))
    after = day_start(last + timedelta(days=1))
    if to_utc_naive(after) < to_utc_naive(end):
        direct.append((after, end))
    return Split((first, last), tuple(direct))


# --- maintaining ---------------------------------------------------------------------------


def stored_waits(connection: Connection, episode_ids: Iterable[str]) -> dict[str, date]:
    """For the episodes already stored among ``episode_ids``: their home areas and, for each,
    the earliest NCTR date among them (what a change to these episodes may alter)."""
    ids = list(episode_ids)
    earliest: dict[str, date] = {}
    for begin in range(0, len(ids), _ID_CHUNK):
        rows = connection.execute(
            select(Episode.home_area_code, func.min(Episode.nctr_date))
            .where(Episode.episode_id.in_(ids[begin:begin + _ID_CHUNK]),
                   Episode.nctr_date.is_not(None))
            .group_by(Episode.home_area_code)).all()
        for area, day in rows:
            merge_earliest(earliest, {area: day})
    return earliest


def merge_earliest(into: dict[str, date], more: dict[str, date]) -> None:
    for area, day in more.items():
        into[area] = min(day, into.get(area, day))


def refresh_daily_waits(connection: Connection, today: date,
                        changed: dict[str, date] | None = None) -> None:
    """Bring the facts up to ``today`` (every area, the days since the last refresh), and
    recompute each changed home area from its earliest affected day. With no facts yet, every
    area is computed from its first NCTR."""
    covered = facts_until(connection)
    if covered is None:
        first = connection.scalar(select(func.min(Episode.nctr_date)))
        if first is not None and first < today:
            _compute(connection, first, today)
        _set_until(connection, today, new=True)
        return
    end = max(covered, today)
    if today > covered:
        _compute(connection, covered, today)
        _set_until(connection, today)
    # The changed areas in one statement, from the earliest of their days (recomputing an area's
    # earlier days too changes nothing).
    areas = sorted(area for area, first in (changed or {}).items() if first < end)
    if areas:
        _compute(connection, min(changed[area] for area in areas), end, areas)


def ensure_daily_waits(engine: Engine, today: date) -> bool:
    """Compute the facts of data loaded before they existed (after the migration that adds
    them); True if it did."""
    with engine.begin() as connection:
        if facts_until(connection) is not None:
            return False
        if connection.scalar(select(Episode.episode_id).limit(1)) is None:
            return False
        refresh_daily_waits(connection, today)
    return True


def rebuild_daily_waits(connection: Connection, today: date) -> None:
    """Every fact again from the episodes (after a migration, or to check the maintained
    ones)."""
    connection.execute(delete(DailyWait))
    connection.execute(delete(FactsState).where(FactsState.name == _STATE))
    refresh_daily_waits(connection, today)


def _set_until(connection: Connection, day: date, new: bool = False) -> None:
    if new:
        connection.execute(insert(FactsState).values(name=_STATE, up_to=day))
    else:
        connection.execute(FactsState.__table__.update()
                           .where(FactsState.name == _STATE).values(up_to=day))


def _compute(connection: Connection, first: date, end: date,
             areas: list[str] | None = None) -> None:
    """The facts of the days [first, end), of these home areas or of all."""
    _ensure_days(connection, first, end)
    for chunk in [None] if areas is None else \
            [areas[i:i + _ID_CHUNK] for i in range(0, len(areas), _ID_CHUNK)]:
        _compute_areas(connection, first, end, chunk)


def _compute_areas(connection: Connection, first: date, end: date,
                   areas: list[str] | None) -> None:
    in_area = [] if areas is None else [DailyWait.home_area_code.in_(areas)]
    connection.execute(delete(DailyWait).where(DailyWait.day >= first, DailyWait.day < end,
                                               *in_area))
    begins, ends = to_utc_naive(day_start(first)), to_utc_naive(day_start(end))
    chosen = [Episode.nctr_at < ends, Episode.in_hospital_until > begins]
    if areas is not None:
        chosen.append(Episode.home_area_code.in_(areas))
    spans = waiting_spans(*chosen)
    days = CalendarDay
    reason = func.coalesce(spans.c.reason_code, literal(NO_REASON)).label("reason_code")
    waiting_at_start = case((and_(spans.c.span_start <= days.starts_at,
                                  spans.c.span_end > days.starts_at), 1), else_=0)
    facts = (
        select(spans.c.home_area_code, days.day, reason,
               func.sum(overlap_seconds(spans.c.span_start, spans.c.span_end, days.starts_at,
                                        days.ends_at)),
               func.sum(waiting_at_start))
        .select_from(spans)
        # The days a span overlaps; the first bound (a local day is at most 25 hours) lets the
        # days' index find them instead of reading every day before the span's end.
        .join(days, and_(days.starts_at > hours_before(spans.c.span_start, 25),
                         days.starts_at < spans.c.span_end, days.ends_at > spans.c.span_start,
                         days.day >= first, days.day < end))
        .where(spans.c.span_end > spans.c.span_start)
        .group_by(spans.c.home_area_code, days.day, reason)
        # Stored in key order, an area's days lie together on disk: a period's facts are a few
        # pages read, not one page per row.
        .order_by(spans.c.home_area_code, days.day, reason)
    )
    connection.execute(insert(DailyWait).from_select(
        ["home_area_code", "day", "reason_code", "waiting_seconds", "waiting_at_start"], facts))


def _ensure_days(connection: Connection, first: date, end: date) -> None:
    known = set(connection.scalars(select(CalendarDay.day).where(
        CalendarDay.day >= first, CalendarDay.day < end)))
    missing = [first + timedelta(days=n) for n in range((end - first).days)]
    rows = [{"day": day, "starts_at": to_utc_naive(day_start(day)),
             "ends_at": to_utc_naive(day_start(day + timedelta(days=1)))}
            for day in missing if day not in known]
    for begin in range(0, len(rows), 5000):
        connection.execute(insert(CalendarDay), rows[begin:begin + 5000])


def local_date(stored: datetime) -> date:
    """The local calendar day of a stored (naive UTC) time."""
    return from_utc_naive(stored).date()

