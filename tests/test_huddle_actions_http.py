"""The huddle's actions over HTTP, through Dash's callback endpoint and the export, as any
client may call them: only a hub lead of the person's area writes or reads them; a hub lead of
another area, an executive and a place manager are refused, recorded, and nothing is written or
sent; every view and change is in the audit log; hostile text comes back as text."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from dashboard.app_factory import create_app
from dashboard.clock import FixedClock
from dashboard.config import Settings
from data_access.audit import recent_events
from data_access.models import PersonAction, PersonActionChange
from tests.accounts import add_user, sign_in_client
from tests.builders import GEOGRAPHY, TODAY_AT, TODAY_DELAYS, TODAY_EPISODES, load_files
from tests.dash_calls import call_callback

HOSTILE = '<img src=x onerror="alert(1)"> =HYPERLINK("http://evil.example") ring the son'
SAVE = "action-message.children"


def save_values(person: str, search: str) -> dict[str, Any]:
    """The form as the browser sends it: a new action on ``person``."""
    return {"action-save.n_clicks": 1, "action-person.value": person,
            "action-pick.value": "new", "action-kind.value": "family_meeting",
            "action-detail.value": HOSTILE, "action-owner.value": "Ward discharge team",
            "action-due.value": "2026-11-25T17:00", "action-status.value": "open",
            "action-blocked.value": "", "action-version.data": None, "url.search": search}


@pytest.fixture
def site(engine, database_url, tmp_path) -> Any:  # type: ignore[no-untyped-def]
    assert load_files(engine, tmp_path / "case", {
        **GEOGRAPHY, "episodes.csv": TODAY_EPISODES, "delays.csv": TODAY_DELAYS}).loaded
    app = create_app(Settings(database_url=database_url, clock=FixedClock(TODAY_AT)), engine)
    users = {}
    for name, role, areas in (("ana", "hub_lead", ("D1",)), ("cy", "hub_lead", ("D2",)),
                              ("eve", "executive", ()), ("pam", "place_manager", ())):
        client = app.server.test_client()
        csrf = sign_in_client(client, add_user(engine, role, areas, name))["X-CSRFToken"]
        users[name] = (client, csrf)
    return engine, users


def actions_written(engine: Any) -> tuple[int, int]:
    with engine.connect() as connection:
        return (connection.scalar(select(func.count()).select_from(PersonAction)),
                connection.scalar(select(func.count()).select_from(PersonActionChange)))


def text_of(answer: Any) -> str:
    return json.dumps(json.loads(answer.data)["response"])


def test_only_a_hub_lead_of_the_persons_area_writes_or_reads_actions(site) -> None:
    engine, users = site
    # E2 lives in N1, place one (D1). Outsiders try to record an action on E2, any way round.
    for name, search in (("cy", "?area=D1"), ("cy", "?area=D2"), ("eve", "?area=D1"),
                         ("pam", "?area=D1")):
        client, csrf = users[name]
        answer = call_callback(client, csrf, SAVE, save_values("E2", search),
                               "action-save.n_clicks")
        if name == "cy":  # a hub lead: the guard lets the call in, the scope check refuses
            assert answer.status_code == 200
            assert "Recorded" not in text_of(answer)
        else:  # not a hub lead: refused before anything runs
            assert answer.status_code == 403
    assert actions_written(engine) == (0, 0)
    refused = recent_events(engine, action="refused")
    assert {"cy", "eve", "pam"} <= set(refused.username)

    # Ana, whose hub holds E2, records it: the text comes back as text, and it is audited.
    client, csrf = users["ana"]
    answer = call_callback(client, csrf, SAVE, save_values("E2", "?area=D1"),
                           "action-save.n_clicks")
    assert answer.status_code == 200 and "Recorded." in text_of(answer)
    cells = [node for node in json.loads(answer.data)["response"]["actions-list"]["children"]
             ["props"]["children"][2]["props"]["children"][0]["props"]["children"]]
    assert HOSTILE in [cell["props"]["children"] for cell in cells]  # a text child, as given
    assert actions_written(engine) == (1, 1)
    (recorded,) = recent_events(engine, action="action_recorded").itertuples()
    assert (recorded.username, recorded.scope) == ("ana", "episode E2")

    # Reading: the person's actions for Ana; for the outsiders a refusal, never the action.
    pick = "action-pick.options"
    options = call_callback(client, csrf, pick, {"action-person.value": "E2",
                                                 "url.search": "?area=D1"},
                            "action-person.value")
    assert "Family meeting" in text_of(options)
    assert "view_people" in set(recent_events(engine, username="ana").action)
    for name, search in (("cy", "?area=D1"), ("cy", "?area=D2"), ("eve", "?area=D1"),
                         ("pam", "?area=D1")):
        client, csrf = users[name]
        answer = call_callback(client, csrf, pick, {"action-person.value": "E2",
                                                    "url.search": search},
                               "action-person.value")
        assert answer.status_code in (200, 403)
        assert "Family meeting" not in answer.get_data(as_text=True)
        exported = client.get(f"/export?path=/huddle&search={search}&table=actions-table"
                              "&format=csv&audience=team")
        assert exported.status_code in (403, 404)
        assert "ring the son" not in exported.get_data(as_text=True)
