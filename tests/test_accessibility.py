"""WCAG 2.2 AA checks: axe-core (vendored, tests/vendor/axe-core) run in a real headless Chromium
on every page, as the role that may open it, for the system and a place, on a desktop and a phone
viewport. Any violation fails its test, naming the rule, its impact and the elements. The same
test checks what axe does not: headings in order, and every chart with a summary and a table.

See docs/accessibility.md for what is checked here, the one exclusion, and what is checked beyond
axe (tests/test_keyboard.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dashboard.app_factory import create_app
from dashboard.clock import FixedClock
from dashboard.config import Settings
from dashboard.pages import PAGES as REGISTERED_PAGES
from data_access.access import first_role_holding
from data_access.db import make_engine
from data_access.published import load_published
from tests.accounts import add_user, sign_in_page
from tests.browser import CHROMIUM_ARGS, chromium_path, open_drawn, serving
from tests.builders import (
    GEOGRAPHY,
    TODAY_AT,
    TODAY_CAPACITY,
    TODAY_DELAYS,
    TODAY_EPISODES,
    TODAY_TRIGGER_LEVELS,
    load_files,
)
from tests.conftest import fresh_database, skip_or_fail

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
PUBLISHED = Path(__file__).resolve().parent.parent / "reference_data" / "nhse_discharge_sitrep"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
VIEWPORTS = {"desktop": {"width": 1400, "height": 1000}, "phone": {"width": 375, "height": 812}}
SCREENS = {**VIEWPORTS, "wall": {"width": 1920, "height": 1080}}  # + a huddle room's screen
# Dash's dropdown (dash/dcc/async-dropdown.js) puts an aria-hidden, read-only input before its
# labelled button: it takes Tab focus and hands it straight to the button. The one exclusion
# (docs/accessibility.md): this element, for this rule only.
EXCLUDED = {"aria-hidden-focus": ".dash-dropdown-focus-target"}
SYSTEM, PLACE = "ICB1", "D1"
PERIOD = "from=2026-11-02&to=2026-11-24"  # given, so the period picker leaves the address be
# Who opens each page of the registry (the first role that may), and for which areas (None: the
# page takes no area; a hub lead's hub is a place); and the sign-in page, signed out.
PAGES: tuple[tuple[str, str | None, tuple[str | None, ...]], ...] = (
    *((page.path, first_role_holding(page.permission),
       (PLACE,) if page.permission == "people" else (SYSTEM, PLACE) if page.local_data
       else (None,)) for page in REGISTERED_PAGES),
    ("/login", None, (None,)),
    ("/goals", "data_manager", (PLACE,)),  # as a data manager: with the form that sets a goal
)
# Violations as {id, impact, help, targets}, less the nodes of ``excluded`` (rule id: selector).
RUN_AXE = """async ([tags, excluded]) => {
    const results = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                             resultTypes: ['violations'], elementRef: true});
    return results.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        targets: v.nodes.filter(n => !(excluded[v.id] && n.element.matches(excluded[v.id])))
                        .map(n => n.target.join(' '))}))
        .filter(v => v.targets.length);
}"""

# Beyond axe's WCAG rules: one h1, first; no heading level skipped; every chart in a card with a
# summary in words and its figures as a table. The problems found, in words.
STRUCTURE = """() => {
    const problems = [];
    const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')];
    const levels = headings.map(h => Number(h.tagName[1]));
    if (levels[0] !== 1 || levels.filter(level => level === 1).length !== 1) {
        problems.push(`headings ${levels.join(',')}: one h1, first`);
    }
    levels.forEach((level, i) => {
        if (i && level > levels[i - 1] + 1) {
            problems.push(`h${levels[i - 1]} then h${level}: "${headings[i].innerText}"`);
        }
    });
    document.querySelectorAll('.dash-graph').forEach(graph => {
        const card = graph.closest('.card-body');
        if (!card?.querySelector('.chart-summary')
                || !card.querySelector('details.figures-on-demand, details table')) {
            problems.push(`chart #${graph.id} lacks a summary or its table`);
        }
    });
    return problems;
}"""


def build_site(migrated_template: str, folder: Path) -> tuple[Any, Any]:
    """The app on the hand-made test system (loaded as synthetic, so the banner shows) and NHS
    England's published extracts (the Benchmark page's), with one user per role; (app, engine).
    """
    url = fresh_database(migrated_template, folder)
    engine = make_engine(url)
    report = load_files(engine, folder / "batch", {
        **GEOGRAPHY, "episodes.csv": TODAY_EPISODES, "capacity.csv": TODAY_CAPACITY,
        "delays.csv": TODAY_DELAYS, "trigger_levels.csv": TODAY_TRIGGER_LEVELS},
        synthetic=True)
    assert report.loaded, report.summary()
    assert load_published(engine, PUBLISHED).loaded
    for role in ("executive", "data_manager", "administrator"):
        add_user(engine, role)
    add_user(engine, "hub_lead", (PLACE,))
    app = create_app(Settings(database_url=url, clock=FixedClock(TODAY_AT)), engine)
    return app, engine


def address(path: str, area: str | None) -> str:
    return path if area is None else f"{path}?area={area}&{PERIOD}"


class Browsers:
    """One Chromium; one context (and page) per role and viewport, signed in once, made on first
    use. Each page's console errors are collected (a failed callback logs one)."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.browser, self.base_url = browser, base_url
        self.pages: dict[tuple[str | None, str], Any] = {}
        self.errors: list[str] = []

    def page(self, role: str | None, viewport: str) -> Any:
        if (role, viewport) not in self.pages:
            # The strict CSP would refuse the injected axe script: these contexts bypass it.
            context = self.browser.new_context(viewport=SCREENS[viewport], bypass_csp=True)
            page = context.new_page()
            page.on("console", self._console)
            if role is not None:
                sign_in_page(page, self.base_url, f"test-{role}")
            self.pages[role, viewport] = page
        return self.pages[role, viewport]

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)


@pytest.fixture(scope="module")
def browsers(migrated_template, tmp_path_factory) -> Iterator[Browsers]:  # type: ignore[no-untyped-def]
    executable = chromium_path()
    if executable is None:
        skip_or_fail("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    app, engine = build_site(migrated_template, tmp_path_factory.mktemp("accessibility"))
    with serving(app.server) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=CHROMIUM_ARGS)
        yield Browsers(browser, base_url)
        browser.close()
    engine.dispose()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Violations of the WCAG 2.2 AA rules on the page as drawn, less the one exclusion."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return page.evaluate(RUN_AXE, [TAGS, EXCLUDED])


def report(violations: list[dict[str, Any]]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["targets"])
                     for v in violations)


def cases() -> list[Any]:
    """One test per page, area and viewport, named like ``delays-D1-phone``."""
    return [pytest.param(path, role, area, viewport,
                         id="-".join(filter(None, (path.strip("/") or "today", area, viewport))))
            for path, role, areas in PAGES for area in areas for viewport in VIEWPORTS]


@pytest.mark.parametrize(("path", "role", "area", "viewport"), cases())
def test_page_meets_wcag_22_aa(browsers: Browsers, path: str, role: str | None,
                               area: str | None, viewport: str) -> None:
    page = browsers.page(role, viewport)
    browsers.errors.clear()
    open_drawn(page, browsers.base_url + address(path, area))
    violations = axe_violations(page)
    assert not violations, f"{len(violations)} axe violation(s):\n{report(violations)}"
    assert page.evaluate(STRUCTURE) == []
    # Usable at the viewport's width: the page never scrolls sideways (wide tables scroll
    # inside their own focusable region instead).
    width = VIEWPORTS[viewport]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert browsers.errors == [], browsers.errors


def test_today_fits_a_huddle_screen_without_scrolling(browsers: Browsers) -> None:
    """On a 1920 x 1080 wall screen, every figure of the Today page is in view at once."""
    page = browsers.page("executive", "wall")
    open_drawn(page, browsers.base_url + address("/", SYSTEM))
    bottom = page.evaluate("document.getElementById('page-content').getBoundingClientRect()"
                           ".bottom")
    assert bottom <= SCREENS["wall"]["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= SCREENS["wall"]["width"]

