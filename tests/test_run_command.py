"""``python app.py``, as the README runs it: migrates, serves with debug off, answers callbacks."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request

from tests.accounts import SignedIn, add_user
from tests.builders import GEOGRAPHY, TODAY_CAPACITY, TODAY_EPISODES, load_files
from tests.running_app import page_json, started_app


def test_python_app_py_serves_the_today_page(engine, database_url, tmp_path):
    load_files(engine, tmp_path / "batch", {**GEOGRAPHY, "episodes.csv": TODAY_EPISODES,
                                            "capacity.csv": TODAY_CAPACITY})
    with started_app({"DATABASE_URL": database_url, "DASHBOARD_NOW": "2026-11-25T08:30"}) \
            as (base_url, output):
        assert any("Debug mode: off" in line for line in output), output
        with urllib.request.urlopen(f"{base_url}/", timeout=30) as response:
            assert 'lang="en-GB"' in response.read().decode()
        page = page_json(SignedIn(base_url, add_user(engine, "executive")), "/", "?area=ICB1")
        assert '"id": "waiting-now-value"' in page
        assert '"children": "5", "id": "waiting-now-value"' in page


def test_python_app_py_names_no_versions_and_answers_bad_requests_in_words(engine, database_url):
    """Over real HTTP (the raw path as sent, not normalised by a client library)."""
    with started_app({"DATABASE_URL": database_url}) as (base_url, _):
        user = SignedIn(base_url, add_user(engine, "executive"))
        for body in (b"{}", b"[1, 2]", b'{"output": "page-content.children"}'):
            try:
                user.open("/_dash-update-component", body,
                          {"Content-Type": "application/json", "X-CSRFToken": user.csrf})
            except urllib.error.HTTPError as error:
                assert error.code in (400, 404) and set(json.load(error)) == {"error"}
            else:
                raise AssertionError(f"{body!r} was answered as a call")
        host, port = urllib.parse.urlsplit(base_url).netloc.split(":")
        answers = []
        for method, path, body in (
                ("GET", "/login", None), ("GET", "/health", None),
                ("GET", "/_dash-component-suites/dash/../../../etc/passwd", None),
                ("GET", "/_dash-component-suites/dash/deps/../../__init__.py", None),
                ("POST", "/_dash-update-component", b"{}")):
            connection = http.client.HTTPConnection(host, int(port), timeout=30)
            connection.request(method, path, body=body,
                               headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            answers.append((response.status, response.getheader("Server"), response.read()))
            connection.close()
    for status, server, body in answers:
        assert server == "dashboard", server  # not "Werkzeug/3.1.9 Python/3.11.7"
        assert status < 500 and b"Traceback" not in body
    assert [status for status, _, _ in answers] == [200, 200, 404, 404, 401]
