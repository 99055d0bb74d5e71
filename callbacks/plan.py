"""Plan page: the inputs, the scenario form, and the run in the background with progress and
cancel (docs/planning.md, "The Plan page").

Run is two callbacks. ``check_scenario`` (an ordinary call: role and area checked as every
callback's) reads the form into a scenario, checks it as a scenario file is checked, and hands
the browser a *ticket*: the scenario, the area and the user, signed with the app's secret key.
``run_scenario`` is the background callback: its job runs in a process of its own, with no
request, so it trusts only a ticket whose signature holds, and checks the user's scope afresh.
A forged or altered ticket runs nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from dash import Dash, Input, Output, State, html, no_update
from itsdangerous import BadSignature, URLSafeTimedSerializer

from callbacks.common import resolve_area
from dashboard import background
from dashboard.auth import current_scope
from dashboard.clock import as_london
from dashboard.context import AppContext
from dashboard.dash_guard import requires
from dashboard.planning.needed import places_needed
from dashboard.planning.plan import run_plan
from dashboard.planning.scenario import PATHWAYS, Scenario, ScenarioError, parse_scenario
from dashboard.url_state import ViewState, read_view_state
from data_access.access import AccessDenied, AreaInScope, area_in_scope, load_scope
from data_access.planning import plan_inputs
from layouts import plan as plan_layout

HISTORY_WEEKS = 12
TICKET_SECONDS = 600  # a ticket is for the run it was made for, not for later
# Unit costs used for the cost figures (pounds): as the example scenario, docs/planning.md.
UNIT_COSTS = {"1": {"service_day": 60, "delayed_bed_day": 400},
              "2": {"service_day": 250, "delayed_bed_day": 400},
              "3": {"service_day": 200, "delayed_bed_day": 400}}


def replications() -> int:
    """Runs per scenario: 100, or ``DASHBOARD_PLAN_REPLICATIONS`` (tests run few)."""
    return int(os.environ.get("DASHBOARD_PLAN_REPLICATIONS", "100"))


def render(context: AppContext, area: AreaInScope, state: ViewState,
           href: Callable[[str], str]) -> html.Div:
    """The inputs and the form; the first view runs no model (the user starts a run)."""
    now = context.clock.now()
    inputs = plan_inputs(context.engine, area, PATHWAYS, now, HISTORY_WEEKS)
    return plan_layout.build(plan_layout.PlanView(area, as_london(now).date(), inputs))


def scenario_from_form(area_code: str, values: dict[str, Any], first_day: date) -> Scenario:
    """The form's values as a scenario file would hold them, checked as one is."""
    def number(key: str, default: float) -> float:
        value = values.get(key)
        if value is None or value == "":
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ScenarioError(f"{key}: a number, not {str(value)[:40]!r}")
        return value

    def whole(key: str) -> int:
        value = number(key, 0)
        if value != int(value):
            raise ScenarioError(f"{key}: a whole number, not {value}")
        return int(value)

    changes = [{"pathway": p, "from": values.get("change_from") or first_day.isoformat(),
                "places": whole(f"places_{p}")} for p in PATHWAYS if whole(f"places_{p}")]
    los = number("los", 1.0)
    surge, shift = number("surge", 0.0), number("shift", 0.0)
    winter = first_day.year if first_day.month >= 6 else first_day.year - 1
    raw: dict[str, Any] = {
        "name": values.get("name"), "area": area_code, "horizon_weeks": whole("horizon") or 12,
        "replications": replications(), "stays": "empirical",
        "capacity_changes": changes, "length_of_stay": {str(p): los for p in PATHWAYS},
        "demand_growth": number("growth", 0.0) / 100, "unit_costs": UNIT_COSTS}
    if surge:
        raw["winter_surge"] = {"from": f"{winter}-12-01", "to": f"{winter + 1}-02-28",
                               "increase": surge / 100}
    if shift:
        raw["shift"] = {"from": 2, "to": 1, "share": shift / 100}
    return parse_scenario(json.dumps(raw))


FORM_FIELDS = ("name", "horizon", "change_from", "places_1", "places_2", "places_3", "los",
               "growth", "surge", "shift")
FORM_IDS = ("plan-name", "plan-horizon", "plan-change-from", "plan-places-1", "plan-places-2",
            "plan-places-3", "plan-los", "plan-growth", "plan-surge", "plan-shift")


def register(app: Dash, context: AppContext) -> None:
    manager = background.manager_for(app)
    background.remember_owners(app, lambda: current_scope().username)

    def signer() -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(app.server.secret_key, salt="plan-ticket")

    @app.callback(Output("plan-ticket", "data"), Output("plan-message", "children"),
                  Input("plan-run", "n_clicks"),
                  *(State(component, "value") for component in FORM_IDS),
                  State("url", "search"), prevent_initial_call=True)
    @requires("planning", scoped=True)
    def check_scenario(clicks: Any, *values: Any) -> tuple[Any, Any]:
        """Run pressed: the scenario checked, and a signed ticket to run it (or why not)."""
        *form_values, search = values
        now = context.clock.now()
        state = read_view_state(search if isinstance(search, str) else None, now.date())
        try:
            area = resolve_area(context, state.area, "the plan")[0]
        except AccessDenied as refusal:  # recorded
            return None, html.P(str(refusal))
        if area is None or not clicks:
            return no_update, no_update
        try:
            scenario = scenario_from_form(area.code, dict(zip(FORM_FIELDS, form_values,
                                                              strict=True)),
                                          as_london(now).date())
        except ScenarioError as problem:
            return None, plan_layout.refused(str(problem))
        ticket = signer().dumps({"user": current_scope().username, "area": area.code,
                                 "values": dict(zip(FORM_FIELDS, form_values, strict=True))})
        return ticket, html.P(f"Running {scenario.name}…")

    @app.callback(Output("plan-results", "children"), Input("plan-ticket", "data"),
                  background=True, manager=manager, prevent_initial_call=True,
                  progress=[Output("plan-progress", "value")],
                  running=[(Output("plan-run", "disabled"), True, False),
                           (Output("plan-cancel", "disabled"), False, True)],
                  cancel=[Input("plan-cancel", "n_clicks")])
    # The area comes only from the ticket, which check_scenario signed after checking the
    # user's role and scope; the job checks the scope again (a ticket is not a key).
    @requires("planning", scoped=False)
    def run_scenario(set_progress: Callable[[tuple[str]], None], ticket: Any) -> Any:
        try:
            order = signer().loads(ticket, max_age=TICKET_SECONDS) if isinstance(
                ticket, str) else None
        except BadSignature:
            order = None
        if not isinstance(order, dict):
            return plan_layout.refused("press Run to start a run")
        context.engine.dispose(close=False)  # a new process: its own connections
        return _run(context, order, set_progress)


def _run(context: AppContext, order: dict[str, Any],
         set_progress: Callable[[tuple[str]], None]) -> Any:
    """The run a verified ticket orders, for its user's scope read afresh."""
    now = context.clock.now()
    scope = load_scope(context.engine, str(order["user"]))
    if scope is None or not scope.may("planning"):
        return plan_layout.refused("you may not run scenarios")
    try:
        area = area_in_scope(context.engine, scope, str(order["area"]), now, "the plan")
    except AccessDenied as refusal:  # recorded
        return plan_layout.refused(str(refusal))
    if area is None:
        return plan_layout.refused("there is no such area")
    first_day = as_london(now).date()
    try:
        scenario = scenario_from_form(area.code, order["values"], first_day)
        baseline = replace(scenario, name="Baseline", capacity_changes=(), length_of_stay={},
                           demand_growth=0.0, winter_surge=None, shift=None)
        steps = 2 + len(scenario.pathways)
        set_progress(("5",))
        inputs = plan_inputs(context.engine, area, scenario.pathways, now,
                             scenario.history_weeks)
        base_plans = run_plan(baseline, inputs, first_day)
        set_progress((str(round(100 / steps)),))
        plans = run_plan(scenario, inputs, first_day)
        set_progress((str(round(200 / steps)),))
        needed = {}
        for done, plan in enumerate(plans, start=3):
            needed[plan.pathway] = places_needed(plan.queue, scenario.replications, plan.seed)
            set_progress((str(round(100 * done / steps)),))
    except ScenarioError as problem:
        return plan_layout.refused(str(problem))
    return plan_layout.results(scenario.name, base_plans, plans, needed)
