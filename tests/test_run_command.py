"""``python app.py``, as the README runs it: migrates, serves with debug off, answers callbacks."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.builders import GEOGRAPHY, TODAY_CAPACITY, TODAY_EPISODES, load_files

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_python_app_py_serves_the_today_page(engine, database_url, tmp_path):
    load_files(engine, tmp_path / "batch", {**GEOGRAPHY, "episodes.csv": TODAY_EPISODES,
                                            "capacity.csv": TODAY_CAPACITY})
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "PORT": str(port),
           "DASHBOARD_NOW": "2026-11-25T08:30", "DASHBOARD_DEMO_IF_EMPTY": "0"}
    process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:  # blocks until the server says it is listening
            output.append(line)
            if "Running on" in line:
                break
        assert any("Debug mode: off" in line for line in output), output
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{base}/", timeout=30) as response:
            assert 'lang="en-GB"' in response.read().decode()
        with urllib.request.urlopen(f"{base}/_dash-dependencies", timeout=30) as response:
            callbacks = json.load(response)
        route = next(c for c in callbacks if "page-content.children" in c["output"])
        outputs = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
                   for part in route["output"].strip(".").split("...")]
        body = {"output": route["output"], "outputs": outputs, "changedPropIds": ["url.search"],
                "inputs": [{"id": "url", "property": "pathname", "value": "/"},
                           {"id": "url", "property": "search", "value": "?area=ICB1"},
                           {"id": "data-version", "property": "data", "value": None}]}
        request = urllib.request.Request(f"{base}/_dash-update-component",
                                         data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            page = json.dumps(json.load(response))
        assert '"id": "waiting-now-value"' in page
        assert '"children": "5", "id": "waiting-now-value"' in page
    finally:
        process.terminate()
        process.wait(timeout=10)
