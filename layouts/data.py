"""The Data page: every load and feed delivery, each feed source's freshness, and the records
that need fixing at source."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.results import WRITE_OUTCOMES, AreaInfo, CheckResult, SourceFreshness
from layouts import formatting as fmt
from layouts.components import data_table, table_block, table_caption

# The page whose figures each check's records distort.
CHECK_PAGES = {
    "nctr-missing": ("/time-to-service", "Time to service"),
    "reason-missing": ("/delays", "Delays by reason"),
    "service-before-nctr": ("/time-to-service", "Time to service"),
    "capacity-over-places-now": ("/capacity", "Capacity"),
    "capacity-over-places-recent": ("/capacity", "Capacity"),
    "stuck-in-hospital": ("/delays", "Delays by reason"),
    "stuck-in-service": ("/flow", "Flow"),
}
# What each check column holds, for the small-number rule when a check's records are exported
# for sharing (dashboard.disclosure). A row is one record: the identifiers it is looked up by at
# source (and a service's report time) are labels; a service's places and occupied are counted
# as people; a person's own times and durations are withheld, as is any column not named here.
CHECK_LABEL_COLUMNS = frozenset({"episode_id", "site_code", "pathway", "service_code",
                                 "reported_at"})
CHECK_COUNT_COLUMNS = frozenset({"places", "occupied"})
DELIVERY_HEADINGS = ("Finished", "Batch", "Source", "Channel", "Kind", "Outcome", "Read",
                     "Accepted", "Rejected", "Written", "Why rejected")


@dataclass(frozen=True)
class DataView:
    area: AreaInfo
    now: datetime
    sources: Sequence[SourceFreshness]
    deliveries: pd.DataFrame  # data_access.deliveries.recent_deliveries
    reasons: dict[int, list[tuple[int, str]]]  # the first rejections of each load, by load id
    checks: Sequence[CheckResult]


def build(view: DataView, href: Callable[[str], str]) -> html.Div:
    """``href(path)`` gives a link to another page for the same area."""
    area = view.area
    return html.Div([
        html.H1(f"Data: {area.name}", id="page-title"),
        html.P(f"{area.level_label} · checked at {fmt.moment(view.now)}. Sources and deliveries "
               "are for the whole database; the checks cover people whose home is in "
               f"{area.name} and the services serving it. Times are UK local time.",
               className="lead-in"),
        html.H2("Sources", className="section-heading"),
        sources_block(view.sources, view.now),
        html.H2("Deliveries", className="section-heading"),
        deliveries_block(view.deliveries, view.reasons),
        html.H2("Checks", className="section-heading"),
        checks_block(view.checks, href),
    ])


def sources_block(sources: Sequence[SourceFreshness], now: datetime) -> html.Div:
    """Each feed source: how often it should deliver, when it last did, and whether it is late."""
    if not sources:
        return html.Div(html.P("No feed sources are registered: data arrives by file loads only "
                               "(see Deliveries).", id="sources-none"))
    rows = [(s.name, f"every {s.expected_every_minutes:,} min" if s.expected_every_minutes
             else "not set", _last_delivery(s, now), source_status(s),
             ", ".join(sorted(k.removesuffix(".csv") for k in s.kinds)) or "–")
            for s in sources]
    return data_table(["Source", "Expected interval", "Last delivery", "Status", "Delivers"],
                      rows, "sources-table",
                      "Feed sources: each one's last accepted delivery and whether it is late",
                      kinds=["label"] * 5)


def source_status(source: SourceFreshness) -> str:
    """In words: never delivered, QUIET (later than its interval), on time, or no interval set
    (never flagged)."""
    if source.last_delivery_at is None:
        return "never delivered"
    if source.quiet:
        return "QUIET"
    return "on time" if source.expected_every_minutes else "no interval set"


def _last_delivery(source: SourceFreshness, now: datetime) -> str:
    if source.last_delivery_at is None:
        return "never"
    return (f"{fmt.moment(source.last_delivery_at)} "
            f"({fmt.duration_ago(now - source.last_delivery_at)})")


def deliveries_block(deliveries: pd.DataFrame,
                     reasons: dict[int, list[tuple[int, str]]]) -> html.Div:
    """One row per file of each load or delivery, a batch's files together, newest first."""
    if deliveries.empty:
        return html.Div(html.P("Nothing has been loaded or delivered yet.", id="deliveries-none"))
    batches = deliveries.batch_id.nunique()
    body, previous = [], None
    for row in deliveries.itertuples():
        cells = [html.Th(_cell(row.finished_at), scope="row"),
                 *[html.Td(str(v)) for v in (row.batch_id[:8], row.source, row.channel,
                                             row.kind, row.outcome)],
                 *[html.Td(f"{v:,}", className="number")
                   for v in (row.rows_read, row.rows_accepted, row.rows_rejected)],
                 html.Td(_written(row)),
                 html.Td(_why_rejected(row, reasons.get(row.id, [])))]
        starts_batch = row.batch_id != previous
        body.append(html.Tr(cells, id=f"delivery-{row.id}",
                            className=f"outcome-{row.outcome}"
                                      + (" batch-start" if starts_batch else "")))
        previous = row.batch_id
    latest = fmt.plural(batches, "load or delivery", "loads and deliveries")
    table = html.Table([
        table_caption(f"The latest {latest}, one row per file, newest first", "deliveries-table"),
        html.Thead(html.Tr([html.Th(h, scope="col") for h in DELIVERY_HEADINGS])),
        html.Tbody(body),
    ], id="deliveries-table", className="table table-sm data-table deliveries-table")
    return table_block(table)


def _written(row: Any) -> str:
    """What the write made of the accepted rows: "2 new, 1 unchanged"; "–" if nothing was
    written (or the load was recorded before this was counted)."""
    counts = [(getattr(row, f"rows_{outcome}"), outcome) for outcome in WRITE_OUTCOMES]
    if any(count is None for count, _ in counts):
        return "–"
    return ", ".join(f"{int(count):,} {outcome}" for count, outcome in counts if count) \
        or "nothing"


def _why_rejected(row: Any, shown: list[tuple[int, str]]) -> html.Details | str:
    """The first reasons, as "line N: reason" (CSV) or "record N: reason" (a JSON delivery)."""
    rejected = int(row.rows_rejected)
    if not rejected:
        return ""
    items = [html.Li(f"{row.unit} {position}: {reason}") for position, reason in shown]
    if rejected > len(shown):
        items.append(html.Li(f"… and {rejected - len(shown):,} more", className="more"))
    summary = f"Show why ({len(shown):,} of {fmt.plural(rejected, 'reason')})"
    return html.Details([html.Summary(summary), html.Ul(items, className="rejection-reasons")],
                        id=f"delivery-{row.id}-reasons")


def checks_block(checks: Sequence[CheckResult], href: Callable[[str], str]) -> html.Div:
    flagged = sum(1 for check in checks if check.count)
    return html.Div([
        html.P(f"{flagged} of {fmt.plural(len(checks), 'check')} flag records. Each names the "
               "records (by the source's own identifiers) so they can be fixed at source.",
               id="checks-summary"),
        *[check_card(check, href) for check in checks],
    ])


def check_card(check: CheckResult, href: Callable[[str], str]) -> dbc.Card:
    """A check: its count, which records it flags and why that matters, and the records."""
    prefix = f"check-{check.check_id}"
    body: list[object] = [
        html.H3(check.title, className="card-heading"),
        html.P([html.Span(fmt.whole(check.count), id=f"{prefix}-count", className="kpi-value"),
                " ", "records to fix at source" if check.count else "records: nothing to fix"],
               className="check-count"),
        html.P([html.Strong("Flagged: "), check.definition], className="check-definition"),
        html.P([html.Strong("Why it matters: "), check.why_it_matters], className="chart-summary"),
    ]
    if check.rows:
        shown = len(check.rows)
        which = f"all {check.count:,}" if shown == check.count else \
            f"the first {shown:,} of {check.count:,}"
        body.append(data_table(check.columns, [[_cell(v) for v in row] for row in check.rows],
                               f"{prefix}-table", f"{check.title}: {which} records",
                               kinds=check_kinds(check.columns)))
    if check.check_id in CHECK_PAGES:
        path, label = CHECK_PAGES[check.check_id]
        body.append(dcc.Link(f"Affects: {label}", href=href(path), className="kpi-link"))
    tone = "check-flagged" if check.count else "check-clear"
    return dbc.Card(dbc.CardBody(body), className=f"check-card {tone} mb-3", id=prefix)


def check_kinds(columns: Sequence[str]) -> list[str]:
    """The kind of each column of a check's records (see ``CHECK_LABEL_COLUMNS``)."""
    return ["label" if column in CHECK_LABEL_COLUMNS else
            "count" if column in CHECK_COUNT_COLUMNS else "measure" for column in columns]


def _cell(value: object) -> str:
    """A table cell as a data lead searches for it: times as YYYY-MM-DD HH:MM (UK local)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)

