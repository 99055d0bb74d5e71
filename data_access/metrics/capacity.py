"""Intermediate care capacity: places, occupied, unavailable and free, from the latest reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, and_, func, select

from dashboard.clock import from_utc_naive, to_utc_naive
from dashboard.vocabulary import INTERMEDIATE_CARE_PATHWAYS, STALE_REPORT_HOURS
from data_access.areas import services_serving_area
from data_access.models import CapacityReport, Service

CAPACITY_COLUMNS = ["service_code", "name", "pathway", "setting", "provider", "reported_at",
                    "places", "occupied", "unavailable", "free", "occupancy", "status"]


def capacity_at(engine: Engine, area_code: str, at: datetime) -> pd.DataFrame:
    """One row per service serving the area, from its latest report at or before ``at``.

    free = places - occupied - unavailable, never below 0; occupancy = occupied / (places -
    unavailable), blank when no place is open. ``status`` is ``current``, ``stale`` (report older
    than 24 h) or ``no report``. ``reported_at`` is an aware London time.
    """
    at_utc = to_utc_naive(at)
    latest = (
        select(CapacityReport.service_code, func.max(CapacityReport.reported_at).label("latest"))
        .where(CapacityReport.reported_at <= at_utc)
        .group_by(CapacityReport.service_code)
        .subquery()
    )
    statement = (
        select(Service.code.label("service_code"), Service.name, Service.pathway, Service.setting,
               Service.provider, CapacityReport.reported_at, CapacityReport.places,
               CapacityReport.occupied, CapacityReport.unavailable)
        .where(services_serving_area(area_code))
        .outerjoin(latest, latest.c.service_code == Service.code)
        .outerjoin(CapacityReport, and_(CapacityReport.service_code == Service.code,
                                        CapacityReport.reported_at == latest.c.latest))
        .order_by(Service.pathway, Service.name)
    )
    with engine.connect() as connection:
        frame = pd.read_sql(statement, connection)
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


@dataclass(frozen=True)
class PathwayCapacity:
    pathway: int
    services: int
    free_current: int  # free places in services whose latest report is current
    stale_services: int  # their free places are not counted in free_current
    unreported_services: int
    oldest_current_report: datetime | None


def capacity_by_pathway(services: pd.DataFrame) -> dict[int, PathwayCapacity]:
    """Roll ``capacity_at`` up by pathway. Free places count only current reports: a stale or
    missing report is counted separately, never silently taken as current."""
    result: dict[int, PathwayCapacity] = {}
    for pathway in INTERMEDIATE_CARE_PATHWAYS:
        rows = services[services.pathway == pathway]
        current = rows[rows.status == "current"]
        result[pathway] = PathwayCapacity(
            pathway=pathway,
            services=len(rows),
            free_current=int(current.free.sum()),
            stale_services=int((rows.status == "stale").sum()),
            unreported_services=int((rows.status == "no report").sum()),
            oldest_current_report=min(current.reported_at) if len(current) else None,
        )
    return result
