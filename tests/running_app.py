"""``python app.py`` started as the README starts it, and its pages read through Dash's callback
endpoint (HTTP, JSON in and out), as a browser would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.payloads import route_payload
from deploy.stack import free_port
from tests.accounts import SignedIn

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def started_app(environment: dict[str, str]) -> Iterator[tuple[str, list[str]]]:
    """Run ``python app.py`` with these variables; yield its base URL and what it printed."""
    port = free_port()
    env = {**os.environ, "PORT": str(port), "DASHBOARD_DEMO_IF_EMPTY": "0", **environment}
    process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:  # blocks until the server says it is listening
            output.append(line)
            if "Running on" in line:
                break
        # Keep reading what it prints (a line per request): a full pipe would stop the server.
        threading.Thread(target=output.extend, args=(process.stdout,), daemon=True).start()
        yield f"http://127.0.0.1:{port}", output
    finally:
        process.terminate()
        process.wait(timeout=10)


def page_json(user: SignedIn, pathname: str, search: str) -> str:
    """The page's content as the route callback sends it to this user (JSON text)."""
    with user.open("/_dash-dependencies") as response:
        callbacks = json.load(response)
    body: dict[str, Any] = route_payload(callbacks, pathname, search)
    with user.open("/_dash-update-component", json.dumps(body).encode(),
                   {"Content-Type": "application/json", "X-CSRFToken": user.csrf}) as response:
        return json.dumps(json.load(response))
