"""Today's escalation card: the area's system trigger level now, what set it, what to do, and
the latest changes of level. Every text a data manager wrote is shown as text, never markup."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard.trigger_levels import TRIGGER_MEASURES, TriggerLevelsNow
from layouts import formatting as fmt
from layouts.components import how_we_count

WHERE_SET = ("A data manager sets them in trigger_levels.csv, loaded or sent to the feed API "
             "(see the data contract).")


def escalation_card(levels: TriggerLevelsNow, area_name: str) -> dbc.Card:
    """A compact full-width card: the level and what set it, what to do, the latest changes."""
    level = levels.level
    if level is None:
        body = [html.H2("Escalation level", className="kpi-title"),
                html.P([f"No trigger levels are set for {area_name}. ", WHERE_SET],
                       id="escalation-none", className="kpi-detail mb-0")]
        return dbc.Card(dbc.CardBody(body), className="escalation-card mb-3")
    if level.level is None:
        heading = "Escalation level unknown"
        cause = ["No measure with a threshold has data now: the level is not guessed."]
    else:
        heading = f"Escalation level {level.level} ({level.name})"
        cause = [m.describe() for m in level.set_by] or \
            ["No measure reaches a level 2 threshold or above."]
    missing = [html.Li(f"{TRIGGER_MEASURES[key].label}: no data now, so it sets no level",
                       className="kpi-detail") for key in level.no_data]
    actions = [html.Li([html.Strong(f"{m.label}: "), m.actions]) for m in level.set_by]
    return dbc.Card(dbc.CardBody(dbc.Row([
        dbc.Col([
            html.H2(heading, id="escalation-level", className="kpi-title"),
            html.Ul([html.Li(text) for text in cause] + missing, id="escalation-set-by",
                    className="escalation-list"),
        ], lg=5),
        dbc.Col([
            html.H3("What to do", className="kpi-title"),
            html.Ul(actions, id="escalation-actions", className="escalation-list")
            if actions else html.P("Nothing beyond the usual at level 1.",
                                   id="escalation-actions", className="kpi-detail"),
        ], lg=4),
        dbc.Col([
            html.H3("Level changes", className="kpi-title"),
            html.Ul([html.Li(f"{fmt.moment(change.at)}: level {change.level} ({change.name})")
                     for change in levels.changes], id="escalation-changes",
                    className="escalation-list kpi-detail"),
            how_we_count("trigger-levels"),
        ], lg=3),
    ], className="g-2")), className=f"escalation-card escalation-level-{level.level} mb-3")
