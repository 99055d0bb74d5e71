"""The Plan page over HTTP, through Dash's own endpoint: who may run, save and see scenarios, a
run in the background from its ticket to its result (or cancelled), the jobs kept to their
owners, and a run's tables exported (docs/planning.md, "The Plan page"; docs/security.md).

The case: tests/builders.py's Today and STAYS episodes. Pathways 1 and 2 have completed stays and
services started in the 12 weeks before 25 Nov 2026; pathway 3 has neither, so it is left out.
Runs are small here (3 replications, 2 weeks: DASHBOARD_PLAN_REPLICATIONS)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from callbacks import plan as plan_callbacks
from callbacks.export import find_table, table_contents
from dashboard import background
from dashboard.app_factory import create_app
from dashboard.config import Settings
from dashboard.planning.backtest import TABLE_COLUMNS, summary, table_rows
from dashboard.planning.backtest import origins as backtest_origins
from data_access.access import change_role
from data_access.audit import recent_events
from data_access.planning import backtest
from layouts.components import component_nodes
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
    system_area,
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


def run(client: Client, ticket: Any, output: str = "plan-results.children",
        ticket_input: str = "plan-ticket.data") -> tuple[str, list[str]]:
    """Start the background run (or back-test) and poll it as the browser does: its result and
    the progress values seen on the way."""
    values = {ticket_input: ticket}
    started = client.call(output, values, ticket_input)
    assert started.status_code == 200, started.get_data(as_text=True)[:300]
    job = started.get_json()
    query = f"cacheKey={job['cacheKey']}&job={job['job']}"
    progress: list[str] = []
    for _ in range(POLLS):
        answer = client.call(output, values, ticket_input, query)
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


def save_for(client: Client, engine: Any, area: str, name: str, **changes: Any) -> int:
    """Save the form (with ``changes``) under ``name`` for ``area``: the saved id."""
    answer = client.call("plan-save-message.children",
                         {**FORM, **changes, "plan-name.value": name, "plan-save.n_clicks": 1,
                          "url.search": f"?area={area}"}, "plan-save.n_clicks")
    assert f"Saved {name} for" in answer.get_data(as_text=True)
    saved = recent_events(engine, limit=200, action="plan_scenario_saved")
    return int(saved[saved.detail.str.endswith(f" {name}")].detail.iloc[0].split()[0])


def totals_of(result: str) -> tuple[list[str], list[list[str]]]:
    table = find_table(json.loads(result)["plan-results"]["children"], "plan-totals-table")
    assert table is not None, result[:300]
    _, columns, rows = table_contents(table)
    return columns, rows


def test_a_saved_scenario_is_compared_beside_the_form_s_with_the_figures_it_has_alone(
        site) -> None:
    """Known answer: the executive saves "Saved ten more" (the FORM: 10 places on pathway 1,
    5% growth, 10% home first) for the system, then runs "Nothing changed" (no change at all)
    compared with it. The totals table has one named column per scenario. The runs are seeded
    (seed 1, per pathway), and the saved scenario is run with the form's horizon and
    replications, so its column equals the column of the same scenario run as the form's
    (the FORM named "Saved ten more"), and the baseline is the same in both runs. Progress
    counts 3 runs and 2 pathways' places needed: after 5% (the inputs), fifths (quarters would
    say the extra run was not counted)."""
    _, engine, users = site
    executive = users["executive"]
    saved_id = save_for(executive, engine, "ICB1", "Saved ten more")
    status, ticket = ticket_for(executive, "ICB1", **{
        "plan-name.value": "Nothing changed", "plan-places-1.value": 0,
        "plan-growth.value": 0, "plan-shift.value": 0, "plan-compare.value": [str(saved_id)]})
    assert status == 200 and isinstance(ticket, str)
    result, progress = run(executive, ticket)
    assert "Baseline, Nothing changed and Saved ten more (saved)" in result
    columns, compared = totals_of(result)
    assert columns == ["Pathway", "Over the horizon", "Baseline", "Nothing changed",
                       "Saved ten more (saved)"]
    assert "100" in progress and set(progress) <= {"5", "20", "40", "60", "80", "100"}, progress
    assert '"Saved ten more (saved) mean"' in result  # the daily tables have its columns too
    _, alone_ticket = ticket_for(executive, "ICB1", **{"plan-name.value": "Saved ten more"})
    alone_columns, alone = totals_of(run(executive, alone_ticket)[0])
    assert alone_columns == ["Pathway", "Over the horizon", "Baseline", "Saved ten more"]
    assert [row[:3] + row[4:] for row in compared] == alone
    assert [row[3] for row in compared] != [row[3] for row in alone]  # the change shows
    query = {"path": "/plan", "search": "?area=ICB1", "table": "plan-totals-table",
             "format": "csv", "audience": "team", "run": ticket}
    exported = executive.http.get("/export", query_string=query).get_data(as_text=True)
    assert "Pathway,Over the horizon,Baseline,Nothing changed,Saved ten more (saved)" in exported


def test_a_saved_scenario_of_another_area_is_refused_at_run_and_in_the_job(site) -> None:
    """D2's saved scenario is not in D1's list: named in a run of D1 it is refused when Run is
    pressed, and a ticket signed with the app's key naming it (as if the scenario had moved
    out of reach since) is refused by the job; both recorded, nothing of it shown."""
    app, engine, users = site
    manager = users["place_manager"]
    elsewhere = save_for(users["executive"], engine, "D2", "D2 elsewhere")
    before = len(recent_events(engine, limit=200, action="refused", username=manager.username))
    answer = manager.call("plan-ticket.data", {**FORM, "plan-run.n_clicks": 1,
                                               "plan-compare.value": [str(elsewhere)],
                                               "url.search": "?area=D1"}, "plan-run.n_clicks")
    sent = json.dumps(answer.get_json())
    assert "no such saved scenario" in sent and "D2 elsewhere" not in sent
    assert answer.get_json()["response"]["plan-ticket"]["data"] is None
    ticket = plan_callbacks.signer(app.server.secret_key).dumps(
        {"user": manager.username, "area": "D1", "values": {
            "name": "D1 run", "horizon": 2}, "compare": [elsewhere]})
    result, _ = run(manager, ticket)
    assert "no such saved scenario" in result
    assert "D2 elsewhere" not in result and "plan-totals-table" not in result
    refusals = recent_events(engine, limit=200, action="refused", username=manager.username)
    assert len(refusals) == before + 2
    assert refusals.detail.str.contains(f"plan compare \\[?{elsewhere}\\]?: not saved").sum() == 2


def test_more_than_two_saved_scenarios_are_refused(site) -> None:
    _, _, users = site
    answer = users["executive"].call("plan-ticket.data", {
        **FORM, "plan-run.n_clicks": 1, "plan-compare.value": ["1", "2", "3"],
        "url.search": "?area=ICB1"}, "plan-run.n_clicks")
    assert "choose at most 2 saved scenarios" in answer.get_data(as_text=True)


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


def backtest_of(client: Client, area: str) -> tuple[int, str, list[str]]:
    """Press Run the back-test, then run its job as the browser does: the status of the press,
    the result and the progress values seen."""
    pressed = client.call("plan-backtest-ticket.data", {"plan-backtest-run.n_clicks": 1,
                                                        "url.search": f"?area={area}"},
                          "plan-backtest-run.n_clicks")
    if pressed.status_code != 200:
        return pressed.status_code, "", []
    ticket = pressed.get_json()["response"]["plan-backtest-ticket"]["data"]
    result, progress = run(client, ticket, "plan-backtest-results.children",
                           "plan-backtest-ticket.data")
    return 200, result, progress


def test_a_planner_back_tests_the_area_and_gets_the_table_backtest_gives(site) -> None:
    """Known answer: the page's table is ``backtest`` called directly for the same area and
    settings (the 4 origins 29 Sep, 1 Sep, 4 Aug and 7 Jul 2026, 3 runs, 12 weeks of history,
    stays as recorded), summarised and formatted by the same code as docs/planning.md's table.
    By hand from tests/builders.py: the only completed stay before 29 Sep is L6 (pathway 1,
    ended 15 Sep), and pathway 1 services started in the 12 weeks before it (L6 1 Aug, L2 1 Sep,
    L4 10 Sep): pathway 1 from 29 Sep is the one run; every other origin and pathway has too
    little history, and the page names them (11 pairs)."""
    _, engine, users = site
    status, result, progress = backtest_of(users["executive"], "ICB1")
    assert status == 200
    origins = backtest_origins(TODAY_AT.date(), 4)
    assert origins == [date(2026, 7, 7), date(2026, 8, 4), date(2026, 9, 1), date(2026, 9, 29)]
    direct = backtest(engine, system_area(engine, "ICB1"), origins, replications=3,
                      history_weeks=12, stays="empirical")
    assert set(direct.rows.pathway) == {1} and set(direct.rows.origin) == {date(2026, 9, 29)}
    assert len(direct.too_little_history) == 11
    expected = table_rows(summary(direct.rows))
    # pathway 1: weeks 4 and 8, occupancy and waiting; the share within 24 h has no actual to
    # compare (nothing counted as started in those periods), and the page says so
    assert [row[:3] for row in expected] == [("1", "4", "occupancy"), ("1", "4", "waiting"),
                                            ("1", "8", "occupancy"), ("1", "8", "waiting")]
    assert "no share within 24 h to compare: pathway 1 from 29 Sep 2026, 4 weeks; pathway 1 " \
        "from 29 Sep 2026, 8 weeks" in result
    sent = json.loads(result)["plan-backtest-results"]["children"]
    table = find_table(sent, "plan-backtest-table")
    assert table is not None
    caption, columns, rows = table_contents(table)
    assert columns == list(TABLE_COLUMNS)
    assert rows == [list(row) for row in expected]
    too_little = next(node for node in component_nodes(sent)
                      if node["props"].get("id") == "plan-backtest-too-little")
    named = too_little["props"]["children"]
    assert "pathway 3 from 07 Jul 2026" in named and "pathway 2 from 29 Sep 2026" in named
    assert "pathway 1 from 29 Sep 2026" not in named and named.count("pathway") == 11
    assert "100" in progress and "25" in progress  # per origin: 1 of 4, ..., 4 of 4
    started = recent_events(engine, limit=50, action="plan_backtest", username="test-executive")
    assert len(started) >= 1 and started.scope.iloc[0] == "ICB1"


def test_a_back_test_s_table_exports_from_its_ticket_for_its_user_only(site) -> None:
    _, _, users = site
    pressed = users["executive"].call("plan-backtest-ticket.data",
                                      {"plan-backtest-run.n_clicks": 1,
                                       "url.search": "?area=ICB1"}, "plan-backtest-run.n_clicks")
    ticket = pressed.get_json()["response"]["plan-backtest-ticket"]["data"]
    query = {"path": "/plan", "search": "?area=ICB1", "table": "plan-backtest-table",
             "format": "csv", "audience": "team", "run": ticket}
    answer = users["executive"].http.get("/export", query_string=query)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert ",".join(TABLE_COLUMNS) in answer.get_data(as_text=True)
    assert users["data_manager"].http.get("/export", query_string=query).status_code == 404


@pytest.mark.parametrize("role", ["hub_lead", "administrator"])
def test_roles_that_do_not_plan_are_refused_the_back_test(site, role) -> None:
    _, engine, users = site
    before = len(recent_events(engine, limit=200, action="refused", username=f"test-{role}"))
    status, _, _ = backtest_of(users[role], "D1")
    assert status == 403
    assert len(recent_events(engine, limit=200, action="refused",
                             username=f"test-{role}")) == before + 1


def test_a_back_test_ticket_runs_no_scenario_and_a_job_is_polled_only_by_its_owner(site) -> None:
    """The tickets of the two kinds are signed apart: a back-test's ticket given to the
    scenario run runs nothing, nor a run's ticket given to the back-test. Another user's poll
    of a back-test job is refused."""
    _, _, users = site
    owner, stranger = users["executive"], users["data_manager"]
    pressed = owner.call("plan-backtest-ticket.data", {"plan-backtest-run.n_clicks": 1,
                                                       "url.search": "?area=ICB1"},
                         "plan-backtest-run.n_clicks")
    ticket = pressed.get_json()["response"]["plan-backtest-ticket"]["data"]
    crossed, _ = run(owner, ticket)
    assert "press Run to start a run" in crossed
    _, run_ticket = ticket_for(owner, "ICB1")
    crossed, _ = run(owner, run_ticket, "plan-backtest-results.children",
                     "plan-backtest-ticket.data")
    assert "press Run the back-test to start it" in crossed and "plan-backtest-table" not in crossed
    values = {"plan-backtest-ticket.data": ticket}
    job = owner.call("plan-backtest-results.children", values,
                     "plan-backtest-ticket.data").get_json()
    query = f"cacheKey={job['cacheKey']}&job={job['job']}"
    assert stranger.call("plan-backtest-results.children", values, "plan-backtest-ticket.data",
                         query).status_code == 403
    result, _ = run(owner, ticket, "plan-backtest-results.children", "plan-backtest-ticket.data")
    assert "plan-backtest-table" in result
