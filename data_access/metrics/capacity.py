"""Intermediate care capacity: places, occupied, unavailable and free, from the latest reports."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Engine, Select, and_, case, func, select

from dashboard.clock import day_start, from_utc_naive, to_utc_naive
from dashboard.results import PathwayCapacity
from dashboard.vocabulary import INTERMEDIATE_CARE_PATHWAYS, REASON_PATHWAY, STALE_REPORT_HOURS
from data_access.access import AreaInScope
from data_access.areas import episodes_in_area, services_serving_area
from data_access.metrics.delays import current_reason
from data_access.metrics.waiting import OPEN_JOURNEY_TERMS, in_hospital_after, not_started_by
from data_access.models import Area, CapacityReport, Episode, Service

CAPACITY_COLUMNS = ["service_code", "name", "pathway", "setting", "provider", "area_code", "area",
                    "reported_at", "places", "occupied", "unavailable", "free", "occupancy",
                    "status"]


def capacity_at(engine: Engine, area: AreaInScope, at: datetime) -> pd.DataFrame:
    """Per service serving the area, the **latest report at or before T**: places, occupied,
    unavailable.

    - A service serves an area if it belongs to that area, an area inside it, or an area it lies
      in (a system-wide bed base serves every place; we define this).
    - **Free** = places - occupied - unavailable, never below 0. **Occupancy** = occupied /
      (places - unavailable), blank when nothing is open.
    - A report **older than 24 h** is **stale** (exactly 24.0 h old is still current). A service
      with no report at or before T has **no report**.
    """
    # One row per service; ``status`` is "current", "stale" or "no report"; ``reported_at`` is an
    # aware London time.
    at_utc = to_utc_naive(at)
    # Per service, one seek on the reports' key (service, time) for its latest: never a scan
    # of every report.
    latest = (select(func.max(CapacityReport.reported_at))
              .where(CapacityReport.service_code == Service.code,
                     CapacityReport.reported_at <= at_utc)
              .correlate(Service).scalar_subquery())
    statement = (
        select(Service.code.label("service_code"), Service.name, Service.pathway, Service.setting,
               Service.provider, Service.area_code, Area.name.label("area"),
               CapacityReport.reported_at, CapacityReport.places, CapacityReport.occupied,
               CapacityReport.unavailable)
        .join(Area, Area.code == Service.area_code)
        .where(services_serving_area(area))
        .outerjoin(CapacityReport, and_(CapacityReport.service_code == Service.code,
                                        CapacityReport.reported_at == latest))
        .order_by(Service.pathway, Service.name)
    )
    with engine.connect() as connection:
        frame = pd.read_sql_query(statement, connection)
    reported = frame.reported_at.notna()
    stale_before = at_utc - timedelta(hours=STALE_REPORT_HOURS)
    frame["status"] = "current"
    frame.loc[reported & (frame.reported_at < stale_before), "status"] = "stale"
    frame.loc[~reported, "status"] = "no report"
    frame["free"] = (frame.places - frame.occupied - frame.unavailable).clip(lower=0)
    open_places = frame.places - frame.unavailable
    frame["occupancy"] = (frame.occupied / open_places).where(open_places > 0)
    frame["reported_at"] = [from_utc_naive(t.to_pydatetime()) if pd.notna(t) else None
                            for t in frame.reported_at]
    return frame[CAPACITY_COLUMNS]


def capacity_by_pathway(services: pd.DataFrame) -> dict[int, PathwayCapacity]:
    """By pathway, **free places now counts only current reports**. Stale and unreported services
    are counted and flagged beside the figure, never silently taken as current (we define
    this)."""
    # ``roll_up`` by pathway as the Today page shows it, every pathway present.
    totals = roll_up(services, "pathway").set_index("pathway")
    current = services[services.status == "current"]
    result: dict[int, PathwayCapacity] = {}
    for pathway in INTERMEDIATE_CARE_PATHWAYS:
        row = totals.loc[pathway] if pathway in totals.index else None
        reports = current[current.pathway == pathway].reported_at
        result[pathway] = PathwayCapacity(
            pathway=pathway,
            services=0 if row is None else int(row.current_reports + row.stale_reports
                                               + row.no_report),
            free_current=0 if row is None else int(row.free),
            stale_services=0 if row is None else int(row.stale_reports),
            unreported_services=0 if row is None else int(row.no_report),
            oldest_current_report=min(reports) if len(reports) else None,
        )
    return result


def roll_up(services: pd.DataFrame, by: str) -> pd.DataFrame:
    """Capacity now by pathway, or by the area a service belongs to: sums of places, occupied,
    unavailable and free over services whose latest report is **current**; stale and
    never-reported services are counted beside the sums, never in them. Occupancy = occupied /
    (places - unavailable) over the same services.
    """
    # ``capacity_at`` summed by ``by``: "pathway" or "area".
    current = services[services.status == "current"]
    sums = current.groupby(by)[["places", "occupied", "unavailable", "free"]].sum()
    counts = services.groupby(by).status.value_counts().unstack(fill_value=0)
    frame = sums.join(counts.reindex(columns=["current", "stale", "no report"], fill_value=0),
                      how="outer").fillna(0)
    frame = frame.rename(columns={"current": "current_reports", "stale": "stale_reports",
                                  "no report": "no_report"}).astype(int)
    open_places = frame.places - frame.unavailable
    frame["occupancy"] = (frame.occupied / open_places).where(open_places > 0)
    return frame.reset_index()


def capacity_daily(engine: Engine, area: AreaInScope, first_day: date,
                   last_day: date) -> pd.DataFrame:
    """Capacity at 24:00 of each day (the latest report at or before it), stale reports left out,
    summed by pathway; `reporting` says how many services counted that day.

    Occupancy and free places are shown day by day on SPC charts (see SPC charts).
    """
    # Columns: date, pathway, places, occupied, unavailable, free, occupancy, reporting.
    first_end = day_start(first_day + timedelta(days=1))
    last_end = day_start(last_day + timedelta(days=1))
    statement = (
        select(CapacityReport.service_code, Service.pathway, CapacityReport.reported_at,
               CapacityReport.places, CapacityReport.occupied, CapacityReport.unavailable)
        .join(Service, Service.code == CapacityReport.service_code)
        .where(services_serving_area(area),
               CapacityReport.reported_at > to_utc_naive(first_end)
               - timedelta(hours=STALE_REPORT_HOURS),
               CapacityReport.reported_at <= to_utc_naive(last_end))
        .order_by(CapacityReport.reported_at)
    )
    with engine.connect() as connection:
        reports = pd.read_sql_query(statement, connection)
    days = pd.date_range(first_day, last_day, freq="D")
    ends = pd.DataFrame({"date": days.date,
                         "at": [to_utc_naive(day_start(d.date() + timedelta(days=1)))
                                for d in days]})
    # One resolution on both sides of the as-of merge (an empty column would otherwise be "s").
    ends["at"] = pd.to_datetime(ends["at"]).dt.as_unit("us")
    reports["reported_at"] = pd.to_datetime(reports.reported_at).dt.as_unit("us")
    latest = _latest_per_service(ends, reports)
    latest = latest[latest["at"] - latest["rep"] <= pd.Timedelta(hours=STALE_REPORT_HOURS)]
    latest["free"] = (latest.places - latest.occupied - latest.unavailable).clip(lower=0)
    daily = latest.groupby(["date", "pathway"])[["places", "occupied", "unavailable",
                                                 "free"]].sum()
    daily["reporting"] = latest.groupby(["date", "pathway"]).size()
    daily = daily.reset_index()
    open_places = daily.places - daily.unavailable
    daily["occupancy"] = (daily.occupied / open_places).where(open_places > 0)
    return daily


def _latest_per_service(ends: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    """For every (day end, service): the service's latest report at or before that moment."""
    services = reports[["service_code", "pathway"]].drop_duplicates()
    grid = ends.merge(services, how="cross").sort_values("at")
    latest = pd.merge_asof(grid, reports.drop(columns="pathway")
                           .rename(columns={"reported_at": "rep"}).sort_values("rep"),
                           left_on="at", right_on="rep", by="service_code",
                           direction="backward")
    return latest.dropna(subset=["rep"])


def waiting_for_pathway(engine: Engine, area: AreaInScope, at: datetime) -> dict[int, int]:
    """People waiting now for each pathway 1-3, beside the free places now.

    NCTR at or before now, no service started, journey not ended, counted under their recorded
    pathway or, when none is recorded yet and they are still in hospital, under the pathway their
    current delay reason names (I1-I3, C1-C3 -> 1; I5, C5, C6 -> 2; I6, C7 -> 3; we define).
    People at home awaiting a first pathway 1 visit are included: they need a place too.
    """
    # Every pathway 1-3 is a key (zeros included).
    counts = dict.fromkeys(INTERMEDIATE_CARE_PATHWAYS, 0)
    with engine.connect() as connection:
        for statement in waiting_by_pathway_statements(area, at):
            for wanted, people in connection.execute(statement).all():
                if wanted in counts:
                    counts[wanted] += int(people)
    return counts


def waiting_by_pathway_statements(area: AreaInScope, at: datetime,
                                  *by: Any) -> tuple[Select[Any], Select[Any]]:
    """The two counts ``waiting_for_pathway`` adds up, grouped by pathway and ``by`` (columns of
    Episode): the planning model reuses them for when each person waiting became NCTR."""
    at_utc = to_utc_naive(at)
    reason = current_reason(at_utc)
    implied = case(*[(reason == code, pathway) for code, pathway in REASON_PATHWAY.items()],
                   else_=None)
    waiting = [episodes_in_area(area), Episode.nctr_at <= at_utc, not_started_by(at_utc)]
    # Two queries, each on its own index: pathway recorded (open journeys), and not yet recorded
    # (in hospital now, no outcome) counted under the pathway the reason implies.
    recorded = (select(Episode.pathway, func.count(), *by)
                .where(*waiting, *OPEN_JOURNEY_TERMS).group_by(Episode.pathway, *by))
    undecided = (select(implied, func.count(), *by)
                 .where(*waiting, Episode.end_outcome.is_(None), Episode.pathway.is_(None),
                        in_hospital_after(at_utc)).group_by(implied, *by))
    return recorded, undecided
