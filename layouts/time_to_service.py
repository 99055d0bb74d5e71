"""The time-to-service page: hours from NCTR to receiving a service against the 24-hour
ambition; the weekly share within 24 hours on an SPC chart; where the time goes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard.goals import GoalInForce
from dashboard.results import HOUR_BANDS, STAGES, AreaInfo, TimeToService
from dashboard.spc import VARIATION_ICON_LABELS, SpcResult
from dashboard.url_state import ViewState
from dashboard.vocabulary import AMBITION_HOURS, INTERMEDIATE_CARE_PATHWAYS
from layouts import formatting as fmt
from layouts.components import (
    SPC_LIMITS_NOTE,
    chart,
    chart_card,
    data_table,
    goal_note,
    how_we_count,
    kpi_card,
    on_demand,
    pathway_counts_card,
    spc_badges,
)
from layouts.figures import grouped_bars, lines, stacked_horizontal
from layouts.filters import page_header
from layouts.spc_figure import spc_figure


@dataclass(frozen=True)
class PlaceRow:
    code: str
    name: str
    summary: pd.Series  # a row of nctr_to_service_by_area
    median_spc: SpcResult
    within_spc: SpcResult


@dataclass(frozen=True)
class TimeToServiceView:
    area: AreaInfo
    state: ViewState
    now: datetime
    target: float | None  # the goal's level, or a what-if target from the address
    goal: GoalInForce | None  # the local goal for the share within 24 h, if one holds
    summary: TimeToService
    waiting_by_pathway: dict[int, int]
    weekly: pd.DataFrame
    within_spc: SpcResult
    bands: pd.DataFrame
    stages_by_pathway: pd.DataFrame
    stages_by_place: pd.DataFrame
    places: tuple[PlaceRow, ...]


def pathways_shown(state: ViewState) -> tuple[int, ...]:
    return INTERMEDIATE_CARE_PATHWAYS if state.pathway is None else (state.pathway,)


def summary_sentence(view: TimeToServiceView) -> str:
    s = view.summary
    waiting = sum(view.waiting_by_pathway[p] for p in pathways_shown(view.state))
    if s.started == 0:
        return (f"No services started in the period; {waiting:,} people have waited over 24 h "
                "without a service.")
    return (f"{fmt.percent(s.within_24h_percent)} of the {s.started:,} people who started a "
            f"service in the period did so within {AMBITION_HOURS:.0f} hours of NCTR (median "
            f"{fmt.hours(s.median_hours)}); {waiting:,} people are waiting over 24 h without one.")


def build(view: TimeToServiceView, href: Callable[[str], str]) -> html.Div:
    s = view.summary
    return html.Div([
        *page_header(f"Time from NCTR to service: {view.area.name}", summary_sentence(view),
                     "tts-summary", view.state, pathway=True),
        dbc.Row([
            dbc.Col(kpi_card("Within 24 hours", fmt.percent(s.within_24h_percent),
                             "tts-page-within-value",
                             f"{s.within_24h:,} of {s.started:,} services started in the "
                             "period; the local plans' ambition, not a national target",
                             definition="nctr-to-service"), md=3),
            dbc.Col(kpi_card("Median", fmt.hours(s.median_hours), "tts-page-median-value",
                             "from NCTR to the service starting",
                             definition="nctr-to-service"), md=3),
            dbc.Col(kpi_card("90th percentile", fmt.hours(s.p90_hours), "tts-page-p90-value",
                             "9 in 10 started within this", definition="nctr-to-service"),
                    md=3),
            dbc.Col(pathway_counts_card(
                "Waiting over 24 h, no service yet",
                {p: view.waiting_by_pathway[p] for p in pathways_shown(view.state)},
                "tts-page-waiting-value", lambda p: f"tts-waiting-p{p}-value",
                definition="nctr-to-service"), md=3),
        ], className="g-3 mb-3"),
        dbc.Row([
            dbc.Col(_within_spc_card(view), lg=7),
            dbc.Col(_bands_card(view), lg=5),
        ], className="g-3 mb-3"),
        dbc.Row([
            dbc.Col(_weekly_hours_card(view), lg=5),
            dbc.Col(_stages_card(view), lg=7),
        ], className="g-3 mb-3"),
        dbc.Row([dbc.Col(_places_card(view), lg=12)], className="g-3 mb-3"),
    ])


def _within_spc_card(view: TimeToServiceView) -> dbc.Card:
    result = view.within_spc
    rows = [(f"{p.date:%Y-%m-%d}", f"{p.value:.1f}%", f"{p.mean:.1f}%", f"{p.lower:.1f}%",
             f"{p.upper:.1f}%", "yes" if p.special_cause else "")
            for p in result.points.itertuples()]
    return dbc.Card(dbc.CardBody([
        html.H2("Share within 24 hours, week by week", className="card-heading"),
        html.P("Whole weeks (Monday to Sunday) of the period, by the day the service started. "
               f"Higher is better. {_what_if(view)}{SPC_LIMITS_NOTE}",
               className="chart-summary"),
        spc_badges(result.variation_icon, result.assurance, trial=result.trial_limits),
        goal_note(view.goal, "within-spc-goal"),
        chart(spc_figure(result, title_y="% within 24 h", target=view.target), "within-spc-chart"),
        on_demand(data_table(
            ["Week from", "Within 24 h", "Mean", "Lower limit", "Upper limit", "Special cause"],
            rows, "within-spc-table", "Weekly share within 24 hours with SPC limits",
            # No count of services started in the row to judge the share by; the mean and
            # limits are over weeks.
            kinds=["label", "measure", "measure", "measure", "measure", "label"])),
        how_we_count("tts-weekly"),
    ]), className="h-100")


def _what_if(view: TimeToServiceView) -> str:
    """A target from the address (?target=) is a what-if, said so beside the goal."""
    if view.state.target is None:
        return ""
    return (f"The dotted line is the {view.state.target:g}% set in the address (?target=), not "
            "the local goal. ")


def _bands_card(view: TimeToServiceView) -> dbc.Card:
    labels = [label for label, _ in HOUR_BANDS]
    series = {f"Pathway {p}": [int(view.bands[(view.bands.pathway == p)
                                               & (view.bands.band == b)].people.sum())
                               for b in labels]
              for p in pathways_shown(view.state)}
    rows = [(label, *[series[name][i] for name in series]) for i, label in enumerate(labels)]
    return chart_card(
        "How long it took", grouped_bars(labels, series, axis_title="people"), "bands-tts-chart",
        f"Services started in the period by hours from NCTR. The first group is within the "
        f"{AMBITION_HOURS:.0f}-hour ambition.",
        data_table(["Hours from NCTR", *series], rows, "bands-tts-table",
                   "Services started by time from NCTR and pathway",
                   kinds=["label", *["count" for _ in series]]), definition="tts-bands")


def _weekly_hours_card(view: TimeToServiceView) -> dbc.Card:
    weeks = [f"{w:%d %b}" for w in view.weekly.week_start]
    series = {"Median": list(view.weekly.median_hours),
              "90th percentile": list(view.weekly.p90_hours)}
    rows = [(w, fmt.hours(m), fmt.hours(p), n) for w, m, p, n in zip(
        weeks, view.weekly.median_hours, view.weekly.p90_hours, view.weekly.started,
        strict=True)]
    return chart_card(
        "Hours from NCTR to service, week by week", lines(weeks, series, axis_title="hours"),
        "weekly-hours-chart", "Median and 90th percentile of each week's services started.",
        data_table(["Week from", "Median", "90th percentile", "Started"], rows,
                   "weekly-hours-table", "Weekly median and 90th percentile hours",
                   kinds=["label", "average:Started", "average:Started", "count"]),
        definition="tts-weekly")


def _stage_series(frame: pd.DataFrame) -> tuple[list[str], dict[str, list[float]]]:
    groups = list(dict.fromkeys(frame["group"]))
    series = {label: [float(frame[(frame["group"] == g) & (frame.stage == label)]
                            .median_hours.sum()) for g in groups]
              for label, _, _ in STAGES}
    return [str(g) for g in groups], series


def _stages_card(view: TimeToServiceView) -> dbc.Card:
    groups, series = _stage_series(view.stages_by_pathway)
    labels = [f"Pathway {g}" for g in groups]
    place_rows = [(r.group, r.stage, fmt.hours(r.median_hours), r.people)
                  for r in view.stages_by_place.itertuples()]
    pathway_rows = [(f"Pathway {r.group}", r.stage, fmt.hours(r.median_hours), r.people)
                    for r in view.stages_by_pathway.itertuples()]
    return chart_card(
        "Where the time goes", stacked_horizontal(labels, series, axis_title="median hours"),
        "stages-chart",
        "Median hours of each stage: NCTR to referral to the care transfer hub, referral to "
        "discharge, discharge to the service starting (the first home visit, or admission to "
        "the bed).",
        data_table(["Group", "Stage", "Median", "People"], pathway_rows + place_rows,
                   "stages-table", "Median hours per stage by pathway, then by home place",
                   kinds=["label", "label", "average:People", "count"]),
        definition="tts-stages")


def _icon(result: SpcResult) -> str:
    icon = result.variation_icon
    return VARIATION_ICON_LABELS[icon] if icon is not None else "no data"


def _places_card(view: TimeToServiceView) -> dbc.Card:
    rows = [(row.name, fmt.whole(int(row.summary.started)),
             fmt.hours(row.summary.median_hours), _icon(row.median_spc),
             fmt.percent(row.summary.within_24h_percent), _icon(row.within_spc))
            for row in view.places]
    return dbc.Card(dbc.CardBody([
        html.H2("By home area", className="card-heading"),
        html.P("Each figure over the period, with the SPC variation of its latest week "
               "(median: lower is better; within 24 h: higher is better).",
               className="chart-summary"),
        data_table(["Area", "Started", "Median", "Median: variation", "Within 24 h",
                    "Within 24 h: variation"], rows, "tts-places-table",
                   "Time from NCTR to service by home area",
                   kinds=["label", "count", "average:Started", "label", "share:Started",
                          "label"]),
        how_we_count("tts-by-area"),
    ]))
