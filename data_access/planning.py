"""The planning model's inputs from the database, per area and pathway: arrivals, completed
stays, places open now and the state today (docs/planning.md, "Inputs"). The estimates
themselves are pure (dashboard/planning/inputs.py); every figure reuses the dashboard's own
definitions: new demand as the 14-day outlook counts it, service spans, capacity from the latest
current reports, people waiting as "Demand beside supply" counts them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from dashboard.clock import LONDON, day_start, to_utc_naive
from dashboard.planning.backtest import COLUMNS, PERIOD_WEEKS, Actual, Backtest, compare
from dashboard.planning.inputs import (
    Arrivals,
    Capacity,
    State,
    Stays,
    estimate_arrivals,
    estimate_stays,
)
from dashboard.planning.plan import PathwayInputs, run_plan
from dashboard.planning.scenario import Scenario
from dashboard.vocabulary import DELAY_REASONS
from data_access.access import AreaInScope
from data_access.areas import episodes_in_area
from data_access.facts import overlap_seconds, waiting_spans
from data_access.metrics.capacity import capacity_at, waiting_by_pathway_statements
from data_access.metrics.outlook import DAY, arrivals_daily, epoch_days, service_spans
from data_access.metrics.time_to_service import nctr_to_service
from data_access.models import Episode
from data_access.sql import epoch_seconds

STAYS_WINDOW_DAYS = 365
# Waiting for a place: the national "Capacity" group of delay reasons (C1-C11).
CAPACITY_REASONS = tuple(code for code, reason in DELAY_REASONS.items()
                         if reason.group == "Capacity")


def arrivals(engine: Engine, area: AreaInScope, pathway: int, first_day: date,
             last_day: date) -> Arrivals:
    """New NCTR per day needing the pathway over the window (as the outlook counts new demand),
    with weekday pattern and trend."""
    daily = arrivals_daily(engine, area, first_day, last_day)
    daily = daily[daily.pathway == pathway]
    counts = np.zeros((last_day - first_day).days + 1)
    for day, people in zip(daily.date, daily.arrivals, strict=True):
        counts[(_as_date(day) - first_day).days] += people
    return estimate_arrivals(counts, first_day, f"{area.name}, pathway {pathway}")


def stays(engine: Engine, area: AreaInScope, pathway: int, at: datetime,
          window_days: int = STAYS_WINDOW_DAYS) -> Stays:
    """Lengths of intermediate care (days) of the services of the pathway that ended in the
    ``window_days`` before ``at``."""
    since = at - timedelta(days=window_days)
    spans = service_spans(engine, area, since, at)
    now, start = epoch_days(at), epoch_days(since)
    ended = spans[(spans.pathway == pathway) & (spans.end <= now) & (spans.end > start)]
    return estimate_stays((ended.end - ended.start).to_numpy(dtype=float),
                          f"{area.name}, pathway {pathway}, services ended "
                          f"{since.astimezone(LONDON):%d %b %Y} to "
                          f"{at.astimezone(LONDON):%d %b %Y}")


def process_times(engine: Engine, area: AreaInScope, pathway: int, at: datetime,
                  window_days: int) -> Stays:
    """**Process time** (we define): NCTR to service start less the time in hospital under a
    Capacity delay reason (C1-C11): the part of the wait that is not for a place (assessment,
    the hub, arrangements, transport, a first home visit after discharge), in days, over the
    services of the pathway started in the ``window_days`` before ``at`` with NCTR known."""
    at_utc = to_utc_naive(at)
    started = [episodes_in_area(area), Episode.pathway == pathway,
               Episode.service_start_at > to_utc_naive(at - timedelta(days=window_days)),
               Episode.service_start_at <= at_utc, Episode.hours_nctr_to_service.is_not(None)]
    spans = waiting_spans(*started)
    # Seconds each person spent in hospital, before their service started, under a C reason.
    for_a_place = (
        select(spans.c.episode_id, func.sum(overlap_seconds(
            spans.c.span_start, spans.c.span_end, Episode.nctr_at, Episode.service_start_at))
            .label("seconds"))
        .join(Episode, Episode.episode_id == spans.c.episode_id)
        .where(spans.c.reason_code.in_(CAPACITY_REASONS))
        .group_by(spans.c.episode_id).subquery())
    statement = (select(Episode.hours_nctr_to_service, func.coalesce(for_a_place.c.seconds, 0.0))
                 .outerjoin(for_a_place, for_a_place.c.episode_id == Episode.episode_id)
                 .where(*started))
    with engine.connect() as connection:
        rows = np.array(connection.execute(statement).all(), dtype=float).reshape(-1, 2)
    days = np.maximum(rows[:, 0] / 24.0 - rows[:, 1] / DAY, 0.0)
    first = (at - timedelta(days=window_days)).astimezone(LONDON)
    return estimate_stays(days, f"{area.name}, pathway {pathway}, services started "
                          f"{first:%d %b %Y} to {at.astimezone(LONDON):%d %b %Y}, NCTR to "
                          "service less time under a capacity reason (C1-C11)",
                          "services started")


def capacity(engine: Engine, area: AreaInScope, pathway: int, at: datetime) -> Capacity:
    """Places open now: places less unavailable over the services of the pathway whose latest
    report is current (as the Capacity page counts free places); stale and unreported services
    are named in the source, not counted."""
    services = capacity_at(engine, area, at)
    own = services[services.pathway == pathway]
    current = own[own.status == "current"]
    places = int((current.places - current.unavailable).sum())
    left_out = own[own.status != "current"]
    source = (f"{area.name}, pathway {pathway}: latest reports of {len(current)} of {len(own)} "
              "services")
    if len(left_out):
        source += " (left out, " + ", ".join(f"{code} {status}" for code, status in zip(
            left_out.service_code, left_out.status, strict=True)) + ")"
    return Capacity(places, source)


def state(engine: Engine, area: AreaInScope, pathway: int, at: datetime) -> State:
    """Who is in the pathway's services at ``at`` and for how long, and who waits for it and
    since when (people waiting as ``waiting_for_pathway`` counts them), in days."""
    now = epoch_days(at)
    spans = service_spans(engine, area, at, at)  # in service at ``at``: started by, not ended
    present = spans[(spans.pathway == pathway) & (spans.start <= now) & (spans.end > now)]
    since = epoch_seconds(Episode.nctr_at) / DAY
    waited: list[float] = []
    with engine.connect() as connection:
        for statement in waiting_by_pathway_statements(area, at, since):
            for wanted, people, nctr in connection.execute(statement).all():
                if wanted == pathway:
                    waited.extend([now - float(nctr)] * int(people))
    return State(np.sort(now - present.start.to_numpy(dtype=float)), np.sort(np.array(waited)),
                 f"{area.name}, pathway {pathway} at {at.astimezone(LONDON):%d %b %Y %H:%M}: "
                 f"{len(present)} in service, {len(waited)} waiting")


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else datetime.fromisoformat(str(value)).date()


def plan_inputs(engine: Engine, area: AreaInScope, pathways: tuple[int, ...], at: datetime,
                history_weeks: int) -> dict[int, PathwayInputs]:
    """Every input of each pathway as at ``at``: arrivals and process times over the
    ``history_weeks`` whole weeks before its day, stays ended in the year before it, places open
    and the state at it."""
    today = at.astimezone(LONDON).date()
    first = today - timedelta(days=7 * history_weeks)
    return {pathway: PathwayInputs(arrivals(engine, area, pathway, first,
                                            today - timedelta(days=1)),
                                   stays(engine, area, pathway, at),
                                   capacity(engine, area, pathway, at),
                                   state(engine, area, pathway, at),
                                   process_times(engine, area, pathway, at, 7 * history_weeks))
            for pathway in pathways}


def actual_outcomes(engine: Engine, area: AreaInScope, pathway: int,
                    origin: date) -> list[Actual]:
    """What happened over the 4 and 8 weeks from 00:00 of ``origin``: people in the pathway's
    services and waiting for it at the end (as the model's state counts them), and the share of
    its services started in the period within 24 h of NCTR (as Time to service counts it)."""
    found = []
    for weeks in PERIOD_WEEKS:
        since, end = day_start(origin), day_start(origin + timedelta(days=7 * weeks))
        now = state(engine, area, pathway, end)
        started = nctr_to_service(engine, area, since, end, pathway)
        share = started.within_24h_percent
        found.append(Actual(weeks, len(now.in_service_days), len(now.waiting_days),
                            None if share is None else share / 100))
    return found


def backtest(engine: Engine, area: AreaInScope, origins: list[date], *,
             pathways: tuple[int, ...] = (1, 2, 3), replications: int = 100, seed: int = 1,
             history_weeks: int = 12, process: str = "empirical", stays: str = "lognormal",
             progress: Callable[[int], None] | None = None) -> Backtest:
    """The baseline (no changes) from each past origin, with inputs from the data before it
    only, against what happened (``dashboard.planning.backtest.COLUMNS``); ``process`` and
    ``stays``: as the scenario keys. A pathway with no completed stay or no service started in
    the history window before an origin has nothing to draw from: it is not run from that
    origin, and ``too_little_history`` names it (nothing is guessed). ``progress`` is told the
    number of origins done after each."""
    scenario = Scenario("baseline", area.code, pathways, horizon_weeks=max(PERIOD_WEEKS),
                        replications=replications, seed=seed, history_weeks=history_weeks,
                        process=process, stays=stays)
    frames, too_little = [], []
    for done, origin in enumerate(origins, start=1):
        inputs = plan_inputs(engine, area, pathways, day_start(origin), history_weeks)
        runnable = tuple(p for p in pathways if _enough_history(inputs[p], stays, process))
        too_little += [(origin, p) for p in pathways if p not in runnable]
        if runnable:
            for plan in run_plan(replace(scenario, pathways=runnable), inputs, origin):
                frames.append(compare(origin, plan.pathway, plan.runs,
                                      actual_outcomes(engine, area, plan.pathway, origin)))
        if progress is not None:
            progress(done)
    rows = pd.concat(frames, ignore_index=True) if frames else \
        pd.DataFrame(columns=list(COLUMNS))
    return Backtest(rows, tuple(too_little))


def _enough_history(inputs: PathwayInputs, stays: str, process: str) -> bool:
    """Whether the inputs give the model something to draw from (as ``run_plan`` needs)."""
    has_stays = inputs.stays.lognormal is not None if stays == "lognormal" \
        else len(inputs.stays.completed) > 0
    return has_stays and (process == "none" or len(inputs.process.completed) > 0)
