"""Unknown addresses, and pages without local data."""

from __future__ import annotations

from dash import dcc, html

from dashboard.pages import Page
from layouts.components import notice


def not_found(path: str, home_href: str) -> html.Div:
    return html.Div([
        html.H1("Page not found", id="page-title"),
        html.P(f"There is no page at {path}."),
        dcc.Link("Back to Today", href=home_href),
    ])


def no_local_data(page: Page, benchmark_href: str | None) -> html.Div:
    """What a page of local figures says while there are none, pointing to the benchmark
    (``benchmark_href``, if the user may open it), which needs only published figures."""
    benchmark = [] if benchmark_href is None else [
        " The national benchmark needs only NHS England's published figures: ",
        dcc.Link("open the National benchmark", href=benchmark_href,
                 id="no-local-data-benchmark-link"), "."]
    return html.Div([
        html.H1(page.title, id="page-title"),
        notice(["There is no local data yet. Load it with 'python -m dashboard load FOLDER' "
                "(or 'python -m dashboard demo' for demonstration data).", *benchmark],
               element_id="no-local-data"),
    ])
