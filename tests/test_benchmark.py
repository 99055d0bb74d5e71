"""The national benchmark: figures from NHS England's published extracts (the repository's copy),
England equal to the sums of the files, and the page in a real headless Chromium."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from dashboard.app_factory import create_app
from dashboard.clock import FixedClock
from dashboard.config import Settings
from data_access.db import make_engine
from data_access.metrics.benchmark import (
    benchmark_period,
    england_total,
    icb_benchmark,
    reason_mix,
)
from data_access.published import load_published
from tests.accounts import add_user
from tests.browser import browsing
from tests.builders import GEOGRAPHY, TODAY_AT, TODAY_EPISODES, load_files
from tests.conftest import fresh_database

PUBLISHED = Path(__file__).resolve().parent.parent / "reference_data" / "nhse_discharge_sitrep"


@pytest.fixture(scope="module")
def published(migrated_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("published")
    url = fresh_database(migrated_template, folder)
    engine = make_engine(url)
    report = load_published(engine, PUBLISHED)
    assert report.loaded and not report.rejections, report.summary()[:2000]
    load_files(engine, folder / "local", {**GEOGRAPHY, "episodes.csv": TODAY_EPISODES})
    yield engine, url
    engine.dispose()


def england_from_the_file(first: date, last: date) -> tuple[int, int, set[str]]:
    """NCTR patients and discharges summed over every ICB row of the file in the period whose
    two figures were both submitted, and the days seen: computed without the product's code."""
    nctr = discharged = 0
    days: set[str] = set()
    with (PUBLISHED / "icb_daily_nctr.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if first.isoformat() <= row["date"] <= last.isoformat() \
                    and row["nctr_patients"] and row["discharged_total"]:
                nctr += int(float(row["nctr_patients"]))
                discharged += int(float(row["discharged_total"]))
                days.add(row["date"])
    return nctr, discharged, days


def test_england_equals_the_sums_of_the_file(published):
    engine, _ = published
    first, last = benchmark_period(engine)
    assert (first, last) == (date(2024, 10, 9), date(2024, 12, 31))  # the file's last 12 weeks
    icbs = icb_benchmark(engine, first, last)
    assert len(icbs) == 42
    nctr, discharged, days = england_from_the_file(first, last)
    england = england_total(icbs)
    assert england["nctr_per_day"] == pytest.approx(nctr / len(days))
    assert england["same_day_percent"] == pytest.approx(100 * discharged / nctr)


def test_an_icb_per_100000_aged_65_plus(published):
    engine, _ = published
    first, last = benchmark_period(engine)
    own = icb_benchmark(engine, first, last).set_index("code").loc["E54000018"]
    # Coventry and Warwickshire: 65+ population 171,698 (the six districts of the geography
    # file: 14,286 + 25,170 + 20,884 + 33,620 + 27,275 + 50,463).
    assert own.population_65_plus == 171_698
    assert own.nctr_per_100k == pytest.approx(100_000 * own.nctr / own.days / 171_698)


def test_reason_mix_shares_add_up(published):
    engine, _ = published
    mix = reason_mix(engine, date(2024, 12, 1), "E54000018")
    assert mix.share.sum() == pytest.approx(100.0)
    assert set(mix.reason_group) <= {"Hospital process", "Wellbeing concerns",
                                     "Care transfer hub process", "Interface process",
                                     "Capacity"}


def test_benchmark_page_shows_england_as_the_files_sum(published):
    from playwright.sync_api import expect

    engine, url = published
    app = create_app(Settings(database_url=url, clock=FixedClock(TODAY_AT)), engine)
    with browsing(app.server, add_user(engine, "executive")) as (page, base_url):
        page.goto(f"{base_url}/benchmark?area=ICB1")
        expect(page.locator("#page-title")).to_have_text("National benchmark")
        first, last = benchmark_period(engine)
        nctr, _, days = england_from_the_file(first, last)
        expect(page.locator("#england-nctr-per-day")).to_have_text(f"{nctr / len(days):,.0f}")
        expect(page.locator("#benchmark-credit")).to_have_text(
            "Source: NHS England, Open Government Licence v3.0")


def test_trusts_per_day_from_the_file(published):
    from data_access.metrics.benchmark import trust_benchmark

    engine, _ = published
    first, last = benchmark_period(engine)
    trusts = trust_benchmark(engine, first, last).set_index("code")
    nctr = days = 0
    with (PUBLISHED / "trust_daily_nctr.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["nhs_trust22_code"] == "RKB" \
                    and first.isoformat() <= row["date"] <= last.isoformat() \
                    and row["nctr_patients"] and row["discharged_total"]:
                nctr += int(float(row["nctr_patients"]))
                days += 1
    assert trusts.loc["RKB", "nctr_per_day"] == pytest.approx(nctr / days)
    assert trusts.loc["RKB", "icb_code"] == "E54000018"


def test_england_rates_leave_out_icbs_that_submitted_nothing():
    import pandas as pd

    icbs = pd.DataFrame({"population_65_plus": [100_000, 50_000], "days": [10, 0],
                         "nctr": [1_000, 0], "discharged": [400, 0]})
    england = england_total(icbs)
    # 1,000 over 10 days = 100 a day, per 100,000 of the submitting ICB's 100,000 people.
    assert england["nctr_per_100k"] == pytest.approx(100.0)
    assert england["remaining_per_100k"] == pytest.approx(60.0)
