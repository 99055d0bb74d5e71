"""Places page: places (or a place's neighbourhoods) side by side, fairly."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from dash import html

from callbacks.common import for_the_day
from dashboard.concurrency import gather
from dashboard.context import AppContext
from dashboard.rates import FUNNEL_LEVELS, proportion_funnel, rate_funnel, rate_per_100k
from dashboard.spc import SpcResult, series, spc, weekly_series
from dashboard.url_state import ViewState
from data_access.access import AreaInScope, areas_inside
from data_access.areas import CHILD_LEVEL
from data_access.metrics.places import place_comparison
from data_access.metrics.time_to_service import nctr_to_service_weekly
from data_access.metrics.waiting import sitrep_daily
from layouts import places as places_layout

FUNNEL_POINTS = 60


def _sizes(sizes: pd.Series) -> list[float]:
    """Where to draw the funnel limits: from half the smallest size to beyond the largest."""
    smallest = max(float(sizes[sizes > 0].min()) / 2, 1) if (sizes > 0).any() else 1
    largest = max(float(sizes.max()) * 1.2, smallest * 2) if len(sizes) else 2
    return list(np.geomspace(smallest, largest, FUNNEL_POINTS))


def _limits(sizes: list[float], bounds: Callable[[float, float], tuple[float, float]],
            scale: float = 1.0) -> dict[str, tuple[list[float], list[float], list[float]]]:
    """Funnel limit lines at each of FUNNEL_LEVELS: label -> (sizes, lower, upper)."""
    lines = {}
    for level in FUNNEL_LEVELS:
        pairs = [bounds(size, level) for size in sizes]
        lines[f"{100 * level:g}% limits"] = (sizes, [scale * low for low, _ in pairs],
                                             [scale * high for _, high in pairs])
    return lines


def render(context: AppContext, area: AreaInScope, state: ViewState,
           href: Callable[[str], str]) -> html.Div:
    engine, now = context.engine, context.clock.now()
    start, end = state.bounds(now)
    level = CHILD_LEVEL[area.level]
    places = place_comparison(engine, area, level, now, start, end)
    trends = for_the_day(context, "places", area, state, lambda: _trends(context, area, state))
    population = places.population_65_plus.fillna(0).sum()
    overall_rate = rate_per_100k(places.waiting.sum(), population)
    started = places.started.sum()
    overall_share = places.within_24h.sum() / started if started else None
    sizes = _sizes(places.population_65_plus.fillna(0))
    starts = _sizes(places.started)
    view = places_layout.PlacesView(
        area=area, level=level, state=state, now=now, places=places,
        **trends,
        waiting_funnel=_limits(sizes, lambda size, level_: rate_funnel(
            overall_rate or 0, size, level_)),
        within_funnel=_limits(starts, lambda size, level_: proportion_funnel(
            overall_share or 0, size, level_), scale=100),
        overall_waiting_rate=overall_rate,
        overall_within_percent=None if overall_share is None else 100 * overall_share)
    return places_layout.build(view, href)


def _trends(context: AppContext, area: AreaInScope,
            state: ViewState) -> dict[str, dict[str, SpcResult]]:
    """Each place's trends over the period: waiting (the sitrep's count at the end of each
    day) and the share served within 24 hours, week by week."""
    engine = context.engine
    start, end = state.bounds(context.clock.now())
    level = CHILD_LEVEL[area.level]
    children = areas_inside(engine, area, level)  # the same areas, in the same order
    codes = [child.code for child in children]
    results = gather(
        weekly=lambda: nctr_to_service_weekly(engine, area, start, end, by_level=level),
        **{f"sitrep {child.code}": (lambda child=child: sitrep_daily(
            engine, child, state.first_day, state.last_day)) for child in children})
    weekly = results.pop("weekly")
    return {
        "waiting_spc": {c: spc(series(results[f"sitrep {c}"].date,
                                      results[f"sitrep {c}"].remaining),
                               direction="down", rebase_at=state.rebase) for c in codes},
        "within_spc": {c: spc(weekly_series(weekly[weekly.area_code == c], "within_24h_percent",
                                            state.first_day, state.last_day),
                              direction="up", rebase_at=state.rebase) for c in codes}}
