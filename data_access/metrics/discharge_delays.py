"""Discharge delays from the discharge ready date (DRD), as NHS England's monthly "discharge
delays" statistics count them (acute trusts, from April 2023), for the people of an area."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Engine, case, func, select

from dashboard.results import DischargeDelays
from dashboard.vocabulary import DELAY_BANDS
from data_access.access import AreaInScope
from data_access.areas import episodes_in_area
from data_access.metrics import week_start
from data_access.metrics.outcomes import home_area_of_level
from data_access.models import Area, Episode, Site
from data_access.sql import days_between, rows_frame

ADULT_AGE = 18
# Why a discharge of the period is not counted, in the order a discharge is tested.
UNDER_18, AGE_NOT_RECORDED, NO_NIGHT = "under 18", "age not recorded", "stay of no night"
NOT_COUNTED = (UNDER_18, AGE_NOT_RECORDED, NO_NIGHT)
HISTOGRAM_COLUMNS = ["delay_days", "discharges"]


def discharge_delay_days(engine: Engine, area: AreaInScope, first_day: date, last_day: date,
                         by: str | None = None) -> pd.DataFrame:
    """**Discharge delay** (source: NHS England, "Discharge delays (acute)" monthly statistics,
    from the discharge ready date collected since April 2023): for each adult (18 or over at
    admission) whose home is in the area, discharged on a local day of the period after a stay
    of **at least one night** (discharged on a later local day than admitted), the number of
    **calendar days**, by local dates, from the **discharge ready date** (DRD) to the discharge.

    - The DRD is the local day the person stopped meeting the criteria to reside (``nctr_at``):
      for someone who met the criteria again, the start of the last such period, which is what
      the source sends as ``nctr_at``.
    - A discharge with no DRD recorded is a discharge on the DRD: **0 days**, not missing (the
      national guidance lets a same-day discharge leave the DRD blank).
    - Counted by the days between dates, not by 24-hour spans: ready at 23:30 and discharged
      at 00:30 is 1 day; a delay across a clock change counts its calendar days.

    One row per delay in days (and per ``by`` group): ``by`` is "day" (the local discharge
    day), "site", "trust", or an area level ("district", "neighbourhood", ...) of the home.
    """
    group = _group(by)
    delay = case((Episode.nctr_date.is_(None), 0),
                 else_=days_between(Episode.discharge_date, Episode.nctr_date)).label("delay_days")
    keys = [group.label("group"), delay] if group is not None else [delay]
    statement = (select(*keys, func.count().label("discharges"))
                 .where(*_discharged_in(area, first_day, last_day), *_counted())
                 .group_by(*keys))
    if by in ("site", "trust"):
        statement = statement.join(Site, Site.code == Episode.site_code)
    columns = (["group"] if group is not None else []) + HISTOGRAM_COLUMNS
    with engine.connect() as connection:
        frame = rows_frame(connection.execute(statement).all(), columns)
    return frame.astype({"delay_days": int, "discharges": int})


def not_counted(engine: Engine, area: AreaInScope, first_day: date,
                last_day: date) -> dict[str, int]:
    """The discharges of the period that the **discharge delay** measures leave out, by why:
    under 18, age not recorded, or a stay of no night (discharged on the day of admission)."""
    reason = case((Episode.age.is_(None), AGE_NOT_RECORDED),
                  (Episode.age < ADULT_AGE, UNDER_18),
                  (Episode.discharge_date <= Episode.admission_date, NO_NIGHT),
                  else_=None).label("reason")
    statement = (select(reason, func.count()).where(*_discharged_in(area, first_day, last_day))
                 .group_by(reason))
    with engine.connect() as connection:
        counts = {why: int(n) for why, n in connection.execute(statement).all() if why}
    return {why: counts.get(why, 0) for why in NOT_COUNTED}


def discharge_delays(engine: Engine, area: AreaInScope, first_day: date,
                     last_day: date) -> DischargeDelays:
    """**Discharge delays** over the period: the share discharged on their DRD (0 days) and
    1 or more days after it; the delays in the national bands (0, 1, 2-3, 4-6, 7-13, 14-20 and
    21+ days); the **average delay** counting everyone (the 0-day discharges included) and over
    those delayed only; and the **total delay days** ("bed days lost" to discharge delay). Each
    discharge is counted as ``discharge_delay_days`` counts it; those left out are counted
    apart (``not_counted``), never dropped."""
    return summarise(discharge_delay_days(engine, area, first_day, last_day),
                     not_counted(engine, area, first_day, last_day))


PERIOD_COLUMNS = ["period_start", "discharges", "on_ready_date_percent", "delayed_percent",
                  "mean_delay_days", "mean_delay_days_of_delayed", "delay_days",
                  "longest_delays"]


def discharge_delays_by_period(engine: Engine, area: AreaInScope, first_day: date,
                               last_day: date, period: str = "month") -> pd.DataFrame:
    """**Discharge delays month by month** (or week by week, weeks from Monday, for the SPC
    charts): each period's measures as ``discharge_delays`` counts them over the discharges of
    its days, and how many of them had waited **21 days or more** since their DRD (the longest
    delays). A period with no counted discharge shows 0 discharges and no averages."""
    days = discharge_delay_days(engine, area, first_day, last_day, by="day")
    every_day = pd.Series(pd.date_range(first_day, last_day, freq="D"))
    days["group"] = _period_starts(pd.to_datetime(days["group"]), period)
    frame = _by_group(days, list(_period_starts(every_day, period).drop_duplicates()))
    return frame.rename(columns={"group": "period_start"})[PERIOD_COLUMNS]


def discharge_delays_by(engine: Engine, area: AreaInScope, first_day: date, last_day: date,
                        by: str) -> pd.DataFrame:
    """**Discharge delays** by acute trust, hospital site or home area (``by``: "trust",
    "site", or an area level): each group's measures as ``discharge_delays`` counts them, and
    how many of its discharges had waited 21 days or more; most discharges first."""
    # Columns: group (a code), name, then those of discharge_delays_by_period after its first.
    days = discharge_delay_days(engine, area, first_day, last_day, by=by)
    frame = _by_group(days, sorted(set(days["group"])))
    frame.insert(1, "name", [_names(engine, by).get(code, code) for code in frame["group"]])
    return frame.sort_values(["discharges", "name"], ascending=[False, True], ignore_index=True)


def _by_group(histogram: pd.DataFrame, groups: list[Any]) -> pd.DataFrame:
    """The measures of each group's histogram (a group with none: 0 discharges)."""
    rows = []
    for group in groups:
        measures = summarise(histogram[histogram["group"] == group])
        rows.append((group, measures.discharges, measures.on_ready_date_percent,
                     measures.delayed_percent, measures.mean_delay_days,
                     measures.mean_delay_days_of_delayed, measures.delay_days,
                     measures.by_band[DELAY_BANDS[-1].label]))
    return pd.DataFrame(rows, columns=["group", *PERIOD_COLUMNS[1:]])


def _names(engine: Engine, by: str) -> dict[str, str]:
    """The names of a grouping's codes: trusts', sites' or areas'."""
    if by == "trust":
        statement = select(Site.trust_code, Site.trust_name).distinct()
    elif by == "site":
        statement = select(Site.code, Site.name)
    else:
        statement = select(Area.code, Area.name).where(Area.level == by)
    with engine.connect() as connection:
        return {code: name for code, name in connection.execute(statement).all()}


def _period_starts(days: pd.Series, period: str) -> pd.Series:
    """The first day (a date) of each day's month, or week from Monday."""
    if period == "month":
        return days.dt.to_period("M").dt.start_time.dt.date
    if period == "week":
        return week_start(days)
    raise ValueError(f"a period is a month or a week, not {period!r}")


def summarise(histogram: pd.DataFrame, left_out: dict[str, int] | None = None) \
        -> DischargeDelays:
    """The measures of a histogram of delays (delay_days, discharges)."""
    days, counts = histogram.delay_days.to_numpy(), histogram.discharges.to_numpy()
    by_band = {band.label: int(counts[(days >= band.min_days) & (
        days <= band.max_days if band.max_days is not None else True)].sum())
        for band in DELAY_BANDS}
    return DischargeDelays(discharges=int(counts.sum()), by_band=by_band,
                           delay_days=int((days * counts).sum()),
                           not_counted=dict(left_out or {}))


def _discharged_in(area: AreaInScope, first_day: date, last_day: date) -> list[Any]:
    return [episodes_in_area(area), Episode.discharge_date.between(first_day, last_day)]


def _counted() -> list[Any]:
    return [Episode.age >= ADULT_AGE, Episode.discharge_date > Episode.admission_date]


def _group(by: str | None) -> Any:
    if by is None:
        return None
    if by == "day":
        return Episode.discharge_date
    if by == "site":
        return Episode.site_code
    if by == "trust":
        return Site.trust_code
    return home_area_of_level(by)
