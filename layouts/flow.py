"""The Flow page: arrivals, referrals and discharges day by day on SPC charts; where the period's
journeys went; stock and flow through intermediate care; pathway mix against home first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard.results import LONG_STAY_DAYS, AreaInfo, LengthOfCare, WaitingSnapshot
from dashboard.spc import SpcResult
from dashboard.url_state import ViewState
from layouts import formatting as fmt
from layouts.components import (
    SPC_LIMITS_NOTE,
    chart,
    chart_card,
    data_table,
    kpi_card,
    on_demand,
    optional_how_we_count,
    pathway_counts_card,
    spc_badges,
)
from layouts.figures import lines, sankey, stacked_bars
from layouts.filters import page_header
from layouts.spc_figure import spc_figure

# The SPC charts' definitions, by how their titles (set in callbacks/flow.py) begin.
SPC_DEFINITIONS = (("New NCTR", "sitrep-day"), ("Referrals", "referrals"),
                   ("Discharges", "discharges-daily"))

# domain.md: shares of discharges of NCTR patients, England 2021-24: P1 7.5-9.5%, P2 3-4%,
# P3 about 3% (1.2-1.6% new and 1.4-1.8% returning residents): P1 is 50-63% of P1-3.
HOME_FIRST_REFERENCE = ("in England (2021-24) pathway 1 was 50-63% of discharges to pathways "
                        "1-3 (7.5-9.5% of all discharges, against 3-4% to pathway 2 and about "
                        "3% to pathway 3)")


@dataclass(frozen=True)
class FlowView:
    area: AreaInfo
    state: ViewState
    now: datetime
    waiting: WaitingSnapshot
    in_service: dict[int, int]
    length_of_care: LengthOfCare
    spc_charts: dict[str, SpcResult]  # title -> chart
    journeys: pd.DataFrame
    starts_ends: pd.DataFrame
    mix: pd.DataFrame


def summary_sentence(view: FlowView) -> str:
    in_service = sum(view.in_service.values())
    days = max(len(view.starts_ends), 1)
    los = view.length_of_care
    per_day = view.starts_ends.starts.sum() / days
    return (f"{view.waiting.total:,} people are waiting in hospital and {in_service:,} are "
            f"receiving intermediate care. In the period about {per_day:,.0f} services started "
            f"a day; those that ended lasted a median of {_days(los.median_days)}.")


def spc_definition(title: str) -> str | None:
    """The definition of the SPC chart with this title."""
    return next((definition for start, definition in SPC_DEFINITIONS
                 if title.startswith(start)), None)


def _days(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f} days"


def build(view: FlowView, href: Callable[[str], str]) -> html.Div:
    los = view.length_of_care
    return html.Div([
        *page_header(f"Flow: {view.area.name}", summary_sentence(view), "flow-summary",
                     view.state, pathway=True),
        dbc.Row([
            dbc.Col(kpi_card("Waiting in hospital now", fmt.whole(view.waiting.total),
                             "flow-waiting-value", "no longer meet the criteria to reside",
                             definition="waiting"), md=3),
            dbc.Col(pathway_counts_card("In intermediate care now", view.in_service,
                                        "flow-in-service-value",
                                        lambda p: f"flow-in-service-p{p}-value",
                                        definition="in-service"), md=3),
            dbc.Col(kpi_card("Length of intermediate care", _days(los.median_days),
                             "flow-los-median-value",
                             html.Span([f"median of {los.ended:,} ended in the period; 90th "
                                        f"percentile {_days(los.p90_days)}; ",
                                        html.Span(fmt.percent(los.beyond_six_weeks_percent),
                                                  id="flow-los-long-value"),
                                        f" beyond {LONG_STAY_DAYS} days"]),
                             definition="length-of-care"), md=3),
            dbc.Col(kpi_card("Still in service", fmt.whole(los.still_in_service),
                             "flow-still-value",
                             f"at the period's end, {los.still_in_service_beyond_six_weeks:,} of "
                             f"them for more than {LONG_STAY_DAYS} days",
                             definition="length-of-care"), md=3),
        ], className="g-3 mb-3"),
        dbc.Row([dbc.Col(_spc_card(title, result, i), lg=6)
                 for i, (title, result) in enumerate(view.spc_charts.items())],
                className="g-3 mb-3"),
        dbc.Row([dbc.Col(_journeys_card(view), lg=12)], className="g-3 mb-3"),
        dbc.Row([
            dbc.Col(_starts_ends_card(view), lg=6),
            dbc.Col(_mix_card(view), lg=6),
        ], className="g-3 mb-3"),
    ])


def _spc_card(title: str, result: SpcResult, index: int) -> dbc.Card:
    points = result.points
    latest = (f"Latest {points.value.iloc[-1]:,.0f} on {points.date.iloc[-1]:%d %b}; mean "
              f"{points['mean'].iloc[-1]:,.1f}. " if len(points) else "")
    rows = [(f"{p.date:%Y-%m-%d}", f"{p.value:,.0f}", f"{p.mean:,.1f}",
             "yes" if p.special_cause else "") for p in points.itertuples()]
    return dbc.Card(dbc.CardBody([
        html.H2(title, className="card-heading"),
        html.P(latest + SPC_LIMITS_NOTE, className="chart-summary"),
        spc_badges(result.variation_icon, None, trial=result.trial_limits),
        chart(spc_figure(result, title_y="people", height=260), f"flow-spc-{index}"),
        on_demand(data_table(
            ["Day", "People", "Mean", "Special cause"], rows, f"flow-spc-{index}-table",
            title, kinds=["label", "count", "measure", "label"])),
        *optional_how_we_count(spc_definition(title)),
    ]), className="h-100")


def _journeys_card(view: FlowView) -> dbc.Card:
    frame = view.journeys
    flows: list[tuple[str, str, int]] = []
    for left, right in (("site", "pathway"), ("pathway", "service_type"),
                        ("service_type", "outcome")):
        links = frame.groupby([left, right], as_index=False).people.sum()
        flows += [(str(a), str(b), int(n)) for a, b, n in links.itertuples(index=False)]
    total = int(frame.people.sum())
    rows = [tuple(r) for r in frame.sort_values("people", ascending=False)
            .itertuples(index=False)]
    return chart_card(
        "Where the period's journeys went",
        sankey(flows), "journeys-chart",
        f"{total:,} people discharged in the period, from hospital site to pathway to the kind "
        "of service to how their intermediate care ended.",
        data_table(["Site", "Pathway", "Service", "Outcome", "People"], rows, "journeys-table",
                   "Journeys of people discharged in the period",
                   kinds=["label", "label", "label", "label", "count"]), definition="journeys")


def _starts_ends_card(view: FlowView) -> dbc.Card:
    frame = view.starts_ends
    days = [f"{d:%d %b}" for d in frame.date]
    rows = [(f"{d:%Y-%m-%d}", s, e) for d, s, e in frame.itertuples(index=False)]
    return chart_card(
        "Intermediate care starting and ending, day by day",
        lines(days, {"Started": list(frame.starts), "Ended": list(frame.ends)},
              axis_title="services"), "starts-ends-chart",
        f"{frame.starts.sum():,} services started and {frame.ends.sum():,} ended in the period.",
        data_table(["Day", "Started", "Ended"], rows, "starts-ends-table",
                   "Intermediate care services started and ended each day",
                   kinds=["label", "count", "count"]),
        definition="starts-and-ends")


def _mix_card(view: FlowView) -> dbc.Card:
    mix = view.mix.pivot_table(index="week_start", columns="pathway", values="share",
                               aggfunc="sum", fill_value=0.0)
    weeks = [f"{w:%d %b}" for w in mix.index]
    series = {f"Pathway {p}": [round(v, 1) for v in mix[p]] for p in mix.columns}
    rows = [(week, *[f"{v:.1f}%" for v in mix.loc[w]]) for week, w in zip(weeks, mix.index,
                                                                           strict=True)]
    return chart_card(
        "Pathway mix week by week (% of discharges to intermediate care)",
        stacked_bars(weeks, series, axis_title="% of discharges"), "mix-chart",
        f"Home first: pathway 1 is the default step-down route; {HOME_FIRST_REFERENCE}.",
        data_table(["Week from", *series], rows, "mix-table",
                   "Share of discharges by pathway each week",
                   # Shares with no count of the week's discharges in the row: withheld.
                   kinds=["label", *["measure" for _ in series]]), definition="pathway-mix")
