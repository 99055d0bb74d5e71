"""The period and pathway controls. Their values come from the URL; a change writes the URL."""

from __future__ import annotations

from dash import dcc, html

from dashboard.url_state import ViewState
from dashboard.vocabulary import INTERMEDIATE_CARE_PATHWAYS

ALL_PATHWAYS = "all"


def filter_bar(state: ViewState, *, pathway: bool) -> html.Div:
    controls = [html.Div([
        html.Label("Period", htmlFor="period-picker", className="filter-label"),
        dcc.DatePickerRange(id="period-picker", start_date=state.first_day,
                            end_date=state.last_day, display_format="D MMM YYYY",
                            first_day_of_week=1, minimum_nights=0,
                            start_date_placeholder_text="From", end_date_placeholder_text="To"),
    ], className="filter")]
    if pathway:
        options = [{"label": "All pathways (1-3)", "value": ALL_PATHWAYS}] + [
            {"label": f"Pathway {p}", "value": str(p)} for p in INTERMEDIATE_CARE_PATHWAYS]
        controls.append(html.Div([
            html.Label("Pathway", htmlFor="pathway-picker", className="filter-label"),
            dcc.Dropdown(id="pathway-picker", options=options, clearable=False,
                         value=str(state.pathway) if state.pathway else ALL_PATHWAYS,
                         className="pathway-picker"),
        ], className="filter"))
    return html.Div(controls, className="filter-bar", role="group",
                    **{"aria-label": "Choose what to show"})
