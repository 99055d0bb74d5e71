"""Delays page: why people who no longer need a hospital bed are still in one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from dash import html

from callbacks.common import for_the_day
from callbacks.trends import longest_delays_trend, week_ends
from dashboard.concurrency import gather
from dashboard.context import AppContext
from dashboard.spc import series, spc
from dashboard.url_state import ViewState
from data_access.access import AreaInScope
from data_access.areas import CHILD_LEVEL
from data_access.goals import goals_in_force
from data_access.metrics import delays
from data_access.metrics.waiting import sitrep_daily, waiting_at
from layouts import delays as delays_layout


def render(context: AppContext, area: AreaInScope, state: ViewState,
           href: Callable[[str], str]) -> html.Div:
    engine, now = context.engine, context.clock.now()
    results = gather(
        waiting=lambda: waiting_at(engine, area, now),
        waiting_week_ago=lambda: waiting_at(engine, area, now - timedelta(days=7)),
        by_reason=lambda: delays.waiting_by_reason(engine, area, now),
        by_site=lambda: delays.waiting_by_site(engine, area, now),
        by_home_area=lambda: delays.waiting_by_home_area(engine, area, now,
                                                         level=CHILD_LEVEL[area.level]),
    )
    view = delays_layout.DelaysView(area=area, state=state, now=now,
                                    **for_the_day(context, "delays", area, state,
                                                  lambda: _period(context, area, state)),
                                    **results)
    return delays_layout.build(view, href)


def _period(context: AppContext, area: AreaInScope, state: ViewState) -> dict[str, Any]:
    """The period's figures: hours lost by reason, the mix of reasons and the longest delays
    week by week, and the sitrep's count day by day."""
    engine = context.engine
    start, end = state.bounds(context.clock.now())
    results = gather(
        sitrep=lambda: sitrep_daily(engine, area, state.first_day, state.last_day),
        hours_by_reason=lambda: delays.waiting_hours_by_reason(engine, area, start, end),
        weekly_mix=lambda: delays.waiting_by_reason_group_at(engine, area,
                                                             week_ends(start, end)),
        longest=lambda: delays.longest_delays_at(engine, area, week_ends(start, end)),
        goals=lambda: goals_in_force(engine, area, state.last_day),
    )
    goals = results.pop("goals")
    sitrep = results.pop("sitrep")
    remaining = series(sitrep.date, sitrep.remaining)
    return dict(longest_spc=longest_delays_trend(results.pop("longest"), state, goals),
                longest_goal=goals.get("waiting_21_days_plus"),
                remaining_spc=spc(remaining, direction="down", rebase_at=state.rebase),
                bed_days_lost=delays.bed_days_lost(results["hours_by_reason"]),
                **results)
