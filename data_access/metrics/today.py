"""Everything the Today page shows, assembled from the metric functions (no metric of its own)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine

from dashboard.clock import as_london
from dashboard.results import TodaySummary
from data_access.access import AreaInScope
from data_access.metrics.capacity import capacity_at, capacity_by_pathway
from data_access.metrics.discharges import discharges_by_pathway
from data_access.metrics.time_to_service import nctr_to_service
from data_access.metrics.waiting import waiting_at


def today_summary(engine: Engine, area: AreaInScope, at: datetime) -> TodaySummary:
    """The huddle view at ``at``: "yesterday" and "7 days" are local calendar (wall-clock) spans."""
    now = as_london(at)
    yesterday = (now - timedelta(days=1)).date()
    return TodaySummary(
        at=now,
        waiting_now=waiting_at(engine, area, now),
        waiting_same_time_yesterday=waiting_at(engine, area, now - timedelta(days=1)),
        discharges_yesterday=discharges_by_pathway(engine, area, yesterday, yesterday),
        time_to_service_7_days=nctr_to_service(engine, area, now - timedelta(days=7), now),
        capacity=capacity_by_pathway(capacity_at(engine, area, now)),
    )
