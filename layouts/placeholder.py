"""Pages that are planned but not built yet, and unknown addresses."""

from __future__ import annotations

from dash import dcc, html

from dashboard.pages import PageInfo


def planned(page: PageInfo, home_href: str) -> html.Div:
    return html.Div([
        html.H1(page.title, id="page-title"),
        html.P(page.purpose),
        html.P("This page is planned and not built yet."),
        dcc.Link("Back to Today", href=home_href),
    ])


def not_found(path: str, home_href: str) -> html.Div:
    return html.Div([
        html.H1("Page not found", id="page-title"),
        html.P(f"There is no page at {path}."),
        dcc.Link("Back to Today", href=home_href),
    ])
