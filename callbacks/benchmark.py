"""National benchmark page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pandas as pd
from dash import html

from dashboard.concurrency import gather
from dashboard.context import AppContext
from dashboard.spc import series, spc
from dashboard.url_state import ViewState
from data_access.areas import AreaInfo
from data_access.metrics import benchmark
from layouts import benchmark as benchmark_layout

TREND_SPAN = timedelta(weeks=39)  # the trend chart's span: enough weeks for SPC limits


def render(context: AppContext, area: AreaInfo, state: ViewState,
           href: Callable[[str], str]) -> html.Div:
    engine = context.engine
    period = benchmark.benchmark_period(engine)
    if period is None:
        return benchmark_layout.no_data()
    first, last = period
    own = benchmark.icb_of_area(engine, area.code)
    month = benchmark.latest_reason_month(engine)
    results = gather(
        icbs=lambda: benchmark.icb_benchmark(engine, first, last),
        trusts=lambda: benchmark.trust_benchmark(engine, first, last),
        weekly=lambda: benchmark.icb_weekly(engine, own, last - TREND_SPAN, last)
        if own else None,
        own_mix=lambda: benchmark.reason_mix(engine, month, own) if month and own
        else pd.DataFrame(columns=["reason_group", "patients", "share"]),
        england_mix=lambda: benchmark.reason_mix(engine, month, None) if month
        else pd.DataFrame(columns=["reason_group", "patients", "share"]),
    )
    weekly = results.pop("weekly")
    own_spc = None if weekly is None or weekly.empty else spc(
        series(weekly.week_start, weekly.nctr_per_100k), direction="down")
    view = benchmark_layout.BenchmarkView(
        first_day=first, last_day=last, england=benchmark.england_total(results["icbs"]),
        own_icb=own, own_spc=own_spc, reason_month=month, **results)
    return benchmark_layout.build(view, href)
