"""A page module as docs/architecture.md ("Adding a page") describes it, for
tests/test_architecture.py to add to the registry: its render function draws a layout from a
query's result (here a fixed count, so the example needs no table of its own)."""

from __future__ import annotations

from collections.abc import Callable

from dash import html

from dashboard.context import AppContext
from dashboard.pages import Page
from dashboard.results import AreaInfo
from dashboard.url_state import ViewState

EXAMPLE = Page("/example", "Example page", "Example",
               purpose="A page added in one declaration, to show what adding a page takes.",
               render="tests.example_page:render", uses=("episodes.csv",),
               how_to_read=("Each page opens with its own points on how to read it, taken from "
                            "its declaration in the registry.",))


def render(_context: AppContext, area: AreaInfo | None, _state: ViewState,
           link: Callable[[str], str]) -> html.Div:
    name = area.name if area else "no area"
    return html.Div([html.H1(f"Example page: {name}", id="page-title"),
                     html.A("Back to Today", href=link("/"), id="example-link")])
