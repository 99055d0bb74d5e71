"""Today's escalation card: the area's system trigger level now, what set it, what to do, and
the latest changes of level. Every text a data manager wrote is shown as text, never markup."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard.trigger_levels import TRIGGER_MEASURES, TriggerLevelsNow
from layouts import formatting as fmt
from layouts.components import how_we_count

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
