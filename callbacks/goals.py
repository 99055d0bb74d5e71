"""Goals page: each measure against its local goal, and setting a goal."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from dash import Dash, Input, Output, State, html, no_update

from callbacks.common import for_the_day, resolve_area
from callbacks.trends import goal_spc, longest_delays_trend, week_ends
from dashboard.auth import client_address, current_scope
from dashboard.concurrency import gather
from dashboard.context import AppContext
from dashboard.dash_guard import requires
from dashboard.goals import GoalInForce
from dashboard.spc import SpcResult, weekly_series
from dashboard.url_state import ViewState, read_view_state
from data_access.access import AccessDenied, AreaInScope
from data_access.audit import record
from data_access.goals import goals_around, goals_in_force, set_goal
from data_access.loader import LoadReport
from data_access.metrics import delays, discharge_delays
from data_access.metrics import time_to_service as tts
from data_access.trigger_levels import set_trigger_level, trigger_thresholds
from layouts import goals as goals_layout
from layouts import trigger_levels as trigger_layout


def goal_trends(context: AppContext, area: AreaInScope, state: ViewState,
                goals: Mapping[str, GoalInForce]) -> dict[str, SpcResult]:
    """Each measure a goal may be set on, week by week over the period, as its own page charts
    it (the same queries and the same ``goal_spc``)."""
    engine = context.engine
    start, end = state.bounds(context.clock.now())
    first, last = state.first_day, state.last_day
    results = gather(
        within=lambda: tts.nctr_to_service_weekly(engine, area, start, end),
        discharges=lambda: discharge_delays.discharge_delays_by_period(engine, area, first, last,
                                                                       period="week"),
        longest=lambda: delays.longest_delays_at(engine, area, week_ends(start, end)))
    weeks = results["discharges"].rename(columns={"period_start": "week_start"})
    return {
        "within_24h_percent": goal_spc(weekly_series(results["within"], "within_24h_percent",
                                                     first, last),
                                       "within_24h_percent", goals, state),
        "discharged_on_drd_percent": goal_spc(weekly_series(weeks, "on_ready_date_percent",
                                                            first, last),
                                              "discharged_on_drd_percent", goals, state),
        "mean_delay_days": goal_spc(weekly_series(weeks, "mean_delay_days", first, last),
                                    "mean_delay_days", goals, state),
        "waiting_21_days_plus": longest_delays_trend(results["longest"], state, goals),
    }


def render(context: AppContext, area: AreaInScope, state: ViewState,
           href: Callable[[str], str]) -> html.Div:
    view = goals_layout.GoalsView(area=area, state=state,
                                  **for_the_day(context, "goals", area, state,
                                                lambda: _goals(context, area, state)))
    return goals_layout.build(view, href)


def _goals(context: AppContext, area: AreaInScope, state: ViewState) -> dict[str, Any]:
    """The goals and trigger thresholds set for the area, and each measure's trend."""
    goals = goals_in_force(context.engine, area, state.last_day)
    return dict(goals=goals, trends=goal_trends(context, area, state, goals),
                around=goals_around(context.engine, area),
                thresholds=trigger_thresholds(context.engine, area))


def register(app: Dash, context: AppContext) -> None:
    @app.callback(Output("goal-form", "children"), Input("url", "search"))
    @requires("aggregates", scoped=True)
    def show_form(search: Any) -> Any:
        """The form that sets a goal, for a data manager; a sentence for anyone else."""
        state = read_view_state(search if isinstance(search, str) else None,
                                context.clock.now().date())
        try:
            area = resolve_area(context, state.area, "goals")[0]
        except AccessDenied as refusal:  # recorded; the page says so too
            return html.P(str(refusal))
        if area is None or not current_scope().may("goals"):
            return goals_layout.no_form()
        return html.Div([goals_layout.form(area, state), trigger_layout.form(area)])

    @app.callback(Output("goal-message", "children"), Output("goals-list", "children"),
                  Input("goal-save", "n_clicks"), State("goal-measure", "value"),
                  State("goal-first-day", "value"), State("goal-last-day", "value"),
                  State("goal-value", "value"), State("goal-better", "value"),
                  State("url", "search"))
    @requires("goals", scoped=True)  # data managers, for an area they may see
    def set_one(clicks: Any, measure: Any, first_day: Any, last_day: Any, value: Any,
                better: Any, search: Any) -> tuple[Any, Any]:
        """Set a goal for the area in the address; answer with the outcome and the goals read
        afresh."""
        return _set_from_form(
            context, clicks, search, (measure, first_day, last_day, value, better), "goal",
            set_goal, lambda area, loaded, reasons: (
                goals_layout.saved(loaded, reasons),
                goals_layout.goals_table(goals_around(context.engine, area))))

    @app.callback(Output("trigger-message", "children"),
                  Output("trigger-levels-list", "children"),
                  Input("trigger-save", "n_clicks"), State("trigger-measure", "value"),
                  State("trigger-level", "value"), State("trigger-threshold", "value"),
                  State("trigger-actions", "value"), State("url", "search"))
    @requires("goals", scoped=True)  # data managers, for an area they may see
    def set_trigger(clicks: Any, measure: Any, level: Any, threshold: Any, actions: Any,
                    search: Any) -> tuple[Any, Any]:
        """Set a trigger level for the area in the address; answer with the outcome and the
        area's trigger levels read afresh."""
        return _set_from_form(
            context, clicks, search, (measure, level, threshold, actions), "trigger_level",
            set_trigger_level, lambda area, loaded, reasons: (
                trigger_layout.saved(loaded, reasons),
                trigger_layout.thresholds_table(trigger_thresholds(context.engine, area),
                                                area.name)))


def _set_from_form(context: AppContext, clicks: Any, search: Any, values: tuple[Any, ...],
                   what: str, set_it: Callable[..., LoadReport],
                   answer: Callable[[AreaInScope, bool, list[str]], tuple[Any, Any]],
                   ) -> tuple[Any, Any]:
    """A form of the Goals page pressed: for the area in the address (checked), the values go
    through the loader's checks (``set_it``); who set it, or was refused, is audited as
    ``<what>_set`` or ``<what>_refused`` with what they sent; ``answer`` gives the outputs."""
    scope, now = current_scope(), context.clock.now()
    state = read_view_state(search if isinstance(search, str) else None, now.date())
    try:
        area = resolve_area(context, state.area, "goals")[0]
    except AccessDenied as refusal:  # recorded
        return html.P(str(refusal)), no_update
    if area is None or not clicks:
        return no_update, no_update
    # The browser can send anything: each value goes to the loader as text, which checks it.
    fields = [_as_text(v) for v in values]
    report = set_it(context.engine, area, *fields, set_by=scope.username, clock=context.clock)
    record(context.engine, now, f"{what}_set" if report.loaded else f"{what}_refused",
           area.code, username=scope.username, role=scope.role, client=client_address(),
           detail=" ".join(fields)[:300])
    if report.loaded:
        context.views.data_changed()  # every page drawn with it is drawn again
    return answer(area, report.loaded, [r.reason for r in report.rejections])


def _as_text(value: Any) -> str:
    """A form value as the loader reads a CSV cell: text, a number written out, else blank."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float | str):
        return str(value)
    return ""
