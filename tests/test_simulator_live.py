"""The simulator against a started app, for a bounded time: the Today page's figures move."""

from __future__ import annotations

import re
import subprocess
import sys

from dashboard.clock import SystemClock
from tests.accounts import SignedIn, add_user
from tests.builders import GEOGRAPHY, feed_source, load_files
from tests.running_app import ROOT, page_json, started_app


def figure(page: str, element_id: str) -> str:
    found = re.search(r'"children": "([^"]*)", "id": "' + re.escape(element_id) + '"', page)
    assert found, f"{element_id} is not on the page"
    return found.group(1)


def test_the_simulator_moves_the_today_page(engine, database_url, tmp_path):
    assert load_files(engine, tmp_path / "geography", GEOGRAPHY).loaded
    token = feed_source(engine, "Simulator", SystemClock().now(), every_minutes=5).token
    # The app on the real clock: the simulator's events are "now".
    executive = add_user(engine, "executive")
    with started_app({"DATABASE_URL": database_url, "DASHBOARD_NOW": ""}) as (base_url, _):
        user = SignedIn(base_url, executive)
        before = page_json(user, "/", "?area=ICB1")
        assert figure(before, "waiting-now-value") == "0"
        assert figure(before, "free-p1-value") == "0"
        run = subprocess.run(
            [sys.executable, "-m", "dashboard", "simulate", "--url", base_url, "--token", token,
             "--speed", "3600", "--interval", "1", "--duration", "8", "--seed", "7"],
            cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stdout + run.stderr
        assert "Traceback" not in run.stderr
        after = page_json(user, "/", "?area=ICB1")
    # Eight simulated hours of a system: people became NCTR and services reported capacity.
    assert int(figure(after, "waiting-now-value").replace(",", "")) > 0
    assert figure(after, "free-p1-value") != "0"
    assert "Simulator" in after and "QUIET" not in after
