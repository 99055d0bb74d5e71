"""Delays page: why people who no longer need a hospital bed are still in one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pandas as pd
from dash import html

from dashboard.concurrency import gather
from dashboard.context import AppContext
from dashboard.spc import SpcResult, series, spc
from dashboard.url_state import ViewState
from data_access.access import AreaInScope
from data_access.areas import CHILD_LEVEL
from data_access.metrics import delays
from data_access.metrics.waiting import sitrep_daily, waiting_at
from layouts import delays as delays_layout


def week_ends(start: datetime, end: datetime) -> list[datetime]:
    """Each Monday 00:00 (local) after ``start`` and at or before ``end``: the end of a week."""
    monday = (start + timedelta(days=7 - start.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0)
    moments = []
    while monday <= end:
        moments.append(monday)
        monday = (monday + timedelta(days=7)).replace(tzinfo=monday.tzinfo)
    return moments


def longest_delays_trend(longest: pd.DataFrame, state: ViewState) -> SpcResult:
    """The longest delays at each Monday 00:00 (``longest_delays_at``) as an SPC chart of the
    weeks they end, each labelled by its Sunday; fewer is better."""
    return spc(series([at.date() - timedelta(days=1) for at in longest["at"]], longest.people),
               direction="down", rebase_at=state.rebase)


def render(context: AppContext, area: AreaInScope, state: ViewState,
           href: Callable[[str], str]) -> html.Div:
    engine, now = context.engine, context.clock.now()
    start, end = state.bounds(now)
    results = gather(
        waiting=lambda: waiting_at(engine, area, now),
        waiting_week_ago=lambda: waiting_at(engine, area, now - timedelta(days=7)),
        by_reason=lambda: delays.waiting_by_reason(engine, area, now),
        by_site=lambda: delays.waiting_by_site(engine, area, now),
        by_home_area=lambda: delays.waiting_by_home_area(engine, area, now,
                                                         level=CHILD_LEVEL[area.level]),
        sitrep=lambda: sitrep_daily(engine, area, state.first_day, state.last_day),
        hours_by_reason=lambda: delays.waiting_hours_by_reason(engine, area, start, end),
        weekly_mix=lambda: delays.waiting_by_reason_group_at(engine, area,
                                                             week_ends(start, end)),
        longest=lambda: delays.longest_delays_at(engine, area, week_ends(start, end)),
    )
    sitrep = results.pop("sitrep")
    remaining = series(sitrep.date, sitrep.remaining)
    view = delays_layout.DelaysView(area=area, state=state, now=now,
                                    longest_spc=longest_delays_trend(results.pop("longest"),
                                                                     state),
                                    remaining_spc=spc(remaining, direction="down",
                                                      rebase_at=state.rebase),
                                    bed_days_lost=delays.bed_days_lost(results["hours_by_reason"]),
                                    **results)
    return delays_layout.build(view, href)
