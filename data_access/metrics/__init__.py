"""Every figure on screen comes from one function in `data_access/metrics/`; this page states what
each function counts. The definitions follow the national ones in `domain.md` (NHS England
discharge sitrep, ASCOF); where they leave a choice, this page says "we define". Each function has
known-answer tests on hand-made data with hand-worked figures (`tests/test_*_metrics.py`).

Times are Europe/London. "Now" (T) comes from an injectable clock (`DASHBOARD_NOW` fixes it).
An **area** means the people whose home is in that area or any area inside it (system -> place ->
neighbourhood), using the area tree loaded from `areas.csv`.

**Periods.** A period chosen on screen runs from 00:00 on its first day to 24:00 on its last day
(or to now, if sooner), London time; events count when they fall after its start and at or before
its end. The default is the twelve weeks ending yesterday. Periods longer than three years are cut
to three.
"""

# The docstrings of this package are the metric definitions: dashboard/definitions.py shows them
# on screen ("How we count") and writes docs/metrics.md from them. Every function takes the area
# (its code) and the time or period it is asked about, filters and groups in SQL, and returns a
# small dataclass or DataFrame. Times are aware datetimes (Europe/London); they are converted to
# the stored naive-UTC form here and nowhere else.

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement

from dashboard.clock import to_utc_naive
from data_access.models import Episode


def week_start(days: pd.Series) -> pd.Series:
    """The Monday of each day's week (weeks run Monday to Sunday), as dates."""
    days = pd.to_datetime(days)
    return (days - pd.to_timedelta(days.dt.day_of_week, unit="D")).dt.date


def dates_around(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    """A timestamp's local-date ``column`` within a day either side of the period (start, end]:
    it lets the area-date index lead, and the exact timestamps then decide."""
    first: date = (start - timedelta(days=1)).date()
    last: date = (end + timedelta(days=1)).date()
    return column.between(first, last)


def service_ended_in(start: datetime, end: datetime) -> list[Any]:
    """Intermediate care that ended after ``start`` and at or before ``end``."""
    return [Episode.service_end_at > to_utc_naive(start),
            Episode.service_end_at <= to_utc_naive(end),
            dates_around(Episode.service_end_date, start, end)]
