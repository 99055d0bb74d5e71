"""Huddle list page (being built): the people waiting now, for the hub lead."""

from __future__ import annotations

from collections.abc import Callable

from dash import html

from dashboard.context import AppContext
from dashboard.url_state import ViewState
from data_access.areas import AreaInfo


def render(context: AppContext, area: AreaInfo, state: ViewState,
           href: Callable[[str], str]) -> html.Div:
    return html.Div([html.H1(f"Huddle list: {area.name}", id="page-title"),
                     html.P("Coming next.")])
