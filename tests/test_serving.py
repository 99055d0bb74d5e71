"""Serving for many users: gunicorn with the deployment's settings, two instances behind nginx
sharing one Redis and one database, and the load test at a small, bounded size.

Every process (redis-server, gunicorn, nginx, locust) is started here on free loopback ports,
waited for by its health answer, and stopped at the end of its fixture. The database is the one
the suite runs on (SQLite, or PostgreSQL with TEST_DATABASE_URL).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
import redis
from cachelib.serializers import RedisSerializer
from flask import Flask

from benchmarks import load_test
from benchmarks.payloads import backtest_payload, route_payload
from dashboard.cache import KEY_PREFIX, SharedCache, ViewCache
from dashboard.clock import LONDON, FixedClock
from dashboard.config import settings_from_env
from data_access.db import make_engine
from deploy.stack import (
    GUNICORN_CONF,
    ROOT,
    Stack,
    free_port,
    gunicorn,
    missing_programs,
    redis_server,
    stack,
)
from tests.accounts import PASSWORD, SignedIn, add_user, is_session_check
from tests.builders import GEOGRAPHY, TODAY_CAPACITY, TODAY_EPISODES, load_files
from tests.conftest import fresh_database, skip_or_fail
from tests.running_app import page_json

NOW = "2026-11-25T08:30"  # the builders' "today": every instance sees the same data version
VERSION_QUERY = "SELECT max(loads.id) AS max_1 FROM loads"
# The area a callback is asked about, looked up (and checked against the user's areas) per call.
AREA_LOOKUP = "SELECT areas.code, areas.name, areas.level, areas.population_65_plus FROM areas " \
    "WHERE areas.code ="


def per_call(statement: str) -> bool:
    """A statement an instance runs even for a cached view: the data version (cached for 5 s),
    the session check and the access check of the area."""
    return statement == VERSION_QUERY or statement.startswith(AREA_LOOKUP) or \
        is_session_check(statement)


@pytest.fixture(scope="module")
def served_database(migrated_template: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """One database for the module's servers: the Today case, an executive and a hub lead."""
    if missing := missing_programs():
        skip_or_fail(f"serving needs {', '.join(missing)}")
    folder = tmp_path_factory.mktemp("served")
    url = fresh_database(migrated_template, folder)
    engine = make_engine(url)
    assert load_files(engine, folder / "batch", {**GEOGRAPHY, "episodes.csv": TODAY_EPISODES,
                                                 "capacity.csv": TODAY_CAPACITY}).loaded
    add_user(engine, "executive")
    add_user(engine, "hub_lead", ("D1",))
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def two_instances(served_database: str,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, Path]]:
    """nginx in front of two instances, each logging the SQL it runs (tests/counted_app.py).
    No warm-up: every statement an instance logs is then a request's (tests/test_warm.py)."""
    statements = tmp_path_factory.mktemp("statements")
    with stack(served_database, 2, {"DASHBOARD_NOW": NOW, "DASHBOARD_WARM_VIEWS": "off",
                                    "DASHBOARD_TEST_STATEMENTS": str(statements)},
               app="tests.counted_app:server") as running:
        yield running, statements


def test_gunicorn_serves_the_app(served_database: str, tmp_path: Path) -> None:
    env = {"DATABASE_URL": served_database, "DASHBOARD_NOW": NOW,
           "DASHBOARD_SECRET_KEY": "one instance", "GUNICORN_WORKERS": "2"}
    with gunicorn(tmp_path, env) as url:
        with urllib.request.urlopen(f"{url}/health") as health:  # open, and says nothing more
            assert health.read() == b"OK"
        with urllib.request.urlopen(f"{url}/") as anonymous:
            assert anonymous.geturl().startswith(f"{url}/login")
        user = SignedIn(url, "test-executive")
        page = page_json(user, "/", "?area=ICB1")
        assert '"waiting-now-value"' in page and "Test system" in page
    log = (tmp_path / "instance.log").read_text()
    assert "Using worker: gthread" in log and log.count("Booting worker") == 2
    assert '"POST /_dash-update-component HTTP/1.1" 200' in (tmp_path / "instance-access.log")\
        .read_text()


def test_gunicorn_refuses_a_database_that_is_not_migrated(tmp_path: Path) -> None:
    if missing := missing_programs():
        skip_or_fail(f"serving needs {', '.join(missing)}")
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
           "PORT": "0"}
    started = subprocess.run([sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF)],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert started.returncode != 0
    assert "run 'python -m dashboard migrate'" in started.stderr + started.stdout


SCHED_IDLE = 5  # the scheduling policy in /proc/<pid>/stat (field 41) of a SCHED_IDLE process
WARMING_IN = re.compile(r"warming views \(systems\) in process (\d+), apart from the web "
                        r"workers, at the lowest CPU priority \(SCHED_IDLE\)")


def test_gunicorn_warms_in_a_process_of_its_own_at_the_lowest_priority(
        served_database: str, tmp_path: Path) -> None:
    with redis_server(tmp_path) as redis_url, gunicorn(tmp_path, {
            "DATABASE_URL": served_database, "DASHBOARD_NOW": NOW, "DASHBOARD_CACHE": "redis",
            "DASHBOARD_REDIS_URL": redis_url, "DASHBOARD_WARM_VIEWS": "systems",
            "GUNICORN_WORKERS": "2"}):
        log = tmp_path / "instance.log"
        wait_for_log(log, lambda text: load_test.warm_up_done([log]) is not None)
        text = log.read_text()
        found = WARMING_IN.search(text)
        assert found, text[-2000:]
        warmer = Path(f"/proc/{found.group(1)}")
        assert b"dashboard\x00warm" in (warmer / "cmdline").read_bytes()
        stat = (warmer / "stat").read_text().rsplit(")", 1)[1].split()  # fields 3 on
        assert int(stat[41 - 3]) == SCHED_IDLE  # field 41: its scheduling policy
        # Every warm-up was that process's: the workers warmed nothing.
        assert re.findall(r"\[(\d+)\] warmed \d+ views", text) == [found.group(1)]
    assert not warmer.exists()  # it stopped with the instance


def wait_for_log(log: Path, done: Callable[[str], bool], seconds: float = 120) -> None:
    """Until ``done`` holds for the text another process writes to ``log`` (polled)."""
    deadline = time.monotonic() + seconds
    while not done(log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""):
        assert time.monotonic() < deadline, f"not in {log} within {seconds} s"
        time.sleep(0.2)  # polling a file another process writes


def test_a_redis_cache_needs_its_address() -> None:
    with pytest.raises(ValueError, match="DASHBOARD_REDIS_URL"):
        settings_from_env({"DASHBOARD_CACHE": "redis"})
    settings = settings_from_env({"DASHBOARD_CACHE": "redis",
                                  "DASHBOARD_REDIS_URL": "redis://10.0.0.7:6379/2"})
    assert (settings.cache_type, settings.redis_url) == ("redis", "redis://10.0.0.7:6379/2")


def statements_since(log: Path, seen: int) -> list[str]:
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return lines[seen:]


def test_two_instances_compute_a_view_once_between_them(two_instances) -> None:  # type: ignore[no-untyped-def]
    running, statements = two_instances
    a, b = running.instance_urls
    logs = {url: statements / f"{url.rsplit(':', 1)[1]}.sql" for url in (a, b)}
    user = SignedIn(running.url, "test-executive")  # one session, signed in through nginx
    with user.open("/_dash-dependencies") as answer:
        callbacks = json.load(answer)
    search = "?area=D1&from=2026-11-02&to=2026-11-24"  # asked for by no other test
    cache = redis.from_url(running.redis_url)

    def ask(base_url: str, body: dict) -> bytes:
        user.base_url = base_url  # the same session cookie goes to every address
        with user.open("/_dash-update-component", json.dumps(body).encode(),
                       {"Content-Type": "application/json", "X-CSRFToken": user.csrf}) as answer:
            return answer.read()

    # The route's page (cached with its frame's other outputs) and the capacity back-test.
    for body, key_part, first_output in (
            (route_payload(callbacks, "/capacity", search), f"'page', ('executive', None), "
             f"'/capacity', '{search}'",
             lambda cached: cached[0]),
            (backtest_payload(search), "('outlook-backtest', 'D1'", lambda cached: cached)):
        seen = {url: len(statements_since(log, 0)) for url, log in logs.items()}
        from_a = ask(a, body)
        computed = [s for s in statements_since(logs[a], seen[a]) if not per_call(s)]
        assert computed  # A ran the view's own queries...
        # ...and left the result in Redis, exactly what it sent.
        (key,) = [k for k in cache.keys(f"{KEY_PREFIX}*") if key_part.encode() in k]
        sent = next(iter(json.loads(from_a)["response"].values()))
        entry = RedisSerializer().loads(cache.get(key))  # the view, its version and its time
        assert first_output(entry["value"]) == sent["children"]

        from_b = ask(b, body)
        assert from_b == from_a  # the same bytes...
        # ...without running the view's queries.
        assert [s for s in statements_since(logs[b], seen[b]) if not per_call(s)] == []
        assert ask(running.url, body) == from_a  # and through nginx
    assert cache.get(f"{KEY_PREFIX}data-version") is not None  # the version is shared too


def test_the_load_test_at_a_small_size(two_instances, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    running, _ = two_instances
    report = load_test.run(running.url, users=6, seconds=15, folder=tmp_path,
                           usernames="test-executive,test-hub_lead", password=PASSWORD,
                           refresh_seconds=4, think_seconds=1)
    assert report.errors == 0, (report.failures, report.exceptions)
    kinds = {kind.name: kind for kind in report.kinds}
    for name in (load_test.SIGN_IN, "GET /_dash-layout", "area sync", "refresh tick"):
        assert kinds[name].requests >= 6 and kinds[name].p95_ms > 0, name
    assert sum(k.requests for name, k in kinds.items() if name.startswith("route /")) >= 12
    assert report.total.requests == sum(k.requests for k in report.kinds)
    assert report.total.per_second > 1 and report.total.p95_ms >= report.total.median_ms > 0
    text = report.markdown("Two instances behind nginx.", "pytest")
    assert text.startswith("## Many users") and "0 errors" in text and "Errors: none." in text
    assert "6 simulated users for 15 s, arriving 1 a second" in text  # all within 10 s
    assert re.search(r"\*\*Throughput [\d.]+ requests/s; median \d+ ms, p95 \d+ ms", text)
    slices = report.slices()
    # header, a row per kind, all; then header and a row per slice of the run
    assert text.count("\n| ") == len(report.kinds) + 2 + 1 + len(slices)
    # Every request timed is in a slice, and the slices cover the run in order.
    assert sum(part.requests for part in slices) == report.total.requests
    assert [part.start for part in slices] == sorted({part.start for part in slices})
    # ...and each sign-in and redraw counted is one of the kind's.
    assert sum(part.sign_ins for part in slices) == kinds[load_test.SIGN_IN].requests
    redrawn = kinds.get(load_test.REDRAW)
    assert sum(part.redraws for part in slices) == (redrawn.requests if redrawn else 0)
    # nginx shared the users between the two instances.
    for name in ("instance-1", "instance-2"):
        access = (running.folder / f"{name}-access.log").read_text()
        assert access.count("/_dash-update-component") >= 10, name


def test_a_redis_that_stops_answering_is_a_miss_then_is_used_again(
        served_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shared cache going away slows pages (each view computed) but breaks none; when it
    answers again views are cached in it again. (The module's database, not the ``engine``
    fixture: on PostgreSQL that empties the one database the module's servers are using.)"""
    if missing_programs():
        skip_or_fail(f"not installed: {', '.join(missing_programs())}")
    monkeypatch.setattr(SharedCache, "RETRY_SECONDS", 0)  # ask Redis again at once
    port = free_port()
    engine = make_engine(served_database)
    views = ViewCache(engine, FixedClock(datetime(2026, 11, 25, 8, 30, tzinfo=LONDON)), "redis",
                      redis_url=f"redis://127.0.0.1:{port}/0")
    app = Flask(__name__)
    views.init_app(app)
    computed: list[int] = []

    def view() -> object:
        return views.view(("page", "x"), lambda: computed.append(1) or {"figures": 1})

    with app.app_context():
        with redis_server(tmp_path, port):
            assert view() == view() == {"figures": 1}
            assert len(computed) == 1  # cached in Redis
        assert view() == view() == {"figures": 1}  # Redis gone: computed each time, no error
        assert len(computed) == 3
        with redis_server(tmp_path, port):
            assert view() == view() == {"figures": 1}
            assert len(computed) == 4  # cached again
    engine.dispose()


def test_nginx_serves_the_bundles_itself_once_fetched(two_instances) -> None:  # type: ignore[no-untyped-def]
    """Plotly's bundle and the fingerprinted assets come from nginx's cache after the first
    request, never carrying a cookie, long cacheable by browsers too."""
    running, _ = two_instances
    user = SignedIn(running.url, "test-executive")
    with user.open("/") as page:
        html = page.read().decode()
    bundle = re.search(r'src="(/_dash-component-suites/plotly/[^"]+)"', html) \
        or re.search(r'src="(/_dash-component-suites/dash/dash-renderer/[^"]+)"', html)
    asset = re.search(r'href="(/assets/app\.css\?m=[^"]+)"', html)
    assert bundle and asset, "the page names its bundles and assets"
    for path in (bundle.group(1), asset.group(1)):
        statuses = []
        for _ in range(2):
            with user.open(path) as answer:
                statuses.append(answer.headers["X-Cache-Status"])
                assert "Set-Cookie" not in answer.headers
                assert "max-age=31536000" in answer.headers["Cache-Control"]
        assert statuses[-1] == "HIT", (path, statuses)
