"""The 14-day capacity outlook per pathway, and its back-test: new demand against places
becoming free. The method, its assumptions and the back-test are in `docs/outlook.md`.
"""

# The method itself is dashboard/outlook.py (pure); this module fetches its inputs: arrivals per
# day, the people in each service now and at past origins, and the stays that had ended before
# each origin.

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from dashboard import outlook as method
from dashboard.clock import LONDON, day_start, to_utc_naive
from dashboard.results import Backtest
from dashboard.vocabulary import INTERMEDIATE_CARE_PATHWAYS
from data_access.access import AreaInScope
from data_access.areas import episodes_in_area
from data_access.models import Episode
from data_access.sql import epoch_seconds, rows_frame

DAY = 86400.0
STAYS_WINDOW_DAYS = 365  # completed stays of the last 12 months make the survival curve
BACKTEST_ORIGINS = 12  # weekly origins, the latest one a whole horizon before today


def arrivals_daily(engine: Engine, area: AreaInScope, first_day: date,
                   last_day: date) -> pd.DataFrame:
    """**New demand** for a pathway: people who became NCTR on the day with that pathway (1-3)
    recorded (the pathway as recorded now)."""
    # Columns: date, pathway, arrivals; days without any are left out.
    statement = (select(Episode.nctr_date, Episode.pathway, func.count())
                 .where(episodes_in_area(area),
                        Episode.pathway.in_(INTERMEDIATE_CARE_PATHWAYS),
                        Episode.nctr_date.between(first_day, last_day))
                 .group_by(Episode.nctr_date, Episode.pathway))
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    return rows_frame(rows, ["date", "pathway", "arrivals"])


def service_spans(engine: Engine, area: AreaInScope, since: datetime,
                  until: datetime) -> pd.DataFrame:
    """Intermediate care services that started by ``until`` and had not ended before ``since``:
    pathway, start, end, as days since 1970-01-01 UTC (floats: cheap to fetch and compare;
    end is infinite while still in service)."""
    statement = select(Episode.pathway, (epoch_seconds(Episode.service_start_at) / DAY)
                       .label("start"), (epoch_seconds(Episode.service_end_at) / DAY)
                       .label("end")).where(
        episodes_in_area(area), Episode.pathway.in_(INTERMEDIATE_CARE_PATHWAYS),
        Episode.service_start_at <= to_utc_naive(until),
        Episode.in_service_until >= to_utc_naive(since))
    with engine.connect() as connection:
        frame = pd.read_sql_query(statement, connection)
    frame["end"] = frame.end.astype(float).fillna(np.inf)
    frame["start"] = frame.start.astype(float)
    return frame


def epoch_days(moment: datetime) -> float:
    """A moment as days since 1970-01-01 UTC, as ``service_spans`` gives them."""
    return moment.astimezone(UTC).timestamp() / DAY


def _occupants(spans: pd.DataFrame, moment: float) -> np.ndarray:
    """Which spans were in service at ``moment`` (a mask; numpy, not pandas: the back-test asks
    at every origin)."""
    start, end = _start_end(spans)
    return (start <= moment) & (end > moment)


def _start_end(spans: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return spans.start.to_numpy(dtype=float), spans.end.to_numpy(dtype=float)


def _stays_before(spans: pd.DataFrame, moment: float) -> np.ndarray:
    start, end = _start_end(spans)
    ended = (end <= moment) & (end > moment - STAYS_WINDOW_DAYS)
    return end[ended] - start[ended]


def places_case(spans: pd.DataFrame, origin: date, horizon: int) -> method.PlacesCase:
    """The people in service at the end of ``origin``, and how many of them were still in it at
    the end of each of the next ``horizon`` days."""
    moment = _end_of(origin)
    start, end = _start_end(spans)
    present = _occupants(spans, moment)
    later = np.array([_end_of(origin + timedelta(days=d)) for d in range(1, horizon + 1)])
    still = end[present][:, None] > later[None, :]
    return method.PlacesCase(origin, moment - start[present], still.sum(axis=0).tolist())


def _end_of(day: date) -> float:
    """The end of a local day (00:00 the day after) in epoch days."""
    return epoch_days(day_start(day + timedelta(days=1)))


def _series(arrivals: pd.DataFrame, pathway: int, first_day: date,
            last_day: date) -> pd.Series:
    rows = arrivals[arrivals.pathway == pathway]
    series = pd.Series(rows.arrivals.to_numpy(dtype=float), index=pd.to_datetime(rows.date),
                       dtype=float)
    return series.reindex(pd.date_range(first_day, last_day), fill_value=0.0)


def capacity_outlook(engine: Engine, area: AreaInScope, at: datetime, *,
                     free_now: Mapping[int, float], waiting_now: Mapping[int, int],
                     horizon: int = method.DEFAULT_HORIZON,
                     weeks: int = method.DEFAULT_WEEKS) -> dict[int, pd.DataFrame]:
    """**The outlook**, per pathway 1-3 from today: new demand from the same weekday over the
    last 8 weeks, places freed by the people in service now (from how long the stays that ended in
    the last 12 months lasted), against the free places now (current reports only) and the people
    waiting now (as in Demand beside supply)."""
    # The outlook table per pathway from ``at`` (origin = today), ``weeks`` weeks of arrivals.
    today = at.astimezone(LONDON).date()
    history_start = today - timedelta(days=7 * weeks)
    arrivals = arrivals_daily(engine, area, history_start, today - timedelta(days=1))
    spans = service_spans(engine, area, at - timedelta(days=STAYS_WINDOW_DAYS), at)
    now = epoch_days(at)
    tables = {}
    for pathway in INTERMEDIATE_CARE_PATHWAYS:
        own = spans[spans.pathway == pathway]
        tables[pathway] = method.outlook(
            _series(arrivals, pathway, history_start, today - timedelta(days=1)), today,
            now - _start_end(own)[0][_occupants(own, now)], _stays_before(own, now),
            open_places_now=float(free_now.get(pathway, 0)),
            waiting_now=waiting_now.get(pathway, 0),
            horizon=horizon, weeks=weeks)
    return tables


def outlook_backtest(engine: Engine, area: AreaInScope, at: datetime) -> dict[int, Backtest]:
    """**Back-test**: the outlook re-made at the 12 latest weekly origins whose whole 14 days
    have passed, against what happened."""
    # It changes only with the local day and the data: callers cache it on both.
    today = at.astimezone(LONDON).date()
    horizon, weeks = method.DEFAULT_HORIZON, method.DEFAULT_WEEKS
    latest_origin = today - timedelta(days=horizon + 1)
    origins = [latest_origin - timedelta(days=7 * k) for k in range(BACKTEST_ORIGINS)][::-1]
    history_start = origins[0] - timedelta(days=7 * weeks)
    arrivals = arrivals_daily(engine, area, history_start, today - timedelta(days=1))
    spans = service_spans(engine, area,
                          day_start(origins[0]) - timedelta(days=STAYS_WINDOW_DAYS),
                          day_start(today))
    result = {}
    for pathway in INTERMEDIATE_CARE_PATHWAYS:
        own = spans[spans.pathway == pathway]
        series = _series(arrivals, pathway, history_start, today - timedelta(days=1))
        result[pathway] = Backtest(
            # As today's outlook: history up to the day before the origin, days after it.
            method.backtest_demand(series, origins, horizon=horizon, weeks=weeks),
            method.backtest_places(
                [places_case(own, origin, horizon) for origin in origins],
                lambda origin, own=own: _stays_before(own, _end_of(origin)), horizon=horizon))
    return result
