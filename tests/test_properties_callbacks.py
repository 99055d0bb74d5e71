"""Property-based tests of every callback that takes input from the browser, called through Dash's
real endpoint (``POST /_dash-update-component``, Flask's test client, signed in).

Callbacks: the route (pathname, search), the area picker and the URL, the period, pathway,
reason group and site controls, the data version check, the outlook's back-test, the
Administration page's sessions list (ending a user's sessions), and the Plan page's form, its
background run and Dash's Cancel for it. Hypothesis
sends addresses and values a hostile client might: unknown areas, another hub's area, dates
reversed, far in the past or future, malformed, huge ranges, wrong types (numbers, lists,
objects, null), very long text, unicode and script text. Whatever arrives:

- the answer is 200 or 204 (nothing to update), never a 500, and holds no stack trace;
- script text is only ever text: never inside a ``dcc.Markdown`` or a component allowing HTML,
  never an ``href``/``src`` starting with ``javascript:``, never an ``Iframe``'s ``srcDoc``.

The example budget is fixed (``tests/properties.py``: the ``ci`` profile, derandomised);
``HYPOTHESIS_PROFILE=thorough`` runs 20 times as many random examples.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from hypothesis import event, given
from hypothesis import strategies as st
from sqlalchemy import Engine

from benchmarks.payloads import figures_payload
from dashboard.app_factory import create_app
from dashboard.clock import FixedClock
from dashboard.config import Settings
from dashboard.pages import PAGES_BY_PATH
from dashboard.url_state import REASON_GROUP_KEYS
from tests.accounts import add_user, sign_in_client
from tests.builders import (
    GEOGRAPHY,
    TODAY_AT,
    TODAY_CAPACITY,
    TODAY_DELAYS,
    TODAY_EPISODES,
    load_files,
)
from tests.properties import SCRIPTS, assert_no_trace, budget, hostile_text
from tests.test_properties_loader import JSON_VALUES

UNSAFE_MARKERS = ("<script", "onerror=", "onload=", "javascript:", "<iframe", "<img", "<svg")
URL_PROPS = ("href", "src", "action", "formAction", "data")


@dataclass
class Browser:
    client: FlaskClient
    callbacks: list[dict[str, Any]]


@pytest.fixture(scope="module")
def browsers(module_database: tuple[str, Engine],
             tmp_path_factory: pytest.TempPathFactory) -> dict[str, Browser]:
    """An executive (every area), a hub lead for place one (D1), an administrator and a data
    manager, each signed in; and a user who never signs in, whose sessions the administrator
    may end."""
    url, engine = module_database
    assert load_files(engine, tmp_path_factory.mktemp("batch"), {
        **GEOGRAPHY, "episodes.csv": TODAY_EPISODES, "capacity.csv": TODAY_CAPACITY,
        "delays.csv": TODAY_DELAYS}).loaded
    # No view cache: every example computes its answer.
    app = create_app(Settings(database_url=url, clock=FixedClock(TODAY_AT), cache_type="null"),
                     engine)
    found = {}
    add_user(engine, "place_manager", username="bystander")
    for role, areas in (("executive", ()), ("hub_lead", ("D1",)), ("administrator", ()),
                        ("data_manager", ())):
        client = app.server.test_client()
        client.environ_base["HTTP_X_CSRFTOKEN"] = \
            sign_in_client(client, add_user(engine, role, areas))["X-CSRFToken"]
        found[role] = Browser(client, json.loads(client.get("/_dash-dependencies").data))
    return found


def call(browser: Browser, output: str, values: dict[str, Any], changed: str,
         refused: bool = False) -> dict[str, Any]:
    """Call the callback whose output names ``output`` with ``values`` ("id.prop" -> value) for
    its inputs and state; the answer checked for status and traces, as JSON (or {} for 204).
    ``refused``: the callback is not for this role, so the guard must answer 403."""
    callback = next(c for c in browser.callbacks if output in c["output"])
    parts = callback["output"].strip(".").split("...")
    outputs = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in parts]

    def listed(items: list[dict[str, str]]) -> list[dict[str, Any]]:
        return [{"id": item["id"], "property": item["property"],
                 "value": values.get(f"{item['id']}.{item['property']}")} for item in items]

    answer = browser.client.post("/_dash-update-component", json={
        "output": callback["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": listed(callback["inputs"]), "state": listed(callback["state"]),
        "changedPropIds": [changed]})
    body = answer.get_data(as_text=True)
    event(f"{output}: {answer.status_code}")
    assert_no_trace(body)
    if refused:
        assert answer.status_code == 403 and set(json.loads(body)) == {"error"}, body[:300]
        return {}
    assert answer.status_code in (200, 204), (answer.status_code, body[:1000])
    return json.loads(body) if answer.status_code == 200 else {}


def components(tree: Any) -> Iterator[dict[str, Any]]:
    """Every component in a JSON tree, wherever it sits (children or any other prop)."""
    if isinstance(tree, dict):
        if "type" in tree and "props" in tree:
            yield tree
        for value in tree.values():
            yield from components(value)
    elif isinstance(tree, list):
        for item in tree:
            yield from components(item)


def strings(tree: Any) -> Iterator[str]:
    if isinstance(tree, str):
        yield tree
    elif isinstance(tree, dict):
        for value in tree.values():
            yield from strings(value)
    elif isinstance(tree, list):
        for item in tree:
            yield from strings(item)


def assert_only_text(answer: dict[str, Any]) -> None:
    """Script text may show as text (React escapes it), never as markup or a link to run."""
    for node in components(answer):
        props = node["props"]
        markup = node["type"] in ("Markdown", "Iframe") or props.get("dangerously_allow_html")
        for name, value in props.items():
            found = [s for s in strings(value) if any(m in s.lower() for m in UNSAFE_MARKERS)]
            if not found or (name == "children" and not markup):
                continue
            assert not markup, f"script text inside a {node['type']}: {found[0][:200]}"
            assert name not in ("srcDoc", "dangerouslySetInnerHTML"), (name, found[0][:200])
            if name in URL_PROPS:
                assert not any(s.strip().lower().startswith("javascript:") for s in found), \
                    (node["type"], name, found[0][:200])


def assert_search(answer: dict[str, Any]) -> None:
    """A query string written to the address is one (or none)."""
    for value in answer.get("response", {}).get("url", {}).values():
        assert isinstance(value, str) and (value == "" or value.startswith("?")), value


# --- inputs ---------------------------------------------------------------------------------------

CODES = ("ICB1", "D1", "D2", "N1", "N2", "S1", "NOPE", "d1", "")
DATES = ("2026-11-01", "2026-11-24", "2026-11-30", "0001-01-01", "0001-01-02", "9999-12-31",
         "1900-01-01", "2026-02-30", "2026-W01-1", "20261101", "26-11-01", "2026-11-01T25:00")
ANY_VALUE = st.one_of(JSON_VALUES, hostile_text())


def text_or(values: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(values), hostile_text(), st.sampled_from(SCRIPTS))


QUERY = st.dictionaries(
    st.sampled_from(["area", "from", "to", "pathway", "target", "rebase", "reasons", "site",
                     "other"]),
    st.one_of(text_or(CODES), text_or(DATES), text_or(("1", "2", "3", "0", "-1", "1e9")),
              text_or(("50", "100.5", "nan", "inf", "-0")), text_or(tuple(REASON_GROUP_KEYS)),
              st.lists(text_or(DATES), max_size=12).map(",".join)),
    max_size=6)
PERIODS = st.fixed_dictionaries({"area": st.sampled_from(CODES), "from": text_or(DATES),
                                 "to": text_or(DATES)})
SEARCHES = st.one_of(
    PERIODS.map(lambda query: "?" + urlencode(query, errors="surrogatepass")),
    # Lone surrogates go as the bytes they would be: invalid UTF-8, percent-encoded.
    QUERY.map(lambda query: "?" + urlencode(query, errors="surrogatepass")),
    st.lists(st.tuples(st.sampled_from(["area", "from", "to", "site"]), text_or(CODES + DATES)),
             max_size=4).map(lambda pairs: "?" + urlencode(pairs, errors="surrogatepass")),
    hostile_text(), ANY_VALUE)
PATHS = st.one_of(st.sampled_from(sorted(PAGES_BY_PATH)), text_or(("/nowhere", "", "//", "/a/b")),
                  ANY_VALUE)
ROLES = st.sampled_from(["executive", "hub_lead"])


# --- the properties -------------------------------------------------------------------------------

@budget(200)
@given(role=ROLES, path=PATHS, search=SEARCHES, version=ANY_VALUE)
def test_the_route_never_fails_and_shows_script_text_only_as_text(
        browsers: dict[str, Browser], role: str, path: Any, search: Any, version: Any) -> None:
    answer = call(browsers[role], "page-content.children",
                  {"url.pathname": path, "url.search": search, "data-version.data": version},
                  "url.search")
    assert set(answer["response"]) == {"page-content", "synthetic-banner", "data-as-at",
                                       "source-status", "main-nav", "database-status"} or \
        set(answer["response"]) == {"page-content", "database-status"}
    assert_only_text(answer)


@budget(150)
@given(role=ROLES, search=SEARCHES, picked=st.one_of(text_or(CODES), ANY_VALUE),
       trigger=st.sampled_from(["url.search", "area-picker.value"]))
def test_the_area_picker_and_the_url_never_fail(browsers: dict[str, Browser], role: str,
                                                search: Any, picked: Any, trigger: str) -> None:
    answer = call(browsers[role], "area-picker.value",
                  {"url.search": search, "area-picker.value": picked}, trigger)
    assert_search(answer)
    assert_only_text(answer)


CONTROLS = {  # output -> the inputs it takes from the browser
    "period-picker": ("period-picker.start_date", "period-picker.end_date"),
    "pathway-picker": ("pathway-picker.value",),
    "reasons-picker": ("reasons-picker.value",),
    "site-picker": ("site-picker.value",),
    "waited-picker": ("waited-picker.value",),
    "benchmark-picker": ("benchmark-picker.value",),
    "since-picker": ("since-picker.value",),
}


@budget(150)
@given(role=ROLES, control=st.sampled_from(sorted(CONTROLS)), search=SEARCHES,
       values=st.lists(st.one_of(text_or(DATES + CODES), ANY_VALUE), min_size=2, max_size=2))
def test_the_period_pathway_reason_site_wait_and_benchmark_controls_never_fail(
        browsers: dict[str, Browser], role: str, control: str, search: Any,
        values: list[Any]) -> None:
    inputs = CONTROLS[control]
    callback = next(c for c in browsers[role].callbacks
                    if any(i["id"] == control for i in c["inputs"]))
    answer = call(browsers[role], callback["output"],
                  {"url.search": search, **dict(zip(inputs, values, strict=False))}, inputs[0])
    assert_search(answer)


@budget(40)
@given(role=ROLES, ticks=ANY_VALUE, shown=ANY_VALUE, search=SEARCHES)
def test_the_version_check_and_the_back_test_never_fail(
        browsers: dict[str, Browser], role: str, ticks: Any, shown: Any, search: Any) -> None:
    call(browsers[role], "data-version.data",
         {"refresh-tick.n_intervals": ticks, "data-version.data": shown},
         "refresh-tick.n_intervals")
    assert_only_text(call(browsers[role], "outlook-backtest.children", {"url.search": search},
                          "url.search"))


@budget(60)
@given(role=st.sampled_from(["administrator", "executive", "hub_lead"]), clicks=ANY_VALUE,
       username=st.one_of(text_or(("bystander", "nobody", "")), ANY_VALUE))
def test_the_sessions_list_never_fails_and_is_only_for_administrators(
        browsers: dict[str, Browser], role: str, clicks: Any, username: Any) -> None:
    answer = call(browsers[role], "sessions-list.children",
                  {"revoke-sessions.n_clicks": clicks, "revoke-user.value": username},
                  "revoke-sessions.n_clicks", refused=role != "administrator")
    assert_only_text(answer)
    assert ('"sessions-table"' in json.dumps(answer)) is (role == "administrator")


GOAL_FORM = ("goal-measure.value", "goal-first-day.value", "goal-last-day.value",
             "goal-value.value", "goal-better.value")


@budget(80)
@given(role=st.sampled_from(["data_manager", "executive", "hub_lead"]), clicks=ANY_VALUE,
       search=SEARCHES, values=st.lists(st.one_of(
           text_or(("within_24h_percent", "mean_delay_days", "2026-04-01", "2027-03-31", "85",
                    "0.5", "up", "down")), ANY_VALUE), min_size=5, max_size=5))
def test_the_goal_form_never_fails_and_only_a_data_manager_writes(
        browsers: dict[str, Browser], role: str, clicks: Any, search: Any,
        values: list[Any]) -> None:
    """Anything in any field of the form, any address: a data manager gets the goal set or the
    reasons it was not, as text only; anyone else is refused before it runs."""
    answer = call(browsers[role], "goal-message.children",
                  {"goal-save.n_clicks": clicks, "url.search": search,
                   **dict(zip(GOAL_FORM, values, strict=True))},
                  "goal-save.n_clicks", refused=role != "data_manager")
    assert_only_text(answer)
    form = call(browsers[role], "goal-form.children", {"url.search": search}, "url.search")
    assert_only_text(form)
    # The form for a data manager (every area is theirs), for any address; text for others.
    assert ('"goal-save"' in json.dumps(form)) is (role == "data_manager")


TRIGGER_FORM = ("trigger-measure.value", "trigger-level.value", "trigger-threshold.value",
                "trigger-actions.value")


@budget(80)
@given(role=st.sampled_from(["data_manager", "executive", "hub_lead"]), clicks=ANY_VALUE,
       search=SEARCHES, values=st.lists(st.one_of(
           text_or(("free_places_p1", "within_24h_percent", "2", "4", "1", "5", "0", "101",
                    "Call <b>every</b> provider")), ANY_VALUE), min_size=4, max_size=4))
def test_the_trigger_level_form_never_fails_and_only_a_data_manager_writes(
        browsers: dict[str, Browser], role: str, clicks: Any, search: Any,
        values: list[Any]) -> None:
    """Anything in any field, any address: a data manager gets the trigger level set or the
    reasons it was not, as text only; anyone else is refused before it runs."""
    answer = call(browsers[role], "trigger-message.children",
                  {"trigger-save.n_clicks": clicks, "url.search": search,
                   **dict(zip(TRIGGER_FORM, values, strict=True))},
                  "trigger-save.n_clicks", refused=role != "data_manager")
    assert_only_text(answer)


# The huddle's action callbacks: output -> (the inputs and state a browser sends, the trigger).
ACTION_CALLBACKS = {
    "action-pick.options": (("action-person.value",), "action-person.value"),
    "action-kind.value": (("action-pick.value",), "action-pick.value"),
    "action-message.children": (
        ("action-save.n_clicks", "action-person.value", "action-pick.value", "action-kind.value",
         "action-detail.value", "action-owner.value", "action-due.value", "action-status.value",
         "action-blocked.value", "action-version.data"), "action-save.n_clicks"),
    "places-list.children": (("places-find.n_clicks", "action-person.value"),
                             "places-find.n_clicks"),
    "huddle-live.children": (("lists-stale.data",), "lists-stale.data"),
}


@budget(100)
@given(role=ROLES, output=st.sampled_from(sorted(ACTION_CALLBACKS)), search=SEARCHES,
       values=st.lists(st.one_of(text_or(("E2", "E5", "1", "new", "open", "blocked", "done",
                                          "assessment", "2026-11-25T17:00", "Team")),
                                 ANY_VALUE), min_size=10, max_size=10))
def test_the_huddles_action_callbacks_never_fail_and_only_a_hub_lead_writes(
        browsers: dict[str, Browser], role: str, output: str, search: Any,
        values: list[Any]) -> None:
    """Anything in any field, any address: a hub lead gets the outcome in words (or a refusal
    outside their hub), as text only; an executive is refused before anything runs."""
    inputs, trigger = ACTION_CALLBACKS[output]
    answer = call(browsers[role], output, {"url.search": search,
                                           **dict(zip(inputs, values, strict=False))},
                  trigger, refused=role != "hub_lead")
    assert_only_text(answer)


def offer_payload(service: Any, clicks: Any, person: Any, search: Any) -> dict[str, Any]:
    """Offering a place to a person, as the browser sends it (a button of the shortlist)."""
    button = {"service": service, "type": "offer-place"}
    return {"output": '{"service":["MATCH"],"type":"offer-result"}.children',
            "outputs": {"id": {"service": service, "type": "offer-result"},
                        "property": "children"},
            "changedPropIds": [f"{json.dumps(button, separators=(',', ':'))}.n_clicks"],
            "inputs": [{"id": button, "property": "n_clicks", "value": clicks}],
            "state": [{"id": button, "property": "id", "value": button},
                      {"id": "action-person", "property": "value", "value": person},
                      {"id": "url", "property": "search", "value": search}]}


@budget(60)
@given(role=ROLES, service=st.one_of(text_or(("P1Y", "P1H", "P2B", "NOPE")), ANY_VALUE),
       clicks=ANY_VALUE, person=st.one_of(text_or(("E2", "E5", "E3")), ANY_VALUE),
       search=SEARCHES)
def test_offering_a_place_never_fails_and_only_a_hub_lead_offers(
        browsers: dict[str, Browser], role: str, service: Any, clicks: Any, person: Any,
        search: Any) -> None:
    answer = browsers[role].client.post("/_dash-update-component",
                                        json=offer_payload(service, clicks, person, search))
    body = answer.get_data(as_text=True)
    event(f"offer: {answer.status_code}")
    assert_no_trace(body)
    if not isinstance(service, str | int | float):
        assert answer.status_code == 400, body[:300]  # a pattern's wildcard is text or a number
    elif role != "hub_lead":
        assert answer.status_code == 403, body[:300]
    else:
        assert answer.status_code in (200, 204), body[:300]
        if answer.status_code == 200:
            assert_only_text(json.loads(body))


@budget(60)
@given(role=ROLES, table=st.one_of(text_or(("bands-table", "demand-supply-table")), ANY_VALUE),
       path=PATHS, search=SEARCHES)
def test_a_table_opened_on_demand_never_fails(browsers: dict[str, Browser], role: str,
                                              table: Any, path: Any, search: Any) -> None:
    """Any table id (a pattern's wildcard: the guard lets text and numbers through), page and
    address: a table, a refusal or a message, as text only; a malformed id is a 400."""
    answer = browsers[role].client.post("/_dash-update-component",
                                        json=figures_payload(table, path, search))
    body = answer.get_data(as_text=True)
    event(f"figures: {answer.status_code}")
    assert_no_trace(body)
    assert answer.status_code == (200 if isinstance(table, str | int | float) else 400), \
        body[:300]
    if answer.status_code == 200:
        assert_only_text(json.loads(body))


PLAN_FORM = ("plan-name.value", "plan-horizon.value", "plan-change-from.value",
             "plan-places-1.value", "plan-places-2.value", "plan-places-3.value",
             "plan-los.value", "plan-growth.value", "plan-surge.value", "plan-shift.value")
PLANNERS = ("executive", "data_manager")


@budget(80)
@given(role=st.sampled_from(["data_manager", "executive", "hub_lead", "administrator"]),
       clicks=ANY_VALUE, search=SEARCHES, values=st.lists(st.one_of(
           text_or(("Winter", "2026-12-01", "12", "26", "27", "0", "-5", "1.5", "0.05", "100")),
           ANY_VALUE, st.integers(-10**12, 10**12), st.floats(allow_nan=True)),
           min_size=10, max_size=10),
       picked=st.one_of(text_or(("1", "2", "99999999999999999999", "²")), ANY_VALUE),
       compare=st.one_of(st.lists(text_or(("1", "2", "3", "99999999999999999999", "²")),
                                  max_size=4), ANY_VALUE))
def test_the_plan_form_never_fails_and_only_planners_run_save_or_load(
        browsers: dict[str, Browser], role: str, clicks: Any, search: Any, values: list[Any],
        picked: Any, compare: Any) -> None:
    """Anything in any field of the scenario form, any address, any saved id to load or to
    compare: a planner gets a ticket, a saved scenario, the form filled or the reasons why not,
    as text only; anyone else is refused before it runs."""
    form = {**dict(zip(PLAN_FORM, values, strict=True)), "plan-compare.value": compare}
    refused = role not in PLANNERS
    for output, button in (("plan-ticket.data", "plan-run"), ("plan-save-message", "plan-save"),
                           ("plan-backtest-ticket.data", "plan-backtest-run")):
        answer = call(browsers[role], output, {f"{button}.n_clicks": clicks,
                                               "url.search": search, **form},
                      f"{button}.n_clicks", refused=refused)
        assert_only_text(answer)
    loaded = call(browsers[role], "plan-name.value", {"plan-load.n_clicks": clicks,
                                                      "plan-saved-pick.value": picked,
                                                      "url.search": search},
                  "plan-load.n_clicks", refused=refused)
    assert_only_text(loaded)


@budget(20)
@given(role=st.sampled_from(["executive", "hub_lead"]), ticket=ANY_VALUE)
def test_the_background_run_never_fails_to_start_and_only_for_planners(
        browsers: dict[str, Browser], role: str, ticket: Any) -> None:
    """Any ticket at all, to the run or the back-test: a planner's call starts a job (which
    runs nothing without a ticket the app signed: tests/test_plan_page.py); anyone else is
    refused before it starts."""
    for output, ticket_input in (("plan-results.children", "plan-ticket.data"),
                                 ("plan-backtest-results.children", "plan-backtest-ticket.data")):
        answer = call(browsers[role], output, {ticket_input: ticket}, ticket_input,
                      refused=role not in PLANNERS)
        if role in PLANNERS:
            assert set(answer) >= {"cacheKey", "job"}


@budget(40)
@given(role=st.sampled_from(["executive", "hub_lead"]), clicks=ANY_VALUE,
       job=st.one_of(st.none(), st.integers(-10, 10**7).map(str), hostile_text()))
def test_cancel_never_fails_and_cancels_no_job_of_anyone_else(
        browsers: dict[str, Browser], role: str, clicks: Any, job: str | None) -> None:
    """Dash's Cancel callback, with any job named (a process id in Dash's protocol): none was
    started for the caller, so any named job is refused (403) and no process touched; with none
    named, a planner's call changes nothing; anyone else is refused."""
    query = "" if job is None else "?" + urlencode({"cancelJob": job},
                                                   errors="surrogatepass")
    for cancel in ("plan-cancel", "plan-backtest-cancel"):  # the run's and the back-test's
        answer = browsers[role].client.post(f"/_dash-update-component{query}", json={
            "output": f"{cancel}.id", "outputs": {"id": cancel, "property": "id"},
            "inputs": [{"id": cancel, "property": "n_clicks", "value": clicks}],
            "state": [], "changedPropIds": [f"{cancel}.n_clicks"]})
        body = answer.get_data(as_text=True)
        assert_no_trace(body)
        if role not in PLANNERS or job is not None:
            assert answer.status_code == 403, body[:300]
        else:
            assert answer.status_code in (200, 204), body[:300]


def test_every_callback_taking_browser_input_is_covered(browsers: dict[str, Browser]) -> None:
    covered = {"plan-ticket.data", "plan-cancel.id", "plan-save-message.children",
               "plan-backtest-ticket.data", "plan-backtest-cancel.id",
               "plan-backtest-results.children",
               "plan-name.value", "plan-results.children", "page-content.children",
               "area-picker.value", "data-version.data",
               "outlook-backtest.children", "sessions-list.children", "goal-message.children",
               "goal-form.children", "trigger-message.children", "action-pick.options",
               "action-kind.value", "action-message.children", "places-list.children",
               '"offer-result"', "huddle-live.children",
               '{"table":["MATCH"],"type":"figures"}.children'}
    for callback in browsers["executive"].callbacks:
        if callback.get("clientside_function"):
            continue  # runs in the browser only
        takes = {i["id"] for i in callback["inputs"]}
        assert any(name in callback["output"] for name in covered) or takes & set(CONTROLS), \
            callback["output"]
