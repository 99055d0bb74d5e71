"""Capacity page: free places now and over time, demand beside supply, the 14-day outlook."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from dash import html

from dashboard.concurrency import gather
from dashboard.context import AppContext
from dashboard.spc import spc
from dashboard.url_state import ViewState
from data_access.areas import AreaInfo
from data_access.metrics import capacity
from data_access.metrics.outlook import capacity_outlook, outlook_backtest
from data_access.status import data_status
from layouts import capacity as capacity_layout


def render(context: AppContext, area: AreaInfo, state: ViewState,
           href: Callable[[str], str]) -> html.Div:
    engine, now, code = context.engine, context.clock.now(), area.code
    results = gather(
        services=lambda: capacity.capacity_at(engine, code, now),
        waiting=lambda: capacity.waiting_for_pathway(engine, code, now),
        daily=lambda: capacity.capacity_daily(engine, code, state.first_day, state.last_day),
        version=lambda: data_status(engine).last_loaded_at,
    )
    daily, version = results.pop("daily"), results.pop("version")
    shown = capacity_layout.pathways_shown(state)
    by_pathway = capacity.roll_up(results["services"], "pathway")
    free_now = dict(zip(by_pathway.pathway, by_pathway.free, strict=True))
    ahead = gather(
        outlook=lambda: capacity_outlook(engine, code, now, free_now=free_now,
                                         waiting_now=results["waiting"]),
        backtest=lambda: outlook_backtest(engine, code, now, version),
    )
    view = capacity_layout.CapacityView(
        area=area, state=state, now=now, by_pathway=by_pathway, **ahead,
        by_area=capacity.roll_up(results["services"], "area"),
        occupancy_spc={p: spc(_series(daily, p, "occupancy") * 100, rebase_at=state.rebase)
                       for p in shown},
        free_spc={p: spc(_series(daily, p, "free"), rebase_at=state.rebase) for p in shown},
        **results)
    return capacity_layout.build(view, href)


def _series(daily: pd.DataFrame, pathway: int, column: str) -> pd.Series:
    rows = daily[daily.pathway == pathway]
    return pd.Series(rows[column].to_numpy(dtype=float), index=pd.to_datetime(rows.date))
