"""The Goals page: each measure a local goal may be set on, against its goal with the Making Data
Count assurance icon; the goals set here, inside and above; and, for data managers, the form
that sets one."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.goals import DIRECTIONS, GOAL_MEASURES, GoalInForce, GoalMeasure
from dashboard.results import AreaInfo
from dashboard.spc import SpcResult
from dashboard.trigger_levels import Threshold
from dashboard.url_state import ViewState
from layouts import formatting as fmt
from layouts.components import data_table, goal_note, how_we_count, spc_badges
from layouts.filters import page_header
from layouts.trigger_levels import thresholds_table

GOALS_COLUMNS = ["Area", "Measure", "From", "To", "Goal", "Set for"]
WHERE = {"here": "this area", "inside": "an area inside it", "above": "an area it lies in"}


@dataclass(frozen=True)
class GoalsView:
    area: AreaInfo
    state: ViewState
    goals: Mapping[str, GoalInForce]  # the goal of each measure that holds at the period's end
    trends: Mapping[str, SpcResult]  # each measure week by week, read against its goal
    around: pd.DataFrame  # data_access.goals.goals_around
    thresholds: Sequence[Threshold]  # the system trigger levels set for the area


def latest(measure: GoalMeasure, trend: SpcResult) -> str:
    """The latest whole week's figure, as the measure counts."""
    if trend.points.empty:
        return "–"
    value = float(trend.points.value.iloc[-1])
    return {"percent": f"{value:.1f}%", "days": f"{value:.2f} days",
            "people": fmt.plural(round(value), "person", "people")}[measure.unit]


def summary_sentence(view: GoalsView) -> str:
    held = [key for key in GOAL_MEASURES if key in view.goals]
    if not held:
        return (f"No local goal holds for {view.area.name} on {fmt.day(view.state.last_day)}.")
    passing = sum(1 for key in held if view.trends[key].assurance == "pass")
    failing = sum(1 for key in held if view.trends[key].assurance == "fail")
    return (f"{fmt.plural(len(held), 'local goal')} hold for {view.area.name} on "
            f"{fmt.day(view.state.last_day)}: {passing} consistently passed, {failing} "
            "consistently failed, the rest hit and miss (or too few weeks to say).")


def build(view: GoalsView, href: Callable[[str], str]) -> html.Div:
    return html.Div([
        *page_header(f"Goals: {view.area.name}", summary_sentence(view), "goals-summary",
                     view.state, pathway=False),
        html.P("Each measure week by week over the period, on an SPC chart whose target is the "
               "local goal. The assurance icon compares the goal with the process limits: "
               "consistently passes (even the worst week the process gives meets the goal), "
               "consistently fails (even its best week misses it: the way the work is done "
               "must change), or hit and miss (the goal lies within the limits).",
               className="chart-summary"),
        dbc.Row([dbc.Col(_measure_card(measure, view, href), md=6, xl=3)
                 for measure in GOAL_MEASURES.values()], className="g-3 mb-3"),
        html.Section([
            html.H2("Goals set here, inside and above", className="section-heading"),
            html.Div(goals_table(view.around), id="goals-list"),
        ]),
        html.Section([
            html.H2("System trigger levels set here", className="section-heading"),
            html.P("Where each escalation level begins for a measure of this area, and what to "
                   "do at it: the Today page shows the level now.", className="chart-summary"),
            html.Div(thresholds_table(view.thresholds, view.area.name),
                     id="trigger-levels-list"),
        ]),
        # The form is each user's (data managers only), so filled in by its own callback: the
        # rest of the page is the same for everyone who may see it, and kept as such.
        html.Div(id="goal-form"),
        how_we_count("local-goals"),
    ])


def _measure_card(measure: GoalMeasure, view: GoalsView, href: Callable[[str], str]) -> dbc.Card:
    trend = view.trends[measure.key]
    return dbc.Card(dbc.CardBody([
        html.H2(measure.label, className="kpi-title"),
        html.P(latest(measure, trend), id=f"goal-{measure.key}-latest", className="kpi-value"),
        html.P("the latest whole week", className="kpi-detail"),
        html.Div(spc_badges(trend.variation_icon, trend.assurance, trial=trend.trial_limits),
                 id=f"goal-{measure.key}-badges"),
        goal_note(view.goals.get(measure.key), f"goal-{measure.key}-goal"),
        dcc.Link("The chart", href=href(measure.page), className="kpi-link"),
    ]), className="kpi-card h-100")


def goals_table(around: pd.DataFrame) -> html.Div:
    rows = [(g.area, GOAL_MEASURES[g.measure].label, fmt.day(g.first_day), fmt.day(g.last_day),
             fmt.goal_level(g.measure, g.goal, g.better),
             WHERE[g.set_for])
            for g in around.itertuples()]
    return data_table(GOALS_COLUMNS, rows, "goals-table",
                      f"{fmt.plural(len(rows), 'goal')} set here, inside and above",
                      kinds=["label"] * len(GOALS_COLUMNS))


def no_form() -> html.P:
    return html.P("Data managers set goals and trigger levels for this area here, or send "
                  "goals.csv and trigger_levels.csv.", className="chart-summary")


def form(area: AreaInfo, state: ViewState) -> html.Section:
    """Set a goal for the area shown (data managers). The server checks everything again."""
    year_start = date(state.last_day.year - (state.last_day.month < 4), 4, 1)
    return html.Section([
        html.H2(f"Set a goal for {area.name}", className="section-heading"),
        html.P("A goal for the same measure from the same first day replaces the one stored; "
               "goals of one measure may not overlap. Shares and averages set here also hold "
               "for the areas inside, unless they set their own.", className="chart-summary"),
        dbc.Row([
            dbc.Col([dbc.Label("Measure", html_for="goal-measure"),
                     dbc.Select(id="goal-measure", value=next(iter(GOAL_MEASURES)),
                                options=[{"label": m.label, "value": m.key}
                                         for m in GOAL_MEASURES.values()])], md=4),
            dbc.Col([dbc.Label("First day", html_for="goal-first-day"),
                     dbc.Input(id="goal-first-day", type="date",
                               value=year_start.isoformat())], md=2),
            dbc.Col([dbc.Label("Last day", html_for="goal-last-day"),
                     dbc.Input(id="goal-last-day", type="date",
                               value=date(year_start.year + 1, 3, 31).isoformat())], md=2),
            dbc.Col([dbc.Label("Goal", html_for="goal-value"),
                     dbc.Input(id="goal-value", type="number", min=0, step="any")], md=2),
            dbc.Col([dbc.Label("Better is", html_for="goal-better"),
                     dbc.Select(id="goal-better", value="up",
                                options=[{"label": {"up": "higher", "down": "lower"}[d],
                                          "value": d} for d in DIRECTIONS])], md=2),
        ], className="g-2 mb-2"),
        html.Button("Set the goal", id="goal-save", type="button", className="btn btn-primary"),
        html.Div(id="goal-message", role="status", className="mt-2"),
    ], className="goal-form")


def saved(report_loaded: bool, reasons: list[str]) -> html.P:
    """The outcome of setting a goal, in words."""
    if report_loaded:
        return html.P("The goal is set.", className="goal-saved")
    return html.P(["The goal was not set: ", "; ".join(reasons)], className="goal-refused")
