"""Today page: the huddle figures for an area at the clock's "now"."""

from __future__ import annotations

from collections.abc import Callable

from dash import html

from dashboard.context import AppContext
from dashboard.url_state import ViewState
from data_access.access import AreaInScope
from data_access.metrics.today import today_summary
from layouts import today as today_layout


def render(context: AppContext, area: AreaInScope, _state: ViewState,
           href: Callable[[str], str]) -> html.Div:
    summary = today_summary(context.engine, area, context.clock.now())
    return today_layout.build(summary, area, href)
