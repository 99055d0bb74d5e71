"""The Capacity page: what is free now, demand beside supply, capacity over time, the outlook."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard.outlook import METHOD_TEXT, BacktestResult
from dashboard.results import AreaInfo, Backtest
from dashboard.spc import SpcResult
from dashboard.url_state import ViewState
from dashboard.vocabulary import INTERMEDIATE_CARE_PATHWAYS, PATHWAY_SHORT_LABELS
from layouts import formatting as fmt
from layouts.components import (
    SPC_LIMITS_NOTE,
    chart,
    chart_card,
    data_table,
    how_we_count,
    on_demand,
    spc_badges,
    spc_table,
)
from layouts.figures import grouped_bars, lines_with_bands
from layouts.filters import page_header
from layouts.spc_figure import spc_figure

PATHWAY_LABEL = PATHWAY_SHORT_LABELS
# Places, occupied, unavailable and free are counted as people (conservative). Occupancy is
# judged by "Occupied": its figure with the places would give away an occupied count of 1 to 7
# (3 of 10 places: 30%), so it is withheld when that count is. Numbers of services reporting
# are not figures about people.
PLACES_KINDS = ["count", "count", "count", "count", "share:Occupied"]


@dataclass(frozen=True)
class CapacityView:
    area: AreaInfo
    state: ViewState
    now: datetime
    services: pd.DataFrame  # capacity_at
    by_pathway: pd.DataFrame  # roll_up by pathway
    by_area: pd.DataFrame  # roll_up by area
    waiting: dict[int, int]  # waiting_for_pathway
    occupancy_spc: dict[int, SpcResult]
    free_spc: dict[int, SpcResult]
    outlook: dict[int, pd.DataFrame]  # data_access.metrics.outlook.capacity_outlook


def pathways_shown(state: ViewState) -> tuple[int, ...]:
    return INTERMEDIATE_CARE_PATHWAYS if state.pathway is None else (state.pathway,)


def _free(view: CapacityView, pathway: int) -> int:
    rows = view.by_pathway[view.by_pathway.pathway == pathway]
    return int(rows.free.sum())


def summary_sentence(view: CapacityView) -> str:
    shown = pathways_shown(view.state)
    free = ", ".join(f"{PATHWAY_LABEL[p]} {_free(view, p):,}" for p in shown)
    waiting = ", ".join(f"{PATHWAY_LABEL[p]} {view.waiting[p]:,}" for p in shown)
    stale = int((view.services.status != "current").sum())
    caveat = (f" {fmt.plural(stale, 'service')} without a current report "
              "(not counted)." if stale else "")
    return f"Free places now: {free}. People waiting for them: {waiting}.{caveat}"


def build(view: CapacityView, href: Callable[[str], str]) -> html.Div:
    return html.Div([
        *page_header(f"Capacity: {view.area.name}", summary_sentence(view), "capacity-summary",
                     view.state, pathway=True),
        dbc.Row([
            dbc.Col(_demand_supply_card(view), lg=6),
            dbc.Col(_pathway_table_card(view), lg=6),
        ], className="g-3 mb-3"),
        dbc.Row([dbc.Col(_services_card(view), lg=12)], className="g-3 mb-3"),
        html.H2("The next 14 days", className="section-heading"),
        html.P(METHOD_TEXT, className="chart-summary", id="outlook-method"),
        dbc.Row([dbc.Col(_outlook_card(view, p), lg=12 // len(pathways_shown(view.state)))
                 for p in pathways_shown(view.state)], className="g-3 mb-3"),
        dbc.Card(dbc.CardBody([
            html.H2("How far off the outlook has been", className="card-heading"),
            # Filled by its own callback (callbacks/capacity.py), after the page shows.
            html.Div(html.P("Working out the back-test…", className="chart-summary"),
                     id="outlook-backtest", **{"aria-live": "polite"}),
            how_we_count("outlook"),
        ]), className="mb-3"),
        html.H2(f"Over the period {view.state.first_day:%d %b %Y} to "
                f"{view.state.last_day:%d %b %Y}", className="section-heading"),
        dbc.Row([dbc.Col(_spc_card(view, p), lg=12 // len(pathways_shown(view.state)))
                 for p in pathways_shown(view.state)], className="g-3 mb-3"),
        dbc.Row([dbc.Col(_area_table_card(view), lg=12)], className="g-3 mb-3"),
    ])


def _demand_supply_card(view: CapacityView) -> dbc.Card:
    shown = pathways_shown(view.state)
    labels = [PATHWAY_LABEL[p] for p in shown]
    series = {"People waiting": [view.waiting[p] for p in shown],
              "Free places now": [_free(view, p) for p in shown]}
    rows = [(PATHWAY_LABEL[p], view.waiting[p], _free(view, p),
             view.waiting[p] - _free(view, p)) for p in shown]
    return chart_card(
        "Demand beside supply", grouped_bars(labels, series, axis_title="people or places"),
        "demand-supply-chart",
        "People waiting now for each pathway (by their recorded pathway, else the pathway "
        "their delay reason names) beside the free places with a current report.",
        data_table(["Pathway", "People waiting", "Free places", "Waiting minus free"], rows,
                   "demand-supply-table", "Demand beside supply by pathway",
                   # The difference can be negative, and with either figure it gives away the
                   # other exactly: withheld.
                   kinds=["label", "count", "count", "measure"]),
        definition="demand")


def _percent(value: float | None) -> str:
    return "–" if value is None or pd.isna(value) else f"{100 * value:.0f}%"


def _pathway_table_card(view: CapacityView) -> dbc.Card:
    rows = [(PATHWAY_LABEL[int(r.pathway)], r.places, r.occupied, r.unavailable, r.free,
             _percent(r.occupancy), r.current_reports, r.stale_reports, r.no_report)
            for r in view.by_pathway.itertuples() if int(r.pathway) in pathways_shown(view.state)]
    return dbc.Card(dbc.CardBody([
        html.H2("By pathway, now", className="card-heading"),
        html.P("Totals over services whose latest report is current (at most 24 hours old).",
               className="chart-summary"),
        data_table(["Pathway", "Places", "Occupied", "Unavailable", "Free", "Occupancy",
                    "Current reports", "Stale reports", "Never reported"], rows,
                   "capacity-pathway-table", "Capacity now by pathway",
                   kinds=["label", *PLACES_KINDS, "label", "label", "label"]),
        how_we_count("capacity-roll-up"),
    ]), className="h-100")


def _services_card(view: CapacityView) -> dbc.Card:
    frame = view.services[view.services.pathway.isin(pathways_shown(view.state))]
    records = [{
        "service": r.name, "pathway": int(r.pathway), "setting": r.setting,
        "provider": r.provider, "area": r.area,
        "reported": fmt.moment(None if pd.isna(r.reported_at) else r.reported_at),
        "places": _int(r.places), "occupied": _int(r.occupied),
        "unavailable": _int(r.unavailable), "free": _int(r.free),
        "occupancy": None if pd.isna(r.occupancy) else round(100 * r.occupancy),
        "status": {"current": "current", "stale": "⚠ stale: not counted",
                   "no report": "⚠ never reported"}[r.status],
    } for r in frame.itertuples()]
    columns = [
        {"field": "service", "headerName": "Service", "minWidth": 240, "pinned": "left"},
        {"field": "pathway", "headerName": "Pathway", "maxWidth": 110},
        {"field": "area", "headerName": "Area"},
        {"field": "provider", "headerName": "Provider"},
        {"field": "places", "headerName": "Places", "type": "numericColumn"},
        {"field": "occupied", "headerName": "Occupied", "type": "numericColumn"},
        {"field": "unavailable", "headerName": "Unavailable", "type": "numericColumn"},
        {"field": "free", "headerName": "Free", "type": "numericColumn"},
        {"field": "occupancy", "headerName": "Occupancy %", "type": "numericColumn"},
        {"field": "reported", "headerName": "Last report"},
        {"field": "status", "headerName": "Report"},
    ]
    return dbc.Card(dbc.CardBody([
        html.H2("Every service, now", className="card-heading"),
        html.P("Sort by any column; filter with the boxes under the headings. A report more "
               "than 24 hours old is stale and is not counted in any total.",
               className="chart-summary"),
        dag.AgGrid(id="services-grid", rowData=records, columnDefs=columns,
                   defaultColDef={"sortable": True, "filter": True, "floatingFilter": True,
                                  "resizable": True},
                   columnSize="responsiveSizeToFit",
                   dashGridOptions={"domLayout": "autoHeight", "theme": "legacy"},
                   className="ag-theme-quartz"),
        on_demand(summary="Show as a plain table, or download it", table=data_table(
            ["Service", "Pathway", "Places", "Occupied", "Unavailable", "Free", "Occupancy %",
             "Last report", "Report"],
            [(r["service"], r["pathway"], r["places"], r["occupied"], r["unavailable"],
              r["free"], r["occupancy"], r["reported"], r["status"]) for r in records],
            "services-table", "Every service's latest report",
            kinds=["label", "label", *PLACES_KINDS, "label", "label"])),
        how_we_count("capacity-now"),
    ]))


def _int(value: object) -> int | None:
    return None if pd.isna(value) else int(value)  # type: ignore[arg-type]


def _spc_card(view: CapacityView, pathway: int) -> dbc.Card:
    occupancy = view.occupancy_spc[pathway]
    free = view.free_spc[pathway]
    label = PATHWAY_LABEL[pathway]
    body: list[object] = [
        html.H2(f"{label}: occupancy and free places day by day", className="card-heading"),
        html.P("At the end of each day, from each service's latest current report. "
               + _latest([(occupancy, "occupancy {:,.0f}%"), (free, "{:,.0f} free places")])
               + SPC_LIMITS_NOTE, className="chart-summary"),
    ]
    # (result, chart id, value, what the value column holds for the small-number rule): an
    # occupancy % has no count of people beside it, so it is withheld when shared.
    for result, chart_id, value, kind in (
            (occupancy, f"occupancy-spc-p{pathway}", "occupancy %", "measure"),
            (free, f"free-spc-p{pathway}", "free places", "count")):
        body += [spc_badges(result.variation_icon, None, trial=result.trial_limits),
                 chart(spc_figure(result, title_y=value, height=260), chart_id),
                 spc_table(result, f"{chart_id}-table", value,
                            f"{label}: {value} day by day, with the SPC mean", kind)]
    return dbc.Card(dbc.CardBody([*body, how_we_count("capacity-daily")]), className="h-100")


def _latest(series: list[tuple[SpcResult, str]]) -> str:
    """Each series' last point in words, from (result, format of its value): "Latest: occupancy
    75% (24 Nov); 5 free places (24 Nov). ", or nothing without points."""
    parts = [f"{text.format(r.points.value.iloc[-1])} ({r.points.date.iloc[-1]:%d %b})"
             for r, text in series if not r.points.empty]
    return f"Latest: {'; '.join(parts)}. " if parts else ""


def _area_table_card(view: CapacityView) -> dbc.Card:
    rows = [(r.area, r.places, r.occupied, r.unavailable, r.free, _percent(r.occupancy),
             r.stale_reports + r.no_report) for r in view.by_area.itertuples()]
    return dbc.Card(dbc.CardBody([
        html.H2("By the area a service belongs to, now", className="card-heading"),
        html.P("A system-wide service is listed under the system.", className="chart-summary"),
        data_table(["Area", "Places", "Occupied", "Unavailable", "Free", "Occupancy",
                    "Without a current report"], rows, "capacity-area-table",
                   "Capacity now by area", kinds=["label", *PLACES_KINDS, "label"]),
        how_we_count("capacity-roll-up"),
    ]))


def backtest_sentence(result: BacktestResult, noun: str) -> str:
    if result.origins == 0:
        return f"No back-test of {noun} yet: not enough history."
    return (f"{noun.capitalize()}: off by {result.mean_absolute_error:,.1f} on average "
            f"({_percent(result.weighted_mape)} of what happened; bias "
            f"{result.mean_error:+,.1f}); the range held the actual "
            f"{_percent(result.coverage)} of the time ({result.origins} weekly forecasts).")


def _outlook_card(view: CapacityView, pathway: int) -> dbc.Card:
    table = view.outlook[pathway]
    days = [f"{d:%d %b}" for d in table.date]
    demand = table.cumulative_demand + table.waiting_now
    supply = table.expected_free_without_new_admissions
    series = {
        "People needing a place (waiting now + new)": (
            list(demand), list(table.cumulative_demand_low + table.waiting_now),
            list(table.cumulative_demand_high + table.waiting_now)),
        "Places free (free now + freed)": (
            list(supply), list(table.expected_free_without_new_admissions_low),
            list(table.expected_free_without_new_admissions_high)),
    }
    last = table.iloc[-1]
    verdict = ("more people than places" if last.expected_shortfall > 0
               else "enough places")
    summary = (f"By {last.date:%a %d %b}: {verdict}, expected shortfall "
               f"{last.expected_shortfall:+,.0f} (range {last.expected_shortfall_low:+,.0f} to "
               f"{last.expected_shortfall_high:+,.0f}).")
    if pd.isna(last.expected_shortfall):  # no stays to learn from (no service reported yet)
        summary = ("No outlook: there is not yet enough history of this pathway's stays to "
                   "forecast the places freed.")
    rows = [(f"{r.date:%a %d %b}", _number(r.expected_new_demand, "{:.1f}"),
             _number(needed, "{:.0f}"), _number(free, "{:.0f}"),
             _number(r.expected_shortfall, "{:+.0f}"))
            for r, needed, free in zip(table.itertuples(), demand, supply, strict=True)]
    return dbc.Card(dbc.CardBody([
        html.H2(f"{PATHWAY_LABEL[pathway]}: outlook", className="card-heading"),
        html.P(summary, className="chart-summary",
               id=f"outlook-summary-p{pathway}"),
        chart(lines_with_bands(days, series, axis_title="people or places"),
              f"outlook-chart-p{pathway}"),
        on_demand(data_table(
            ["Day", "New demand", "Needing a place", "Places free", "Shortfall"], rows,
            f"outlook-table-p{pathway}", f"{PATHWAY_LABEL[pathway]}: 14-day outlook",
            # Forecasts, not counts of people (and "Needing a place" includes the people
            # waiting now): withheld.
            kinds=["label", "measure", "measure", "measure", "measure"])),
        how_we_count("outlook"),
    ]), className="h-100")


def backtest_block(backtest: dict[int, Backtest], pathways: tuple[int, ...]) -> html.Div:
    """The back-test in words, per pathway, with its table."""
    rows = [(PATHWAY_LABEL[p], result.measure, result.origins,
             f"{result.mean_absolute_error:,.1f}", _percent(result.weighted_mape),
             f"{result.mean_error:+,.1f}", _percent(result.coverage))
            for p in pathways for result in (backtest[p].demand, backtest[p].places)]
    return html.Div([
        html.P("The same outlook made at past dates (weekly, whose 14 days have passed), "
               "against what happened.", className="chart-summary"),
        *[html.P([html.Strong(f"{PATHWAY_LABEL[p]}. "),
                  backtest_sentence(backtest[p].demand, "new demand"), " ",
                  backtest_sentence(backtest[p].places, "places freed")],
                 className="chart-summary", id=f"outlook-backtest-p{p}") for p in pathways],
        data_table(["Pathway", "Measure", "Forecasts", "Mean absolute error", "Weighted error",
                    "Bias", "Band held the actual"], rows, "outlook-backtest-table",
                   "Back-test of the 14-day outlook",
                   # "Forecasts" is a number of past forecasts, not of people; the errors are in
                   # people and places, with no base count: withheld.
                   kinds=["label", "label", "label", "measure", "measure", "measure",
                          "measure"]),
    ])


def _number(value: float, pattern: str) -> str:
    """A forecast figure, or "–" where there is none."""
    return "–" if pd.isna(value) else pattern.format(value)
