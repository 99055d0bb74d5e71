"""Discharge delays page: NHS England's measures from the discharge ready date, and the longest
delays now."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import html

from callbacks.common import for_the_day
from callbacks.trends import goal_spc, longest_delays_trend, week_ends
from dashboard.concurrency import gather
from dashboard.context import AppContext
from dashboard.spc import series, weekly_series, whole_months_to
from dashboard.url_state import ViewState
from data_access.access import AreaInScope
from data_access.areas import CHILD_LEVEL
from data_access.goals import goals_in_force
from data_access.metrics import delays, discharge_delays
from layouts import discharge_delays as discharge_delays_layout


def render(context: AppContext, area: AreaInScope, state: ViewState,
           href: Callable[[str], str]) -> html.Div:
    engine, now = context.engine, context.clock.now()
    home_level = CHILD_LEVEL[area.level]
    waiting = gather(
        longest_by_site=lambda: delays.waiting_by_site(engine, area, now),
        longest_by_home_area=lambda: delays.waiting_by_home_area(engine, area, now,
                                                                 level=home_level),
    )
    view = discharge_delays_layout.DischargeDelaysView(
        area=area, state=state, now=now, home_level=home_level,
        longest_now=int(waiting["longest_by_site"].longest_delays.sum()),
        **for_the_day(context, "discharge-delays", area, state,
                      lambda: _discharged(context, area, state)),
        **waiting)
    return discharge_delays_layout.build(view, href)


def _discharged(context: AppContext, area: AreaInScope, state: ViewState) -> dict[str, Any]:
    """The period's figures: discharges against their ready dates, and the longest delays
    week by week."""
    engine = context.engine
    start, end = state.bounds(context.clock.now())
    first, last = state.first_day, state.last_day
    home_level = CHILD_LEVEL[area.level]
    months_from, months_to = whole_months_to(last, discharge_delays_layout.TREND_MONTHS)
    results = gather(
        months=lambda: discharge_delays.discharge_delays_by_period(engine, area, months_from,
                                                                   months_to),
        delays=lambda: discharge_delays.discharge_delays(engine, area, first, last),
        monthly=lambda: discharge_delays.discharge_delays_by_period(engine, area, first, last),
        weekly=lambda: discharge_delays.discharge_delays_by_period(engine, area, first, last,
                                                                   period="week"),
        by_trust=lambda: discharge_delays.discharge_delays_by(engine, area, first, last,
                                                              "trust"),
        by_site=lambda: discharge_delays.discharge_delays_by(engine, area, first, last, "site"),
        by_home_area=lambda: discharge_delays.discharge_delays_by(engine, area, first, last,
                                                                  home_level),
        longest_weekly=lambda: delays.longest_delays_at(engine, area, week_ends(start, end)),
        goals=lambda: goals_in_force(engine, area, last),
    )
    goals = results["goals"]
    weeks = results.pop("weekly").rename(columns={"period_start": "week_start"})
    months = results.pop("months")
    return dict(
        on_date_spc=goal_spc(weekly_series(weeks, "on_ready_date_percent", first, last),
                             "discharged_on_drd_percent", goals, state),
        mean_delay_spc=goal_spc(weekly_series(weeks, "mean_delay_days", first, last),
                                "mean_delay_days", goals, state),
        on_date_monthly_spc=goal_spc(series(months.period_start, months.on_ready_date_percent),
                                     "discharged_on_drd_percent", goals, state),
        longest_spc=longest_delays_trend(results.pop("longest_weekly"), state, goals),
        **results)
