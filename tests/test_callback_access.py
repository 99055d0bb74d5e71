"""Every callback × every role × an area in and out of the user's scope, through Dash's endpoint.

The walk reads the callbacks from the app itself (``/_dash-dependencies``, as a browser does), so a
callback added later is walked without anyone adding it here. For each call it knows what must
happen from the callback's declared access (``dashboard.dash_guard.requires``) and, for the route,
the page's permission (``dashboard.pages``):

- a role without the permission: refused (403 from the guard, or the page's refusal in words),
  recorded in the audit log, and no figure or table sent;
- an area outside the user's scope, to a callback that reads the area: the same;
- otherwise: answered (200 or 204), nothing recorded as refused;
- a callback that declares it reads no area, and any call answered for a role that may see no
  figures (the administrator), runs no query on a table of figures or people (so a callback
  declared open to every role that reads figures is caught);
- a callback that runs only in the browser cannot be called on the server at all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, event

from dashboard.app_factory import create_app
from dashboard.config import Settings
from dashboard.dash_guard import declared_access, server_callbacks
from dashboard.pages import PAGES
from dashboard.results import PERMISSIONS, ROLES
from data_access.access import load_scope
from data_access.audit import recent_events
from tests.accounts import add_user, sign_in_client
from tests.builders import (
    GEOGRAPHY,
    TODAY_AT,
    TODAY_CAPACITY,
    TODAY_DELAYS,
    TODAY_EPISODES,
    SteppingClock,
    load_files,
)

HUB_AREAS = ("D1",)  # the hub lead's hub; D2 is outside it
# Tables that hold neither figures nor people: who may sign in and what they did, what was loaded
# and when, and the reference lists (areas, sites, services, organisations). Every other table,
# including any added later, counts as figures or people.
NOT_FIGURES = {"users", "user_areas", "user_sessions", "device_cookies", "audit_events", "loads",
               "feed_sources", "api_tokens",
               "areas", "area_links", "sites", "services", "published_organisations",
               "calendar_days", "facts_state",
               # Counted (never read) by the data version: how many changes to actions.
               "person_action_changes"}
FIGURE_PERMISSIONS = ("aggregates", "people", "data")
ON_DEMAND_TABLE = "bands-table"  # a table on the Today page ("/"), shown when opened
TABLE_NAMED = re.compile(r'\b(?:FROM|JOIN|INTO|UPDATE)\s+"?(\w+)', re.IGNORECASE)


@dataclass
class User:
    role: str
    client: FlaskClient
    limited: bool  # whether some areas are outside the user's scope


@pytest.fixture(scope="module")
def walk(module_database: tuple[str, Engine],
         tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Engine, dict[str, User]]:
    url, engine = module_database
    assert load_files(engine, tmp_path_factory.mktemp("batch"), {
        **GEOGRAPHY, "episodes.csv": TODAY_EPISODES, "capacity.csv": TODAY_CAPACITY,
        "delays.csv": TODAY_DELAYS}).loaded
    app = create_app(Settings(database_url=url, clock=SteppingClock(TODAY_AT)), engine)
    users = {}
    for role in ROLES:
        username = add_user(engine, role, HUB_AREAS if role == "hub_lead" else ())
        client = app.server.test_client()
        client.environ_base["HTTP_X_CSRFTOKEN"] = sign_in_client(client, username)["X-CSRFToken"]
        users[role] = User(role, client, load_scope(engine, username).area_codes is not None)
    return app, engine, users


def concrete(component_id: str) -> Any:
    """A component's id as a browser sends it: a pattern's wildcards given a value."""
    if not component_id.startswith("{"):
        return component_id
    return {key: ON_DEMAND_TABLE if isinstance(value, list) else value
            for key, value in json.loads(component_id).items()}


def payload(callback: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The body a browser sends for ``callback`` (as ``/_dash-dependencies`` lists it)."""
    parts = callback["output"].strip(".").split("...")
    outputs = [{"id": concrete(part.rsplit(".", 1)[0]), "property": part.rsplit(".", 1)[1]}
               for part in parts if "." in part]  # a callback without outputs has a bare id

    def listed(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{"id": concrete(item["id"]), "property": item["property"],
                 "value": values.get(f"{item['id']}.{item['property']}")} for item in items]

    inputs = callback["inputs"]
    return {"output": callback["output"],
            "outputs": outputs if len(outputs) != 1 else outputs[0],
            "inputs": listed(inputs), "state": listed(callback["state"]),
            "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"] if inputs else []}


@contextmanager
def tables_read(engine: Engine) -> Iterator[set[str]]:
    """The tables every statement run meanwhile names."""
    named: set[str] = set()

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        named.update(name.lower() for name in TABLE_NAMED.findall(statement))

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield named
    finally:
        event.remove(engine, "before_cursor_execute", note)


def refusals(engine: Engine, role: str) -> int:
    return len(recent_events(engine, limit=100_000, action="refused", username=f"test-{role}"))


def call(app: Any, engine: Engine, user: User, callback: dict[str, Any], path: str,
         area: str) -> tuple[int, str, bool, set[str]]:
    """One call: its status, body, whether a refusal was recorded, and the tables it read."""
    before = refusals(engine, user.role)
    values = {"url.pathname": path, "url.search": f"?area={area}", "area-picker.value": area}
    with tables_read(engine) as tables:
        answer = user.client.post("/_dash-update-component", json=payload(callback, values))
    body = answer.get_data(as_text=True)
    assert answer.status_code < 500 and "Traceback" not in body, (callback["output"], body[:500])
    return answer.status_code, body, refusals(engine, user.role) > before, tables


def assert_refused(status: int, body: str, recorded: bool, what: str) -> None:
    assert recorded, f"{what}: refused without a record in the audit log"
    assert status in (403, 200, 204), what
    if status == 200 and json.loads(body)["response"]:  # the page's refusal in words, only
        assert "access-denied" in body or "outside the areas you may see" in body, what
        assert '"type": "Graph"' not in body and '"type": "Table"' not in body, what
        assert '"type":"Graph"' not in body and '"type":"Table"' not in body, what


def assert_answered(status: int, body: str, recorded: bool, what: str) -> None:
    assert status in (200, 204), (what, status, body[:300])
    assert not recorded and "access-denied" not in body, what


def areas_for(user: User) -> list[tuple[str, bool]]:
    """(area, inside the user's scope): the hub's own area, and one outside it if there is."""
    return [("D1", True)] + ([("D2", False)] if user.limited else [])


def test_every_server_callback_declares_its_access(walk) -> None:
    app, _, _ = walk
    undeclared = [key for key, spec in server_callbacks(app).items()
                  if declared_access(spec) is None]
    assert not undeclared, f"declare access with dashboard.dash_guard.requires: {undeclared}"
    assert all(access.permission is None or access.permission in PERMISSIONS
               for access in map(declared_access, server_callbacks(app).values()))


def test_every_callback_for_every_role_in_and_out_of_scope(walk) -> None:
    app, engine, users = walk
    listed = json.loads(users["executive"].client.get("/_dash-dependencies").data)
    on_server = server_callbacks(app)
    walked = 0
    for callback in listed:
        if callback["output"] not in on_server:
            continue  # runs in the browser; see the test below
        access = declared_access(on_server[callback["output"]])
        # A callback that reads the page in the address (the route, a table opened on a page)
        # answers for that page: it is walked over every page, under the page's permission too.
        per_page = any(f"{item['id']}.{item['property']}" == "url.pathname"
                       for item in callback["inputs"] + callback["state"])
        paths = [page.path for page in PAGES] + ["/nowhere"] if per_page else ["/"]
        for path, user in ((path, user) for path in paths for user in users.values()):
            page = next((p for p in PAGES if p.path == path), None)
            needed = [access.permission]
            if per_page and page is not None:
                needed.append(page.permission)
            permitted = all(p is None or user.role in PERMISSIONS[p] for p in needed)
            for area, in_scope in areas_for(user):
                what = f"{callback['output']} {path} as {user.role} for {area}"
                status, body, recorded, tables = call(app, engine, user, callback, path, area)
                walked += 1
                if not permitted or (access.scoped and not in_scope):
                    assert_refused(status, body, recorded, what)
                else:
                    assert_answered(status, body, recorded, what)
                sees_no_figures = not any(user.role in PERMISSIONS[p] for p in FIGURE_PERMISSIONS)
                if not access.scoped or (sees_no_figures and status != 403):
                    assert tables <= NOT_FIGURES, (what, tables - NOT_FIGURES)
    assert walked >= len(on_server) * len(users)


def test_a_callback_that_runs_in_the_browser_cannot_be_called_on_the_server(walk) -> None:
    app, _, users = walk
    listed = json.loads(users["executive"].client.get("/_dash-dependencies").data)
    browser_only = [c for c in listed if c["output"] not in server_callbacks(app)]
    assert browser_only  # the app has some (the frame's reload, the anchor follower)
    for callback in browser_only:
        answer = users["executive"].client.post("/_dash-update-component",
                                                json=payload(callback, {}))
        assert answer.status_code == 404, callback["output"]


def test_the_back_test_refuses_the_administrator(walk) -> None:
    """The review's finding: the capacity back-test checked the area but not the role."""
    app, engine, users = walk
    backtest = next(c for c in json.loads(users["executive"].client.get(
        "/_dash-dependencies").data) if c["output"] == "outlook-backtest.children")
    status, body, recorded, _ = call(app, engine, users["administrator"], backtest, "/capacity",
                                     "ICB1")
    assert status == 403 and recorded and "Back-test" not in body
    status, body, _, _ = call(app, engine, users["executive"], backtest, "/capacity", "ICB1")
    assert status == 200 and "Back-test" in body
