"""Delays page: why people who no longer need a hospital bed are still in one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pandas as pd
from dash import html

from dashboard.context import AppContext
from dashboard.spc import spc
from dashboard.url_state import ViewState
from data_access.areas import AreaInfo
from data_access.metrics import delays
from data_access.metrics.waiting import sitrep_daily, waiting_at
from layouts import delays as delays_layout

CHILD_LEVEL = {"region": "icb", "icb": "district", "sub_icb": "district",
               "district": "neighbourhood", "neighbourhood": "neighbourhood"}


def week_ends(start: datetime, end: datetime) -> list[datetime]:
    """Each Monday 00:00 (local) after ``start`` and at or before ``end``: the end of a week."""
    monday = (start + timedelta(days=7 - start.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0)
    moments = []
    while monday <= end:
        moments.append(monday)
        monday = (monday + timedelta(days=7)).replace(tzinfo=monday.tzinfo)
    return moments


def render(context: AppContext, area: AreaInfo, state: ViewState,
           href: Callable[[str], str]) -> html.Div:
    engine, now = context.engine, context.clock.now()
    start, end = state.bounds(now)
    sitrep = sitrep_daily(engine, area.code, state.first_day, state.last_day)
    remaining = pd.Series(sitrep.remaining.to_numpy(), index=pd.to_datetime(sitrep.date))
    view = delays_layout.DelaysView(
        area=area, state=state, now=now,
        waiting=waiting_at(engine, area.code, now),
        waiting_week_ago=waiting_at(engine, area.code, now - timedelta(days=7)),
        by_reason=delays.waiting_by_reason(engine, area.code, now),
        by_site=delays.waiting_by_site(engine, area.code, now),
        by_home_area=delays.waiting_by_home_area(engine, area.code, now,
                                                 level=CHILD_LEVEL[area.level]),
        remaining_spc=spc(remaining, direction="down"),
        hours_by_reason=delays.waiting_hours_by_reason(engine, area.code, start, end),
        bed_days_lost=delays.bed_days_lost(engine, area.code, start, end),
        weekly_mix=delays.waiting_by_reason_group_at(engine, area.code,
                                                     week_ends(start, end)),
    )
    return delays_layout.build(view, href)
