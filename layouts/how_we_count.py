"""The How we count page: every definition, one section each, anchored by its id (the cards'
"All definitions" links go to ``/how-we-count#<id>``). The same words as docs/metrics.md."""

from __future__ import annotations

from collections.abc import Callable

from dash import dcc, html

from dashboard.definitions import (
    DEFINITIONS,
    Definition,
    definition_markdown,
    definition_sources,
    introduction,
)


def render(link: Callable[[str], str]) -> html.Div:
    """``link(path)`` gives a link to another page for the same area."""
    return html.Div([
        html.H1("How we count", id="page-title"),
        dcc.Markdown(introduction(), className="definition-text lead-in"),
        html.Nav(html.Ul([html.Li(html.A(d.title, href=f"#{d.id}")) for d in DEFINITIONS],
                         className="definition-contents"),
                 **{"aria-label": "Definitions"}),
        *[_section(definition) for definition in DEFINITIONS],
        dcc.Link("Back to Today", href=link("/"), className="kpi-link"),
    ])


def _section(definition: Definition) -> html.Section:
    return html.Section([
        html.H2(definition.title, className="section-heading"),
        dcc.Markdown(definition_markdown(definition.id), className="definition-text"),
        dcc.Markdown(definition_sources(definition.id), className="definition-sources"),
    ], id=definition.id, className="definition")
