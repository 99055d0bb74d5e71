"""Today's escalation card: the area's system trigger level now, what set it, what to do, and
the latest changes of level. Every text a data manager wrote is shown as text, never markup."""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import html

from dashboard.results import AreaInfo
from dashboard.trigger_levels import (
    ACTIONS_LIMIT,
    LEVEL_NAMES,
    THRESHOLD_LEVELS,
    TRIGGER_MEASURES,
    Threshold,
    TriggerLevelsNow,
)
from layouts import formatting as fmt
from layouts.components import data_table, how_we_count

WHERE_SET = ("A data manager sets them on the Goals page, or in trigger_levels.csv loaded or "
             "sent to the feed API.")


def escalation_card(levels: TriggerLevelsNow, area_name: str) -> dbc.Card:
    """A card of Today's first row: the level and the measure(s) that set it with value and
    threshold, what to do, and (on demand) the latest changes of level."""
    level = levels.level
    if level is None:
        return dbc.Card(dbc.CardBody([
            html.H2("Escalation level", className="kpi-title"),
            html.P(f"No trigger levels are set for {area_name}.", id="escalation-none",
                   className="kpi-detail"),
            html.P(WHERE_SET, className="kpi-detail"),
            how_we_count("trigger-levels"),
        ]), className="kpi-card h-100 escalation-card")
    if level.level is None:
        heading = "Escalation level unknown"
        cause = ["No measure with a threshold has data now: the level is not guessed."]
    else:
        heading = f"Escalation level {level.level} ({level.name})"
        cause = ["No measure reaches its level 2 threshold or above."]
    # Each measure that set the level with what to do at it, then those with no data now.
    set_by = [html.Li([m.describe(), html.Br(), html.Strong("What to do: "),
                       html.Span(m.actions, id=f"escalation-do-{m.measure}")])
              for m in level.set_by] or [html.Li(text) for text in cause]
    missing = [html.Li(f"{TRIGGER_MEASURES[key].label}: no data now, so no level",
                       className="kpi-detail") for key in level.no_data]
    return dbc.Card(dbc.CardBody([
        html.H2(heading, id="escalation-level", className="kpi-title"),
        html.Ul(set_by + missing, id="escalation-set-by", className="escalation-list"),
        html.Div([
            html.Details([
                html.Summary("Level changes"),
                html.Ul([html.Li(f"{fmt.moment(change.at)}: level {change.level} "
                                 f"({change.name})") for change in levels.changes],
                        id="escalation-changes", className="escalation-list kpi-detail"),
            ], className="escalation-changes"),
            how_we_count("trigger-levels"),
        ], className="escalation-more"),
    ]), className=f"kpi-card h-100 escalation-card escalation-level-{level.level}")


THRESHOLD_COLUMNS = ["Measure", "Level", "Threshold", "What to do"]


def thresholds_table(thresholds: Sequence[Threshold], area_name: str) -> html.Div:
    """The trigger levels set for the area: each measure's levels in order, with the actions."""
    if not thresholds:
        return html.P(f"No trigger levels are set for {area_name}.", className="chart-summary")
    rows = [(TRIGGER_MEASURES[t.measure].label, f"{t.level} ({LEVEL_NAMES[t.level]})",
             _threshold_words(t), t.actions) for t in thresholds]
    return data_table(THRESHOLD_COLUMNS, rows, "trigger-levels-table",
                      f"{fmt.plural(len(rows), 'trigger level')} set for {area_name}",
                      kinds=["label"] * len(THRESHOLD_COLUMNS))


def _threshold_words(threshold: Threshold) -> str:
    measure = TRIGGER_MEASURES[threshold.measure]
    side = "≥" if measure.worse == "higher" else "≤"
    return f"{side} {measure.shown(threshold.threshold)}"


def form(area: AreaInfo) -> html.Section:
    """Set one trigger level for the area shown (data managers). The server checks everything
    again, as for trigger_levels.csv."""
    return html.Section([
        html.H2(f"Set a trigger level for {area.name}", className="section-heading"),
        html.P("The threshold at or beyond which the measure puts the area at the level (2 "
               "moderate, 3 severe, 4 extreme pressure; 1 steady has none), and what to do "
               "then. The same measure and level replaces the one stored; each level's "
               "threshold must be more severe than the lower levels'.",
               className="chart-summary"),
        dbc.Row([
            dbc.Col([dbc.Label("Measure", html_for="trigger-measure"),
                     dbc.Select(id="trigger-measure", value=next(iter(TRIGGER_MEASURES)),
                                options=[{"label": f"{m.label} ({m.worse} is worse)",
                                          "value": m.key}
                                         for m in TRIGGER_MEASURES.values()])], md=4),
            dbc.Col([dbc.Label("Level", html_for="trigger-level"),
                     dbc.Select(id="trigger-level", value=str(THRESHOLD_LEVELS[0]),
                                options=[{"label": f"{level} ({LEVEL_NAMES[level]})",
                                          "value": str(level)}
                                         for level in THRESHOLD_LEVELS])], md=2),
            dbc.Col([dbc.Label("Threshold", html_for="trigger-threshold"),
                     dbc.Input(id="trigger-threshold", type="number", min=0, step="any")],
                    md=2),
            dbc.Col([dbc.Label("What to do", html_for="trigger-actions"),
                     dbc.Textarea(id="trigger-actions", maxLength=ACTIONS_LIMIT, rows=2)], md=4),
        ], className="g-2 mb-2"),
        html.Button("Set the trigger level", id="trigger-save", type="button",
                    className="btn btn-primary"),
        html.Div(id="trigger-message", role="status", className="mt-2"),
    ], className="goal-form")


def saved(loaded: bool, reasons: list[str]) -> html.P:
    """The outcome of setting a trigger level, in words."""
    if loaded:
        return html.P("The trigger level is set.", className="goal-saved")
    return html.P(["The trigger level was not set: ", "; ".join(reasons)],
                  className="goal-refused")
