"""Serving the app on loopback and driving the system Chromium with Playwright (no downloads)."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import make_server

from tests.accounts import sign_in_page
from tests.conftest import skip_or_fail

# A page is complete when its title is there, no callback is running or marked loading, every
# chart is plotted, nothing still says it is "Working out", and that has held for a few animation
# frames (a callback the page starts once drawn has been sent by then). ``__drawnAt`` is the
# moment (ms after navigation began) the quiet frames started: when the person saw it complete.
DRAWN = """() => {
    const content = document.getElementById('page-content');
    const busy = document.querySelector(
        '._dash-loading, ._dash-loading-callback, [data-dash-is-loading="true"],'
        + ' .dash-graph--pending')
        || [...document.querySelectorAll('.dash-graph')].some(g => !g.querySelector('.main-svg'))
        || !document.querySelector('#page-title, .login-page h1')
        || (content !== null && content.textContent.includes('Working out'));
    if (busy) {
        window.__quietFrames = 0;
    } else {
        if (!window.__quietFrames) { window.__drawnAt = performance.now(); }
        window.__quietFrames = (window.__quietFrames || 0) + 1;
    }
    return window.__quietFrames >= 5;
}"""
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") \
        or shutil.which("chromium-browser")
    return candidate if candidate and os.path.exists(candidate) else None


def open_drawn(page: Any, url: str, timeout_ms: float = 30_000) -> float:
    """Go to ``url`` and wait until the page is complete (``DRAWN``); the milliseconds from the
    start of navigation until it was."""
    page.goto(url)
    return wait_drawn(page, timeout_ms)


def wait_drawn(page: Any, timeout_ms: float = 30_000) -> float:
    """Wait until the page is complete (``DRAWN``), counting quiet frames from now; when it was,
    in milliseconds after its navigation began."""
    page.evaluate("window.__quietFrames = 0")
    page.wait_for_function(DRAWN, polling="raf", timeout=timeout_ms)
    return float(page.evaluate("window.__drawnAt"))


def open_figures(page: Any, table_id: str) -> Any:
    """Open a chart's "Show the figures as a table" as a person does (the table is fetched when
    opened: ``layouts.components.on_demand``); the table's body rows, once they are there."""
    from playwright.sync_api import expect

    opener = page.locator(f"""summary[id='{{"table":"{table_id}","type":"figures-opener"}}']""")
    opener.click()
    expect(page.locator(f"#{table_id}")).to_be_visible()
    return page.locator(f"#{table_id} tbody tr")


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
