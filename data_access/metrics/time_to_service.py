"""Time from NCTR to receiving an intermediate care service, against the 24-hour ambition."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import Engine, func, or_, select

from dashboard.clock import to_utc_naive
from dashboard.vocabulary import AMBITION_HOURS, INTERMEDIATE_CARE_PATHWAYS
from data_access.areas import episodes_in_area
from data_access.models import Episode


@dataclass(frozen=True)
class TimeToService:
    started: int  # services started in the period (pathways 1-3, NCTR time known)
    median_hours: float | None
    p90_hours: float | None
    within_24h: int
    still_waiting_over_24h: int  # at the period's end, without a service yet

    @property
    def within_24h_percent(self) -> float | None:
        return None if self.started == 0 else 100.0 * self.within_24h / self.started


def nctr_to_service(engine: Engine, area_code: str, start: datetime,
                    end: datetime) -> TimeToService:
    """Hours from NCTR to service start, over services that started after ``start`` and at or
    before ``end``. Within 24 h means at most 24.0 hours. Median is the middle value (mean of the
    two middle values for an even count); the 90th percentile interpolates linearly between
    ranks. People still waiting are not dropped: ``still_waiting_over_24h`` counts them at ``end``.
    """
    start_utc, end_utc = to_utc_naive(start), to_utc_naive(end)
    statement = select(Episode.hours_nctr_to_service).where(
        episodes_in_area(area_code),
        Episode.pathway.in_(INTERMEDIATE_CARE_PATHWAYS),
        Episode.service_start_at > start_utc,
        Episode.service_start_at <= end_utc,
        Episode.hours_nctr_to_service.is_not(None),
    )
    with engine.connect() as connection:
        hours = np.array(connection.scalars(statement).all(), dtype=float)
    return TimeToService(
        started=int(hours.size),
        median_hours=float(np.median(hours)) if hours.size else None,
        p90_hours=float(np.percentile(hours, 90)) if hours.size else None,
        within_24h=int((hours <= AMBITION_HOURS).sum()),
        still_waiting_over_24h=waiting_for_service_over_24h(engine, area_code, end),
    )


def waiting_for_service_over_24h(engine: Engine, area_code: str, at: datetime) -> int:
    """People with pathway 1-3 recorded, NCTR more than 24.0 h before ``at``, no service started
    by ``at``, and whose journey has not otherwise ended (no end outcome recorded)."""
    at_utc = to_utc_naive(at)
    statement = select(func.count()).where(
        episodes_in_area(area_code),
        Episode.pathway.in_(INTERMEDIATE_CARE_PATHWAYS),
        Episode.nctr_at < at_utc - timedelta(hours=AMBITION_HOURS),
        or_(Episode.service_start_at.is_(None), Episode.service_start_at > at_utc),
        Episode.end_outcome.is_(None),
    )
    with engine.connect() as connection:
        return int(connection.scalar(statement) or 0)
