"""A body over DASHBOARD_FEED_MAX_BYTES gets 413 and stores nothing, however it is sent (with a
Content-Length, or chunked without one), against real servers: ``python app.py`` (as the README
starts it) and gunicorn with the deployment's settings. The body is a valid delivery padded
with spaces: cut at the limit, it would still load."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine, func, select

from data_access.models import Episode, Load
from deploy.stack import gunicorn, missing_programs
from tests.builders import GEOGRAPHY, TODAY_AT, feed_source, load_files
from tests.conftest import skip_or_fail
from tests.running_app import started_app
from tests.test_feeds_api import episode

MAX_BYTES = 2_000


@pytest.fixture(params=["python app.py", "gunicorn"])
def server(request: pytest.FixtureRequest, engine: Engine, database_url: str,
           tmp_path) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(base URL, a granted token) of the app served with a small body limit."""
    assert load_files(engine, tmp_path / "geography", GEOGRAPHY).loaded
    token = feed_source(engine, "Ward tracker", TODAY_AT, kinds=("episodes",)).token
    environment = {"DATABASE_URL": database_url, "DASHBOARD_FEED_MAX_BYTES": str(MAX_BYTES),
                   "DASHBOARD_NOW": TODAY_AT.isoformat(), "DASHBOARD_DEMO_IF_EMPTY": "0"}
    if request.param == "python app.py":
        with started_app(environment) as (base_url, _):
            yield base_url, token
        return
    if "gunicorn (pip install -r requirements.txt)" in missing_programs():
        skip_or_fail("gunicorn is not installed")
    with gunicorn(tmp_path, {**environment, "GUNICORN_WORKERS": "1",
                             "DASHBOARD_SECRET_KEY": "limits " * 6}) as base_url:
        yield base_url, token


def padded(size: int) -> bytes:
    """One good episode record as JSON, then spaces up to ``size`` bytes."""
    body = json.dumps([episode("P1")]).encode()
    return body + b" " * (size - len(body))


def post(base_url: str, token: str, body: bytes, *, chunked: bool) -> tuple[int, dict[str, Any]]:
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    try:
        if chunked:  # an iterable body without Content-Length: http.client sends it chunked
            chunks = [body[start:start + 700] for start in range(0, len(body), 700)]
            connection.request("POST", "/api/v1/feeds/episodes", body=iter(chunks),
                               headers=headers, encode_chunked=True)
        else:
            connection.request("POST", "/api/v1/feeds/episodes", body=body, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def stored(engine: Engine) -> tuple[int, int]:
    """Episodes, and loads recorded."""
    with engine.connect() as connection:
        return (connection.scalar(select(func.count()).select_from(Episode)),
                connection.scalar(select(func.count()).select_from(Load)))


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
def test_a_body_over_the_limit_is_refused_whole_however_it_is_sent(server, engine, chunked):
    base_url, token = server
    over = padded(MAX_BYTES + 1_500)
    assert json.loads(over[:MAX_BYTES]) == [episode("P1")]  # cut at the limit, it would load
    before = stored(engine)
    status, answer = post(base_url, token, over, chunked=chunked)
    assert (status, answer) == (413, {"error": f"the body is larger than {MAX_BYTES:,} bytes"})
    assert stored(engine) == before == (0, 3)
    # One byte over is over; exactly at the limit is within it.
    assert post(base_url, token, padded(MAX_BYTES + 1), chunked=chunked)[0] == 413
    status, answer = post(base_url, token, padded(MAX_BYTES), chunked=chunked)
    assert status == 200 and answer["new"] == [0]
    assert stored(engine)[0] == 1
