"""Live screens in a real headless Chromium: records pushed through the API appear on the open
page within one refresh, and a source gone quiet is flagged on the pages that use its data."""

from __future__ import annotations

import json
import time
import urllib.request
from datetime import timedelta

import pytest

from dashboard.app_factory import create_app
from dashboard.clock import FixedClock
from dashboard.config import Settings
from data_access.loader import csv_rows, load_batch
from tests.accounts import add_user
from tests.browser import browsing
from tests.builders import (
    GEOGRAPHY,
    TODAY_AT,
    TODAY_CAPACITY,
    TODAY_EPISODES,
    feed_source,
    load_files,
)

pytestmark = pytest.mark.browser

REFRESH_SECONDS = 2
# Drawing the page again takes a moment after the tick that notices the change.
RENDER_ALLOWANCE_SECONDS = 6


def test_pushed_records_appear_within_one_refresh_and_quiet_sources_are_flagged(
        engine, database_url, tmp_path):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    report = load_files(engine, tmp_path / "batch", GEOGRAPHY)
    assert report.loaded, report.summary()
    ward = feed_source(engine, "Ward tracker", TODAY_AT, kinds=("episodes",), every_minutes=15)
    feed_source(engine, "Capacity returns", TODAY_AT, kinds=("capacity",), every_minutes=60)
    # The ward tracker delivered 5 minutes ago (on time); the capacity source three hours ago
    # (its reports up to then): quiet for longer than its hour.
    reported_by_0530 = "\n".join(line for line in TODAY_CAPACITY.splitlines()
                                 if "2026-11-25" not in line)
    for source, file_name, body, ago in (("Ward tracker", "episodes.csv", TODAY_EPISODES, 5),
                                         ("Capacity returns", "capacity.csv", reported_by_0530,
                                          180)):
        delivered = load_batch(engine, {file_name: csv_rows(body.splitlines())}, source=source,
                               clock=FixedClock(TODAY_AT - timedelta(minutes=ago)),
                               channel="feed")
        assert delivered.loaded, delivered.summary()

    settings = Settings(database_url=database_url, clock=FixedClock(TODAY_AT),
                        refresh_seconds=REFRESH_SECONDS)
    with browsing(create_app(settings, engine).server, add_user(engine, "executive")) \
            as (page, base_url):
        page.goto(f"{base_url}/?area=ICB1")
        expect(page.locator("#waiting-now-value")).to_have_text("5")
        # Today uses capacity reports: the quiet source is named there...
        expect(page.locator("#quiet-sources")).to_contain_text("Capacity returns")
        expect(page.locator("#quiet-sources")).not_to_contain_text("Ward tracker")
        page.locator("#source-list summary").click()
        expect(page.locator("#source-list")).to_contain_text(
            "Capacity returns: last delivered 05:30 Wed 25 Nov 2026 (3 h 0 min ago); "
            "expected every 60 min — QUIET")

        record = {"episode_id": "LIVE1", "person_ref": "p-live", "site_code": "S1",
                  "home_area_code": "N2", "sex": "F", "admitted_at": "2026-11-23T10:00",
                  "nctr_at": "2026-11-25T07:00", "pathway": 1}
        request = urllib.request.Request(
            f"{base_url}/api/v1/feeds/episodes", data=json.dumps([record]).encode(),
            headers={"Content-Type": "application/json",
                     "Authorization": f"Bearer {ward.token}"}, method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            assert json.load(response)["new"] == [0]
        pushed_at = time.monotonic()
        # No reload: the open page picks the new person up on its next refresh.
        expect(page.locator("#waiting-now-value")).to_have_text(
            "6", timeout=(REFRESH_SECONDS + RENDER_ALLOWANCE_SECONDS) * 1000)
        assert time.monotonic() - pushed_at <= REFRESH_SECONDS + RENDER_ALLOWANCE_SECONDS

        # ...and not on a page whose figures do not use capacity reports.
        page.goto(f"{base_url}/time-to-service?area=ICB1")
        expect(page.locator("#page-title")).to_contain_text("Time")
        expect(page.locator("#source-list")).to_be_attached()
        expect(page.locator("#quiet-sources")).to_have_count(0)
