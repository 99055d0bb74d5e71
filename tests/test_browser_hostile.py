"""Script text in the address, in a real headless Chromium: no dialog opens, nothing the payload
would inject exists, the page says in words what was wrong, and the console holds no error
(``tests/browser.py`` checks the console on leaving)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from dashboard.app_factory import create_app
from dashboard.clock import FixedClock
from dashboard.config import Settings
from data_access.db import make_engine
from tests.accounts import add_user
from tests.browser import browsing
from tests.builders import GEOGRAPHY, TODAY_AT, TODAY_DELAYS, TODAY_EPISODES, load_files
from tests.conftest import fresh_database
from tests.properties import SCRIPTS

pytestmark = pytest.mark.browser
IMAGE, SCRIPT, LINK = SCRIPTS[1], SCRIPTS[0], SCRIPTS[2]  # "><img ...>, <script>, javascript:


@pytest.fixture(scope="module")
def hub_lead_browser(migrated_template, tmp_path_factory) -> Iterator[tuple[Any, str, list[str]]]:
    """A hub lead for place one (D1) in Chromium; every dialog the page opens is recorded."""
    folder = tmp_path_factory.mktemp("hostile")
    url = fresh_database(migrated_template, folder)
    engine = make_engine(url)
    assert load_files(engine, folder / "batch", {**GEOGRAPHY, "episodes.csv": TODAY_EPISODES,
                                                "delays.csv": TODAY_DELAYS}).loaded
    app = create_app(Settings(database_url=url, clock=FixedClock(TODAY_AT)), engine)
    with browsing(app.server, add_user(engine, "hub_lead", ("D1",))) as (page, base_url):
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        yield page, base_url, dialogs
    engine.dispose()


def assert_nothing_injected(page: Any, dialogs: list[str]) -> None:
    assert page.locator("img[src='x'], svg[onload], iframe, [onerror]").count() == 0
    assert not page.evaluate(
        "[...document.scripts].some(s => s.textContent.includes('alert(1)'))")
    assert not page.evaluate(
        "[...document.querySelectorAll('[href]')]"
        ".some(a => a.getAttribute('href').trim().toLowerCase().startsWith('javascript:'))")
    assert "Traceback" not in page.content()
    assert dialogs == []


@pytest.mark.parametrize(("path", "query", "messages"), [
    ("/delays", {"area": "D1", "from": SCRIPT, "to": IMAGE, "pathway": IMAGE, "target": LINK},
     ["A date in the address is not a date", "There is no pathway '\"><img src'",
      "The target in the address is not a percentage"]),
    ("/huddle", {"area": "D1", "reasons": IMAGE, "site": SCRIPT},
     [f"There is no reason group {IMAGE.lower()!r}", "The site code in the address is not"]),
    ("/", {"area": IMAGE}, [f"The area {IMAGE!r} is outside the areas you may see"]),
], ids=["period-pathway-target", "huddle-filters", "area"])
def test_script_text_in_the_address_is_shown_as_text_and_never_runs(hub_lead_browser, path,
                                                                     query, messages):
    from playwright.sync_api import expect

    page, base_url, dialogs = hub_lead_browser
    page.goto(f"{base_url}{path}?{urlencode(query)}")
    content = page.locator("#page-content")
    for message in messages:
        expect(content).to_contain_text(message)
    assert_nothing_injected(page, dialogs)
