"""Metric functions: each defined once, exactly as docs/metrics.md (and domain.md) say.

Every function takes the area (its code) and the time or period it is asked about, filters
and groups in SQL, and returns a small dataclass or DataFrame. Times are aware datetimes
(Europe/London); they are converted to the stored naive-UTC form here and nowhere else.
"""

from __future__ import annotations

import pandas as pd


def week_start(days: pd.Series) -> pd.Series:
    """The Monday of each day's week (weeks run Monday to Sunday), as dates."""
    days = pd.to_datetime(days)
    return (days - pd.to_timedelta(days.dt.day_of_week, unit="D")).dt.date
