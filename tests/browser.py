"""Serving the app on loopback and driving the system Chromium with Playwright (no downloads)."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import make_server

from tests.accounts import sign_in_page
from tests.conftest import skip_or_fail

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") \
        or shutil.which("chromium-browser")
    return candidate if candidate and os.path.exists(candidate) else None


@contextmanager
def serving(flask_app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Serve a WSGI app on a free loopback port in a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, flask_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@contextmanager
def browsing(flask_app, sign_in_as: str | None) -> Iterator[tuple[object, str]]:  # type: ignore[no-untyped-def]
    """Serve the app and open one headless Chromium page on it, signed in as ``sign_in_as``
    (a test user: see tests/accounts.py) unless None; yield (page, base URL).

    On leaving, the browser console must hold no errors (a failed callback logs one).
    """
    executable = chromium_path()
    if executable is None:
        skip_or_fail("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    # Waits end as soon as the condition holds; the ceiling only matters on a loaded machine.
    expect.set_options(timeout=15_000)
    with serving(flask_app) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        if sign_in_as is not None:
            sign_in_page(page, base_url, sign_in_as)
        yield page, base_url
        browser.close()
    assert errors == [], errors
