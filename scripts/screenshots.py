"""Screenshots of every page on a phone (375 px wide) and on a huddle wall screen (1920 x 1080),
from the synthetic demonstration system at a fixed time, in headless Chromium.

    python -m scripts.screenshots [--out docs/screenshots]

Builds the demo into a temporary SQLite file (about half a minute), signs in with the role each
page is for, and writes ``<page>-375.png`` (the whole page) and ``<page>-1920.png`` (the whole
page; the Today page fits the screen) plus the default-size ``<page>.png`` the README shows.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import datetime
from pathlib import Path

from dashboard.app_factory import create_app
from dashboard.bootstrap import DEFAULT_ICB, build_demo
from dashboard.clock import LONDON, FixedClock
from dashboard.config import PROJECT_ROOT, Settings
from dashboard.pages import PAGES as REGISTERED_PAGES
from data_access.access import first_role_holding
from data_access.areas import picker_areas
from data_access.db import make_engine
from data_access.migrate import upgrade_to_head
from data_access.published import load_published
from tests.accounts import add_user, sign_in_page
from tests.browser import CHROMIUM_ARGS, chromium_path, open_drawn, serving

NOW = datetime(2026, 11, 25, 8, 30, tzinfo=LONDON)
# Every page of the registry, as the first role that may open it: page path -> (file stem, role).
PAGES = {page.path: (page.slug, first_role_holding(page.permission))
         for page in REGISTERED_PAGES}
VIEWPORTS = {"375": {"width": 375, "height": 812}, "1920": {"width": 1920, "height": 1080},
             "": {"width": 1400, "height": 1000}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/demo.db"
        upgrade_to_head(url)
        engine = make_engine(url)
        clock = FixedClock(NOW)
        assert build_demo(engine, clock, icb_codes=(DEFAULT_ICB,)).loaded
        assert load_published(engine, PROJECT_ROOT / "reference_data" /
                              "nhse_discharge_sitrep", clock=clock).loaded
        areas = picker_areas(engine)
        hub = str(areas[areas.level == "district"].code.iloc[0])
        for role in ("executive", "data_manager", "administrator"):
            add_user(engine, role)
        add_user(engine, "hub_lead", (hub,))
        app = create_app(Settings(database_url=url, clock=clock), engine)
        with serving(app.server) as base_url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                                 args=CHROMIUM_ARGS)
            for suffix, viewport in VIEWPORTS.items():
                for role in sorted({role for _, role in PAGES.values()}):
                    page = browser.new_context(viewport=viewport).new_page()
                    sign_in_page(page, base_url, f"test-{role}")
                    for path, (stem, page_role) in PAGES.items():
                        if page_role != role:
                            continue
                        area = hub if role == "hub_lead" else DEFAULT_ICB
                        open_drawn(page, f"{base_url}{path}?area={area}", timeout_ms=120_000)
                        name = f"{stem}-{suffix}.png" if suffix else f"{stem}.png"
                        page.screenshot(path=str(args.out / name), full_page=True)
                        print(f"wrote {name}")
                    page.close()
            browser.close()


if __name__ == "__main__":
    main()
