"""Outcomes: at home 91 days after discharge (ASCOF 2B(1) style), readmission within 30 days,
how intermediate care ended; each optionally broken down for equity (age band, sex)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, case, func, select

from dashboard.clock import to_utc_naive
from dashboard.statistics import wilson
from dashboard.vocabulary import END_OUTCOMES, INTERMEDIATE_CARE_PATHWAYS
from data_access.areas import episodes_in_area
from data_access.models import Area, AreaLink, Episode
from data_access.sql import epoch_seconds

AT_HOME_DAYS = 91
READMISSION_DAYS = 30
ASCOF_PATHWAYS = (1, 2)
ASCOF_MIN_AGE = 65
# We define the age bands (the ASCOF measure itself is for people aged 65+).
AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 64, "under 65"), (65, 74, "65-74"), (75, 84, "75-84"), (85, None, "85+"))
PROPORTION_COLUMNS = ["group", "numerator", "denominator", "value", "low", "high"]


def group_column(by: str | None) -> Any:
    """The SQL expression an equity breakdown groups by: sex, age band or pathway."""
    if by is None:
        return None
    if by == "sex":
        return Episode.sex
    if by == "age_band":
        return case(*[(Episode.age.between(low, high if high is not None else 200), label)
                      for low, high, label in AGE_BANDS], else_="age not recorded")
    if by == "pathway":
        return Episode.pathway
    if by == "ethnic_group":
        return func.coalesce(Episode.ethnic_group, "not recorded")
    if by == "deprivation_quintile":
        return case(*[(Episode.imd_decile.in_((2 * q - 1, 2 * q)), f"{q}") for q in range(1, 6)],
                    else_="not recorded")
    if by in ("district", "neighbourhood"):
        return home_area_of_level(by)
    raise ValueError(f"cannot break down by {by!r}")


def home_area_of_level(level: str) -> Any:
    """The code of the area of ``level`` that an episode's home lies in (a correlated scalar
    subquery, so any query can group by it without a join)."""
    return (select(AreaLink.ancestor_code)
            .join(Area, Area.code == AreaLink.ancestor_code)
            .where(AreaLink.descendant_code == Episode.home_area_code, Area.level == level)
            .limit(1).scalar_subquery())


def _discharge_days(start: datetime, end: datetime) -> Any:
    """The same range in local discharge dates, a day wider each side: lets the date index
    lead (the exact timestamps decide)."""
    return Episode.discharge_date.between((start - timedelta(days=1)).date(),
                                          (end + timedelta(days=1)).date())


def _proportions(rows: list[tuple[Any, int, int]]) -> pd.DataFrame:
    """(group, numerator, denominator) rows as proportions with Wilson 95% intervals."""
    records = []
    for group, numerator, denominator in rows:
        share = wilson(int(numerator), int(denominator))
        records.append({"group": "all" if group is None else group,
                        "numerator": share.numerator, "denominator": share.denominator,
                        "value": share.value, "low": share.low, "high": share.high})
    return pd.DataFrame(records, columns=PROPORTION_COLUMNS)


def at_home_91_days(engine: Engine, area_code: str, start: datetime, end: datetime,
                    by: str | None = None) -> pd.DataFrame:
    """Share at home 91 days after discharge, ASCOF 2B(1) style: people aged 65+ discharged to
    pathway 1 or 2 whose 91-day point falls after ``start`` and at or before ``end``.
    Numerator: at home at 91 days. Those in hospital, in a care home or dead at 91 days count in
    the denominator only. People whose status at 91 days is not recorded are left out of both
    (``not_recorded`` counts them). Columns: PROPORTION_COLUMNS + not_recorded."""
    group = group_column(by)
    window = timedelta(days=AT_HOME_DAYS)
    columns = [group.label("group")] if group is not None else []
    recorded = Episode.at_home_91_days.is_not(None)
    statement = select(
        *columns,
        func.sum(case((Episode.at_home_91_days.is_(True), 1), else_=0)),
        func.sum(case((recorded, 1), else_=0)),
        func.sum(case((recorded, 0), else_=1)),
    ).where(
        episodes_in_area(area_code), Episode.pathway.in_(ASCOF_PATHWAYS),
        Episode.age >= ASCOF_MIN_AGE,
        Episode.discharged_at > to_utc_naive(start) - window,
        Episode.discharged_at <= to_utc_naive(end) - window,
        _discharge_days(start - window, end - window),
    )
    if group is not None:
        statement = statement.group_by(group)
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    rows = [(r[0] if group is not None else None, *r[-3:]) for r in rows
            if (r[-2] or 0) + (r[-1] or 0) > 0]
    frame = _proportions([(g, n or 0, d or 0) for g, n, d, _ in rows])
    frame["not_recorded"] = [int(u or 0) for *_, u in rows]
    return frame


def readmitted_within_30_days(engine: Engine, area_code: str, start: datetime, end: datetime,
                              now: datetime, by: str | None = None) -> pd.DataFrame:
    """Share readmitted to acute within 30 days of discharge, over episodes discharged after
    ``start`` and at or before ``end`` and at least 30 days before ``now`` (so that everyone
    counted has had the full 30 days). Columns: PROPORTION_COLUMNS."""
    group = group_column(by)
    latest = min(to_utc_naive(end), to_utc_naive(now) - timedelta(days=READMISSION_DAYS))
    days_to_readmission = (epoch_seconds(Episode.readmitted_at)
                           - epoch_seconds(Episode.discharged_at)) / 86400.0
    columns = [group.label("group")] if group is not None else []
    statement = select(
        *columns,
        func.sum(case((Episode.readmitted_at.is_not(None)
                       & (days_to_readmission <= READMISSION_DAYS), 1), else_=0)),
        func.count(),
    ).where(episodes_in_area(area_code), Episode.discharged_at > to_utc_naive(start),
            Episode.discharged_at <= latest, _discharge_days(start, end))
    if group is not None:
        statement = statement.group_by(group)
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    return _proportions([(r[0] if group is not None else None, r[-2] or 0, r[-1])
                         for r in rows if r[-1]])


def end_of_service_outcomes(engine: Engine, area_code: str, start: datetime, end: datetime,
                            by: str = "pathway") -> pd.DataFrame:
    """How intermediate care ended, over services (pathways 1-3) that ended after ``start`` and
    at or before ``end``, by ``pathway``, home ``place`` (district) or ``month`` the service
    ended: group, outcome (its label; "not recorded" when blank), people."""
    if by == "pathway":
        group: Any = Episode.pathway
    elif by == "month":
        group = Episode.service_end_date
    elif by == "place":
        group = Area.name
    else:
        raise ValueError(f"cannot group outcomes by {by!r}")
    statement = (select(group, Episode.end_outcome, func.count())
                 .select_from(Episode)
                 .where(episodes_in_area(area_code),
                        Episode.pathway.in_(INTERMEDIATE_CARE_PATHWAYS),
                        Episode.service_end_at > to_utc_naive(start),
                        Episode.service_end_at <= to_utc_naive(end))
                 .group_by(group, Episode.end_outcome))
    if by == "place":
        statement = (statement.join(AreaLink, AreaLink.descendant_code == Episode.home_area_code)
                     .join(Area, and_(Area.code == AreaLink.ancestor_code,
                                      Area.level == "district")))
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    frame = pd.DataFrame([{"group": g, "outcome": END_OUTCOMES.get(o, "not recorded"),
                           "people": int(n)} for g, o, n in rows],
                         columns=["group", "outcome", "people"])
    if by == "month":
        frame["group"] = [f"{d:%Y-%m}" for d in pd.to_datetime(frame.group)]
        frame = frame.groupby(["group", "outcome"], as_index=False).people.sum()
    return frame


@dataclass(frozen=True)
class FunctionalChange:
    people: int  # ended in the period with both scores recorded
    median_change: float | None  # Modified Barthel points, end minus start
    improved_or_kept: int  # change >= 0
    goals: pd.DataFrame  # proportion of people whose own goals were met (one row)


def functional_change(engine: Engine, area_code: str, start: datetime,
                      end: datetime) -> FunctionalChange:
    """Over services (pathways 1-3) that ended in the period: the change in Modified Barthel
    score from start to end (people with both scores), how many improved or kept their
    independence (change of 0 or more), and the share whose own goals were met (of those with
    it recorded, Wilson interval)."""
    in_period = [episodes_in_area(area_code), Episode.pathway.in_(INTERMEDIATE_CARE_PATHWAYS),
                 Episode.service_end_at > to_utc_naive(start),
                 Episode.service_end_at <= to_utc_naive(end)]
    with engine.connect() as connection:
        changes = pd.Series(connection.scalars(select(
            Episode.barthel_end - Episode.barthel_start).where(
            *in_period, Episode.barthel_start.is_not(None),
            Episode.barthel_end.is_not(None))).all(), dtype=float)
        met, recorded = connection.execute(select(
            func.coalesce(func.sum(case((Episode.goals_met.is_(True), 1), else_=0)), 0),
            func.count(Episode.goals_met)).where(*in_period)).one()
    return FunctionalChange(
        people=len(changes), median_change=float(changes.median()) if len(changes) else None,
        improved_or_kept=int((changes >= 0).sum()),
        goals=_proportions([(None, int(met), int(recorded))] if recorded else []))
