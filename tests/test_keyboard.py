"""Keyboard only, in a real headless Chromium (no mouse, no clicks, no focus calls): the skip link
comes first and moves focus to the main content; the area picker opens and chooses a place from
the keyboard; a chart's table opens from its disclosure; every element focused on the way shows
a visible focus indicator."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.browser import browsing, open_drawn, wait_drawn
from tests.test_accessibility import PERIOD, PLACE, SYSTEM, build_site

pytestmark = pytest.mark.browser
MOST_KEYS = 60  # presses allowed to reach an element: a page has fewer stops before it
# The focused element, and whether it shows a focus indicator: it is visible (not transparent,
# not hidden, not of zero size) and has an outline or a box shadow that is drawn (not 'none',
# not zero width, not transparent).
FOCUSED = """() => {
    const element = document.activeElement, style = getComputedStyle(element);
    const drawn = colour => !/^(transparent|rgba\\(.*,\\s*0\\))$/.test(colour);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
        && drawn(style.outlineColor);
    const shadow = style.boxShadow !== 'none' && !style.boxShadow.startsWith('rgba(0, 0, 0, 0)');
    const visible = element.checkVisibility({opacityProperty: true, visibilityProperty: true});
    return {id: element.id, tag: element.tagName.toLowerCase(), value: element.value || '',
            text: (element.innerText || '').trim(), indicated: visible && (outline || shadow)};
}"""


@pytest.fixture(scope="module")
def site(migrated_template, tmp_path_factory) -> Iterator[tuple[Any, str]]:  # type: ignore[no-untyped-def]
    app, engine = build_site(migrated_template, tmp_path_factory.mktemp("keyboard"))
    with browsing(app.server, "test-executive") as (page, base_url):
        yield page, base_url
    engine.dispose()


def focused(page: Any) -> dict[str, Any]:
    """The focused element, which must show that it has focus."""
    element = page.evaluate(FOCUSED)
    assert element["indicated"], f"no visible focus indicator on {element}"
    return element


def press_until(page: Any, key: str, reached: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """Press ``key`` until the focused element is ``reached``; every element focused on the way
    shows its focus."""
    for _ in range(MOST_KEYS):
        before = page.evaluate_handle("() => document.activeElement")
        page.keyboard.press(key)
        # The key has taken effect once focus has moved (the picker moves it a moment later:
        # reading it at once could see the option before and go one too far).
        page.wait_for_function("before => document.activeElement !== before", arg=before)
        element = focused(page)
        if reached(element):
            return element
    raise AssertionError(f"{key} {MOST_KEYS} times did not reach the element; at {element}")


def test_the_page_works_from_the_keyboard_alone(site: tuple[Any, str]) -> None:
    from playwright.sync_api import expect

    page, base_url = site
    open_drawn(page, f"{base_url}/delays?area={SYSTEM}&{PERIOD}")

    # The first Tab reaches the skip link; Enter moves focus to the main content.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to main content"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main-content"

    # Back to the area picker in the header; open it, move to the place, choose it.
    press_until(page, "Shift+Tab", lambda e: e["id"] == "area-picker")
    page.keyboard.press("ArrowDown")
    page.wait_for_function("() => document.activeElement.matches('[role=option] input')")
    press_until(page, "ArrowDown", lambda e: e["value"] == PLACE)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/delays\?area={PLACE}&"))
    expect(page.locator("#page-title")).to_have_text("Delays by reason: Place one")
    wait_drawn(page)
    assert focused(page)["id"] == "area-picker"
    # Out of the picker and back in: Tab lands on Dash's hidden focus target, which hands focus
    # straight to the picker (the reason for the one axe exclusion, docs/accessibility.md).
    page.keyboard.press("Shift+Tab")
    assert focused(page)["id"] != "area-picker"
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "area-picker"

    # On to the first chart's table: Enter opens its disclosure and the table is fetched and
    # shows (the page is sent without it), its rows and export buttons next in the tab order.
    press_until(page, "Tab", lambda e: e["tag"] == "summary"
                and e["text"] == "Show the figures as a table")
    page.keyboard.press("Enter")
    disclosure = page.locator("details:has(> summary:focus)")
    expect(disclosure).to_have_attribute("open", "")
    expect(disclosure.locator("table")).to_be_visible()
    expect(disclosure.locator("tbody tr")).not_to_have_count(0)
    press_until(page, "Tab", lambda e: e["text"] == "CSV")
