"""Capacity page: free places now and over time, demand beside supply, the 14-day outlook."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from dash import Dash, Input, Output, html

from callbacks.common import for_the_day, resolve_area
from dashboard.clock import as_london
from dashboard.concurrency import gather
from dashboard.context import AppContext
from dashboard.dash_guard import requires
from dashboard.spc import series, spc
from dashboard.url_state import ViewState, read_view_state
from data_access.access import AccessDenied, AreaInScope
from data_access.metrics import capacity
from data_access.metrics.outlook import capacity_outlook, outlook_backtest
from layouts import capacity as capacity_layout


def register(app: Dash, context: AppContext) -> None:
    @app.callback(Output("outlook-backtest", "children"), Input("url", "search"))
    @requires("aggregates", scoped=True)
    def show_backtest(search: str | None) -> html.Div:
        """The outlook's back-test, filled in after the page shows (it takes longest, and
        changes only with the day and the data: it is cached on both)."""
        now = context.clock.now()
        state = read_view_state(search, now.date())
        try:
            area = resolve_area(context, state.area)[0]
        except AccessDenied as refusal:  # recorded; the page says so too
            return html.P(str(refusal))
        if area is None:
            return html.P("No data.")
        return backtest_view(context, area, state)


def backtest_view(context: AppContext, area: AreaInScope, state: ViewState) -> html.Div:
    """The back-test for the area and the pathways the address shows, once a day and data
    version for everyone who may see it (``callbacks.warm`` computes the default one)."""
    now, shown = context.clock.now(), capacity_layout.pathways_shown(state)
    return context.views.view(
        ("outlook-backtest", area.code, as_london(now).date(), tuple(shown)),
        lambda: capacity_layout.backtest_block(outlook_backtest(context.engine, area, now),
                                               shown),
        with_time_step=False, shared=True)


def render(context: AppContext, area: AreaInScope, state: ViewState,
           href: Callable[[str], str]) -> html.Div:
    engine, now = context.engine, context.clock.now()
    results = gather(
        services=lambda: capacity.capacity_at(engine, area, now),
        waiting=lambda: capacity.waiting_for_pathway(engine, area, now),
    )
    by_pathway = capacity.roll_up(results["services"], "pathway")
    free_now = dict(zip(by_pathway.pathway, by_pathway.free, strict=True))
    view = capacity_layout.CapacityView(
        area=area, state=state, now=now, by_pathway=by_pathway,
        outlook=capacity_outlook(engine, area, now, free_now=free_now,
                                 waiting_now=results["waiting"]),
        by_area=capacity.roll_up(results["services"], "area"),
        **for_the_day(context, "capacity", area, state, lambda: _period(context, area, state)),
        **results)
    return capacity_layout.build(view, href)


def _period(context: AppContext, area: AreaInScope, state: ViewState) -> dict[str, Any]:
    """The period's occupancy and free places, day by day, for the pathways shown."""
    daily = capacity.capacity_daily(context.engine, area, state.first_day, state.last_day)
    shown = capacity_layout.pathways_shown(state)
    return dict(
        occupancy_spc={p: spc(_series(daily, p, "occupancy") * 100, rebase_at=state.rebase)
                       for p in shown},
        free_spc={p: spc(_series(daily, p, "free"), rebase_at=state.rebase) for p in shown})


def _series(daily: pd.DataFrame, pathway: int, column: str) -> pd.Series:
    rows = daily[daily.pathway == pathway]
    return series(rows.date, rows[column])
