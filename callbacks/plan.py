"""Plan page: the inputs, the scenario form, and the run in the background with progress and
cancel (docs/planning.md, "The Plan page").

Run is two callbacks. ``check_scenario`` (an ordinary call: role and area checked as every
callback's) reads the form into a scenario, checks it as a scenario file is checked, and hands
the browser a *ticket*: the scenario, the area and the user, signed with the app's secret key.
``run_scenario`` is the background callback: its job runs in a process of its own, with no
request, so it trusts only a ticket whose signature holds, and checks the user's scope afresh.
A forged or altered ticket runs nothing. The saved scenarios chosen to compare go in the
ticket by id only; the job loads each for the area with the user's scope read afresh.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from dash import Dash, Input, Output, State, html, no_update
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from callbacks.common import resolve_area
from dashboard import background
from dashboard.auth import client_address, current_scope
from dashboard.clock import as_london
from dashboard.context import AppContext
from dashboard.dash_guard import requires
from dashboard.planning.backtest import origins as backtest_origins
from dashboard.planning.needed import places_needed
from dashboard.planning.plan import run_plan, unit_costs
from dashboard.planning.scenario import PATHWAYS, Scenario, ScenarioError, parse_scenario
from dashboard.url_state import ViewState, read_view_state
from data_access.access import AccessDenied, AreaInScope, area_in_scope, load_scope
from data_access.audit import record
from data_access.db import use_in_child_process
from data_access.plan_scenarios import save_scenario, saved_scenario, saved_scenarios
from data_access.planning import backtest, plan_inputs
from layouts import plan as plan_layout

PATH = "/plan"
SAVED_ID = re.compile(r"[0-9]{1,9}")  # a saved scenario's id, as the list offers it
LARGEST = 1e9  # far beyond any field's range: the scenario's checks say what the range is
HISTORY_WEEKS = 12
STAYS = "empirical"  # the page's runs and its back-test draw stays as recorded
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
    return plan_layout.build(plan_layout.PlanView(
        area, as_london(now).date(), inputs, saved_scenarios(context.engine, area)))


def scenario_file(area_code: str, values: dict[str, Any], first_day: date) -> str:
    """The form's values as a scenario file (JSON), checked as a file is (``ScenarioError``
    says what is wrong)."""
    def number(key: str, default: float) -> float:
        value = values.get(key)
        if value is None or value == "":
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or \
                not math.isfinite(value) or abs(value) > LARGEST:
            raise ScenarioError(f"{key}: a number, not {str(value)[:40]!r}")
        return value

    def whole(key: str, default: int = 0) -> int:
        value = number(key, default)
        if value != int(value):
            raise ScenarioError(f"{key}: a whole number, not {value}")
        return int(value)

    changes = [{"pathway": p, "from": values.get("change_from") or first_day.isoformat(),
                "places": whole(f"places_{p}")} for p in PATHWAYS if whole(f"places_{p}")]
    los = number("los", 1.0)
    surge, shift = number("surge", 0.0), number("shift", 0.0)
    winter = first_day.year if first_day.month >= 6 else first_day.year - 1
    raw: dict[str, Any] = {
        "name": values.get("name"), "area": area_code, "horizon_weeks": whole("horizon", 12),
        "replications": replications(), "stays": STAYS,
        "capacity_changes": changes, "length_of_stay": {str(p): los for p in PATHWAYS},
        "demand_growth": number("growth", 0.0) / 100, "unit_costs": UNIT_COSTS}
    if surge:
        raw["winter_surge"] = {"from": f"{winter}-12-01", "to": f"{winter + 1}-02-28",
                               "increase": surge / 100}
    if shift:
        raw["shift"] = {"from": 2, "to": 1, "share": shift / 100}
    text = json.dumps(raw)
    parse_scenario(text)
    return text


def form_values(text: str) -> dict[str, Any]:
    """A saved scenario file back in the form's fields."""
    scenario = parse_scenario(text)
    places = {change.pathway: change.places for change in scenario.capacity_changes}
    return {"name": scenario.name, "horizon": scenario.horizon_weeks,
            "change_from": min((c.from_day.isoformat() for c in scenario.capacity_changes),
                               default=None),
            **{f"places_{p}": places.get(p, 0) for p in PATHWAYS},
            "los": next(iter(scenario.length_of_stay.values()), 1.0),
            "growth": round(scenario.demand_growth * 100, 6),
            "surge": 0 if scenario.winter_surge is None
            else round(scenario.winter_surge.increase * 100, 6),
            "shift": 0 if scenario.shift is None else round(scenario.shift.share * 100, 6)}


FORM_FIELDS = ("name", "horizon", "change_from", "places_1", "places_2", "places_3", "los",
               "growth", "surge", "shift")
FORM_IDS = ("plan-name", "plan-horizon", "plan-change-from", "plan-places-1", "plan-places-2",
            "plan-places-3", "plan-los", "plan-growth", "plan-surge", "plan-shift")
EXPORT_SECONDS = 12 * 3600  # a run's tables may be exported for a working day after it


RUN_SALT, BACKTEST_SALT = "plan-ticket", "plan-backtest-ticket"  # one kind never runs the other


def signer(secret: str, salt: str = RUN_SALT) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=salt)


def read_ticket(secret: str, ticket: Any, max_age: int,
                salt: str = RUN_SALT) -> dict[str, Any] | None:
    """The order a ticket carries, if its signature holds and it is not too old."""
    if not isinstance(ticket, str):
        return None
    try:
        order = signer(secret, salt).loads(ticket, max_age=max_age)
    except BadSignature:
        return None
    return order if isinstance(order, dict) and isinstance(order.get("values"), dict) else None


def _area_from(context: AppContext, search: Any) -> AreaInScope | html.P | None:
    """The area in the address, checked against the user's scope (a refusal, in words)."""
    state = read_view_state(search if isinstance(search, str) else None,
                            context.clock.now().date())
    try:
        return resolve_area(context, state.area, "the plan")[0]
    except AccessDenied as refusal:  # recorded
        return html.P(str(refusal))


def _audit(context: AppContext, action: str, area_code: str, detail: str) -> None:
    scope = current_scope()
    record(context.engine, context.clock.now(), action, area_code, username=scope.username,
           role=scope.role, client=client_address(), detail=detail[:300])


def register(app: Dash, context: AppContext) -> None:
    manager = background.manager_for(app)
    background.remember_owners(app, lambda: current_scope().username)

    @app.callback(Output("plan-ticket", "data"), Output("plan-message", "children"),
                  Input("plan-run", "n_clicks"),
                  *(State(component, "value") for component in FORM_IDS),
                  State("plan-compare", "value"), State("url", "search"),
                  prevent_initial_call=True)
    @requires("planning", scoped=True)
    def check_scenario(clicks: Any, *values: Any) -> tuple[Any, Any]:
        """Run pressed: the scenario checked, and a signed ticket to run it (or why not)."""
        *form, compare, search = values
        area = _area_from(context, search)
        if not isinstance(area, AreaInScope):
            return None, area if area is not None else no_update
        if not clicks:
            return no_update, no_update
        given = dict(zip(FORM_FIELDS, form, strict=True))
        try:
            scenario_file(area.code, given, as_london(context.clock.now()).date())
        except ScenarioError as problem:
            return None, plan_layout.refused(str(problem))
        chosen = compared_ids(compare)
        if isinstance(chosen, str):
            return None, plan_layout.refused(chosen)
        missing = [i for i in chosen if saved_scenario(context.engine, area, i) is None]
        if missing:
            _audit(context, "refused", area.code, f"plan compare {missing}: not saved for "
                   f"{area.code} or an area inside it")
            return None, plan_layout.refused(f"there is no such saved scenario for {area.name}")
        _audit(context, "plan_run", area.code,
               f"{given.get('name')}" + (f" compared with {chosen}" if chosen else ""))
        ticket = signer(app.server.secret_key).dumps(
            {"user": current_scope().username, "area": area.code, "values": given,
             "compare": chosen})
        return ticket, html.P(f"Running {given.get('name')}…")

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
        order = read_ticket(app.server.secret_key, ticket, TICKET_SECONDS)
        if order is None:
            return plan_layout.refused("press Run to start a run")
        use_in_child_process(context.engine)
        return run_order(context, order, ticket, set_progress)

    @app.callback(Output("plan-backtest-ticket", "data"),
                  Output("plan-backtest-message", "children"),
                  Input("plan-backtest-run", "n_clicks"), State("url", "search"),
                  prevent_initial_call=True)
    @requires("planning", scoped=True)
    def check_backtest(clicks: Any, search: Any) -> tuple[Any, Any]:
        """Run the back-test pressed: a signed ticket for the area in the address."""
        area = _area_from(context, search)
        if not isinstance(area, AreaInScope):
            return None, area if area is not None else no_update
        if not clicks:
            return no_update, no_update
        _audit(context, "plan_backtest", area.code, f"{plan_layout.BACKTEST_ORIGINS} origins")
        ticket = signer(app.server.secret_key, BACKTEST_SALT).dumps(
            {"user": current_scope().username, "area": area.code, "values": {}})
        return ticket, html.P(f"Running the back-test of {area.name}…")

    @app.callback(Output("plan-backtest-results", "children"),
                  Input("plan-backtest-ticket", "data"),
                  background=True, manager=manager, prevent_initial_call=True,
                  progress=[Output("plan-backtest-progress", "value")],
                  running=[(Output("plan-backtest-run", "disabled"), True, False),
                           (Output("plan-backtest-cancel", "disabled"), False, True)],
                  cancel=[Input("plan-backtest-cancel", "n_clicks")])
    # As run_scenario: the area only from a ticket check_backtest signed, the scope re-read.
    @requires("planning", scoped=False)
    def run_backtest(set_progress: Callable[[tuple[str]], None], ticket: Any) -> Any:
        order = read_ticket(app.server.secret_key, ticket, TICKET_SECONDS, BACKTEST_SALT)
        if order is None:
            return plan_layout.refused("press Run the back-test to start it", "back-test")
        use_in_child_process(context.engine)
        return backtest_order(context, order, ticket, set_progress)

    @app.callback(Output("plan-save-message", "children"), Output("plan-saved", "children"),
                  Input("plan-save", "n_clicks"),
                  *(State(component, "value") for component in FORM_IDS),
                  State("url", "search"), prevent_initial_call=True)
    @requires("planning", scoped=True)
    def save(clicks: Any, *values: Any) -> tuple[Any, Any]:
        """Save the form's scenario for the area in the address, for everyone who may see it."""
        *form, search = values
        area = _area_from(context, search)
        if not isinstance(area, AreaInScope):
            return area if area is not None else no_update, no_update
        if not clicks:
            return no_update, no_update
        now = context.clock.now()
        try:
            text = scenario_file(area.code, dict(zip(FORM_FIELDS, form, strict=True)),
                                 as_london(now).date())
        except ScenarioError as problem:
            return plan_layout.refused(str(problem)), no_update
        name = parse_scenario(text).name
        saved_id = save_scenario(context.engine, area, name, text, current_scope().username, now)
        _audit(context, "plan_scenario_saved", area.code, f"{saved_id} {name}")
        return (html.P(f"Saved {name} for {area.name}.", className="goal-saved"),
                plan_layout.saved_block(saved_scenarios(context.engine, area)))

    @app.callback(Output("plan-save-message", "children", allow_duplicate=True),
                  *(Output(component, "value") for component in FORM_IDS),
                  Input("plan-load", "n_clicks"), State("plan-saved-pick", "value"),
                  State("url", "search"), prevent_initial_call=True)
    @requires("planning", scoped=True)
    def load(clicks: Any, picked: Any, search: Any) -> tuple[Any, ...]:
        """Fill the form with a saved scenario of the area in the address (or one inside it)."""
        unchanged = (no_update,) * len(FORM_IDS)
        area = _area_from(context, search)
        if not isinstance(area, AreaInScope):
            return (area if area is not None else no_update, *unchanged)
        if not clicks:
            return (no_update, *unchanged)
        found = saved_scenario(context.engine, area, int(picked)) \
            if isinstance(picked, str | int) and SAVED_ID.fullmatch(str(picked)) else None
        if found is None:
            _audit(context, "refused", area.code, f"plan scenario {str(picked)[:40]!r}: not "
                   f"saved for {area.code} or an area inside it")
            return (plan_layout.refused(f"there is no such saved scenario for {area.name}"),
                    *unchanged)
        _audit(context, "plan_scenario_loaded", found.area_code, f"{found.id} {found.name}")
        values = form_values(found.scenario)
        return (html.P(f"Loaded {found.name}: press Run to compare it with the baseline.",
                       className="goal-saved"),
                *(values[field] for field in FORM_FIELDS))


def compared_ids(value: Any) -> list[int] | str:
    """The saved scenarios chosen to compare, as ids (each once), or why not."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(
            isinstance(v, str | int) and not isinstance(v, bool) and SAVED_ID.fullmatch(str(v))
            for v in value):
        return "choose saved scenarios from the list to compare"
    chosen = list(dict.fromkeys(int(v) for v in value))
    if len(chosen) > plan_layout.MAX_COMPARED:
        return f"choose at most {plan_layout.MAX_COMPARED} saved scenarios to compare"
    return chosen


def _compared(context: AppContext, order: dict[str, Any], area: AreaInScope,
              form: Scenario, first_day: date) -> list[tuple[str, Scenario]] | str:
    """The saved scenarios the ticket names, each loaded for the area (in the scope read
    afresh) and set to the form's horizon, replications and pathways; or why not (recorded)."""
    chosen = compared_ids(order.get("compare"))
    if isinstance(chosen, str):
        return chosen
    loaded = []
    for scenario_id in chosen:
        found = saved_scenario(context.engine, area, scenario_id)
        if found is None:
            scope = load_scope(context.engine, str(order.get("user")))
            record(context.engine, context.clock.now(), "refused", area.code,
                   username=str(order.get("user")), role=None if scope is None else scope.role,
                   detail=f"plan compare {scenario_id}: not saved for {area.code} or an area "
                          "inside it")
            return f"there is no such saved scenario for {area.name}"
        values = {**form_values(found.scenario), "horizon": form.horizon_weeks}
        try:
            saved = parse_scenario(scenario_file(area.code, values, first_day))
        except ScenarioError as problem:
            return f"saved scenario {found.name}: {problem}"
        loaded.append((f"{found.name} (saved)", replace(saved, pathways=form.pathways)))
    return loaded


def run_order(context: AppContext, order: dict[str, Any], ticket: str,
              set_progress: Callable[[tuple[str]], None] | None = None,
              with_needed: bool = True) -> Any:
    """The run a verified ticket orders, for its user's scope read afresh: the results as the
    page shows them (the export recomputes them the same way: the runs are seeded)."""
    progress = set_progress or (lambda _value: None)
    now = context.clock.now()
    area = _order_area(context, order)
    if not isinstance(area, AreaInScope):
        return plan_layout.refused(area)
    first_day = as_london(now).date()
    try:
        scenario = parse_scenario(scenario_file(area.code, order["values"], first_day))
        progress(("5",))
        inputs = plan_inputs(context.engine, area, scenario.pathways, now,
                             scenario.history_weeks)
        # A pathway with no completed stay or no service started in the window has nothing to
        # draw from: it is left out, and the results say so.
        runnable = tuple(p for p in scenario.pathways if len(inputs[p].stays.completed)
                         and len(inputs[p].process.completed))
        if not runnable:
            raise ScenarioError(f"no pathway of {area.name} has both completed stays and "
                                "services started in the history window to draw from")
        scenario = replace(scenario, pathways=runnable)
        saved = _compared(context, order, area, scenario, first_day)
        if isinstance(saved, str):
            return plan_layout.refused(saved)
        to_run = [("Baseline", scenario.baseline()), (scenario.name, scenario), *saved]
        steps = len(to_run) + (len(scenario.pathways) if with_needed else 0)
        compared = []
        for done, (name, chosen) in enumerate(to_run, start=1):
            compared.append(plan_layout.Compared(name, run_plan(chosen, inputs, first_day)))
            progress((str(round(100 * done / steps)),))
        needed = {}
        for done, plan in enumerate(compared[1].plans if with_needed else [],
                                    start=len(to_run) + 1):
            needed[plan.pathway] = places_needed(plan.queue, scenario.replications, plan.seed,
                                                 costs=unit_costs(scenario, plan.pathway))
            progress((str(round(100 * done / steps)),))
    except ScenarioError as problem:
        return plan_layout.refused(str(problem))
    left_out = [p for p in PATHWAYS if p not in runnable]
    return plan_layout.results(compared, needed, ticket, left_out)


def _order_area(context: AppContext, order: dict[str, Any]) -> AreaInScope | str:
    """The area of a verified ticket, for its user's scope read afresh (or why not)."""
    scope = load_scope(context.engine, str(order.get("user")))
    if scope is None or not scope.may("planning"):
        return "you may not run scenarios"
    try:
        area = area_in_scope(context.engine, scope, str(order.get("area")),
                             context.clock.now(), "the plan")
    except AccessDenied as refusal:  # recorded
        return str(refusal)
    return "there is no such area" if area is None else area


def backtest_order(context: AppContext, order: dict[str, Any], ticket: str,
                   set_progress: Callable[[tuple[str]], None] | None = None) -> Any:
    """The back-test a verified ticket orders: the baseline as this page runs it (stays as
    recorded), from ``BACKTEST_ORIGINS`` past days, progress after each origin."""
    progress = set_progress or (lambda _value: None)
    area = _order_area(context, order)
    if not isinstance(area, AreaInScope):
        return plan_layout.refused(area, "back-test")
    origins = backtest_origins(as_london(context.clock.now()).date(),
                               plan_layout.BACKTEST_ORIGINS)
    progress(("0",))  # from the start, not where an earlier back-test left the bar
    result = backtest(context.engine, area, origins, pathways=PATHWAYS,
                      replications=replications(), history_weeks=HISTORY_WEEKS,
                      stays=STAYS,
                      progress=lambda done: progress((str(round(100 * done / len(origins))),)))
    return plan_layout.backtest_results(area.name, origins, result, HISTORY_WEEKS, ticket)


def export_tree(context: AppContext, ticket: str, table_id: str) -> Any:
    """For an export of a run's (or a back-test's) table: recomputed from its ticket, if the
    ticket holds and was made for the user exporting (else None: no such table)."""
    secret, user = current_app.secret_key, current_scope().username
    order = read_ticket(secret, ticket, EXPORT_SECONDS)
    if order is not None and order.get("user") == user:
        return run_order(context, order, ticket,
                         with_needed=table_id == plan_layout.NEEDED_TABLE)
    order = read_ticket(secret, ticket, EXPORT_SECONDS, BACKTEST_SALT)
    if order is not None and order.get("user") == user:
        return backtest_order(context, order, ticket)
    return None
