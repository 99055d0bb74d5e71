"""Flow: referrals, discharges by pathway, movement through intermediate care, and how long it
lasts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Engine, case, func, select

from dashboard.clock import LONDON, day_start, to_utc_naive
from dashboard.results import LONG_STAY_DAYS, LengthOfCare
from dashboard.vocabulary import END_OUTCOMES, INTERMEDIATE_CARE_PATHWAYS
from data_access.access import AreaInScope
from data_access.areas import episodes_in_area
from data_access.metrics import service_ended_in, week_start
from data_access.models import Episode, Service, Site
from data_access.sql import epoch_seconds


def _days(first_day: date, last_day: date) -> list[date]:
    return list(pd.date_range(first_day, last_day, freq="D").date)


def referrals_daily(engine: Engine, area: AreaInScope, first_day: date,
                    last_day: date) -> pd.DataFrame:
    """Referrals to the care transfer hub by local day."""
    # Columns: date, referrals (zeros included).
    start = to_utc_naive(day_start(first_day))
    end = to_utc_naive(day_start(last_day + timedelta(days=1)))
    statement = select(Episode.referred_to_hub_at).where(
        episodes_in_area(area), Episode.referred_to_hub_at >= start,
        Episode.referred_to_hub_at < end)
    with engine.connect() as connection:
        moments = pd.Series(connection.scalars(statement).all(), dtype="datetime64[us]")
    local_days = moments.dt.tz_localize("UTC").dt.tz_convert(LONDON).dt.date
    counts = local_days.value_counts()
    return pd.DataFrame({"date": _days(first_day, last_day),
                         "referrals": [int(counts.get(d, 0)) for d in _days(first_day, last_day)]})


def discharges_daily(engine: Engine, area: AreaInScope, first_day: date,
                     last_day: date) -> pd.DataFrame:
    """Episodes discharged on each local day, by pathway 0-3 (discharges with no pathway recorded
    are left out).

    The Flow page charts, on SPC charts, discharges to intermediate care (pathways 1-3, or the
    pathway chosen) and discharges home with no new support (pathway 0) per day.
    """
    # Columns: date, pathway, discharges (zeros included).
    statement = (select(Episode.discharge_date, Episode.pathway, func.count())
                 .where(episodes_in_area(area),
                        Episode.discharge_date.between(first_day, last_day),
                        Episode.pathway.is_not(None))
                 .group_by(Episode.discharge_date, Episode.pathway))
    with engine.connect() as connection:
        counts = {(d, p): n for d, p, n in connection.execute(statement).all()}
    return pd.DataFrame([{"date": d, "pathway": p, "discharges": int(counts.get((d, p), 0))}
                         for d in _days(first_day, last_day) for p in range(4)])


def pathway_mix_weekly(discharges: pd.DataFrame,
                       pathways: tuple[int, ...] = (0, 1, 2, 3)) -> pd.DataFrame:
    """Each pathway's share of the week's discharges (Monday to Sunday) to the pathways shown
    (the page shows pathways 1-3 against the home-first reference)."""
    # ``discharges_daily`` by week: week_start, pathway, discharges, share (%).
    frame = discharges[discharges.pathway.isin(pathways)].copy()
    frame["week_start"] = week_start(frame.date)
    weekly = frame.groupby(["week_start", "pathway"], as_index=False).discharges.sum()
    totals = weekly.groupby("week_start").discharges.transform("sum")
    weekly["share"] = (100.0 * weekly.discharges / totals).where(totals > 0)
    return weekly


def starts_and_ends_daily(engine: Engine, area: AreaInScope, first_day: date,
                          last_day: date) -> pd.DataFrame:
    """Intermediate care services (pathways 1-3) starting, and ending, on each local day."""
    in_scope = [episodes_in_area(area), Episode.pathway.in_(INTERMEDIATE_CARE_PATHWAYS)]
    with engine.connect() as connection:
        starts = dict(connection.execute(
            select(Episode.service_start_date, func.count())
            .where(*in_scope, Episode.service_start_date.between(first_day, last_day))
            .group_by(Episode.service_start_date)).all())
        ends = dict(connection.execute(
            select(Episode.service_end_date, func.count())
            .where(*in_scope, Episode.service_end_date.between(first_day, last_day))
            .group_by(Episode.service_end_date)).all())
    days = _days(first_day, last_day)
    return pd.DataFrame({"date": days, "starts": [int(starts.get(d, 0)) for d in days],
                         "ends": [int(ends.get(d, 0)) for d in days]})


def in_service_after(at_utc: datetime) -> ColumnElement[bool]:
    """Intermediate care not ended at T (ended later, or not yet): one indexed range."""
    return Episode.in_service_until > at_utc


def in_service_at(engine: Engine, area: AreaInScope, at: datetime) -> dict[int, int]:
    """People receiving intermediate care at T: service started at or before T and not ended by
    T, by pathway 1-3."""
    at_utc = to_utc_naive(at)
    statement = (select(Episode.pathway, func.count())
                 .where(episodes_in_area(area),
                        Episode.pathway.in_(INTERMEDIATE_CARE_PATHWAYS),
                        Episode.service_start_at <= at_utc, in_service_after(at_utc))
                 .group_by(Episode.pathway))
    with engine.connect() as connection:
        counts = dict(connection.execute(statement).all())
    return {p: int(counts.get(p, 0)) for p in INTERMEDIATE_CARE_PATHWAYS}


def length_of_intermediate_care(engine: Engine, area: AreaInScope, start: datetime, end: datetime,
                                pathway: int | None = None) -> LengthOfCare:
    """`service_end_at - service_start_at` in days over services that ended in the period:
    median, 90th percentile (linear between ranks), share beyond 42 days (six weeks).

    People still in service at the period's end are counted beside it, with how many have passed
    42 days: never dropped.
    """
    end_utc = to_utc_naive(end)
    pathways = INTERMEDIATE_CARE_PATHWAYS if pathway is None else (pathway,)
    in_scope = [episodes_in_area(area), Episode.pathway.in_(pathways)]
    days = (epoch_seconds(Episode.service_end_at) - epoch_seconds(Episode.service_start_at)) \
        / 86400.0
    long_ago = end_utc - timedelta(days=LONG_STAY_DAYS)
    with engine.connect() as connection:
        lengths = np.array(connection.scalars(select(days).where(
            *in_scope, *service_ended_in(start, end),
            Episode.service_start_at.is_not(None))).all(), dtype=float)
        still, still_long = connection.execute(select(
            func.count(), func.coalesce(func.sum(case(
                (Episode.service_start_at < long_ago, 1), else_=0)), 0)).where(
            *in_scope, Episode.service_start_at <= end_utc, in_service_after(end_utc))).one()
    return LengthOfCare(
        ended=int(lengths.size),
        median_days=float(np.median(lengths)) if lengths.size else None,
        p90_days=float(np.percentile(lengths, 90)) if lengths.size else None,
        beyond_six_weeks=int((lengths > LONG_STAY_DAYS).sum()),
        still_in_service=int(still), still_in_service_beyond_six_weeks=int(still_long))


SERVICE_TYPES = {"home": "Home-based service", "bed": "Bed-based service"}


def journeys(engine: Engine, area: AreaInScope, first_day: date, last_day: date) -> pd.DataFrame:
    """People discharged in the period, from site to pathway to the kind of service (home- or
    bed-based; "no new service" for pathway 0) to the end-of-service outcome ("still in service"
    or "awaiting a service" until it ends)."""
    # Columns: site, pathway, service_type, outcome, people.
    statement = (
        select(Site.name.label("site"), Episode.pathway, Service.setting,
               Episode.service_start_at.is_not(None).label("started"), Episode.end_outcome,
               func.count().label("people"))
        .select_from(Episode)
        .join(Site, Site.code == Episode.site_code)
        .outerjoin(Service, Service.code == Episode.service_code)
        .where(episodes_in_area(area), Episode.discharge_date.between(first_day, last_day))
        .group_by(Site.name, Episode.pathway, Service.setting,
                  Episode.service_start_at.is_not(None), Episode.end_outcome)
    )
    with engine.connect() as connection:
        frame = pd.read_sql_query(statement, connection)
    frame["pathway"] = [f"Pathway {int(p)}" if pd.notna(p) else "Pathway not recorded"
                        for p in frame.pathway]
    frame["service_type"] = [
        "No new service" if p == "Pathway 0" else SERVICE_TYPES.get(s, "Service not recorded")
        for p, s in zip(frame.pathway, frame.setting, strict=True)]
    frame["outcome"] = [
        END_OUTCOMES[o] if isinstance(o, str) and o in END_OUTCOMES
        else ("Home, no new service" if p == "Pathway 0"
              else "Still in service" if started else "Awaiting a service")
        for o, p, started in zip(frame.end_outcome, frame.pathway, frame.started, strict=True)]
    return (frame.groupby(["site", "pathway", "service_type", "outcome"], as_index=False)
            .people.sum())
