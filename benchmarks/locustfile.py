"""Simulated browsers for the load test (locust runs this file; ``benchmarks/load_test.py`` runs
locust and reports).

Each simulated user has its own session, as a person with a browser does: it signs in, opens the
app (the page, Dash's layout and list of callbacks), then moves between pages, areas (from its own
area picker) and periods through Dash's callback endpoint, reading each page for a while, and now
and then reloads. Like an open page, it asks on every refresh tick whether the data changed, and
redraws the page when it did. Static files are left out: a browser keeps them after the first
visit.

The users are locust's ``FastHttpUser`` (geventhttpclient), which takes several times less CPU
per request than its ``requests``-based ``HttpUser``: on one machine with the app, what the
generator spends is taken from the app and shows in the app's latency.
"""

from __future__ import annotations

import bisect
import itertools
import json
import os
import random
import re
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, events, task
from locust.exception import StopUser

from benchmarks.load_test import DEMO_USERS, REDRAW, SIGN_IN
from benchmarks.payloads import (
    PAGES,
    area_sync_payload,
    backtest_payload,
    route_payload,
    version_payload,
)

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
# Shown on the page instead of figures when something is wrong: a failed request.
TROUBLE = ('"db-error"', '"access-denied"')
_next_user = itertools.count()
# Every request as (start time, milliseconds taken, name): when in the run the slow ones were.
_timeline: list[tuple[float, float, str]] = []


@events.request.add_listener
def _record(start_time: float, response_time: float, name: str, **_: Any) -> None:
    bisect.insort(_timeline, (start_time, response_time, name))


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    parser.add_argument("--usernames", default=DEMO_USERS,
                        help="accounts the users sign in as, in turn (password: "
                             "LOAD_TEST_PASSWORD, default 'demo')")
    parser.add_argument("--refresh-seconds", type=float, default=60.0,
                        help="each open page's refresh tick (the app's default is 60)")
    parser.add_argument("--think-seconds", type=float, default=10.0,
                        help="how long a user reads a page before the next click, on average")
    parser.add_argument("--report-json", help="write the statistics here when the users stop")


@events.test_stop.add_listener
def _write_report(environment: Any, **_: Any) -> None:
    """Per request kind and in all, after every user has stopped: what load_test.py reports."""
    if not environment.parsed_options.report_json:
        return
    stats = environment.runner.stats

    def kind(entry: Any) -> dict[str, Any]:
        return {"name": entry.name, "requests": entry.num_requests,
                "failures": entry.num_failures, "median_ms": entry.median_response_time or 0,
                "p95_ms": entry.get_response_time_percentile(0.95) or 0,
                "per_second": entry.total_rps}

    report = {"kinds": [kind(e) for e in sorted(stats.entries.values(), key=lambda e: e.name)],
              "total": kind(stats.total),
              "failures": [[f"{e.name}: {e.error}", e.occurrences] for e in
                           sorted(stats.errors.values(), key=lambda e: -e.occurrences)],
              "exceptions": [[row["msg"], row["count"]] for row in
                             sorted(environment.runner.exceptions.values(),
                                    key=lambda row: -row["count"])],
              "timeline": [[start - _timeline[0][0], ms, name] for start, ms, name in _timeline]}
    with open(environment.parsed_options.report_json, "w", encoding="utf-8") as out:
        json.dump(report, out, indent=1)


def periods(today: date) -> tuple[str, ...]:
    """The default period, the last four weeks, and the same quarter a year ago."""
    last_year = today - timedelta(days=365)
    return ("", f"&from={today - timedelta(days=28)}&to={today - timedelta(days=1)}",
            f"&from={last_year - timedelta(days=91)}&to={last_year}")


def component(tree: Any, component_id: str) -> dict[str, Any] | None:
    """The component with this id in a Dash layout (JSON), or None."""
    if isinstance(tree, dict):
        if tree.get("props", {}).get("id") == component_id:
            return tree
        children = list(tree.get("props", {}).values())
    elif isinstance(tree, list):
        children = tree
    else:
        return None
    return next((found for child in children
                 if (found := component(child, component_id)) is not None), None)


class Browser(FastHttpUser):
    def wait_time(self) -> float:
        return random.uniform(0.5, 1.5) * self.environment.parsed_options.think_seconds

    def on_start(self) -> None:
        options = self.environment.parsed_options
        names = [name.strip() for name in options.usernames.split(",") if name.strip()]
        self.username = names[next(_next_user) % len(names)]
        self.periods = periods(date.today())
        self.sign_in(os.environ.get("LOAD_TEST_PASSWORD", "demo"))
        self.open_app(random.choice(PAGES), "")
        self.ticker = gevent.spawn(self.tick, options.refresh_seconds)

    def on_stop(self) -> None:
        self.ticker.kill()

    def sign_in(self, password: str) -> None:
        form = self.client.get("/login", name="GET /login")
        token = CSRF_INPUT.search(form.text)
        form_data = urlencode({"username": self.username, "password": password,
                               "csrf_token": token.group(1) if token else ""})
        with self.client.post("/login", name=SIGN_IN, allow_redirects=False,
                              catch_response=True, data=form_data,
                              headers={"Content-Type": "application/x-www-form-urlencoded"}
                              ) as answer:
            if answer.status_code != 302 or \
                    answer.headers.get("Location", "").startswith("/login"):
                answer.failure(f"sign-in refused for {self.username} ({answer.status_code})")
                raise StopUser()

    def open_app(self, path: str, search: str) -> None:
        """What a browser does on opening (or reloading) an address of the app."""
        self.client.get(f"{path}{search}", name="GET page (HTML)")
        layout = self.client.get("/_dash-layout", name="GET /_dash-layout").json()
        self.callbacks = self.client.get("/_dash-dependencies",
                                         name="GET /_dash-dependencies").json()
        picker = component(layout, "area-picker") or {"props": {}}
        self.areas = [option["value"] for option in picker["props"].get("options") or []]
        self.version = (component(layout, "data-version") or {"props": {}})["props"].get("data")
        self.show(path, search)

    def show(self, path: str, search: str) -> None:
        """The callbacks a change of address fires (the page arrives through the route)."""
        self.path, self.search = path, search
        area = search.split("area=", 1)[1].split("&", 1)[0] if "area=" in search else None
        self.callback(area_sync_payload(search, area), "area sync")
        self.callback(route_payload(self.callbacks, path, search, self.version), f"route {path}")
        if path == "/capacity":
            self.callback(backtest_payload(search), "route /capacity: back-test")

    @task(8)
    def navigate(self) -> None:
        """A click on the navigation, the area picker or the period."""
        area = f"?area={random.choice(self.areas)}" if self.areas else ""
        self.show(random.choice(PAGES), f"{area}{random.choice(self.periods)}")

    @task(1)
    def reload(self) -> None:
        self.open_app(self.path, self.search)

    def tick(self, every: float) -> None:
        """The page's refresh tick: a changed data version redraws the page."""
        while True:
            gevent.sleep(every)
            try:
                answer = self.callback(version_payload(self.version), "refresh tick", parse=True)
                newer = answer.get("response", {}).get("data-version", {}).get("data")
                if newer:
                    self.version = newer
                    self.callback(route_payload(self.callbacks, self.path, self.search, newer),
                                  REDRAW)
            except Exception as error:  # noqa: BLE001 (counted as the load test's errors)
                self.environment.events.user_error.fire(user_instance=self, exception=error,
                                                        tb=error.__traceback__)

    def callback(self, body: dict[str, Any], name: str, parse: bool = False) -> dict[str, Any]:
        csrf = next((cookie.value for cookie in self.client.cookiejar
                     if cookie.name == "_csrf_token"), "")
        with self.client.post("/_dash-update-component", name=name, json=body,
                              headers={"X-CSRFToken": csrf}, catch_response=True) as answer:
            if answer.status_code == 204:  # nothing to change (PreventUpdate)
                return {}
            if answer.status_code != 200:
                answer.failure(f"{name}: HTTP {answer.status_code}")
                return {}
            body_bytes = answer.content or b""
            shown = next((m for m in TROUBLE if m.encode() in body_bytes), None)
            if shown:
                answer.failure(f"{name}: the page shows {shown}")
                return {}
            try:
                # Only the tick's small answer is read; a page's is checked, not parsed.
                if not parse and not body_bytes.lstrip().startswith(b"{"):
                    raise ValueError
                return json.loads(body_bytes) if parse else {}
            except ValueError:
                answer.failure(f"{name}: not JSON")
                return {}
