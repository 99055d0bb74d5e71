"""The push API over real HTTP (the app served on loopback): the loader's rules, per request; what
a token may write (its source's grants and records); what the answer says of each record."""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema
import pytest
from sqlalchemy import Engine, delete, select, text

from dashboard.app_factory import create_app
from dashboard.clock import FixedClock
from dashboard.config import Settings
from dashboard.openapi import openapi_document
from data_access.feeds import revoke_token
from data_access.models import DelayReasonChange, Episode, Load, LoadRejection
from tests.browser import serving
from tests.builders import (
    EPISODE_HEADER,
    GEOGRAPHY,
    TODAY_AT,
    feed_source,
    load_files,
    unclosed_quote,
)

MAX_BYTES = 20_000
MAX_RECORDS = 50


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Api:
    base_url: str
    token: str

    def post(self, kind: str, body: bytes | str | list[Any], *, token: str | None = None,
             content_type: str | None = None) -> Answer:
        if isinstance(body, list):
            data, content_type = json.dumps(body).encode(), content_type or "application/json"
        else:
            data = body.encode() if isinstance(body, str) else body
        headers = {"Content-Type": content_type or "text/csv"}
        if token != "":
            headers["Authorization"] = f"Bearer {token or self.token}"
        return self.send(urllib.request.Request(f"{self.base_url}/api/v1/feeds/{kind}",
                                                data=data, headers=headers, method="POST"))

    def reference(self) -> dict[str, Any]:
        answer = self.send(urllib.request.Request(
            f"{self.base_url}/api/v1/reference",
            headers={"Authorization": f"Bearer {self.token}"}))
        assert answer.status == 200, answer.body
        return answer.body

    def send(self, request: urllib.request.Request) -> Answer:
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return Answer(response.status, json.load(response), dict(response.headers))
        except urllib.error.HTTPError as error:
            return Answer(error.code, json.load(error), dict(error.headers))


@pytest.fixture
def api(engine: Engine, database_url: str, tmp_path) -> Iterator[Api]:  # type: ignore[no-untyped-def]
    report = load_files(engine, tmp_path / "geography", GEOGRAPHY)
    assert report.loaded and not report.rejections
    settings = Settings(database_url=database_url, clock=FixedClock(TODAY_AT),
                        feed_max_bytes=MAX_BYTES, feed_max_records=MAX_RECORDS)
    token = feed_source(engine, "Ward tracker", TODAY_AT, every_minutes=15).token
    with serving(create_app(settings, engine).server) as base_url:
        yield Api(base_url, token)


def episode(episode_id: str, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "episode_id": episode_id, "person_ref": f"p-{episode_id}", "site_code": "S1",
        "home_area_code": "N1", "age": 81, "sex": "F", "admitted_at": "2026-11-20T10:00:00Z",
        "nctr_at": "2026-11-24T08:00:00Z", "pathway": 1}
    record.update(changes)
    return record


DELIVERY_SCHEMA = openapi_document()["components"]["schemas"]["Delivery"]
# What the answer says of each record, by position.
OUTCOMES = ("received", "position", "new", "changed", "unchanged", "stale", "rejected", "refused")
BATCH = [episode("A1"), episode("A2", home_area_code="N2", pathway=3, age=None),
         episode("A3", discharged_at="2026-11-24T15:00:00Z", service_code="P1H",
                 service_start_at="2026-11-24T18:00:00Z", at_home_91_days=True)]


def stored_episodes(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            select(Episode.__table__).order_by(Episode.episode_id))]


def test_a_valid_batch_is_accepted_and_stored(api: Api, engine: Engine) -> None:
    answer = api.post("episodes", BATCH)
    assert answer.status == 200, answer.body
    assert answer.body["loaded"] is True
    assert {name: answer.body[name] for name in OUTCOMES} == {
        "received": 3, "position": "index", "new": [0, 1, 2], "changed": [], "unchanged": [],
        "stale": [], "rejected": [], "refused": []}
    jsonschema.validate(answer.body, DELIVERY_SCHEMA)  # as docs/openapi.json describes it
    with engine.connect() as connection:
        loads = connection.execute(select(Load.source, Load.channel, Load.outcome)
                                   .where(Load.file_name == "episodes.csv")).all()
        a3 = connection.execute(select(Episode.service_code, Episode.hours_nctr_to_service,
                                       Episode.at_home_91_days)
                                .where(Episode.episode_id == "A3")).one()
    assert loads == [("Ward tracker", "feed", "loaded")]
    assert tuple(a3) == ("P1H", 10.0, True)


def test_the_same_batch_again_changes_nothing(api: Api, engine: Engine) -> None:
    assert api.post("episodes", BATCH).status == 200
    before = stored_episodes(engine)
    again = api.post("episodes", BATCH)
    assert again.status == 200
    assert (again.body["new"], again.body["changed"], again.body["unchanged"]) == \
        ([], [], [0, 1, 2])
    # Identical rows, including which delivery wrote them (load_id).
    assert stored_episodes(engine) == before
    one_changed = api.post("episodes", [BATCH[0], {**BATCH[1], "age": 90}])
    assert (one_changed.body["changed"], one_changed.body["unchanged"]) == ([1], [0])


def test_a_batch_with_one_bad_record_loads_nothing_and_names_it(api: Api, engine: Engine) -> None:
    bad = [*BATCH[:2], episode("A9", sex="X"), BATCH[2]]
    answer = api.post("episodes", bad)
    assert answer.status == 422
    assert answer.body["loaded"] is False and answer.body["new"] == []
    assert answer.body["rejected"] == [{"index": 2, "reason": "sex: 'X' is not one of F, M, U"}]
    assert stored_episodes(engine) == []
    with engine.connect() as connection:
        kept = connection.execute(select(LoadRejection.position, LoadRejection.reason)).all()
    assert kept == [(2, "sex: 'X' is not one of F, M, U")]


@pytest.mark.parametrize(("record", "reason"), [
    ("not an object", "a record must be a JSON object"),
    ({**episode("B1"), "colour": "red"}, "unknown field(s): colour"),
    (episode("B1", age=[80]), "age: must be text, a number, true/false or null"),
    (episode("B1", site_code="NOPE"), "site_code 'NOPE' is not known (not in sites.csv or "
                                      "the database)"),
])
def test_unreadable_records_are_named_with_their_reason(api: Api, record: Any,
                                                        reason: str) -> None:
    answer = api.post("episodes", [episode("B0"), record])
    assert answer.status == 422
    assert answer.body["rejected"] == [{"index": 1, "reason": reason}]


def test_an_older_update_after_a_newer_one_is_ignored_and_named(api: Api, engine: Engine) -> None:
    discharged = episode("A1", discharged_at="2026-11-24T20:00:00Z",
                         updated_at="2026-11-24T20:05:00Z")
    still_waiting = episode("A1", updated_at="2026-11-24T12:00:00Z")  # sent late
    assert api.post("episodes", [discharged]).status == 200
    late = api.post("episodes", [still_waiting])
    assert late.status == 200 and (late.body["new"], late.body["changed"]) == ([], [])
    assert late.body["stale"] == [{"index": 0, "reason": "stored record has updated_at "
                                   "2026-11-24T20:05 and this one 2026-11-24T12:00"}]
    assert _episode_a1(engine) == ("2026-11-24 20:00:00", "2026-11-24 20:05:00")
    # A newer update is applied.
    newer = episode("A1", discharged_at="2026-11-24T21:00:00Z", updated_at="2026-11-24T21:00:00Z")
    assert api.post("episodes", [newer]).body["changed"] == [0]
    assert _episode_a1(engine) == ("2026-11-24 21:00:00", "2026-11-24 21:00:00")


def _episode_a1(engine: Engine) -> tuple[str, str]:
    with engine.connect() as connection:
        row = connection.execute(select(Episode.discharged_at, Episode.updated_at)
                                 .where(Episode.episode_id == "A1")).one()
    return str(row.discharged_at), str(row.updated_at)


def test_an_update_without_updated_at_never_replaces_a_stamped_record(api: Api,
                                                                      engine: Engine) -> None:
    stamped = episode("A1", discharged_at="2026-11-24T21:00:00Z", updated_at="2026-11-24T21:00Z")
    assert api.post("episodes", [stamped, episode("A2")]).body["new"] == [0, 1]
    unstamped = [episode("A1", discharged_at="2026-11-24T22:00:00Z"),
                 episode("A2", discharged_at="2026-11-24T22:00:00Z")]
    answer = api.post("episodes", unstamped)
    assert answer.status == 200
    # A1 is stamped: it stays; A2 was not: arrival order, so the update is applied.
    assert answer.body["stale"] == [{"index": 0, "reason": "stored record has updated_at "
                                     "2026-11-24T21:00 and this one none"}]
    assert answer.body["changed"] == [1]
    assert _episode_a1(engine) == ("2026-11-24 21:00:00", "2026-11-24 21:00:00")


def test_a_time_more_than_ten_minutes_ahead_is_rejected(api: Api, engine: Engine) -> None:
    # The app's clock is TODAY_AT, 08:30 (GMT).
    nine_ahead = episode("A1", nctr_at="2026-11-25T08:39:00Z")
    eleven_ahead = episode("A2", service_start_at="2026-11-25T08:41:00Z", service_code="P1H",
                           discharged_at="2026-11-25T08:00:00Z")
    answer = api.post("episodes", [nine_ahead, eleven_ahead])
    assert answer.status == 422 and answer.body["loaded"] is False
    assert answer.body["rejected"] == [{"index": 1, "reason": (
        "service_start_at: 2026-11-25 08:41 is in the future (more than 10 minutes after "
        "2026-11-25 08:30, the time of the load)")}]
    assert stored_episodes(engine) == []
    assert api.post("episodes", [nine_ahead]).body["new"] == [0]


def test_a_record_stamped_far_ahead_cannot_freeze_a_row(api: Api, engine: Engine) -> None:
    assert api.post("episodes", [episode("A1", updated_at="2026-11-24T20:00Z")]).status == 200
    freeze = episode("A1", discharged_at="2026-11-24T21:00:00Z", updated_at="9999-12-30T00:00Z")
    answer = api.post("episodes", [freeze])
    assert answer.status == 422
    assert answer.body["rejected"][0]["reason"].startswith(
        "updated_at: 9999-12-30 00:00 is in the future")
    assert _episode_a1(engine) == ("None", "2026-11-24 20:00:00")
    # Later real updates are applied.
    real = episode("A1", discharged_at="2026-11-25T08:00:00Z", updated_at="2026-11-25T08:05Z")
    assert api.post("episodes", [real]).body["changed"] == [0]
    assert _episode_a1(engine) == ("2026-11-25 08:00:00", "2026-11-25 08:05:00")


def test_a_wrong_missing_or_revoked_token_is_refused(api: Api, engine: Engine) -> None:
    for token in ("icd_not-a-real-token", "", "Basic abc"):
        answer = api.post("episodes", BATCH, token=token)
        assert answer.status == 401, token
        assert "token" in answer.body["error"]
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    revoked = feed_source(engine, "Old system", TODAY_AT)
    assert api.post("episodes", BATCH[:1], token=revoked.token).status == 200
    assert revoke_token(engine, revoked.token_id, TODAY_AT)
    answer = api.post("episodes", BATCH, token=revoked.token)
    assert answer.status == 401 and answer.body["error"] == \
        "the token is not valid (wrong, or revoked)"
    assert [row[0] for row in stored_episodes(engine)] == ["A1"]


def test_an_oversized_body_or_too_many_records_is_refused(api: Api, engine: Engine) -> None:
    huge = [episode(f"H{i}", person_ref="x" * 60) for i in range(200)]
    assert len(json.dumps(huge)) > MAX_BYTES
    answer = api.post("episodes", huge)
    assert answer.status == 413
    assert answer.body == {"error": f"the body is larger than {MAX_BYTES:,} bytes"}
    many = [{"episode_id": "A1", "effective_at": f"2026-11-24T{h:02d}:00:00Z",
             "reason_code": "T1"} for h in range(24)] * 3  # 72 records, small in bytes
    answer = api.post("delays", many)
    assert answer.status == 413 and "72 records" in answer.body["error"]
    assert stored_episodes(engine) == []


@pytest.mark.parametrize(("kind", "body", "content_type", "status", "message"), [
    ("episodes", b"[{", "application/json", 400, "the body is not valid JSON"),
    ("episodes", b'{"episode_id": "A1"}', "application/json", 400, "must be a JSON list"),
    ("episodes", b"[]", "application/json", 400, "no records"),
    ("episodes", b"\xff\xfe", "text/csv", 400, "not UTF-8"),
    ("episodes", b"a=b", "application/x-www-form-urlencoded", 415, "application/json"),
    ("patients", b"[]", "application/json", 404, "unknown kind 'patients'"),
    # Found by tests/test_properties_api.py: these answered 500, or HTML.
    ("episodes", b"[" + b"7" * 5_000 + b"]", "application/json", 400, "not valid JSON"),
    ("episodes", b"[" * 9_000 + b"]" * 9_000, "application/json", 400, "nested too deep"),
    ("episodes/more", b"[]", "application/json", 404, "no such address in the feed API"),
    ("", b"[]", "application/json", 404, "no such address in the feed API"),
    ("%0A/more", b"[]", "application/json", 404, "not found"),
])
def test_malformed_requests_get_a_clear_json_error(api: Api, kind: str, body: bytes,
                                                   content_type: str, status: int,
                                                   message: str) -> None:
    answer = api.post(kind, body, content_type=content_type)
    assert answer.status == status
    assert message in answer.body["error"]
    assert "Traceback" not in answer.body["error"]


def test_reference_lists_need_a_token(api: Api) -> None:
    request = urllib.request.Request(f"{api.base_url}/api/v1/reference")
    assert api.send(request).status == 401
    request.add_header("Authorization", f"Bearer {api.token}")
    answer = api.send(request)
    assert answer.status == 200
    assert [s["code"] for s in answer.body["services"]] == ["P1H", "P1X", "P2B", "P3C"]
    assert {a["code"]: a["parent_code"] for a in answer.body["areas"]}["N1"] == "D1"


def as_csv(records: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EPISODE_HEADER.strip().split(","),
                            extrasaction="raise")
    writer.writeheader()
    for record in records:
        writer.writerow({k: ("true" if v is True else v) for k, v in record.items()})
    return buffer.getvalue()


def test_the_loader_and_the_api_give_the_same_result(api: Api, engine: Engine,
                                                     tmp_path) -> None:  # type: ignore[no-untyped-def]
    delays = "episode_id,effective_at,reason_code\nA1,2026-11-24T09:00:00Z,T1\n"
    report = load_files(engine, tmp_path / "batch", {"episodes.csv": as_csv(BATCH),
                                                     "delays.csv": delays})
    assert report.loaded and not report.rejections
    by_loader = _contents(engine)

    for body in (BATCH, as_csv(BATCH)):  # JSON records, then the same records as CSV
        _clear(engine)
        assert api.post("episodes", body).status == 200
        csv_answer = api.post("delays", delays)
        assert csv_answer.status == 200
        assert (csv_answer.body["position"], csv_answer.body["new"]) == ("line", [2])
        assert _contents(engine) == by_loader


def test_a_bad_csv_line_is_named_by_its_line(api: Api) -> None:
    body = as_csv(BATCH).replace("p-A2,S1,N2,", "p-A2,S1,N2,1000,", 1)
    answer = api.post("episodes", body)
    assert answer.status == 422
    assert answer.body["rejected"] == [{"line": 3, "reason": "has 18 values; the header has 17 "
                                                             "columns"}]


def test_a_csv_body_names_the_line_of_a_short_line_and_of_an_unclosed_quote(
        engine: Engine, database_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Through Flask's test client: a short line is refused by its line, never completed; an
    unclosed quote refuses the body, naming the line it opens on (not the body's last)."""
    assert load_files(engine, tmp_path / "geography", GEOGRAPHY).loaded
    app = create_app(Settings(database_url=database_url, clock=FixedClock(TODAY_AT)), engine)
    client = app.server.test_client()
    token = feed_source(engine, "Ward tracker", TODAY_AT, kinds=("episodes",)).token
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/csv"}
    lines = as_csv(BATCH).splitlines(keepends=True)
    lines[2] = ",".join(lines[2].split(",")[:5]) + "\r\n"  # A2: 5 values of 17
    answer = client.post("/api/v1/feeds/episodes", data="".join(lines), headers=headers)
    assert answer.status_code == 422
    assert answer.json["rejected"] == [{"line": 3, "reason": "has 5 values; the header has 17 "
                                                             "columns"}]
    body = unclosed_quote(EPISODE_HEADER, lambda n: f"A{n},p{n},S1,N1,80,F,2026-11-20T10:00,,,"
                          ",,,,,,,", lines=1_000, at=700)
    answer = client.post("/api/v1/feeds/episodes", data=body, headers=headers)
    assert answer.status_code == 400
    assert answer.json == {"error": "the body is not valid CSV: line 700: a quoted value opened "
                                    "in this record is never closed"}
    assert stored_episodes(engine) == []


def _contents(engine: Engine) -> list[list[tuple[Any, ...]]]:
    """Every data row of episodes and delays, without which load (and source) wrote it."""
    tables = (Episode.__table__, DelayReasonChange.__table__)
    with engine.connect() as connection:
        return [[tuple(v for k, v in row._mapping.items() if k not in ("load_id", "owner"))
                 for row in connection.execute(select(table).order_by(*table.primary_key))]
                for table in tables]


def _clear(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(delete(DelayReasonChange))
        connection.execute(delete(Episode))
        assert connection.execute(text("select count(*) from episodes")).scalar() == 0
