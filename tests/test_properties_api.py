"""Property-based tests of the push API (``POST /api/v1/feeds/<kind>``, and the actions on people
under ``/api/v1/actions``) through Flask's test client.

Hypothesis sends random and hostile requests: bodies that are not JSON, not UTF-8, JSON of the
wrong shape (objects, numbers, nested lists, numbers too long, nesting too deep), records with
unknown fields, wrong types, script text, good and bad records mixed (the loader tests' records),
CSV bodies broken anywhere, wrong content types, wrong or missing tokens, unknown kinds and
addresses, bodies over the size limit and too many records. Whatever arrives:

- the status is one of 200, 400, 401, 403, 404, 413, 415 and 422, never 500;
- the body is JSON, and no answer shows a stack trace;
- a delivery not accepted writes nothing to the data tables (a refused one, 403, names each
  record it refuses: the token's source may send every kind everywhere, but never change the
  administrator's records, such as the test geography).

The actions' routes get any method, any action id or episode (the source's own, another's,
none, hostile text), bodies of good values broken anywhere (hostile text, any JSON value,
unknown and hostile field names, any version) and the bodies above. Whatever arrives, the
answer is JSON with one of 200, 201, 400, 401, 403, 404, 409, 413, 415 and 422, never 500 (on
PostgreSQL a NUL or half a UTF-16 pair reaches no query); an answer other than 200 or 201
writes nothing.

The example budget is fixed (``tests/properties.py``: the ``ci`` profile, derandomised);
``HYPOTHESIS_PROFILE=thorough`` runs 20 times as many random examples.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.parse
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import event, given
from hypothesis import strategies as st
from sqlalchemy import Engine

from dashboard.app_factory import create_app
from dashboard.clock import FixedClock
from dashboard.config import Settings
from data_access.contract import SPECS_BY_KIND
from data_access.feeds import create_token
from data_access.ownership import KINDS as EVERY_KIND
from data_access.ownership import GrantChange, grant
from tests.builders import GEOGRAPHY, TODAY_AT, TODAY_EPISODES, load_files
from tests.properties import assert_no_trace, budget, data_tables, hostile_text
from tests.test_feeds_api import episode
from tests.test_properties_loader import AFTER_EVERY_MOMENT, JSON_VALUES, ROWS, records

MAX_BYTES, MAX_RECORDS = 20_000, 50
ANSWERS = {200, 400, 401, 403, 404, 413, 415, 422}


@dataclass
class Api:
    client: FlaskClient
    engine: Engine
    token: str


@pytest.fixture(scope="module")
def api(module_database: tuple[str, Engine], tmp_path_factory: pytest.TempPathFactory) -> Api:
    url, engine = module_database
    # The administrator's episodes too: actions on them are refused to every source.
    assert load_files(engine, tmp_path_factory.mktemp("geography"),
                      {**GEOGRAPHY, "episodes.csv": TODAY_EPISODES}).loaded
    # After every moment the records hold: none is in the future.
    settings = Settings(database_url=url, clock=FixedClock(AFTER_EVERY_MOMENT),
                        feed_max_bytes=MAX_BYTES, feed_max_records=MAX_RECORDS)
    token = create_token(engine, "Ward tracker", TODAY_AT).token
    grant(engine, "Ward tracker", GrantChange(kinds=EVERY_KIND, everywhere=True))
    api = Api(create_app(settings, engine).server.test_client(), engine, token)
    # The token's first use is noted once (the clock is fixed): later requests write nothing.
    assert post(api, "/api/v1/feeds/areas", b"[]", "application/json",
                f"Bearer {token}").status_code == 400
    return api


def post(api: Api, path: str, body: bytes, content_type: str | None,
         authorization: str | None) -> Any:
    headers = {} if authorization is None else {"Authorization": authorization}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return api.client.post(path, data=body, headers=headers)


# --- requests -------------------------------------------------------------------------------------

def csv_text(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


@st.composite
def csv_bodies(draw: st.DrawFn) -> tuple[str, bytes]:
    """A kind's good rows as CSV, with hostile text spliced in anywhere."""
    kind = draw(st.sampled_from(sorted(SPECS_BY_KIND)))
    text = csv_text(draw(st.lists(ROWS[f"{kind}.csv"], min_size=1, max_size=4)))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(hostile_text()) + text[at:]
    return kind, text.encode("utf-8", "surrogatepass")


def json_body(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8", "surrogatepass")


JSON, CSV = "application/json", "text/csv"
KINDS = st.sampled_from(sorted(SPECS_BY_KIND))
# (kind, body, the content type it would be sent as)
BODIES = st.one_of(
    records().map(lambda delivery: (delivery[0].name.removesuffix(".csv"), json_body(delivery[1]),
                                    JSON)),
    csv_bodies().map(lambda kind_body: (*kind_body, CSV)),
    st.tuples(KINDS, st.one_of(
        JSON_VALUES.map(json_body),  # objects, numbers, nested lists, text, null
        hostile_text().map(lambda text: text.encode("utf-8", "surrogatepass")),
        st.integers(1, 30_000).map(lambda depth: b"[" * depth + b"]" * depth),
        st.integers(4_000, 9_000).map(lambda digits: b"[" + b"7" * digits + b"]"),
        st.integers(MAX_BYTES - 5, 3 * MAX_BYTES).map(lambda size: b"[" + b" " * size + b"]"),
        st.integers(MAX_RECORDS + 1, 3 * MAX_RECORDS).map(lambda n: json_body([{}] * n)),
    ), st.just(JSON)),
    st.tuples(KINDS, st.binary(max_size=200), st.sampled_from([JSON, CSV])),
)


def printable(text: str) -> str:
    """What a header can carry (the test client refuses line breaks)."""
    return "".join(character for character in text if character.isprintable())


CONTENT_TYPES = st.one_of(
    st.sampled_from([JSON, CSV, "application/json; charset=utf-8",
                     "TEXT/CSV; charset=latin-1", "text/plain", "multipart/form-data",
                     "application/x-www-form-urlencoded", ""]),
    st.none(), hostile_text(30).map(printable))


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, bytes, str | None, str]:
    """(path, body, content type, which token): mostly a real kind with the right token."""
    kind, body, content_type = draw(BODIES)
    if draw(st.integers(0, 5)) == 0:
        kind = draw(hostile_text(20))
    path = draw(st.sampled_from(["/api/v1/feeds/{}", "/api/v1/feeds/{}/more", "/api/v1/{}"])) \
        if draw(st.integers(0, 5)) == 0 else "/api/v1/feeds/{}"
    if draw(st.integers(0, 3)) == 0:
        content_type = draw(CONTENT_TYPES)
    token = draw(st.sampled_from(["right"] * 8 + ["none", "wrong", "basic", "hostile"]))
    return (path.format(urllib.parse.quote(kind.encode("utf-8", "surrogatepass"), safe="")),
            body, content_type, token)


def authorization(api: Api, which: str, hostile: str) -> str | None:
    return {"right": f"Bearer {api.token}", "none": None, "wrong": "Bearer icd_not-a-token",
            "basic": "Basic dXNlcjpwYXNz", "hostile": f"Bearer {hostile[:500]}"}[which]


# --- the property ---------------------------------------------------------------------------------

@budget(500)
@given(request=requests(), hostile=hostile_text(40).map(printable))
def test_any_request_gets_a_json_answer_and_a_refused_one_writes_nothing(
        api: Api, request: tuple[str, bytes, str | None, str], hostile: str) -> None:
    path, body, content_type, which = request
    before = data_tables(api.engine)
    answer = post(api, path, body, content_type, authorization(api, which, hostile))
    event(str(answer.status_code))
    text = answer.get_data(as_text=True)
    assert answer.status_code in ANSWERS, (answer.status_code, text[:500])
    assert answer.is_json, (answer.status_code, answer.content_type, text[:500])
    assert_no_trace(text)
    answered = json.loads(text)
    if answer.status_code == 200:
        assert answered["loaded"] is True and answered["rejected"] == []
        return
    assert data_tables(api.engine) == before, f"a refused delivery wrote data: {text[:500]}"
    if answer.status_code in (403, 422):
        named = answered["refused" if answer.status_code == 403 else "rejected"]
        assert answered["loaded"] is False and named
        assert all(record["reason"] for record in named)
    else:
        assert answered["error"].strip()



# --- the actions on people ----------------------------------------------------------------------

ACTION_ANSWERS = {200, 201, 400, 401, 403, 404, 409, 413, 415, 422}
STEP = {"episode_id": "W1", "kind": "assessment", "detail": "OT to see at home",
        "owner_team": "Ward 3", "due_at": "2026-11-25T17:00", "status": "open",
        "blocked_reason": ""}


@pytest.fixture(scope="module")
def action_id(api: Api) -> int:
    """An action on W1, an episode the token's source sent (so it may read and change it)."""
    sent = post(api, "/api/v1/feeds/episodes", json_body([episode("W1")]), JSON,
                f"Bearer {api.token}")
    assert sent.status_code == 200, sent.get_json()
    made = post(api, "/api/v1/actions", json_body(STEP), JSON, f"Bearer {api.token}")
    assert made.status_code == 201, made.get_json()
    return int(made.get_json()["id"])


def quoted_text(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return strategy.map(lambda text: urllib.parse.quote(text.encode("utf-8", "surrogatepass"),
                                                        safe=""))


EPISODES = st.one_of(st.sampled_from(["W1", "E1", "NOBODY", ""]), quoted_text(hostile_text(20)))
# Mostly the action the source may change ("{mine}"), so that changes go through or conflict.
IDS = st.one_of(st.just("{mine}"), st.just("{mine}"),
                st.sampled_from(["0", "-1", "999999", str(2**31), str(2**40)]),
                quoted_text(hostile_text(10)))
# Other good values: another person (the administrator's: refused), other kinds and statuses.
GOOD = {"episode_id": st.sampled_from(["W1", "E1", "NOBODY"]),
        "kind": st.sampled_from(["family_meeting", "bed_offered"]),
        "status": st.sampled_from(["open", "done", "blocked"]),
        "blocked_reason": st.sampled_from(["", "No carer until Monday"])}


@st.composite
def action_values(draw: st.DrawFn, method: str) -> dict[str, Any]:
    """Values for the method (a new action names its person, a change its version): good ones
    (other people, kinds, statuses; a recent version, so changes go through or conflict), or,
    half the time, broken (hostile text, any JSON value, a field missing or unknown, any
    version)."""
    values: dict[str, Any] = {**STEP, "version": draw(st.sampled_from([1, 2, 3, 4]))}
    values.pop("version" if method != "PUT" else "episode_id")
    for name in draw(st.lists(st.sampled_from(sorted(GOOD)), max_size=2, unique=True)):
        if name in values:
            values[name] = draw(GOOD[name])
    if draw(st.booleans()):
        return values
    for name in draw(st.lists(st.sampled_from(sorted(values)), min_size=1, max_size=3,
                              unique=True)):
        values[name] = draw(st.one_of(hostile_text(), JSON_VALUES))
    for name in draw(st.lists(st.sampled_from(sorted(values)), max_size=1)):
        values.pop(name)
    if draw(st.integers(0, 3)) == 0:
        values[draw(hostile_text(10))] = draw(JSON_VALUES)
    return values


@st.composite
def action_requests(draw: st.DrawFn) -> tuple[str, str, bytes | None, str | None]:
    """(method, path, body, content type): mostly one of the routes with its own method and a
    JSON object of action values; any method, body and content type now and then."""
    method, path = draw(st.sampled_from([
        ("PUT", IDS.map("/api/v1/actions/{}".format)),
        ("POST", st.just("/api/v1/actions")),
        ("GET", EPISODES.map("/api/v1/actions?episode_id={}".format)),
        ("GET", IDS.map("/api/v1/actions/{}/history".format)),
        ("PUT", IDS.map("/api/v1/actions/{}".format)),
        ("POST", st.just("/api/v1/actions")),
        ("GET", st.just("/api/v1/actions")),
    ]))
    path = draw(path)
    if draw(st.integers(0, 5)) == 0:
        method = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]))
    body = draw(action_values(method).map(json_body)) if draw(st.integers(0, 4)) \
        else draw(st.one_of(BODIES.map(lambda kind_body_type: kind_body_type[1]), st.none()))
    content_type = JSON if draw(st.integers(0, 5)) else draw(CONTENT_TYPES)
    return method, path, body, content_type


@budget(300)
@given(request=action_requests(),
       which=st.sampled_from(["right"] * 8 + ["none", "wrong", "basic", "hostile"]),
       hostile=hostile_text(40).map(printable))
def test_any_request_about_actions_gets_a_json_answer_and_a_refused_one_writes_nothing(
        api: Api, action_id: int, request: tuple[str, str, bytes | None, str | None],
        which: str, hostile: str) -> None:
    method, path, body, content_type = request
    path = path.replace("{mine}", str(action_id))
    before = data_tables(api.engine)
    headers = {} if content_type is None else {"Content-Type": content_type}
    token = authorization(api, which, hostile)
    if token is not None:
        headers["Authorization"] = token
    answer = api.client.open(path, method=method, data=body, headers=headers)
    event(f"{method} {answer.status_code}")
    text = answer.get_data(as_text=True)
    assert answer.status_code in ACTION_ANSWERS, (answer.status_code, text[:500])
    assert answer.is_json, (answer.status_code, answer.content_type, text[:500])
    assert_no_trace(text)
    if answer.status_code not in (200, 201) or method == "GET":
        assert data_tables(api.engine) == before, f"a refused request wrote data: {text[:500]}"
    if answer.status_code >= 400:
        assert json.loads(text)["error"].strip()
