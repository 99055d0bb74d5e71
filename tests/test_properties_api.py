"""Property-based tests of the push API (``POST /api/v1/feeds/<kind>``) through Flask's test client.

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
from tests.builders import GEOGRAPHY, TODAY_AT, load_files
from tests.properties import assert_no_trace, budget, data_tables, hostile_text
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
    assert load_files(engine, tmp_path_factory.mktemp("geography"), GEOGRAPHY).loaded
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

