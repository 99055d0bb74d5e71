"""The Plan page over HTTP, through Dash's own endpoint: who may run, save and see scenarios, a
run in the background from its ticket to its result (or cancelled), the jobs kept to their
owners, and a run's tables exported (docs/planning.md, "The Plan page"; docs/security.md).

The case: tests/builders.py's Today and STAYS episodes. Pathways 1 and 2 have completed stays and
services started in the 12 weeks before 25 Nov 2026; pathway 3 has neither, so it is left out.
Runs are small here (3 replications, 2 weeks: DASHBOARD_PLAN_REPLICATIONS)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from callbacks import plan as plan_callbacks
from dashboard import background
from dashboard.app_factory import create_app
from dashboard.config import Settings
from data_access.access import change_role
from data_access.audit import recent_events
from tests.accounts import add_user, sign_in_client
from tests.builders import (
    GEOGRAPHY,
    STAYS,
    TODAY_AT,
    TODAY_CAPACITY,
    TODAY_DELAYS,
    TODAY_EPISODES,
    SteppingClock,
    load_files,
)
from tests.dash_calls import call_callback

FORM = {"plan-name.value": "Ten more reablement places", "plan-horizon.value": 2,
        "plan-change-from.value": "2026-11-25", "plan-places-1.value": 10,
        "plan-places-2.value": 0, "plan-places-3.value": 0, "plan-los.value": 1,
        "plan-growth.value": 5, "plan-surge.value": 0, "plan-shift.value": 10}
POLLS = 600  # each poll waits on the job's process: far more than a 3-run plan needs


class Client:
    def __init__(self, app: Any, username: str) -> None:
        self.username = username
        self.http = app.server.test_client()
        self.csrf = sign_in_client(self.http, username)["X-CSRFToken"]

    def call(self, output: str, values: dict[str, Any], changed: str, query: str = "") -> Any:
        return call_callback(self.http, self.csrf, output, values, changed, query)


@pytest.fixture(scope="module")
def site(module_database, tmp_path_factory) -> Iterator[tuple[Any, Any, dict[str, Client]]]:
    url, engine = module_database
    folder = tmp_path_factory.mktemp("plan")
    patch = pytest.MonkeyPatch()
    patch.setenv("DASHBOARD_PLAN_REPLICATIONS", "3")
    patch.setenv("DASHBOARD_JOBS_DIR", str(folder / "jobs"))
    assert load_files(engine, folder / "today", {
        **GEOGRAPHY, "episodes.csv": TODAY_EPISODES, "capacity.csv": TODAY_CAPACITY,
        "delays.csv": TODAY_DELAYS}).loaded
    assert load_files(engine, folder / "stays", {"episodes.csv": STAYS}).loaded
    app = create_app(Settings(database_url=url, clock=SteppingClock(TODAY_AT)), engine)
    users = {
        "executive": add_user(engine, "executive"),
        "place_manager": add_user(engine, "place_manager"),
        "data_manager": add_user(engine, "data_manager"),
        "hub_lead": add_user(engine, "hub_lead", ("D1",)),
        "administrator": add_user(engine, "administrator"),
    }
    yield app, engine, {role: Client(app, name) for role, name in users.items()}
    patch.undo()


def ticket_for(client: Client, area: str, **changes: Any) -> tuple[Any, Any]:
    """Press Run: the status and the ticket (or the message)."""
    answer = client.call("plan-ticket.data", {**FORM, **changes, "plan-run.n_clicks": 1,
                                               "url.search": f"?area={area}"},
                         "plan-run.n_clicks")
    if answer.status_code != 200:
        return answer.status_code, None
    sent = answer.get_json()["response"]
    return 200, sent.get("plan-ticket", {}).get("data")


def run(client: Client, ticket: Any) -> tuple[str, list[str]]:
    """Start the background run and poll it as the browser does: its result and the progress
    values seen on the way."""
    values = {"plan-ticket.data": ticket}
    started = client.call("plan-results.children", values, "plan-ticket.data")
    assert started.status_code == 200, started.get_data(as_text=True)[:300]
    job = started.get_json()
    query = f"cacheKey={job['cacheKey']}&job={job['job']}"
    progress: list[str] = []
    for _ in range(POLLS):
        answer = client.call("plan-results.children", values, "plan-ticket.data", query)
        assert answer.status_code in (200, 204), answer.get_data(as_text=True)[:300]
        if answer.status_code == 204:
            continue
        body = answer.get_json()
        progress += [str(v) for v in body.get("progress", {}).values()]
        if "response" in body:
            return json.dumps(body["response"]), progress
    raise AssertionError("the run did not finish")


def test_a_planner_runs_a_scenario_in_the_background_against_the_baseline(site) -> None:
    """The executive's run of the system: the comparison of pathways 1 and 2 with the baseline,
    pathway 3 left out (no stays), the places needed, and progress reported on the way."""
    _, engine, users = site
    status, ticket = ticket_for(users["executive"], "ICB1")
    assert status == 200 and isinstance(ticket, str)
    result, progress = run(users["executive"], ticket)
    assert "Baseline and Ten more reablement places" in result
    for table in ("plan-totals-table", "plan-occupancy-1-table", "plan-waiting-2-table",
                  "plan-within_24h-1-table", "plan-needed-table"):
        assert f'"{table}"' in result, table
    assert "plan-occupancy-3-table" not in result and "Pathway 3 left out" in result
    assert progress, "no progress reported"
    runs = recent_events(engine, limit=50, action="plan_run", username="test-executive")
    assert len(runs) == 1 and runs.scope.iloc[0] == "ICB1"


def test_a_run_s_tables_export_from_its_ticket_for_its_user_only(site) -> None:
    """The totals table of a run exports as CSV, recomputed from the run's signed ticket; the
    same ticket exported by another user, or altered, finds no table."""
    _, _, users = site
    _, ticket = ticket_for(users["executive"], "ICB1")
    query = {"path": "/plan", "search": "?area=ICB1", "table": "plan-totals-table",
             "format": "csv", "audience": "team", "run": ticket}
    answer = users["executive"].http.get("/export", query_string=query)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    text = answer.get_data(as_text=True)
    assert "Pathway,Over the horizon,Baseline,Ten more reablement places" in text
    assert "Acute bed days lost to waiting" in text
    other = users["data_manager"].http.get("/export", query_string=query)
    assert other.status_code == 404
    altered = users["executive"].http.get("/export", query_string={**query,
                                                                     "run": ticket[:-2] + "xx"})
    assert altered.status_code == 404


@pytest.mark.parametrize("role", ["hub_lead", "administrator"])
def test_roles_that_do_not_plan_are_refused_every_plan_callback(site, role) -> None:
    _, engine, users = site
    status, _ = ticket_for(users[role], "D1")
    assert status == 403
    saved = users[role].call("plan-save-message.children",
                             {**FORM, "plan-save.n_clicks": 1, "url.search": "?area=D1"},
                             "plan-save.n_clicks")
    assert saved.status_code == 403
    page = users[role].http.get("/plan?area=D1")
    assert page.status_code in (200, 403)  # the frame answers; the route refuses in words
    assert len(recent_events(engine, limit=100, action="refused", username=f"test-{role}")) >= 2


def test_the_job_checks_the_role_and_scope_again_when_it_runs(site) -> None:
    """Only hub leads are limited to areas, and they do not plan; so the scope a ticket was
    checked against can change only with the role. A planner made a hub lead of D1 after
    pressing Run: the job, reading the user afresh, runs nothing; and an area outside the
    hub lead's scope is refused by the guard before any area is read."""
    _, engine, _ = site
    username = add_user(engine, "executive", username="test-moved")
    moved = Client(site[0], username)
    _, ticket = ticket_for(moved, "D2")
    assert isinstance(ticket, str)
    change_role(engine, username, "hub_lead", TODAY_AT, ("D1",))
    runner = Client(site[0], add_user(engine, "data_manager", username="test-runner"))
    result, _ = run(runner, ticket)  # the job trusts the ticket's user, not the caller
    assert "you may not run scenarios" in result and "plan-totals-table" not in result
    hub = Client(site[0], username)
    status, _ = ticket_for(hub, "D2")
    assert status == 403


def test_a_forged_ticket_runs_nothing(site) -> None:
    _, _, users = site
    forged = plan_callbacks.signer("not the app's key").dumps(
        {"user": "test-place_manager", "area": "ICB1", "values": {}})
    result, _ = run(users["place_manager"], forged)
    assert "press Run to start a run" in result and "plan-totals-table" not in result


def test_a_job_is_polled_and_cancelled_only_by_its_owner(site) -> None:
    """Dash's protocol names the job (its process id) in the query: another user's poll, a
    cancel of another user's job, or any process id never started for the caller is refused
    and recorded, and the process is not touched."""
    _, engine, users = site
    _, ticket = ticket_for(users["executive"], "ICB1")
    values = {"plan-ticket.data": ticket}
    job = users["executive"].call("plan-results.children", values,
                                  "plan-ticket.data").get_json()
    query = f"cacheKey={job['cacheKey']}&job={job['job']}"
    stranger = users["data_manager"]
    assert stranger.call("plan-results.children", values, "plan-ticket.data",
                         query).status_code == 403
    assert stranger.call("plan-results.children", values, "plan-ticket.data",
                         "oldJob=1").status_code == 403  # process 1: init
    refusals = recent_events(engine, limit=100, action="refused", username=stranger.username)
    assert refusals.detail.str.contains("was not started for you").sum() >= 2
    result, _ = run(users["executive"], ticket)  # the owner's run goes on, untouched
    assert "plan-totals-table" in result


def test_saved_scenarios_are_shared_within_scope_and_loaded_only_there(site) -> None:
    """The place manager saves for D1; the executive sees it from the system (D1 lies in it);
    a scenario saved for D2 is neither listed on D1's page nor loadable through it."""
    _, engine, users = site
    manager, executive = users["place_manager"], users["executive"]
    saved = manager.call("plan-save-message.children",
                         {**FORM, "plan-name.value": "D1 winter", "plan-save.n_clicks": 1,
                          "url.search": "?area=D1"}, "plan-save.n_clicks")
    assert "Saved D1 winter for" in saved.get_data(as_text=True)
    executive.call("plan-save-message.children",
                   {**FORM, "plan-name.value": "D2 only", "plan-save.n_clicks": 1,
                    "url.search": "?area=D2"}, "plan-save.n_clicks")
    listed = json.dumps(executive.call(
        "plan-save-message.children", {**FORM, "plan-name.value": "System",
                                       "plan-save.n_clicks": 1, "url.search": "?area=ICB1"},
        "plan-save.n_clicks").get_json())
    assert "D1 winter" in listed and "D2 only" in listed
    own = json.dumps(manager.call("plan-save-message.children",
                                  {**FORM, "plan-name.value": "D1 again", "plan-save.n_clicks": 1,
                                   "url.search": "?area=D1"}, "plan-save.n_clicks").get_json())
    assert "D1 winter" in own and "D2 only" not in own and "System" not in own
    ids = {row.scope: int(row.detail.split()[0]) for row in recent_events(
        engine, limit=100, action="plan_scenario_saved").itertuples()}
    loaded = manager.call("plan-name.value", {"plan-load.n_clicks": 1,
                                              "plan-saved-pick.value": str(ids["D1"]),
                                              "url.search": "?area=D1"}, "plan-load.n_clicks")
    body = loaded.get_json()["response"]
    assert body["plan-places-1"]["value"] == 10 and body["plan-shift"]["value"] == 10
    refused = manager.call("plan-name.value", {"plan-load.n_clicks": 1,
                                               "plan-saved-pick.value": str(ids["D2"]),
                                               "url.search": "?area=D1"}, "plan-load.n_clicks")
    assert "no such saved scenario" in refused.get_data(as_text=True)
    assert "plan-name" not in refused.get_json()["response"]
    assert len(recent_events(engine, limit=100, action="plan_scenario_loaded",
                             username=manager.username)) == 1


def test_the_owner_cancels_a_long_run_and_its_process_ends(site, monkeypatch) -> None:
    """A run of 1000 replications over 26 weeks (far longer than this test): the owner's Cancel
    (Dash's cancel callback, the job in ``cancelJob``) ends the job's process; the poll then
    has no result to give."""
    app, _, users = site
    monkeypatch.setenv("DASHBOARD_PLAN_REPLICATIONS", "1000")
    owner = users["executive"]
    _, ticket = ticket_for(owner, "ICB1", **{"plan-horizon.value": 26})
    values = {"plan-ticket.data": ticket}
    job = owner.call("plan-results.children", values, "plan-ticket.data").get_json()
    manager = background.manager_for(app)
    assert manager.job_running(job["job"])
    cancelled = owner.call("plan-cancel.id", {"plan-cancel.n_clicks": 1}, "plan-cancel.n_clicks",
                           f"cancelJob={job['job']}")
    assert cancelled.status_code in (200, 204), cancelled.get_data(as_text=True)[:300]
    assert not manager.job_running(job["job"])
    poll = owner.call("plan-results.children", values, "plan-ticket.data",
                      f"cacheKey={job['cacheKey']}&job={job['job']}")
    assert poll.status_code == 204 or "plan-totals-table" not in poll.get_data(as_text=True)
