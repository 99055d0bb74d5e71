"""The frame around every page: skip link, header with navigation and area picker, banners."""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.pages import PageInfo

SYNTHETIC_NOTICE = ("Synthetic demonstration data: real place and hospital names, invented "
                    "people. These are not real figures.")


def nav_id(page: PageInfo) -> str:
    return "nav-" + (page.path.strip("/") or "today")


def build(pages: Sequence[PageInfo], area_options: list[dict[str, str]],
          default_area: str | None) -> html.Div:
    nav = dbc.Nav(
        [dbc.NavItem(dbc.NavLink(page.nav_label, href=page.path, id=nav_id(page), active="exact"))
         for page in pages if page.built],
        navbar=True, className="me-auto",
    )
    picker = html.Div([
        html.Label("Area", htmlFor="area-picker", className="picker-label"),
        dcc.Dropdown(id="area-picker", options=area_options, value=default_area,
                     clearable=False, searchable=True, className="area-picker"),
    ], className="picker")
    header = html.Header(dbc.Navbar(dbc.Container([
        html.A("Intermediate care", href="/", className="navbar-brand"),
        nav, picker,
    ], fluid=True), color="primary", dark=True, className="app-navbar"))
    return html.Div([
        html.A("Skip to main content", href="#main-content", className="skip-link"),
        dcc.Location(id="url", refresh="callback-nav"),
        header,
        html.Div(id="synthetic-banner"),
        html.Main(dbc.Container([
            html.P(id="data-as-at", className="data-as-at"),
            html.Div(id="page-content"),
        ], fluid=True), id="main-content", tabIndex="-1"),
        html.Footer(dbc.Container(html.P(
            "Contains public sector information licensed under the Open Government Licence "
            "v3.0 (ONS geography and population; NHS England discharge statistics).")),
            className="app-footer"),
    ])


def synthetic_banner(synthetic: bool) -> html.Div | None:
    if not synthetic:
        return None
    return html.Div(html.P([html.Strong("Demonstration: "), SYNTHETIC_NOTICE]),
                    className="synthetic-banner", role="note", id="synthetic-notice")


def area_options(rows: Sequence[dict[str, object]]) -> list[dict[str, str]]:
    """Dropdown options, indented by depth so the tree reads system -> place -> neighbourhood."""
    labels = {"icb": "system", "sub_icb": "sub-ICB location", "district": "place",
              "neighbourhood": "neighbourhood"}
    options = []
    for row in rows:
        level = labels.get(str(row["level"]), str(row["level"]))
        indent = "\u2003" * int(row["depth"])  # em spaces survive HTML whitespace folding
        options.append({"label": f"{indent}{row['name']} ({level})", "value": str(row["code"])})
    return options
