"""National benchmark page: England, a region or an ICB on NHS England's published figures. It
needs no local data."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from dash import html

from callbacks.common import for_the_day
from dashboard.concurrency import gather
from dashboard.context import AppContext
from dashboard.results import Choice
from dashboard.spc import spc, weekly_series
from dashboard.url_state import ENGLAND_KEY, ViewState
from data_access.access import AreaInScope
from data_access.contract import quoted
from data_access.metrics import benchmark
from layouts import benchmark as benchmark_layout

NO_MIX = pd.DataFrame(columns=["reason_group", "patients", "share"])


def render(context: AppContext, area: AreaInScope | None, state: ViewState,
           href: Callable[[str], str]) -> html.Div:
    view = for_the_day(context, "benchmark", area, state,
                       lambda: _benchmark(context, area, state))
    return benchmark_layout.no_data() if view is None else benchmark_layout.build(view, href)


def _benchmark(context: AppContext, area: AreaInScope | None,
               state: ViewState) -> benchmark_layout.BenchmarkView | None:
    """The published figures for the choice in the address (or the area's own ICB); None if
    none are loaded. They move only with a load."""
    engine = context.engine
    published = benchmark.published_days(engine)
    if published is None:
        return None
    first, last = benchmark.benchmark_period(published[1])
    trend_first, trend_last = benchmark.trend_span(*published)
    icbs = benchmark.icb_benchmark(engine, first, last)
    options = benchmark.choices(icbs)
    found = _find(options, state.benchmark)
    chosen = found or _default_choice(context, area, options)
    message = None if found or not state.benchmark else (
        f"NHS England publishes no figures for a region or ICB {quoted(state.benchmark)}; "
        f"showing {chosen.name}.")
    month = benchmark.latest_reason_month(engine)
    results = gather(
        trusts=lambda: benchmark.trust_benchmark(engine, first, last),
        weekly=lambda: benchmark.weekly_trend(engine, chosen.icb_codes, trend_first, trend_last),
        chosen_mix=lambda: benchmark.reason_mix(engine, month, chosen.icb_codes) if month
        else NO_MIX,
        england_mix=lambda: benchmark.reason_mix(engine, month, None) if month else NO_MIX,
    )
    weekly = results.pop("weekly")
    in_choice = icbs if chosen.icb_codes is None else icbs[icbs.code.isin(chosen.icb_codes)]
    return benchmark_layout.BenchmarkView(
        first_day=first, last_day=last, icbs=icbs, choice=chosen,
        choices=tuple(options.values()), chosen=benchmark.sum_of_icbs(in_choice),
        england=benchmark.sum_of_icbs(icbs), reason_month=month, message=message,
        trend=spc(weekly_series(weekly, "nctr_per_100k", trend_first, trend_last),
                  direction="down") if len(weekly) else None,
        **results)


def _find(options: dict[str, Choice], key: str | None) -> Choice | None:
    """A choice as the address writes it (regions and England in lower case, ICB codes in
    upper case, either accepted)."""
    return None if key is None else options.get(key.lower()) or options.get(key.upper())


def _default_choice(context: AppContext, area: AreaInScope | None,
                    options: dict[str, Choice]) -> Choice:
    own = benchmark.icb_of_area(context.engine, area) if area is not None else None
    chosen = options.get(own) if own else None
    return chosen if chosen is not None and chosen.level == "icb" else options[ENGLAND_KEY]
