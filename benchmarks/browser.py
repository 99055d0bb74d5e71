"""Every page as the person sees it: the time until it is complete in headless Chromium (every
chart drawn, no loading marker, nothing "Working out"), at system, place and neighbourhood
level, with the view computed on request (cold) and served from the cache (warm).

    python -m benchmarks.browser [--runs 5] [--label after] [--write docs/performance.md]
    python -m benchmarks.browser --scale national --database-url URL [--write ...]

The app is started as the README starts it (``python app.py``) at a fixed time, twice: with the
view cache off (every view computed on request: cold) and on (each view opened once first, then
measured: warm). Each page is opened by a role that may open it (``benchmarks.callbacks``), in
one signed-in Chromium tab per role, as a person following links would; the browser keeps what
the app lets it cache. Per page and level: the median and 95th percentile of the time from the
start of navigation until the page was complete (``tests.browser.DRAWN``), the page's DOM
elements, and the kilobytes of the page's own data (Dash's layout, dependencies and callback
answers, uncompressed). ``--scale system`` builds the demo into a temporary SQLite file unless
``--database-url`` is given; ``--scale national`` measures one system (the largest) of a
database that holds all 42. Speed is measured here, not asserted; the suite only keeps a
generous ceiling (tests/test_browser_speed.py).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from benchmarks.callbacks import ROLE_FOR, areas_to_vary, p95
from benchmarks.common import NOW, database_url, replace_between_markers
from dashboard.pages import PAGES, Page
from data_access.access import list_users
from data_access.db import make_engine
from tests.accounts import add_user, sign_in_page
from tests.browser import CHROMIUM_ARGS, DRAWN, chromium_path
from tests.running_app import started_app

LEVELS = ("system", "place", "neighbourhood")
TIMEOUT_MS = 300_000  # a page slower than this is broken, not slow
# The page's own data: what Dash's endpoints sent it (not the static bundles).
PAGE_DATA = r"""() => performance.getEntriesByType('resource')
    .filter(entry => /\/_dash-(layout|dependencies|update-component)/.test(entry.name))
    .reduce((total, entry) => total + entry.decodedBodySize, 0)"""
ELEMENTS = "() => document.getElementsByTagName('*').length"


@dataclass(frozen=True)
class PageTiming:
    page: str
    level: str
    view: str  # cold | warm
    times_ms: tuple[float, ...]
    elements: int
    data_kb: float

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95_ms(self) -> float:
        return p95(list(self.times_ms))


def pages_to_open(engine: Any, systems: int = 1,
                  levels: tuple[str, ...] = LEVELS) -> list[tuple[Page, str, str | None]]:
    """(page, level, area) for every page: pages that show an area at each of
    ``levels``, the others once."""
    samples = areas_to_vary(engine, systems)
    opened = []
    for page in PAGES:
        if page.local_data:
            opened += [(page, level, samples[level][0]) for level in levels]
        else:
            opened.append((page, "-", None))
    return opened


@contextmanager
def signed_in_tabs(browser: Any, base_url: str, roles: set[str]) -> Iterator[dict[str, Any]]:
    """One signed-in tab per role, each in its own browser context (cookies and cache)."""
    tabs = {}
    for role in sorted(roles):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        tabs[role] = context.new_page()
        sign_in_page(tabs[role], base_url, f"benchmark-{role}")
    yield tabs
    for tab in tabs.values():
        tab.context.close()


def time_page(tab: Any, url: str) -> tuple[float, int, float]:
    """Open ``url``; milliseconds until complete (``TIMEOUT_MS`` if it never was), DOM
    elements, kB of the page's data."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    tab.goto(url, timeout=TIMEOUT_MS)
    try:
        tab.wait_for_function(DRAWN, polling="raf", timeout=TIMEOUT_MS)
        drawn_at = float(tab.evaluate("window.__drawnAt"))
    except PlaywrightTimeout:
        drawn_at = TIMEOUT_MS
    return drawn_at, int(tab.evaluate(ELEMENTS)), float(tab.evaluate(PAGE_DATA)) / 1000


VIEWS = {"cold": "null", "warm": "simple"}  # the view cache each is measured with


def app_environment(url: str, cache: str) -> dict[str, str]:
    """``python app.py`` at the benchmark's fixed time with this view cache. Warm views are
    opened once before they are measured, as the warm-up (callbacks/warm.py) would have; no
    warm-up meanwhile."""
    return {"DATABASE_URL": url, "DASHBOARD_NOW": NOW.strftime("%Y-%m-%dT%H:%M"),
            "DASHBOARD_CACHE": cache, "DASHBOARD_CACHE_ENTRIES": "100000",
            "DASHBOARD_REFRESH_SECONDS": "3600", "DASHBOARD_WARM_VIEWS": "off"}


def measure(url: str, runs: int, systems: int = 1, only: set[str] | None = None,
            levels: tuple[str, ...] = LEVELS, views: tuple[str, ...] = tuple(VIEWS),
            log: Any = print) -> list[PageTiming]:
    """Every page (or the paths in ``only``) at ``levels``, cold and warm (``views``), ``runs``
    times each."""
    from playwright.sync_api import sync_playwright

    engine = make_engine(url)
    opened = [item for item in pages_to_open(engine, systems, levels)
              if only is None or item[0].path in only]
    roles = {ROLE_FOR[page.permission] for page, _, _ in opened}
    hub = areas_to_vary(engine, systems)["system"]
    known = set(list_users(engine).username)
    for role in roles - {name.removeprefix("benchmark-") for name in known}:
        add_user(engine, role, tuple(hub) if role == "hub_lead" else (),
                 username=f"benchmark-{role}")
    engine.dispose()
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                             args=CHROMIUM_ARGS)
        for view, cache in ((view, VIEWS[view]) for view in views):
            with started_app(app_environment(url, cache)) as (base_url, _), \
                    signed_in_tabs(browser, base_url, roles) as tabs:
                for page, level, area in opened:
                    tab = tabs[ROLE_FOR[page.permission]]
                    address = f"{base_url}{page.path}" + (f"?area={area}" if area else "")
                    if view == "warm":
                        time_page(tab, address)  # the view computed once: later opens are warm
                    measured = [time_page(tab, address) for _ in range(runs)]
                    timing = PageTiming(page.path, level, view,
                                        tuple(ms for ms, _, _ in measured),
                                        max(n for _, n, _ in measured),
                                        max(kb for _, _, kb in measured))
                    log(f"{view} {page.path:<17} {level:<13} median {timing.median_ms:7.0f} ms  "
                        f"p95 {timing.p95_ms:7.0f} ms  {timing.elements:6d} elements  "
                        f"{timing.data_kb:7.1f} kB")
                    results.append(timing)
        browser.close()
    return results


def seconds(ms: float) -> str:
    return f"> {TIMEOUT_MS / 1000:.0f}" if ms >= TIMEOUT_MS else f"{ms / 1000:.2f}"


def chromium_version() -> str:
    """"Chromium 150.0.7871.100", say. The browser and the machine move every page's time (the
    same code: median 0.57 s on 6 Dec 2026, 0.92 s on 7 Dec with Chromium 150), so each table
    names the browser it was measured in."""
    shown = subprocess.run([chromium_path(), "--version"], capture_output=True, text=True,
                           timeout=60).stdout
    return shown.split(" built on")[0].strip() or "Chromium"


def markdown(results: list[PageTiming], scale: str, label: str, runs: int,
             described: str) -> str:
    by_key = {(r.page, r.level, r.view): r for r in results}
    rows = sorted({(r.page, r.level) for r in results},
                  key=lambda key: ([p.path for p in PAGES].index(key[0]),
                                   (*LEVELS, "-").index(key[1])))
    cold = [r for r in results if r.view == "cold"]
    warm = [r for r in results if r.view == "warm"]
    every = [t for r in results for t in r.times_ms]
    lines = [
        f"Measured {datetime.now():%Y-%m-%d} on {platform.machine()}, {platform.system()}, "
        f"Python {platform.python_version()}, 2 cores; dash {version('dash')}, "
        f"{chromium_version()} headless; `python app.py`; {described}",
        "",
        f"Command: `python -m benchmarks.browser --scale {scale} --runs {runs} --label {label}"
        + (" --database-url URL" if scale == "national" else "") + " --write docs/performance.md`",
        "",
        f"Every page at every level, {runs} opens each: median of all opens "
        f"{seconds(statistics.median(every))} s, p95 {seconds(p95(every))} s; slowest page "
        f"median: cold {seconds(max(r.median_ms for r in cold))} s, warm "
        f"{seconds(max(r.median_ms for r in warm))} s.",
        "",
        "| page | level | cold median s | cold p95 s | warm median s | warm p95 s | "
        "DOM elements | page data kB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for page, level in rows:
        c, w = by_key[page, level, "cold"], by_key[page, level, "warm"]
        lines.append(f"| `{page}` | {level} | {seconds(c.median_ms)} | {seconds(c.p95_ms)} | "
                     f"{seconds(w.median_ms)} | {seconds(w.p95_ms)} | "
                     f"{max(c.elements, w.elements):,} | {max(c.data_kb, w.data_kb):,.0f} |")
    return "\n".join(lines)


DESCRIBED = {
    "system": "the synthetic Coventry and Warwickshire demo (18 months) plus NHS England's "
              "published discharge extracts, on SQLite.",
    "national": "the largest of all 42 synthetic systems (36 months) plus NHS England's "
                "published discharge extracts, on PostgreSQL.",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(DESCRIBED), default="system")
    parser.add_argument("--database-url")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--page", action="append", help="only this page's path (repeatable)")
    parser.add_argument("--label", default="current",
                        help="names the table in the Markdown file (e.g. before, after)")
    parser.add_argument("--write", type=Path, help="write the table into this Markdown file")
    args = parser.parse_args()
    if args.scale == "national" and not args.database_url:
        parser.error("--scale national measures a database you built: give --database-url")
    with tempfile.TemporaryDirectory() as scratch:
        url = database_url(args.database_url, Path(scratch))
        results = measure(url, args.runs, only=set(args.page) if args.page else None)
    if args.write:
        replace_between_markers(args.write, f"browser-{args.scale}-{args.label}",
                                markdown(results, args.scale, args.label, args.runs,
                                         DESCRIBED[args.scale]))


if __name__ == "__main__":
    main()
