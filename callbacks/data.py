"""Data page: every load and feed delivery, each source's freshness, and the completeness checks
for the chosen area at the clock's "now"."""

from __future__ import annotations

from collections.abc import Callable

from dash import html

from dashboard.concurrency import gather
from dashboard.context import AppContext
from dashboard.url_state import ViewState
from data_access.access import AreaInScope
from data_access.deliveries import recent_deliveries, rejection_reasons
from data_access.feeds import source_freshness
from data_access.quality import run_checks
from layouts import data as data_layout


def render(context: AppContext, area: AreaInScope, _state: ViewState,
           href: Callable[[str], str]) -> html.Div:
    engine, now = context.engine, context.clock.now()
    results = gather(
        sources=lambda: source_freshness(engine, now),
        deliveries=lambda: recent_deliveries(engine),
        checks=lambda: run_checks(engine, area, now),
    )
    deliveries = results["deliveries"]
    rejected = [int(load_id) for load_id in deliveries.id[deliveries.rows_rejected > 0]]
    view = data_layout.DataView(area=area, now=now,
                                reasons=rejection_reasons(engine, rejected), **results)
    return data_layout.build(view, href)
