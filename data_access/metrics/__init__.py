"""Metric functions: each defined once, exactly as docs/metrics.md (and domain.md) say.

Every function takes the area (its code) and the time or period it is asked about, filters
and groups in SQL, and returns a small dataclass or DataFrame. Times are aware datetimes
(Europe/London); they are converted to the stored naive-UTC form here and nowhere else.
"""
