"""Where a page's time in the browser goes: Chromium's sampling profiler (over the DevTools
protocol) while the page is opened warm, summed by script and by function.

    python -m benchmarks.browser_profile [--page /capacity] [--area CODE] [--database-url URL]

The app is started as ``benchmarks.browser`` starts it (``python app.py``, a fixed time, the
view cache on), the page opened twice to warm its view, timed three times, then opened once more
under the profiler. The summary names the scripts (``plotly.min.js``, the Dash renderer, a
component library) and their functions with the most time of their own, and the entry points
with the most time under them (Plotly's ``doAutoMargin``, for example): what to look at first
when ``benchmarks.browser`` finds a page slow. It measures, it never asserts.
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.browser import VIEWS, app_environment
from benchmarks.callbacks import ROLE_FOR, areas_to_vary
from benchmarks.common import database_url
from dashboard.pages import PAGES
from data_access.access import list_users
from data_access.db import make_engine
from tests.accounts import add_user, sign_in_page
from tests.browser import CHROMIUM_ARGS, DRAWN, chromium_path
from tests.running_app import started_app

TIMEOUT_MS = 120_000
SAMPLING_MICROSECONDS = 200


def _script(call_frame: dict[str, Any]) -> str:
    """A frame's script by its file name (without the cache-busting query), or (native)."""
    return call_frame["url"].split("/")[-1].split("?")[0] or "(native)"


def summarise(profile: dict[str, Any], top: int = 25) -> str:
    """Self time by script and by function, and inclusive time by function, in milliseconds."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    parent = {child: node["id"] for node in profile["nodes"] for child in node.get("children", [])}
    by_script: Counter[str] = Counter()
    by_function: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for sample, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        ms = delta / 1000
        frame = nodes[sample]["callFrame"]
        by_script[_script(frame)] += ms
        by_function[f"{_script(frame)} {frame['functionName'] or '(anonymous)'}"] += ms
        seen: set[str] = set()
        node_id: int | None = sample
        while node_id is not None:  # each function once per sample, however deep it recurses
            frame = nodes[node_id]["callFrame"]
            name = f"{_script(frame)} {frame['functionName'] or '(anonymous)'}"
            if name not in seen:
                seen.add(name)
                inclusive[name] += ms
            node_id = parent.get(node_id)
    lines = ["Own time by script (ms):"]
    lines += [f"  {ms:8.1f}  {name}" for name, ms in by_script.most_common(12)]
    lines += ["Own time by function (ms):"]
    lines += [f"  {ms:8.1f}  {name}" for name, ms in by_function.most_common(top)]
    lines += ["Time under each function (ms):"]
    lines += [f"  {ms:8.1f}  {name}" for name, ms in inclusive.most_common(top)]
    return "\n".join(lines)


def profile_page(url: str, path: str, area: str | None) -> str:
    from playwright.sync_api import sync_playwright

    page = next(page for page in PAGES if page.path == path)
    role = ROLE_FOR[page.permission]
    engine = make_engine(url)
    username = f"benchmark-{role}"
    if username not in set(list_users(engine).username):  # a hub lead's hub: the systems
        hub = tuple(areas_to_vary(engine, 1)["system"]) if role == "hub_lead" else ()
        add_user(engine, role, hub, username=username)
    engine.dispose()
    address_query = f"?area={area}" if area else ""
    with started_app(app_environment(url, VIEWS["warm"])) as (base_url, _), \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                             args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        tab = context.new_page()
        sign_in_page(tab, base_url, username)

        def opened() -> float:
            tab.goto(f"{base_url}{path}{address_query}")
            tab.wait_for_function(DRAWN, polling="raf", timeout=TIMEOUT_MS)
            return float(tab.evaluate("window.__drawnAt"))

        for _ in range(2):
            opened()  # the view computed and the browser's cache filled
        times = [opened() for _ in range(3)]
        devtools = context.new_cdp_session(tab)
        devtools.send("Profiler.enable")
        devtools.send("Profiler.setSamplingInterval", {"interval": SAMPLING_MICROSECONDS})
        devtools.send("Profiler.start")
        profiled = opened()
        profile = devtools.send("Profiler.stop")["profile"]
        browser.close()
    heading = (f"{path}{address_query}: complete in "
               f"{', '.join(f'{ms / 1000:.2f}' for ms in times)} s warm; "
               f"{profiled / 1000:.2f} s under the profiler")
    return f"{heading}\n{summarise(profile)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", default="/capacity", help="the page's path")
    parser.add_argument("--area", help="an area code (the user's default when not given)")
    parser.add_argument("--database-url", help="the demo, built into a temporary file, if not")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        print(profile_page(database_url(args.database_url, Path(scratch)), args.page,
                           args.area))


if __name__ == "__main__":
    main()
