"""Which charts Plotly draws twice: every chart of every page of aggregate figures, opened in
Chromium, with the margins it was sent (``layouts/figures.py`` works them out) beside those it
was drawn with. Where automargin had to grow a margin, Plotly drew the chart, measured its
labels and drew it again.

    python -m benchmarks.chart_margins [--database-url URL]

The app is started as ``benchmarks.browser`` starts it. It measures, it never asserts.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from benchmarks.browser import VIEWS, app_environment
from benchmarks.common import database_url
from dashboard.pages import PAGES
from data_access.access import list_users
from data_access.db import make_engine
from tests.accounts import add_user, sign_in_page
from tests.browser import CHROMIUM_ARGS, DRAWN, chromium_path
from tests.running_app import started_app

MARGINS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(chart => [
    chart.parentElement.id,
    chart.layout.margin,
    Object.fromEntries(['l', 'r', 't', 'b'].map(side => [side, chart._fullLayout._size[side]])),
])"""
USER = "benchmark-executive"


def drawn_twice(url: str) -> tuple[int, list[str]]:
    """How many charts there are, and each one drawn twice with the margins that grew."""
    from playwright.sync_api import sync_playwright

    engine = make_engine(url)
    if USER not in set(list_users(engine).username):
        add_user(engine, "executive", username=USER)
    engine.dispose()
    charts, twice = 0, []
    with started_app(app_environment(url, VIEWS["warm"])) as (base_url, _), \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                             args=CHROMIUM_ARGS)
        tab = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        sign_in_page(tab, base_url, USER)
        for page in (page for page in PAGES if page.permission == "aggregates"):
            tab.goto(f"{base_url}{page.path}")
            tab.wait_for_function(DRAWN, polling="raf", timeout=120_000)
            for chart_id, sent, drawn in tab.evaluate(MARGINS):
                charts += 1
                grown = {side: (sent.get(side), drawn[side]) for side in drawn
                         if round(drawn[side]) != sent.get(side)}
                if grown:
                    twice.append(f"{page.path} {chart_id}: {json.dumps(grown)}")
        browser.close()
    return charts, twice


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="the demo, built into a temporary file, if not")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        charts, twice = drawn_twice(database_url(args.database_url, Path(scratch)))
    print(f"{charts} charts, {charts - len(twice)} drawn once; drawn twice (side: sent, drawn):")
    print("\n".join(twice) or "none")


if __name__ == "__main__":
    main()
