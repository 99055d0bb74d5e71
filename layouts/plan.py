"""The Plan page: the model's inputs with their sources, the scenario form, and (filled in by the
background run) the baseline, the form's scenario and up to ``MAX_COMPARED`` saved scenarios
side by side, and the places needed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.clock import from_utc_naive
from dashboard.planning.backtest import (
    ORIGIN_EVERY_WEEKS,
    TABLE_COLUMNS,
    Backtest,
    summary,
    table_rows,
)
from dashboard.planning.needed import Needed
from dashboard.planning.plan import PathwayInputs, PathwayPlan
from dashboard.planning.scenario import MAX_HORIZON_WEEKS, PATHWAYS
from dashboard.results import AreaInfo
from layouts import formatting as fmt
from layouts.components import chart_card, data_table
from layouts.figures import lines_with_bands

INPUT_COLUMNS = ["Pathway", "Input", "Estimate", "Where it came from"]
DAILY = (("occupancy", "Occupancy (people in service)", "people", 1.0),
         ("waiting", "People waiting", "people", 1.0),
         ("within_24h", "Share started within 24 h of NCTR", "%", 100.0))
TOTALS = (("waiting_at_end", "People waiting at the end"),
          ("delayed_bed_days", "Acute bed days lost to waiting"),
          ("within_24h", "Share started within 24 h (%)"),
          ("cost", "Cost (£)"))


NEEDED_TABLE = "plan-needed-table"
SAVED_TABLE = "plan-saved-table"
BACKTEST_TABLE = "plan-backtest-table"
BACKTEST_ORIGINS = 4  # few, so the back-test answers in seconds on the page
MAX_COMPARED = 2  # saved scenarios run beside the form's: more would make the charts unreadable
BANDED = 2  # the baseline and the form's scenario have bands; compared ones a line only


@dataclass(frozen=True)
class Compared:
    """One scenario of a run, as its column and lines are named."""

    name: str
    plans: Sequence[PathwayPlan]


@dataclass(frozen=True)
class PlanView:
    area: AreaInfo
    first_day: date
    inputs: Mapping[int, PathwayInputs]
    saved: pd.DataFrame  # data_access.plan_scenarios.saved_scenarios


def build(view: PlanView) -> html.Div:
    return html.Div([
        html.H1(f"Plan: {view.area.name}", id="page-title"),
        html.P(f"Demand and capacity scenarios for {view.area.name} from "
               f"{view.first_day:%d %b %Y}, simulated from the live data. Nothing runs until "
               "you press Run.",
               className="lead-in", id="plan-summary"),
        html.Section([
            html.H2("What the model starts from", className="section-heading"),
            inputs_table(view.inputs),
        ]),
        form(view.first_day),
        html.Section([
            html.H2("Saved scenarios", className="section-heading"),
            html.P("Scenarios saved for this area and the areas inside it, shared with everyone "
                   "who may see them. Load one into the form, then Run to compare it with the "
                   f"baseline; or tick up to {MAX_COMPARED} to run beside the form's scenario.",
                   className="chart-summary"),
            html.Div(saved_block(view.saved), id="plan-saved"),
            html.Div(id="plan-save-message", role="status", className="mt-2"),
        ]),
        html.Div(id="plan-results", role="region", **{"aria-label": "Plan results"}),
        backtest_section(),
    ])


def backtest_section() -> html.Section:
    """The back-test of this area, run on request (it runs the model from several past days)."""
    return html.Section([
        html.H2("How well the model did here", className="section-heading"),
        html.P(f"The baseline started from {BACKTEST_ORIGINS} past days, "
               f"{ORIGIN_EVERY_WEEKS} weeks apart, each from that day's state with inputs from "
               "the data before it only, and compared with what happened over the next 4 and 8 "
               "weeks (docs/planning.md, \"Back-test\").", className="chart-summary"),
        html.Div([
            html.Button("Run the back-test", id="plan-backtest-run", type="button",
                        className="btn btn-primary me-2"),
            html.Button("Cancel the back-test", id="plan-backtest-cancel", type="button",
                        disabled=True, className="btn btn-outline-secondary"),
        ]),
        html.Div(id="plan-backtest-message", role="status", className="mt-2"),
        html.Div([html.Span("Back-test progress", id="plan-backtest-progress-label",
                            className="me-2"),
                  html.Progress(id="plan-backtest-progress", value="0", max="100",
                                **{"aria-labelledby": "plan-backtest-progress-label"})],
                 className="mt-2"),
        dcc.Store(id="plan-backtest-ticket"),
        html.Div(id="plan-backtest-results", role="region",
                 **{"aria-label": "Back-test results"}),
    ])


def backtest_results(area_name: str, origins: Sequence[date], result: Backtest,
                     history_weeks: int, run: str) -> html.Div:
    """The back-test's summary table (as docs/planning.md's), and the origins and pathways
    with too little history, named; ``run``: its signed order, for the exports."""
    blocks: list[object] = [html.P(
        f"{area_name}, origins {origins[0]:%d %b %Y} to {origins[-1]:%d %b %Y}: per pathway, "
        "weeks after the origin and measure, the mean absolute error of the runs' mean against "
        "what happened, its bias (above 0: the model said more than happened) and how often "
        "what happened fell inside the runs' 5-95% band. The share within 24 h is in "
        "percentage points.", className="chart-summary", id="plan-backtest-summary")]
    if len(result.too_little_history):
        named = "; ".join(f"pathway {pathway} from {origin:%d %b %Y}"
                          for origin, pathway in result.too_little_history)
        blocks.append(html.P(
            f"Too little history to run (no completed stay, or no service started in the "
            f"{history_weeks} weeks before the origin), so not compared: {named}.",
            id="plan-backtest-too-little", className="chart-summary"))
    unknown = result.rows[result.rows.error.isna()]
    if len(unknown):
        named = "; ".join(f"pathway {r.pathway} from {r.origin:%d %b %Y}, {r.weeks} weeks"
                          for r in unknown[unknown.measure == "within_24h"].itertuples())
        blocks.append(html.P(
            "No service started in the period (in the runs or in fact), so no share within "
            f"24 h to compare: {named}." if named else "Some figures had nothing to compare.",
            id="plan-backtest-no-share", className="chart-summary"))
    rows = table_rows(summary(result.rows)) if len(result.rows) else []
    if rows:
        blocks.append(data_table(list(TABLE_COLUMNS), rows, BACKTEST_TABLE,
                                 "How well the model did: error against what happened",
                                 kinds=["label"] * len(TABLE_COLUMNS), run=run))
    else:
        blocks.append(html.P("No origin had enough history before it to run the model from: "
                             "there is nothing to compare.", className="chart-summary"))
    return html.Div(blocks, id="plan-backtest")


def inputs_table(inputs: Mapping[int, PathwayInputs]) -> html.Div:
    rows = []
    for pathway, given in inputs.items():
        stays = given.stays
        mean_stay = f"{stays.completed.mean():.1f} days mean" if len(stays.completed) else "none"
        rows += [
            (pathway, "People becoming NCTR", f"{given.arrivals.mean_per_day:.2f} a day",
             given.arrivals.source),
            (pathway, "Length of stay", mean_stay, stays.source),
            (pathway, "Places open now", given.capacity.places, given.capacity.source),
            (pathway, "In service / waiting today",
             f"{len(given.state.in_service_days)} / {len(given.state.waiting_days)}",
             given.state.source),
        ]
    return data_table(INPUT_COLUMNS, rows, "plan-inputs-table",
                      "The model's inputs, estimated from this area's data",
                      kinds=["label", "label", "label", "label"])


def _field(label: str, control: object, control_id: str, width: int = 3) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=control_id), control], md=width)


def form(first_day: date) -> html.Section:
    """The scenario form. The server checks every value again (``parse_scenario``)."""
    pathway_fields = [
        _field(f"Places to add, pathway {p}", dbc.Input(id=f"plan-places-{p}", type="number",
                                                         step=1, value=0), f"plan-places-{p}", 2)
        for p in PATHWAYS]
    return html.Section([
        html.H2("Scenario", className="section-heading"),
        dbc.Row([
            _field("Name", dbc.Input(id="plan-name", type="text", maxLength=200,
                                     value="My scenario"), "plan-name", 4),
            _field("Horizon (weeks)", dbc.Input(id="plan-horizon", type="number", min=1,
                                                max=MAX_HORIZON_WEEKS, step=1, value=12),
                   "plan-horizon", 2),
            _field("Places change from", dbc.Input(id="plan-change-from", type="date",
                                                   value=first_day.isoformat()),
                   "plan-change-from", 3),
        ], className="g-2 mb-2"),
        dbc.Row(pathway_fields, className="g-2 mb-2"),
        dbc.Row([
            _field("Length of stay × (all pathways)", dbc.Input(
                id="plan-los", type="number", min=0.1, max=10, step="any", value=1),
                "plan-los", 3),
            _field("Demand growth (%)", dbc.Input(id="plan-growth", type="number", step="any",
                                                  value=0), "plan-growth", 2),
            _field("Winter surge (%, Dec to Feb)", dbc.Input(
                id="plan-surge", type="number", step="any", value=0), "plan-surge", 3),
            _field("Home first: share of pathway 2 to 1 (%)", dbc.Input(
                id="plan-shift", type="number", min=0, max=100, step="any", value=0),
                "plan-shift", 4),
        ], className="g-2 mb-2"),
        html.Div([
            html.Button("Run", id="plan-run", type="button", className="btn btn-primary me-2"),
            html.Button("Cancel", id="plan-cancel", type="button", disabled=True,
                        className="btn btn-outline-secondary me-2"),
            html.Button("Save the scenario", id="plan-save", type="button",
                        className="btn btn-outline-primary"),
        ]),
        html.Div(id="plan-message", role="status", className="mt-2"),
        html.Div([html.Span("Progress", id="plan-progress-label", className="me-2"),
                  html.Progress(id="plan-progress", value="0", max="100",
                                **{"aria-labelledby": "plan-progress-label"})],
                 className="mt-2"),
        dcc.Store(id="plan-ticket"),
    ], className="plan-form")


def compare_choice(saved: pd.DataFrame) -> html.Fieldset:
    """The saved scenarios to run beside the form's (always present: Run reads its value)."""
    return html.Fieldset([
        html.Legend(f"Compare with saved scenarios (up to {MAX_COMPARED})", className="h6"),
        dcc.Checklist(id="plan-compare", value=[], inputClassName="me-1",
                      labelClassName="me-3",
                      options=[{"label": f"{r.name} ({r.area})", "value": str(r.id)}
                               for r in saved.itertuples()]),
    ], className="mt-2", hidden=saved.empty)


def saved_block(saved: pd.DataFrame) -> list[object]:
    if saved.empty:
        return [html.P("No scenario is saved for this area yet.", className="chart-summary"),
                compare_choice(saved)]
    rows = [(r.name, r.area, r.saved_by, fmt.moment(from_utc_naive(r.saved_at.to_pydatetime())))
            for r in saved.itertuples()]
    return [
        data_table(["Scenario", "Area", "Saved by", "Saved"], rows, SAVED_TABLE,
                   f"{fmt.plural(len(rows), 'saved scenario')}", kinds=["label"] * 4),
        dbc.Row([
            _field("Saved scenario", dbc.Select(
                id="plan-saved-pick", value=str(saved.id.iloc[0]),
                options=[{"label": f"{r.name} ({r.area})", "value": str(r.id)}
                         for r in saved.itertuples()]), "plan-saved-pick", 6),
            dbc.Col(html.Button("Load into the form", id="plan-load", type="button",
                                className="btn btn-outline-primary mt-4"), md=3),
        ], className="g-2"),
        compare_choice(saved),
    ]


def results(compared: Sequence[Compared], needed: Mapping[int, Needed], run: str,
            left_out: Sequence[int] = ()) -> html.Div:
    """The run's results: ``compared`` the baseline, the form's scenario, then the saved ones
    chosen, each with the same pathways; ``run``: its signed order, from which its tables are
    exported."""
    names = [c.name for c in compared]
    title = f"{', '.join(names[:-1])} and {names[-1]}"
    blocks: list[object] = [html.H2(title, id="plan-comparison-title",
                                    className="section-heading"),
                            totals_table(compared, run)]
    if left_out:
        blocks.insert(1, html.P(
            f"Pathway {', '.join(map(str, left_out))} left out: no completed stay or no service "
            "started in the history window to draw from.", id="plan-left-out",
            className="chart-summary"))
    for plans in zip(*(c.plans for c in compared), strict=True):
        # h2, as the chart cards' own headings are (no level skipped after them)
        blocks.append(html.H2(f"Pathway {plans[0].pathway}", className="section-heading"))
        named = dict(zip(names, plans, strict=True))
        blocks.append(dbc.Row([dbc.Col(_daily_card(named, measure, run), lg=4)
                               for measure in DAILY], className="g-3 mb-3"))
    if needed:
        blocks.append(needed_table(needed, run))
    return html.Div(blocks, id="plan-comparison")


def _daily_card(plans: Mapping[str, PathwayPlan], measure: tuple[str, str, str, float],
                run: str) -> object:
    """One measure of one pathway per day: every scenario's mean line; the band in which 90%
    of the runs fall for the first ``BANDED`` (the baseline and the form's) only."""
    key, title, unit, scale = measure
    base = next(iter(plans.values()))
    days = list(base.daily.date)

    def band(plan: PathwayPlan) -> tuple[list[float], list[float], list[float]]:
        return tuple([float(v) * scale for v in plan.daily[f"{key}_{part}"]]  # type: ignore[return-value]
                     for part in ("mean", "low", "high"))

    series = {name: band(plan) for name, plan in plans.items()}
    table_id = f"plan-{key}-{base.pathway}-table"
    rows = [(day, *(f"{series[name][i][d]:.1f}" for name in series for i in range(3)))
            for d, day in enumerate(days)]
    columns = ["Day"] + [f"{name} {part}" for name in series for part in ("mean", "low", "high")]
    return chart_card(title, lines_with_bands(days, series, axis_title=unit, banded=BANDED),
                      f"plan-{key}-{base.pathway}",
                      f"{title}, pathway {base.pathway}, per day: the mean of the runs of each "
                      "scenario, with the band in which 90% of them fall for the baseline and "
                      "the form's scenario (the table has every scenario's band).",
                      data_table(columns, rows, table_id, f"{title}, pathway {base.pathway}",
                                 kinds=["label"] * len(columns), run=run),
                      definition="planning")


def totals_table(compared: Sequence[Compared], run: str) -> html.Div:
    rows = []
    for plans in zip(*(c.plans for c in compared), strict=True):
        for key, label in TOTALS:
            scale = 100.0 if key == "within_24h" else 1.0
            rows.append((plans[0].pathway, label, *(_total(plan, key, scale) for plan in plans)))
    columns = ["Pathway", "Over the horizon", *(c.name for c in compared)]
    return data_table(columns, rows, "plan-totals-table",
                      "Totals over the horizon: mean (90% of runs within)",
                      kinds=["label"] * len(columns), run=run)


def _total(plan: PathwayPlan, key: str, scale: float) -> str:
    found = plan.totals[plan.totals.measure == key]
    if found.empty:
        return "–"
    row = found.iloc[0]
    return f"{row['mean'] * scale:,.1f} ({row['low'] * scale:,.1f} to {row['high'] * scale:,.1f})"


def needed_table(needed: Mapping[int, Needed], run: str) -> html.Div:
    rows = [(pathway, f"{n.target:.0%}",
             "not met" if n.extra_places is None else n.extra_places,
             "not met" if n.confident_extra_places is None else n.confident_extra_places,
             "–" if n.share is None else f"{n.share[0]:.0%} ({n.share[1]:.0%} to {n.share[2]:.0%})",
             "–" if n.cost is None else f"{n.cost[0]:,.0f} ({n.cost[1]:,.0f} to {n.cost[2]:,.0f})")
            for pathway, n in needed.items()]
    return html.Section([
        html.H2("What capacity do we need?", className="section-heading"),
        data_table(["Pathway", "Target within 24 h", "Places to add (on average)",
                    "Places to add (95% of runs)", "Share with them",
                    "Cost over the horizon with them (£)"], rows,
                   NEEDED_TABLE, "Places to add to the scenario to meet the target",
                   kinds=["label"] * 6, run=run),
    ])


def refused(message: str, what: str = "scenario") -> html.P:
    return html.P([f"The {what} was not run: ", message], className="goal-refused")
