"""Help on every page: "How to read this page" at the top of each, and the glossary page. The
words are in each page's declaration (``dashboard/pages.py``) and in
``layouts/glossary_terms.py``; the SPC badges are drawn by the same function as on the charts
(``layouts.components.spc_badges``)."""

from __future__ import annotations

from collections.abc import Callable

from dash import dcc, html

from dashboard.pages import GLOSSARY_PATH
from layouts.components import spc_badges
from layouts.glossary_terms import GLOSSARY, SUMMARY, Term, TermGroup


def how_to_read(points: tuple[str, ...], glossary_href: str = GLOSSARY_PATH) -> html.Details:
    """A page's points (its declaration's ``how_to_read``), disclosed on demand, with the
    glossary one click away. A native <details>: it opens with the keyboard (Enter or Space on
    its summary) and is announced as a disclosure without any script. ``glossary_href``: the
    glossary's address, keeping the area."""
    return html.Details([
        html.Summary(SUMMARY),
        html.Ul([html.Li(point) for point in points],
                className="how-to-read-points"),
        html.P(["What the words, codes and symbols mean: ",
                dcc.Link("Glossary", href=glossary_href, className="kpi-link")],
               className="how-to-read-glossary"),
    ], className="how-to-read", id="how-to-read")


def glossary(link: Callable[[str], str]) -> html.Div:
    """The glossary page: one section per group of terms, each a list of definitions whose terms
    are anchored by their ids (``/glossary#<id>``). ``link(path)``: another page, same area."""
    return html.Div([
        html.H1("Glossary", id="page-title"),
        html.P("What the words, codes and symbols on these pages mean. How each figure is "
               "counted is on the How we count page.", className="lead-in"),
        html.Nav(html.Ul([html.Li(html.A(group.title, href=f"#{group.id}"))
                          for group in GLOSSARY], className="glossary-contents"),
                 **{"aria-label": "Glossary sections"}),
        *[_section(group) for group in GLOSSARY],
        dcc.Link("Back to Today", href=link("/"), className="kpi-link"),
    ])


def _section(group: TermGroup) -> html.Section:
    return html.Section([
        html.H2(group.title, className="section-heading"),
        html.Dl([item for term in group.terms for item in _entry(term)],
                className="glossary-list"),
    ], id=group.id, className="glossary-section")


def _entry(term: Term) -> tuple[html.Dt, html.Dd]:
    return (html.Dt(_term_label(term), id=term.id, className="glossary-term"),
            html.Dd(term.meaning, className="glossary-meaning"))


def _term_label(term: Term) -> str | list[object]:
    """The term in words, or for an SPC icon its badge exactly as the charts show it."""
    if term.badge is None:
        return term.term
    kind, value = term.badge
    badges = spc_badges(value if kind == "variation" else None,
                        value if kind == "assurance" else None, trial=kind == "trial")
    return badges.children
