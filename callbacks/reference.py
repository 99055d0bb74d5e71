"""The reference pages, open to anyone signed in: How we count and the Glossary. Neither has an
area or a period; they are drawn from the metric definitions and the glossary's words."""

from __future__ import annotations

from collections.abc import Callable

from dash import html

from dashboard.context import AppContext
from dashboard.url_state import ViewState
from data_access.access import AreaInScope
from layouts import help as help_layout
from layouts import how_we_count as how_we_count_layout


def how_we_count(_context: AppContext, _area: AreaInScope | None, _state: ViewState,
                 link: Callable[[str], str]) -> html.Div:
    return how_we_count_layout.render(link)


def glossary(_context: AppContext, _area: AreaInScope | None, _state: ViewState,
             link: Callable[[str], str]) -> html.Div:
    return help_layout.glossary(link)
