"""Why people who no longer meet the criteria to reside are still in hospital, and where the
waiting time goes.

The 37 national delay reasons in five groups, with our short codes, are in
`dashboard/vocabulary.py` (`DELAY_REASONS`) and in `domain.md`: Hospital process H1-H7, Wellbeing
concerns W1-W4, Care transfer hub process T1-T3, Interface process I1-I12, Capacity C1-C11.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Connection,
    DateTime,
    Engine,
    ScalarSelect,
    and_,
    case,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from dashboard.clock import to_utc_naive
from dashboard.vocabulary import DELAY_REASONS, LONGEST_DELAY_DAYS, NOT_RECORDED
from data_access.access import AreaInScope
from data_access.areas import episodes_in_area, home_in_area
from data_access.facts import (
    NO_REASON,
    facts_until,
    overlap_seconds,
    split_period,
    starts_a_day,
    waiting_spans,
)
from data_access.metrics.waiting import in_hospital_after, waiting_condition
from data_access.models import Area, AreaLink, DailyWait, DelayReasonChange, Episode, Site

LONG_WAIT_DAYS = 7  # a long wait: 7 days or more since NCTR (the national 7+ day band)


def with_reason_names(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the reason's group and text; a missing code reads "not recorded"."""
    codes = frame.reason_code.astype(object).fillna(NOT_RECORDED)
    frame = frame.assign(reason_code=codes)
    frame["reason_group"] = [DELAY_REASONS[c].group if c in DELAY_REASONS else NOT_RECORDED
                             for c in codes]
    frame["reason"] = [DELAY_REASONS[c].text if c in DELAY_REASONS else "No reason recorded"
                       for c in codes]
    return frame


def current_reason(at_utc: datetime | ColumnElement[datetime]) -> ScalarSelect[str]:
    """**Current reason** of a waiting person at T: the latest reason in their history whose
    `effective_at` is at or before T; none yet = "not recorded"."""
    # A correlated subquery (NULL when no reason has taken effect): one index seek per episode.
    change = aliased(DelayReasonChange)
    return (select(change.reason_code)
            .where(change.episode_id == Episode.episode_id, change.effective_at <= at_utc)
            .order_by(change.effective_at.desc()).limit(1).scalar_subquery())


def waiting_by_reason(engine: Engine, area: AreaInScope, at: datetime) -> pd.DataFrame:
    """People waiting at T by current reason, and by reason group: the five national groups.
    People with no reason yet are counted as "not recorded"."""
    at_utc = to_utc_naive(at)
    reason = current_reason(at_utc).label("reason_code")
    statement = (select(reason, func.count().label("people"))
                 .where(waiting_condition(at_utc), episodes_in_area(area))
                 .group_by(reason))
    with engine.connect() as connection:
        frame = pd.read_sql_query(statement, connection)
    frame = with_reason_names(frame)
    return frame[["reason_code", "reason_group", "reason", "people"]].sort_values(
        ["people", "reason_code"], ascending=[False, True], ignore_index=True)


def waiting_by_reason_group_at(engine: Engine, area: AreaInScope,
                               moments: list[datetime]) -> pd.DataFrame:
    """People waiting at the end of each Sunday of the period (Monday 00:00) by the reason group
    current then: a snapshot, as the national sitrep counts patients remaining by reason."""
    # At (as given), reason_group, people; zeros are not listed. A local midnight the daily facts
    # cover is read from them; any other moment in one query over the episodes.
    if not moments:
        return pd.DataFrame(columns=["at", "reason_group", "people"])
    with engine.connect() as connection:
        covered = facts_until(connection)
        midnights = {m.date(): m for m in moments
                     if covered is not None and m.date() < covered and starts_a_day(m)}
        others = [m for m in moments if m not in midnights.values()]
        parts = [_snapshots_direct(connection, area, others)] if others else []
        if midnights:
            census = pd.read_sql_query(
                select(DailyWait.day, DailyWait.reason_code,
                       func.sum(DailyWait.waiting_at_start).label("people"))
                .where(home_in_area(DailyWait.home_area_code, area),
                       DailyWait.day.in_(list(midnights)), DailyWait.waiting_at_start > 0)
                .group_by(DailyWait.day, DailyWait.reason_code), connection)
            census["at"] = [midnights[pd.Timestamp(d).date()] for d in census.pop("day")]
            census["reason_code"] = _codes(census.reason_code)
            parts.append(census)
    frame = with_reason_names(pd.concat(parts, ignore_index=True))
    return (frame.groupby(["at", "reason_group"], as_index=False).people.sum()
            [["at", "reason_group", "people"]])


def _codes(reason_codes: pd.Series) -> pd.Series:
    """Reason codes as text, the facts' code for "none recorded" (and an empty frame's
    column) as None."""
    return reason_codes.astype(object).replace({NO_REASON: None})


def _snapshots_direct(connection: Connection, area: AreaInScope,
                      moments: list[datetime]) -> pd.DataFrame:
    """People waiting at each moment by their current reason, from the episodes: at (as
    given), reason_code, people."""
    stored = {to_utc_naive(m): m for m in moments}
    # A UNION ALL of one-row selects: SQLite cannot name the columns of a VALUES list.
    snapshot = union_all(*[select(literal(m, DateTime).label("at")) for m in stored]) \
        .subquery("snapshots")
    reason = current_reason(snapshot.c.at).label("reason_code")
    statement = (select(snapshot.c.at, reason, func.count().label("people"))
                 .select_from(snapshot)
                 .join(Episode, and_(Episode.nctr_at <= snapshot.c.at,
                                     in_hospital_after(snapshot.c.at)))
                 .where(episodes_in_area(area))
                 .group_by(snapshot.c.at, reason))
    frame = pd.read_sql_query(statement, connection)
    frame["at"] = [stored[pd.Timestamp(t).to_pydatetime()] for t in frame["at"]]
    return frame


def longest_delays_at(engine: Engine, area: AreaInScope,
                      moments: list[datetime]) -> pd.DataFrame:
    """**The longest delays** (the 2025/26 urgent and emergency care plan puts them first):
    people waiting at T who have waited **21 days or more** since they stopped meeting the
    criteria to reside (NCTR at or before T - 21 days, still in hospital at T; the national
    21+ band), at each moment asked for (the weekly trend takes Monday 00:00, as the sitrep's
    weekly snapshot does)."""
    # at (as given), people; a moment with nobody is listed with 0. One query for every moment.
    if not moments:
        return pd.DataFrame({"at": [], "people": []})
    stored = {to_utc_naive(m): m for m in moments}
    snapshot = union_all(*[
        select(literal(m, DateTime).label("at"),
               literal(m - timedelta(days=LONGEST_DELAY_DAYS), DateTime).label("ready_by"))
        for m in stored]).subquery("snapshots")
    statement = (select(snapshot.c.at, func.count().label("people"))
                 .select_from(snapshot)
                 .join(Episode, and_(Episode.nctr_at <= snapshot.c.ready_by,
                                     in_hospital_after(snapshot.c.at)))
                 .where(episodes_in_area(area))
                 .group_by(snapshot.c.at))
    with engine.connect() as connection:
        counts = {pd.Timestamp(at).to_pydatetime(): int(people)
                  for at, people in connection.execute(statement).all()}
    return pd.DataFrame({"at": [stored[s] for s in sorted(stored)],
                         "people": [counts.get(s, 0) for s in sorted(stored)]})


def _longest(at_utc: datetime) -> ColumnElement[int]:
    """1 for a person waiting at T who has waited 21 days or more, else 0 (to sum)."""
    return case((Episode.nctr_at <= at_utc - timedelta(days=LONGEST_DELAY_DAYS), 1), else_=0)


def waiting_by_site(engine: Engine, area: AreaInScope, at: datetime) -> pd.DataFrame:
    """People waiting at T by the hospital site they are in, and of them the longest delays
    (21 days or more)."""
    at_utc = to_utc_naive(at)
    statement = (
        select(Site.code.label("site_code"), Site.name.label("site"),
               func.count().label("people"),
               func.sum(_longest(at_utc)).label("longest_delays"))
        .select_from(Episode)
        .join(Site, Site.code == Episode.site_code)
        .where(waiting_condition(at_utc), episodes_in_area(area))
        .group_by(Site.code, Site.name)
        .order_by(func.count().desc(), Site.name)
    )
    with engine.connect() as connection:
        return pd.read_sql_query(statement, connection)


def waiting_by_home_area(engine: Engine, area: AreaInScope, at: datetime,
                         level: str = "district") -> pd.DataFrame:
    """People waiting at T by the area one level below the chosen one that their home is in
    (system -> places, place -> neighbourhoods), and of them the long waits (7 or more whole
    days) and the longest delays (21 or more)."""
    # Columns: area_code, area, people, long_waits, longest_delays; ``level`` is the home
    # area's level.
    at_utc = to_utc_naive(at)
    home = aliased(Area)
    long_wait = Episode.nctr_at <= at_utc - timedelta(days=LONG_WAIT_DAYS)
    statement = (
        select(home.code.label("area_code"), home.name.label("area"),
               func.count().label("people"),
               func.sum(case((long_wait, 1), else_=0)).label("long_waits"),
               func.sum(_longest(at_utc)).label("longest_delays"))
        .select_from(Episode)
        .join(AreaLink, AreaLink.descendant_code == Episode.home_area_code)
        .join(home, and_(home.code == AreaLink.ancestor_code, home.level == level))
        .where(waiting_condition(at_utc), episodes_in_area(area))
        .group_by(home.code, home.name)
        .order_by(func.count().desc(), home.name)
    )
    with engine.connect() as connection:
        return pd.read_sql_query(statement, connection)


def waiting_hours_by_reason(engine: Engine, area: AreaInScope, start: datetime,
                            end: datetime) -> pd.DataFrame:
    """Where waiting time accumulates: over the period (start, end], every hour a person spends
    waiting (between NCTR and discharge) is given to the reason current at that hour.

    A reason holds from its `effective_at` until the person's next reason, their discharge or the
    period's end, whichever comes first; the time between NCTR and the first reason is "not
    recorded". A person who waited 10 h for a hub decision (T1) then 40 h for a pathway 1 start
    (C1) gives 10 h to T1 and 40 h to C1. Summed over reasons this is the period's waiting time,
    so it is also the bed days lost (divided by 24).
    """
    with engine.connect() as connection:
        frame = _waiting_seconds_by_reason(connection, area, start, end)
    frame["hours"] = frame.pop("seconds").astype(float) / 3600.0
    frame = with_reason_names(frame)
    frame = frame[frame.hours > 0]
    return frame[["reason_code", "reason_group", "reason", "hours"]].sort_values(
        "hours", ascending=False, ignore_index=True)


def bed_days_lost(hours_by_reason: pd.DataFrame) -> float:
    """Over episodes, the time inside the period between `nctr_at` and discharge (or the
    period's end), in days.

    It is the period's waiting time by reason summed and divided by 24, so by reason group the
    two always agree.
    """
    # From ``waiting_hours_by_reason`` for the same area and period (one query for both).
    return float(hours_by_reason.hours.sum()) / 24.0


def _waiting_seconds_by_reason(connection: Connection, area: AreaInScope, start: datetime,
                               end: datetime) -> pd.DataFrame:
    """Seconds waited in the period by reason (None: not recorded): the whole days the daily
    facts cover from them, the rest from the episodes."""
    split = split_period(start, end, facts_until(connection))
    parts = [_waiting_seconds_direct(connection, area, *piece) for piece in split.direct]
    if split.fact_days is not None:
        first, last = split.fact_days
        parts.append(pd.read_sql_query(
            select(DailyWait.reason_code, func.sum(DailyWait.waiting_seconds).label("seconds"))
            .where(home_in_area(DailyWait.home_area_code, area),
                   DailyWait.day.between(first, last))
            .group_by(DailyWait.reason_code), connection))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        {"reason_code": pd.Series(dtype=object), "seconds": pd.Series(dtype=float)})
    frame["reason_code"] = _codes(frame.reason_code)
    return (frame.assign(seconds=frame.seconds.astype(float))
            .groupby("reason_code", dropna=False, as_index=False).seconds.sum())


def _waiting_seconds_direct(connection: Connection, area: AreaInScope, start: datetime,
                            end: datetime) -> pd.DataFrame:
    """``_waiting_seconds_by_reason`` from the episodes themselves."""
    start_utc = literal(to_utc_naive(start), DateTime)
    end_utc = literal(to_utc_naive(end), DateTime)
    spans = waiting_spans(episodes_in_area(area), Episode.nctr_at < end_utc,
                          in_hospital_after(start_utc))
    statement = (select(spans.c.reason_code, func.sum(overlap_seconds(
        spans.c.span_start, spans.c.span_end, start_utc, end_utc)).label("seconds"))
        .group_by(spans.c.reason_code))
    return pd.read_sql_query(statement, connection)
