"""Places side by side: each area one level below the chosen one, on rates per 100,000 people
aged 65+ and on percentages, so places of different sizes compare fairly.

**SPC icons** per area: daily remaining (improvement down) and weekly share within 24 h (up).
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, func, select

from dashboard.clock import to_utc_naive
from dashboard.rates import rate_per_100k
from data_access.access import AreaInScope, areas_inside
from data_access.areas import episodes_in_area
from data_access.metrics.delays import waiting_by_home_area
from data_access.metrics.outcomes import at_home_91_days, home_area_of_level
from data_access.metrics.time_to_service import nctr_to_service_by_area
from data_access.models import Episode


def child_areas(engine: Engine, area: AreaInScope, level: str) -> pd.DataFrame:
    """The areas of ``level`` inside the area: area_code, area, population_65_plus."""
    return pd.DataFrame([(child.code, child.name, child.population_65_plus)
                         for child in areas_inside(engine, area, level)],
                        columns=["area_code", "area", "population_65_plus"])


def pathway_one_starts(engine: Engine, area: AreaInScope, start: datetime, end: datetime,
                       level: str) -> pd.Series:
    """Pathway 1 (home-based) services started in the period, by home area of ``level``."""
    home = home_area_of_level(level).label("area_code")
    statement = (select(home, func.count())
                 .where(episodes_in_area(area), Episode.pathway == 1,
                        Episode.service_start_at > to_utc_naive(start),
                        Episode.service_start_at <= to_utc_naive(end))
                 .group_by(home))
    with engine.connect() as connection:
        return pd.Series(dict(connection.execute(statement).all()), dtype=float)


def place_comparison(engine: Engine, area: AreaInScope, level: str, at: datetime,
                     start: datetime, end: datetime) -> pd.DataFrame:
    """Per area, zeros included:

    - **Rates per 100,000** people aged 65+ of the home area (ONS mid-2020; a neighbourhood's is
      its share of its district's): waiting now, long waits (7+ whole days), pathway 1 starts in
      the period.
    - **Percentages**: services started in the period and the share within 24 h; at home 91 days
      after discharge (of those counted).
    """
    # One row per area of ``level`` inside the area: population_65_plus, the counts, their
    # rates (``*_rate``) and percentages (``*_percent``).
    frame = child_areas(engine, area, level).set_index("area_code")
    waiting = waiting_by_home_area(engine, area, at, level).set_index("area_code")
    frame["waiting"] = waiting.people.reindex(frame.index).fillna(0).astype(int)
    frame["long_waits"] = waiting.long_waits.reindex(frame.index).fillna(0).astype(int)
    frame["p1_starts"] = pathway_one_starts(engine, area, start, end, level) \
        .reindex(frame.index).fillna(0).astype(int)
    times = nctr_to_service_by_area(engine, area, start, end, level=level) \
        .set_index("area_code")
    frame["started"] = times.started.reindex(frame.index).fillna(0).astype(int)
    frame["within_24h"] = times.within_24h.reindex(frame.index).fillna(0).astype(int)
    at_home = at_home_91_days(engine, area, start, end, by=level).set_index("group")
    frame["at_home"] = at_home.numerator.reindex(frame.index).fillna(0).astype(int)
    frame["at_home_counted"] = at_home.denominator.reindex(frame.index).fillna(0).astype(int)
    for column in ("waiting", "long_waits", "p1_starts"):
        frame[f"{column}_rate"] = [rate_per_100k(n, p) for n, p in
                                   zip(frame[column], frame.population_65_plus, strict=True)]
    frame["within_24h_percent"] = (100 * frame.within_24h / frame.started).where(
        frame.started > 0)
    frame["at_home_percent"] = (100 * frame.at_home / frame.at_home_counted).where(
        frame.at_home_counted > 0)
    return frame.reset_index()
