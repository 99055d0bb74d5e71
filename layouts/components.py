"""Shared building blocks: figure cards, charts that always come with their table and their
definition ("How we count")."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from dashboard.definitions import definition_href, definition_markdown
from dashboard.goals import GoalInForce
from dashboard.spc import SpcResult
from layouts.figures import Figure
from layouts.static_html import StaticHtml


def how_we_count(definition: str) -> html.Details:
    """A figure's definition (a ``dashboard.definitions`` id), disclosed on demand, with a link to
    all of them. The words are the metric docstrings, as in docs/metrics.md."""
    return html.Details([
        html.Summary("How we count"),
        dcc.Markdown(definition_markdown(definition), className="definition-text"),
        dcc.Link("All definitions", href=definition_href(definition), className="kpi-link"),
    ], className="how-we-count")


def optional_how_we_count(definition: str | None) -> list[html.Details]:
    """``how_we_count`` as children to splice in: none without a definition."""
    return [how_we_count(definition)] if definition else []


def kpi_card(title: str, value: str, value_id: str, detail: str | html.Span = "",
             link: tuple[str, str] | None = None, tone: str = "",
             definition: str | None = None) -> dbc.Card:
    """One headline figure: what it is, the number, one line of context, where to read more,
    and how it is counted (``definition``: an id of ``dashboard.definitions``)."""
    body = [
        html.H2(title, className="kpi-title"),
        html.P(value, id=value_id, className="kpi-value"),
        html.P(detail, className="kpi-detail"),
    ]
    if link:
        href, text = link
        body.append(dcc.Link(text, href=href, className="kpi-link"))
    body += optional_how_we_count(definition)
    return dbc.Card(dbc.CardBody(body), className=f"kpi-card h-100 {tone}".strip())


EXPORTS = (("csv", "team", "CSV"), ("xlsx", "team", "Excel"),
           ("csv", "share", "CSV for sharing"), ("xlsx", "share", "Excel for sharing"))


def data_table(columns: Sequence[str], rows: Sequence[Sequence[object]], table_id: str,
               caption: str, kinds: Sequence[str] | None = None,
               run: str | None = None) -> html.Div:
    """A table of a chart's figures, with buttons that export it (CSV or Excel; for the team,
    or with the small-number rule for sharing: see callbacks/export.py).

    ``kinds`` says what each column holds for that rule (``dashboard.disclosure``); without
    it, whole-number columns are taken as counts and other figures are withheld when shared.
    ``run``: for a table of a run's results (the Plan page), the run's signed order, from which
    the export recomputes it (the address alone does not say what was run).
    """
    if kinds is not None and len(kinds) != len(columns):
        raise ValueError("one kind per column")
    table = plain_table(columns, rows, table_id, caption,
                        **({"data-kinds": "|".join(kinds)} if kinds else {}))
    buttons = html.Div(
        [html.Span("Export:", className="export-label")] + [
            html.Button(label, type="button", id=f"{table_id}-{fmt}-{audience}",
                        className="btn btn-outline-primary btn-sm export-table",
                        **{"data-table": table_id, "data-format": fmt,
                           "data-audience": audience, **({"data-run": run} if run else {})})
            for fmt, audience, label in EXPORTS],
        className="table-exports", role="group", **{"aria-label": f"Export {caption}"})
    return table_block(table, buttons)


def plain_table(columns: Sequence[str], rows: Sequence[Sequence[object]], table_id: str,
                caption: str, **props: object) -> html.Table:
    """A captioned table (put it in a ``table_block``); ``data_table`` adds export buttons."""
    return html.Table(
        [table_caption(caption, table_id),
         html.Thead(html.Tr([html.Th(c, scope="col") for c in columns])),
         html.Tbody(StaticHtml(rows=[[str(value) for value in row] for row in rows]))],
        id=table_id, className="table table-sm data-table", **props)


def body_row(row: Sequence[object]) -> dict[str, object]:
    """A table's row, its first value the row's header, as the JSON Dash sends for
    ``html.Tr([html.Th(first, scope="row"), html.Td(value), ...])``. A page has thousands of
    cells: made as component objects they cost more than the page's queries."""
    return element("Tr", [element("Th", str(row[0]), scope="row"),
                           *[element("Td", str(value)) for value in row[1:]]])


def element(tag: str, children: object, **props: object) -> dict[str, object]:
    """An html component (``html.<tag>(children, **props)``) as the JSON Dash sends, for parts
    of a page repeated hundreds of times (table rows)."""
    return {"type": tag, "namespace": "dash_html_components",
            "props": {"children": children, **props}}


def table_caption(caption: str, table_id: str) -> html.Caption:
    """A table's caption, with the id ``table_block`` names its block by."""
    return html.Caption(caption, id=f"{table_id}-caption")


def table_block(table: html.Table, *after: Component) -> html.Div:
    """A table (captioned by ``table_caption``), and ``after`` it, in a block that scrolls
    sideways when the screen is narrower than the table: a region named by the caption that
    takes keyboard focus, so arrow keys can scroll it (WCAG 2.1.1)."""
    return html.Div([table, *after], className="table-block", tabIndex="0", role="region",
                    **{"aria-labelledby": f"{table.id}-caption"})


FIGURES_SUMMARY = "Show the figures as a table"
# The ids of a table shown on demand: the summary that opens it, and the block that holds it.
OPENER, HOLDER = "figures-opener", "figures"


def on_demand(table: html.Div, summary: str = FIGURES_SUMMARY) -> html.Details:
    """``table`` (a ``data_table``) disclosed when the person opens it, and only then sent.

    A page's tables are most of its elements (a chart's figures, hundreds of cells each), and
    the browser builds every element it is sent, shown or not. So the page goes out without
    them (``detach_on_demand``) and opening one fetches it from the same view
    (``callbacks/figures.py``); exports still find it there."""
    table_id = next(part.id for part in table._traverse() if isinstance(part, html.Table))
    return html.Details([
        html.Summary(summary, id={"type": OPENER, "table": table_id}),
        html.Div(table, id={"type": HOLDER, "table": table_id}, className="figures-holder"),
    ], className="figures-on-demand")


def component_nodes(tree: Any, rows: bool = True) -> Iterator[dict[str, Any]]:
    """Every component in a tree as Dash sends it (JSON), through their children and the
    elements of a ``StaticHtml`` (its ``rows`` as the ``body_row`` elements they are drawn as;
    ``rows`` False: not those, for a walk that looks for components only)."""
    if isinstance(tree, dict) and "props" in tree:
        yield tree
        yield from component_nodes(tree["props"].get("children"), rows)
        yield from component_nodes(tree["props"].get("content"), rows)
        if rows and tree.get("type") == "StaticHtml":
            for row in tree["props"].get("rows") or ():
                yield from component_nodes(body_row(row))
    elif isinstance(tree, list):
        for item in tree:
            yield from component_nodes(item, rows)


def detach_on_demand(tree: Any) -> dict[str, Any]:
    """Take every ``on_demand`` table out of ``tree`` (JSON, changed in place), leaving its
    holder empty; the tables by id."""
    tables = {}
    for node in component_nodes(tree, rows=False):
        holder = node["props"].get("id")
        if isinstance(holder, dict) and holder.get("type") == HOLDER:
            tables[str(holder["table"])] = node["props"]["children"]
            node["props"]["children"] = None
    return tables


def chart(figure: Figure, graph_id: str, **props: Any) -> dcc.Graph:
    """A chart in a box as tall as the chart, so the page does not move as its charts are drawn
    (Dash's box for a graph starts with no height). Charts are laid out again only when their
    box changes width: assets/chart_resize.js."""
    return dcc.Graph(figure=figure, id=graph_id, config={"displayModeBar": False},
                     style={"height": f"{figure['layout']['height']}px"}, **props)


def chart_card(title: str, figure: Figure, graph_id: str, summary: str,
               table: html.Div, link: tuple[str, str] | None = None,
               definition: str | None = None) -> dbc.Card:
    """A chart with a plain-words summary and its data as a table, so nothing depends on
    seeing the chart, and how it is counted (``definition``: an id of
    ``dashboard.definitions``)."""
    body = [
        html.H2(title, className="card-heading"),
        html.P(summary, className="chart-summary"),
        chart(figure, graph_id, className="chart"),
        on_demand(table),
    ]
    if link:
        href, text = link
        body.append(dcc.Link(text, href=href, className="kpi-link"))
    body += optional_how_we_count(definition)
    return dbc.Card(dbc.CardBody(body), className="h-100")


def notice(message: str | list[object], *, tone: str = "warning",
           element_id: str | None = None) -> dbc.Alert:
    kwargs = {"id": element_id} if element_id else {}
    return dbc.Alert(message, color=tone, className="notice", **kwargs)


SPC_LIMITS_NOTE = ("Limits are fixed on the first 20 points and re-based only at dates of a "
                   "known change, given in the address as ?rebase=YYYY-MM-DD.")


def spc_badges(variation: str | None, assurance: str | None, *, trial: bool) -> html.P:
    """The SPC verdicts in words (with a symbol), never by colour alone."""
    from dashboard.spc import ASSURANCE_LABELS, VARIATION_ICON_LABELS, Assurance, VariationIcon

    parts: list[object] = []
    if variation:
        icon = VariationIcon(variation)
        symbol = {"improvement": "▲", "concern": "▼", "neither": "◆"}.get(
            next((k for k in ("improvement", "concern", "neither") if k in icon.value), ""), "●")
        parts.append(html.Span(f"{symbol} {VARIATION_ICON_LABELS[icon]}",
                               className=f"spc-badge spc-{icon.value}"))
    if assurance:
        parts.append(html.Span(ASSURANCE_LABELS[Assurance(assurance)],
                               className=f"spc-badge spc-assurance-{assurance}"))
    if trial:
        parts.append(html.Span("Trial limits (fewer than 12 points)", className="spc-badge"))
    return html.P(parts, className="spc-badges")


def goal_note(goal: GoalInForce | None, element_id: str) -> html.P:
    """The local goal a chart is read against (its dotted target line), when it holds and which
    area set it (the area itself, or one it lies in); or that there is none, so no assurance."""
    from layouts import formatting as fmt

    if goal is None:
        return html.P("No local goal is set here, so no assurance icon.", id=element_id,
                      className="goal-note")
    level = fmt.goal_level(goal.measure, goal.value, goal.better)
    return html.P(f"Local goal: {level}, {fmt.day(goal.first_day)} to "
                  f"{fmt.day(goal.last_day)} (set for {goal.area_name}).", id=element_id,
                  className="goal-note")


def spc_table(result: SpcResult, table_id: str, value: str, caption: str, kind: str, *,
              point: str = "Day", value_format: str = "{:,.0f}") -> html.Details:
    """An SPC chart's figures, disclosed on demand: each point's value (``kind`` for the
    small-number rule), the mean, special cause."""
    rows = [(f"{p.date:%Y-%m-%d}", value_format.format(p.value), f"{p.mean:,.1f}",
             "yes" if p.special_cause else "") for p in result.points.itertuples()]
    return on_demand(data_table([point, value.capitalize(), "Mean", "Special cause"], rows,
                                table_id, caption, kinds=["label", kind, "measure", "label"]))


def pathway_counts_card(title: str, counts: dict[int, int], value_id: str,
                        item_id: Callable[[int], str],
                        definition: str | None = None) -> dbc.Card:
    """A headline total with its count for each pathway listed beneath it."""
    return dbc.Card(dbc.CardBody([
        html.H2(title, className="kpi-title"),
        html.P(f"{sum(counts.values()):,}", id=value_id, className="kpi-value"),
        html.Ul([html.Li([html.Span(f"Pathway {p}", className="label"),
                          html.Span(f"{n:,}", id=item_id(p), className="figure")])
                 for p, n in counts.items()], className="pathway-list"),
        *optional_how_we_count(definition),
    ]), className="kpi-card h-100")
