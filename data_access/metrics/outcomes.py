"""Outcomes: at home 91 days after discharge (ASCOF 2B(1) style), readmission within 30 days,
how intermediate care ended; each optionally broken down for equity (age band, sex)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, case, func, select

from dashboard.clock import as_london, to_utc_naive
from dashboard.rates import wilson
from dashboard.results import FunctionalChange
from dashboard.vocabulary import END_OUTCOMES, INTERMEDIATE_CARE_PATHWAYS, NOT_RECORDED
from data_access.access import AreaInScope
from data_access.areas import episodes_in_area
from data_access.metrics import dates_around, service_ended_in
from data_access.models import Area, AreaLink, Episode
from data_access.sql import epoch_seconds, rows_frame

AT_HOME_DAYS = 91
READMISSION_DAYS = 30
ASCOF_PATHWAYS = (1, 2)
ASCOF_MIN_AGE = 65
# We define the age bands (the ASCOF measure itself is for people aged 65+).
AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 64, "under 65"), (65, 74, "65-74"), (75, 84, "75-84"), (85, None, "85+"))
PROPORTION_COLUMNS = ["group", "numerator", "denominator", "value", "low", "high"]


def group_column(by: str | None) -> Any:
    """At home 91 days after discharge, readmission within 30 days and waits from NCTR to
    service, by age band (under 65, 65-74, 75-84, 85+), sex, ethnic group (ONS five groups, not
    stated, not recorded) and deprivation quintile (IMD deciles 1-2 = quintile 1, most deprived).
    Shares carry **Wilson 95% intervals**; waits carry counts."""
    # The SQL expression a breakdown groups by; pathway and home areas serve other breakdowns.
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
        return func.coalesce(Episode.ethnic_group, NOT_RECORDED)
    if by == "deprivation_quintile":
        return case(*[(Episode.imd_decile.in_((2 * q - 1, 2 * q)), f"{q}") for q in range(1, 6)],
                    else_=NOT_RECORDED)
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


def _proportions(rows: list[tuple[Any, int, int]]) -> pd.DataFrame:
    """(group, numerator, denominator) rows as proportions with Wilson 95% intervals."""
    records = []
    for group, numerator, denominator in rows:
        share = wilson(int(numerator), int(denominator))
        records.append({"group": "all" if group is None else group,
                        "numerator": share.numerator, "denominator": share.denominator,
                        "value": share.value, "low": share.low, "high": share.high})
    return pd.DataFrame(records, columns=PROPORTION_COLUMNS)


def _breakdowns(engine: Engine, counts: list[Any], conditions: list[Any],
                bys: Sequence[str | None]) -> dict[str | None, pd.DataFrame]:
    """Run one query grouped by every breakdown at once, then sum it per breakdown: the counts
    of each group (``None`` = everyone). Columns of each frame: group, and one per count."""
    names = [f"by_{i}" for i in range(len(bys))]
    groups = [group_column(by).label(name) for by, name in zip(bys, names, strict=True)
              if by is not None]
    statement = select(*groups, *counts).where(*conditions)
    if groups:
        statement = statement.group_by(*[g.element for g in groups])
    with engine.connect() as connection:
        frame = pd.read_sql_query(statement, connection)
    count_names = [c.name for c in counts]
    frame[count_names] = frame[count_names].fillna(0).astype(int)
    result: dict[str | None, pd.DataFrame] = {}
    for by, name in zip(bys, names, strict=True):
        if by is None:
            totals = frame[count_names].sum()
            result[by] = pd.DataFrame([{"group": None, **totals.to_dict()}])
        else:
            result[by] = frame.groupby(name, as_index=False, dropna=False)[count_names].sum() \
                .rename(columns={name: "group"})
    return result


def _local_days(start: datetime, end: datetime) -> tuple[date, date]:
    """The local calendar days of the period (start, end]: its first and last day."""
    return (as_london(start).date(),
            (as_london(end) - timedelta(microseconds=1)).date())


def _ascof_conditions(area: AreaInScope, start: datetime, end: datetime) -> list[Any]:
    """Aged 65+, discharged to pathway 1 or 2, 91-day point (the local calendar day 91 days
    after the day of discharge) on a day of the period."""
    first, last = _local_days(start, end)
    window = timedelta(days=AT_HOME_DAYS)
    return [episodes_in_area(area), Episode.pathway.in_(ASCOF_PATHWAYS),
            Episode.age >= ASCOF_MIN_AGE,
            Episode.discharge_date.between(first - window, last - window)]


def at_home_91_days_by_period(engine: Engine, area: AreaInScope,
                              periods: Sequence[tuple[str, datetime, datetime]]
                              ) -> pd.DataFrame:
    """Shown by quarter of the 91-day point against England's reference, about 82%."""
    # ``at_home_91_days`` for each of several consecutive periods (label, start, end), from one
    # query over their whole span grouped by day: period, then PROPORTION_COLUMNS + not_recorded.
    if not periods:
        return pd.DataFrame(columns=["period", *PROPORTION_COLUMNS, "not_recorded"])
    statement = (select(Episode.discharge_date, Episode.at_home_91_days, func.count())
                 .where(*_ascof_conditions(area, periods[0][1], periods[-1][2]))
                 .group_by(Episode.discharge_date, Episode.at_home_91_days))
    with engine.connect() as connection:
        frame = rows_frame(connection.execute(statement).all(), ["day", "at_home", "people"])
    points = pd.to_datetime(frame.day) + pd.Timedelta(days=AT_HOME_DAYS)
    rows = []
    for label, start, end in periods:
        first, last = _local_days(start, end)
        inside = frame[(points >= pd.Timestamp(first)) & (points <= pd.Timestamp(last))]
        recorded = inside[inside.at_home.notna()]
        share = wilson(int(recorded[recorded.at_home.astype(bool)].people.sum()),
                       int(recorded.people.sum()))
        rows.append({"period": label, "group": "all", "numerator": share.numerator,
                     "denominator": share.denominator, "value": share.value, "low": share.low,
                     "high": share.high,
                     "not_recorded": int(inside.people.sum() - recorded.people.sum())})
    return pd.DataFrame(rows)


def at_home_91_days_by(engine: Engine, area: AreaInScope, start: datetime, end: datetime,
                       bys: Sequence[str | None]) -> dict[str | None, pd.DataFrame]:
    """ASCOF 2B(1) style: people aged 65+ discharged to pathway 1 or 2 whose 91-day point
    (discharge + 91 days: the local day 91 days after the day of discharge) falls in the period.

    Numerator: at home at 91 days. Those in hospital, in a care home or dead at 91 days count in
    the denominator only. People whose status is not recorded are left out of both and counted
    apart (we define). The share carries a Wilson 95% interval.
    """
    # One query for every breakdown in ``bys`` (None = everyone). Columns: PROPORTION_COLUMNS +
    # not_recorded.
    recorded = Episode.at_home_91_days.is_not(None)
    counts = [func.sum(case((Episode.at_home_91_days.is_(True), 1), else_=0)).label("n"),
              func.sum(case((recorded, 1), else_=0)).label("d"),
              func.sum(case((recorded, 0), else_=1)).label("u")]
    result = {}
    for by, frame in _breakdowns(engine, counts, _ascof_conditions(area, start, end),
                                 bys).items():
        frame = frame[frame.d + frame.u > 0]
        proportions = _proportions(list(zip(frame.group, frame.n, frame.d, strict=True)))
        proportions["not_recorded"] = frame.u.to_numpy()
        result[by] = proportions
    return result


def at_home_91_days(engine: Engine, area: AreaInScope, start: datetime, end: datetime,
                    by: str | None = None) -> pd.DataFrame:
    """``at_home_91_days_by`` for one breakdown (or everyone)."""
    return at_home_91_days_by(engine, area, start, end, [by])[by]


def readmitted_within_30_days_by(engine: Engine, area: AreaInScope, start: datetime,
                                 end: datetime, now: datetime,
                                 bys: Sequence[str | None]) -> dict[str | None, pd.DataFrame]:
    """Readmission to acute at most 30.0 days after discharge, over episodes discharged in the
    period and at least 30 days before now (so that everyone counted has had the full 30
    days)."""
    # One query for every breakdown in ``bys``. Columns: PROPORTION_COLUMNS.
    latest = min(to_utc_naive(end), to_utc_naive(now) - timedelta(days=READMISSION_DAYS))
    days_to_readmission = (epoch_seconds(Episode.readmitted_at)
                           - epoch_seconds(Episode.discharged_at)) / 86400.0
    counts = [func.sum(case((Episode.readmitted_at.is_not(None)
                             & (days_to_readmission <= READMISSION_DAYS), 1), else_=0))
              .label("n"), func.count().label("d")]
    conditions = [episodes_in_area(area), Episode.discharged_at > to_utc_naive(start),
                  Episode.discharged_at <= latest, dates_around(Episode.discharge_date, start, end)]
    return {by: _proportions(list(zip(frame.group, frame.n, frame.d, strict=True)))
            .loc[lambda f: f.denominator > 0].reset_index(drop=True)
            for by, frame in _breakdowns(engine, counts, conditions, bys).items()}


def readmitted_within_30_days(engine: Engine, area: AreaInScope, start: datetime, end: datetime,
                              now: datetime, by: str | None = None) -> pd.DataFrame:
    """``readmitted_within_30_days_by`` for one breakdown (or everyone)."""
    return readmitted_within_30_days_by(engine, area, start, end, now, [by])[by]


def end_of_service_outcomes(engine: Engine, area: AreaInScope, start: datetime, end: datetime,
                            by: str = "pathway") -> pd.DataFrame:
    """Services (pathways 1-3) that ended in the period, by outcome ("not recorded" when blank),
    per pathway, month or home place."""
    # ``by``: "pathway", "month" or "place" (district). Columns: group, outcome (label), people.
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
                 .where(episodes_in_area(area),
                        Episode.pathway.in_(INTERMEDIATE_CARE_PATHWAYS),
                        *service_ended_in(start, end))
                 .group_by(group, Episode.end_outcome))
    if by == "place":
        statement = (statement.join(AreaLink, AreaLink.descendant_code == Episode.home_area_code)
                     .join(Area, and_(Area.code == AreaLink.ancestor_code,
                                      Area.level == "district")))
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    frame = pd.DataFrame([{"group": g, "outcome": END_OUTCOMES.get(o, NOT_RECORDED),
                           "people": int(n)} for g, o, n in rows],
                         columns=["group", "outcome", "people"])
    if by == "month":
        frame["group"] = [f"{d:%Y-%m}" for d in pd.to_datetime(frame.group)]
        frame = frame.groupby(["group", "outcome"], as_index=False).people.sum()
    return frame


def functional_change(engine: Engine, area: AreaInScope, start: datetime,
                      end: datetime) -> FunctionalChange:
    """Over services (pathways 1-3) that ended in the period:

    - **Functional change**: Modified Barthel at end minus at start, for people with both scores:
      median change; "improved or kept their independence" = change of 0 or more (the national
      audit reports about 93%).
    - **Own goals met**: share of those with it recorded, with a Wilson interval.
    """
    in_period = [episodes_in_area(area), Episode.pathway.in_(INTERMEDIATE_CARE_PATHWAYS),
                 *service_ended_in(start, end)]
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
