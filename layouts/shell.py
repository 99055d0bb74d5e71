"""The frame around every page: skip link, header with navigation, area picker and the glossary,
banners, footer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import dash_bootstrap_components as dbc
import orjson
from dash import dcc, html

from dashboard.pages import GLOSSARY_PATH, Page
from dashboard.results import ROLES, SourceFreshness, UserScope
from layouts import formatting as fmt

WORKING_AFTER_MS = 600  # show "working" only when a page takes longer than this
SYNTHETIC_NOTICE = ("Synthetic demonstration data: real place and hospital names, invented "
                    "people. These are not real figures.")


def nav_id(page: Page) -> str:
    return "nav-" + (page.path.strip("/") or "today")


def nav_items(pages: Sequence[Page], link: Callable[[str], str]) -> list[dbc.NavItem]:
    """The navigation: the pages this user may open, each link keeping the view's address."""
    return [dbc.NavItem(dbc.NavLink(page.nav_label, href=link(page.path), id=nav_id(page),
                                    active="exact"))
            for page in pages]


def build(nav_pages: Sequence[Page], area_options: list[dict[str, str]] | orjson.Fragment,
          default_area: str | None, *, refresh_seconds: int, data_version: str,
          user: UserScope | None, csrf_token: str, complete: bool = True) -> html.Div:
    """The frame (``area_options`` as data, or already encoded). Every ``refresh_seconds`` the
    page asks whether the data version changed; only then is the page drawn again. A frame
    served without its area list (``complete=False``: the database did not answer) loads itself
    again once the database answers."""
    nav = dbc.Nav(nav_items(nav_pages, lambda path: path), navbar=True, className="me-auto",
                  id="main-nav")
    picker = html.Div([
        html.Label("Area", htmlFor="area-picker", className="picker-label"),
        dcc.Dropdown(id="area-picker", options=area_options, value=default_area,
                     clearable=False, searchable=True, className="area-picker"),
    ], className="picker")
    account = None if user is None else html.Form([
        html.Span([user.display_name, html.Span(f" ({ROLES[user.role]}"
                                                f"{', demonstration' if user.demo else ''})",
                                                className="account-role")],
                  id="signed-in-user", className="account-name"),
        dcc.Input(type="hidden", name="csrf_token", value=csrf_token),
        html.Button("Sign out", type="submit", className="btn btn-outline-light btn-sm",
                    id="sign-out"),
    ], action="/logout", method="POST", className="account")
    tools = html.Div([
        dcc.Link("Glossary", href=GLOSSARY_PATH, id="header-glossary",
                 className="nav-link header-glossary"),
        *([account] if account else []),
    ], className="header-tools")
    header = html.Header([
        dbc.Navbar(dbc.Container([
            html.A("Intermediate care", href="/", className="navbar-brand"),
            nav, picker, tools,
        ], fluid=True), color="primary", dark=True, className="app-navbar"),
        # Inside the banner landmark, so the demonstration notice is never outside a landmark.
        html.Div(id="synthetic-banner"),
        html.Div(id="database-status"),
    ])
    return html.Div([
        html.A("Skip to main content", href="#main-content", className="skip-link"),
        dcc.Location(id="url", refresh="callback-nav"),
        dcc.Interval(id="refresh-tick", interval=refresh_seconds * 1000),
        dcc.Store(id="data-version", data=data_version),
        # Set by the route when a page that keeps its forms should redraw its own lists.
        dcc.Store(id="lists-stale"),
        *([] if complete else [dcc.Store(id="frame-incomplete", data=True)]),
        header,
        html.Main(dbc.Container([
            html.Div([html.P(id="data-as-at", className="data-as-at"),
                      html.Div(id="source-status")], className="data-status"),
            # Anything that takes longer than a moment says it is working (in words, for screen
            # readers too); the figures stay in view while they are redrawn.
            dcc.Loading(html.Div(id="page-content"), delay_show=WORKING_AFTER_MS,
                        target_components={"page-content": "children"},
                        overlay_style={"visibility": "visible", "opacity": 0.6},
                        custom_spinner=html.Div(
                            [html.Span(className="spinner-border spinner-border-sm",
                                       **{"aria-hidden": "true"}),
                             " Working on the figures…"],
                            className="working", role="status", id="working")),
        ], fluid=True), id="main-content", tabIndex="-1"),
        html.Footer(dbc.Container([
            html.P([dcc.Link("How we count", href="/how-we-count", id="footer-how-we-count"),
                    " · ", dcc.Link("Glossary", href=GLOSSARY_PATH, id="footer-glossary"),
                    f" · The page checks for new data every {refresh_seconds} seconds."]),
            html.P("Contains public sector information licensed under the Open Government "
                   "Licence v3.0 (ONS geography and population; NHS England discharge "
                   "statistics)."),
        ]), className="app-footer"),
    ])


def synthetic_banner(synthetic: bool) -> html.Div | None:
    if not synthetic:
        return None
    return html.Div(html.P([html.Strong("Demonstration: "), SYNTHETIC_NOTICE]),
                    className="synthetic-banner", role="note", id="synthetic-notice")


def source_status(sources: Sequence[SourceFreshness], uses: Sequence[str],
                  now: datetime) -> html.Div | None:
    """Each feed source's last delivery, and a warning for those gone quiet whose data this page
    uses (the warning says so in words, not by colour alone)."""
    if not sources:
        return None
    quiet = [s for s in sources if s.quiet and (s.kinds & set(uses) or (uses and not s.kinds))]
    items = [html.Li([html.Span(source.name, className="source-name"), ": ",
                      _last_delivered(source, now)],
                     className="source-quiet" if source.quiet else "")
             for source in sources]
    parts: list[object] = []
    if quiet:
        names = ", ".join(s.name for s in quiet)
        parts.append(html.Div([html.Strong("Data may be out of date: "),
                               f"{names} {'has' if len(quiet) == 1 else 'have'} not delivered "
                               "for longer than expected, so figures using their data may be "
                               "behind. See the Data page."],
                              className="alert alert-warning notice", id="quiet-sources",
                              role="status"))
    parts.append(html.Details([html.Summary(f"Feed sources ({len(sources)})"),
                               html.Ul(items, className="source-list")], id="source-list"))
    return html.Div(parts)


def _last_delivered(source: SourceFreshness, now: datetime) -> str:
    if source.last_delivery_at is None:
        text = "never delivered"
    else:
        text = f"last delivered {fmt.moment(source.last_delivery_at)} " \
               f"({fmt.duration_ago(now - source.last_delivery_at)})"
    if source.expected_every_minutes:
        text += f"; expected every {source.expected_every_minutes} min"
    return text + (" — QUIET" if source.quiet else "")


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
