"""Today page: the huddle figures for an area at the clock's "now"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from dash import html

from callbacks.trends import longest_delays_trend, week_ends
from dashboard.concurrency import gather
from dashboard.context import AppContext
from dashboard.url_state import ViewState
from data_access.access import AreaInScope
from data_access.goals import goals_in_force
from data_access.metrics.delays import longest_delays_at
from data_access.metrics.today import today_summary
from data_access.trigger_levels import trigger_levels_now
from layouts import today as today_layout

TREND_WEEKS = 12  # the longest delays' trend: enough weeks for an SPC baseline


def render(context: AppContext, area: AreaInScope, state: ViewState,
           href: Callable[[str], str]) -> html.Div:
    engine, now = context.engine, context.clock.now()
    results = gather(
        summary=lambda: today_summary(engine, area, now),
        longest=lambda: longest_delays_at(engine, area,
                                          week_ends(now - timedelta(weeks=TREND_WEEKS), now)),
        goals=lambda: goals_in_force(engine, area, now.date()))
    goals, summary = results["goals"], results["summary"]
    # From the figures just read: the level's measures are Today's own, never counted twice.
    levels = trigger_levels_now(engine, area, summary)
    return today_layout.build(summary, area, href,
                              longest_delays_trend(results["longest"], state, goals),
                              goals.get("waiting_21_days_plus"), levels)
