"""Time from NCTR to receiving an intermediate care service, against the 24-hour ambition."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, and_, case, func, select

from dashboard.clock import to_utc_naive
from dashboard.rates import wilson
from dashboard.results import HOUR_BANDS, STAGES, TimeToService
from dashboard.vocabulary import AMBITION_HOURS, INTERMEDIATE_CARE_PATHWAYS
from data_access.access import AreaInScope
from data_access.areas import episodes_in_area
from data_access.metrics import dates_around, week_start
from data_access.metrics.waiting import OPEN_JOURNEY_TERMS, not_started_by
from data_access.models import Area, AreaLink, Episode
from data_access.sql import epoch_seconds


def summarise_hours(hours: np.ndarray) -> tuple[int, float | None, float | None, int]:
    """The figures of hours from NCTR to service start: how many, median, 90th percentile and
    how many within 24 hours.

    - **Median**: the middle value (mean of the two middle values for an even count).
      **90th percentile**: linear interpolation between ranks (rank = 0.9 x (n - 1), counted from
      0).
    - **Within 24 h** = at most 24.0 hours; shown as a percentage of the services started.
    """
    # Returns (count, median, 90th percentile, within 24 h).
    if hours.size == 0:
        return 0, None, None, 0
    return (int(hours.size), float(np.median(hours)), float(np.percentile(hours, 90)),
            int((hours <= AMBITION_HOURS).sum()))


def _started_in_period(area: AreaInScope, start: datetime, end: datetime,
                       pathway: int | None = None) -> list[Any]:
    """Services of pathways 1-3 (or the one given) started after ``start`` and at or before
    ``end``, NCTR known."""
    return [
        episodes_in_area(area),
        Episode.pathway.in_(INTERMEDIATE_CARE_PATHWAYS if pathway is None else (pathway,)),
        Episode.service_start_at > to_utc_naive(start),
        Episode.service_start_at <= to_utc_naive(end),
        dates_around(Episode.service_start_date, start, end),
        Episode.hours_nctr_to_service.is_not(None),
    ]


def nctr_to_service(engine: Engine, area: AreaInScope, start: datetime, end: datetime,
                    pathway: int | None = None) -> TimeToService:
    """Hours from NCTR to service start, over the services started in the period.

    - Over episodes of pathways 1-3 whose service started in the period (after its start, at or
      before its end) and whose NCTR time is known: hours = `service_start_at - nctr_at`.
    - People still waiting over 24 h without a service at the period's end are never dropped:
      they are shown beside the figures.
    - Today shows the 7 days ending at T.
    - Pathway 0 is excluded throughout. **Pathway filter**: with a pathway chosen, every figure of
      the page counts that pathway only.
    """
    statement = select(Episode.hours_nctr_to_service).where(
        *_started_in_period(area, start, end, pathway))
    with engine.connect() as connection:
        hours = np.array(connection.scalars(statement).all(), dtype=float)
    started, median, p90, within = summarise_hours(hours)
    return TimeToService(
        started=started, median_hours=median, p90_hours=p90, within_24h=within,
        still_waiting_over_24h=sum(
            count for p, count in waiting_for_service_over_24h(engine, area, end).items()
            if pathway is None or p == pathway),
    )


WEEKLY_COLUMNS = ["week_start", "started", "median_hours", "p90_hours", "within_24h",
                  "within_24h_percent"]


def _started_rows(engine: Engine, area: AreaInScope, start: datetime, end: datetime,
                  pathway: int | None, by_level: str | None) -> pd.DataFrame:
    """The services started in the period: their start date and hours from NCTR, and with
    ``by_level`` the home area of that level (area_code, area) they belong to."""
    columns: list[Any] = [Episode.service_start_date, Episode.hours_nctr_to_service]
    statement = select(*columns).select_from(Episode)
    if by_level is not None:
        statement = (select(Area.code.label("area_code"), Area.name.label("area"), *columns)
                     .select_from(Episode)
                     .join(AreaLink, AreaLink.descendant_code == Episode.home_area_code)
                     .join(Area, and_(Area.code == AreaLink.ancestor_code,
                                      Area.level == by_level)))
    with engine.connect() as connection:
        return pd.read_sql_query(
            statement.where(*_started_in_period(area, start, end, pathway)), connection)


def _summaries(frame: pd.DataFrame, keys: list[str]) -> list[dict[str, Any]]:
    rows = []
    for key, group in frame.groupby(keys):
        started, median, p90, within = summarise_hours(group.hours_nctr_to_service.to_numpy())
        rows.append({**dict(zip(keys, key, strict=True)), "started": started,
                     "median_hours": median, "p90_hours": p90, "within_24h": within,
                     "within_24h_percent": 100.0 * within / started})
    return rows


def nctr_to_service_weekly(engine: Engine, area: AreaInScope, start: datetime, end: datetime,
                           pathway: int | None = None,
                           by_level: str | None = None) -> pd.DataFrame:
    """Hours from NCTR to service per week, Monday to Sunday by the local day the service
    started: the same figures as over the period.

    SPC charts use whole weeks of the period only (a part week would read as a signal). The share
    within 24 h has improvement direction up, and the area's local goal for it (the local
    24-hour ambition, see *Local goals*) is the target for the assurance icon (`?target=` in the
    address draws a what-if target instead); the median has direction down.
    """
    # Columns: WEEKLY_COLUMNS; with ``by_level`` (such as "district"), per home area of that
    # level too: the columns ``area_code`` and ``area`` come first.
    frame = _started_rows(engine, area, start, end, pathway, by_level)
    frame["week_start"] = week_start(frame.service_start_date)
    keys = ["week_start"] if by_level is None else ["area_code", "area", "week_start"]
    return pd.DataFrame(_summaries(frame, keys), columns=[*keys[:-1], *WEEKLY_COLUMNS])


def nctr_to_service_by_area(engine: Engine, area: AreaInScope, start: datetime, end: datetime,
                            pathway: int | None = None,
                            level: str = "district") -> pd.DataFrame:
    """Hours from NCTR to service over the period for each home area one level below the chosen
    one (system -> places, place -> neighbourhoods), by the area the person's home is in.

    Beside each area's figures, the SPC variation icon of its weekly figures (the latest week):
    the median (improvement direction down) and the share within 24 h (up).
    """
    # One query: area_code, area, then WEEKLY_COLUMNS without week_start.
    frame = _started_rows(engine, area, start, end, pathway, level)
    return pd.DataFrame(_summaries(frame, ["area_code", "area"]),
                        columns=["area_code", "area", *WEEKLY_COLUMNS[1:]])


def waiting_for_service_over_24h(engine: Engine, area: AreaInScope,
                                 at: datetime) -> dict[int, int]:
    """**Still waiting over 24 h without a service** at T (the period's end), by pathway 1-3.

    People with pathway 1-3 recorded, NCTR more than 24.0 h before T, no service started by then,
    and no end outcome recorded (in hospital, or at home awaiting a first visit). We define that
    people with no pathway decided yet are not counted here: they are counted among those
    waiting.
    """
    # Every pathway 1-3 is a key (zeros included).
    at_utc = to_utc_naive(at)
    statement = select(Episode.pathway, func.count()).where(
        episodes_in_area(area), *OPEN_JOURNEY_TERMS,
        Episode.nctr_at < at_utc - timedelta(hours=AMBITION_HOURS), not_started_by(at_utc),
    ).group_by(Episode.pathway)
    with engine.connect() as connection:
        counts = dict(connection.execute(statement).all())
    return {pathway: int(counts.get(pathway, 0)) for pathway in INTERMEDIATE_CARE_PATHWAYS}


def stage_medians(engine: Engine, area: AreaInScope, start: datetime, end: datetime,
                  by: str = "pathway", pathway: int | None = None) -> pd.DataFrame:
    """Median hours of each stage, NCTR -> referral to the hub -> discharge -> service start, by
    pathway and by home place, over services started in the period.

    A stage counts the people with both its timestamps recorded. Negative stages (a service
    recorded as starting before the discharge) are kept, so the medians show the data as it is.
    """
    # ``people`` says how many were measured for each stage.
    if by == "pathway":
        group = Episode.pathway.label("group")
        joins: list[Any] = []
    elif by == "place":
        group = Area.name.label("group")
        joins = [(AreaLink, AreaLink.descendant_code == Episode.home_area_code),
                 (Area, and_(Area.code == AreaLink.ancestor_code, Area.level == "district"))]
    else:
        raise ValueError(f"by must be 'pathway' or 'place', not {by!r}")
    columns = [group]
    for label, first, second in STAGES:
        columns.append((epoch_seconds(getattr(Episode, second))
                        - epoch_seconds(getattr(Episode, first))).label(label))
    statement = select(*columns).select_from(Episode)
    for target, condition in joins:
        statement = statement.join(target, condition)
    statement = statement.where(*_started_in_period(area, start, end, pathway))
    with engine.connect() as connection:
        frame = pd.read_sql_query(statement, connection)
    long = frame.melt(id_vars="group", var_name="stage", value_name="seconds").dropna()
    long["hours"] = long.seconds.astype(float) / 3600.0
    result = (long.groupby(["group", "stage"], sort=False)
              .hours.agg(median_hours="median", people="count").reset_index())
    order = {label: i for i, (label, _, _) in enumerate(STAGES)}
    return result.sort_values(["group", "stage"], key=lambda s: s.map(order) if s.name == "stage"
                              else s, ignore_index=True)


def time_to_service_bands(engine: Engine, area: AreaInScope, start: datetime,
                          end: datetime) -> pd.DataFrame:
    """Services started in the period by hours from NCTR: within 24 h, 24-48 h, 2-3 days, 3-7
    days, 1-2 weeks, over 2 weeks (each band includes its upper bound), by pathway."""
    # Counted in SQL into the bands of HOUR_BANDS; zeros included.
    hours = Episode.hours_nctr_to_service
    band = case(*[(hours <= upper, label) for label, upper in HOUR_BANDS if upper is not None],
                else_=HOUR_BANDS[-1][0]).label("band")
    statement = (select(Episode.pathway, band, func.count().label("people"))
                 .where(*_started_in_period(area, start, end))
                 .group_by(Episode.pathway, band))
    with engine.connect() as connection:
        counts = {(p, b): n for p, b, n in connection.execute(statement).all()}
    return pd.DataFrame(
        [{"pathway": p, "band": label, "people": int(counts.get((p, label), 0))}
         for p in INTERMEDIATE_CARE_PATHWAYS for label, _ in HOUR_BANDS])


def nctr_to_service_by_groups(engine: Engine, area: AreaInScope, start: datetime, end: datetime,
                              bys: Sequence[str]) -> dict[str, pd.DataFrame]:
    """**Waits**: hours from NCTR to service (services started, median, share within 24 h) for
    each group, the share with its Wilson 95% interval."""
    # One query for every breakdown in ``bys`` (see ``outcomes.group_column``). Columns: group,
    # started, median_hours, within_24h, within_24h_percent, low, high (percentages).
    from data_access.metrics.outcomes import group_column  # outcomes imports nothing from here

    statement = select(*[group_column(by).label(by) for by in bys],
                       Episode.hours_nctr_to_service).where(
        *_started_in_period(area, start, end))
    with engine.connect() as connection:
        frame = pd.read_sql_query(statement, connection)
    result = {}
    for by in bys:
        rows = []
        for group, part in frame.groupby(by):
            started, median, _, within = summarise_hours(part.hours_nctr_to_service.to_numpy())
            share = wilson(within, started)
            rows.append({"group": group, "started": started, "median_hours": median,
                         "within_24h": within, "within_24h_percent": 100 * (share.value or 0),
                         "low": 100 * (share.low or 0), "high": 100 * (share.high or 0)})
        result[by] = pd.DataFrame(rows, columns=["group", "started", "median_hours",
                                                 "within_24h", "within_24h_percent", "low",
                                                 "high"])
    return result

