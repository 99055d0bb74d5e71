"""The national benchmark: figures from NHS England's published extracts (the repository's copy),
England equal to the sums of the files, and the page in a real headless Chromium."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from benchmarks.payloads import PAGES, figures_payload, route_payload
from callbacks.export import find_table, table_contents
from dashboard.app_factory import create_app
from dashboard.clock import FixedClock
from dashboard.config import Settings
from dashboard.pages import PAGES as REGISTERED_PAGES
from dashboard.pages import PAGES_BY_PATH
from dashboard.results import PERMISSIONS
from data_access.db import make_engine
from data_access.metrics.benchmark import (
    benchmark_period,
    icb_benchmark,
    published_days,
    reason_mix,
    sum_of_icbs,
    trend_span,
    weekly_trend,
)
from data_access.published import load_published
from layouts.components import component_nodes
from tests.accounts import add_user, sign_in_client
from tests.browser import browsing
from tests.builders import GEOGRAPHY, TODAY_AT, TODAY_EPISODES, load_files, write_folder
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


def period(engine) -> tuple[date, date]:  # type: ignore[no-untyped-def]
    """The benchmark's period: the latest twelve weeks of the published ICB figures."""
    return benchmark_period(published_days(engine)[1])


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
    first, last = period(engine)
    assert (first, last) == (date(2024, 10, 9), date(2024, 12, 31))  # the file's last 12 weeks
    icbs = icb_benchmark(engine, first, last)
    assert len(icbs) == 42
    nctr, discharged, days = england_from_the_file(first, last)
    england = sum_of_icbs(icbs)
    assert england["nctr_per_day"] == pytest.approx(nctr / len(days))
    assert england["same_day_percent"] == pytest.approx(100 * discharged / nctr)


def test_an_icb_per_100000_aged_65_plus(published):
    engine, _ = published
    first, last = period(engine)
    own = icb_benchmark(engine, first, last).set_index("code").loc["E54000018"]
    # Coventry and Warwickshire: 65+ population 171,698 (the six districts of the geography
    # file: 14,286 + 25,170 + 20,884 + 33,620 + 27,275 + 50,463).
    assert own.population_65_plus == 171_698
    assert own.nctr_per_100k == pytest.approx(100_000 * own.nctr / own.days / 171_698)


def test_reason_mix_shares_add_up(published):
    engine, _ = published
    mix = reason_mix(engine, date(2024, 12, 1), ("E54000018",))
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
        first, last = period(engine)
        nctr, _, days = england_from_the_file(first, last)
        expect(page.locator("#england-nctr-per-day")).to_have_text(f"{nctr / len(days):,.0f}")
        expect(page.locator("#benchmark-credit")).to_have_text(
            "Source: NHS England, Open Government Licence v3.0")


def test_trusts_per_day_from_the_file(published):
    from data_access.metrics.benchmark import trust_benchmark

    engine, _ = published
    first, last = period(engine)
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
    england = sum_of_icbs(icbs)
    # 1,000 over 10 days = 100 a day, per 100,000 of the submitting ICB's 100,000 people.
    assert england["nctr_per_100k"] == pytest.approx(100.0)
    assert england["remaining_per_100k"] == pytest.approx(60.0)


# --- with published figures only: a hand-made England of three ICBs in two regions --------------
#
# Alpha (E54000018) and Beta (E54000019) are the Midlands, Gamma (E54000027) London; 65+
# populations 20,000, 30,000 and 50,000. Published days run from Sunday 2 June 2024 to Wednesday
# 26 June 2024 (25 days); the whole weeks between begin on 3, 10 and 17 June.
#   Alpha: NCTR 400 on the part weeks' days (2 June, 24-26 June), 40 a day the week of 3 June,
#          50 the week of 10 June, 60 the week of 17 June; 10 discharged every day.
#   Beta:  NCTR 90 a day, but 60 the week of 10 June; 30 discharged every day.
#   Gamma: NCTR 100 a day; 50 discharged every day.
# Over the period (every day, 25 days):
#   Alpha: NCTR 4 x 400 + 7 x (40 + 50 + 60) = 2,650; discharged 250.
#          A day per 100,000: 2,650 / 25 / 20,000 x 100,000 = 530.0; remaining (2,650 - 250)
#          / 25 / 20,000 x 100,000 = 480.0; the same day 250 / 2,650 = 9.4%.
#   Beta:  NCTR 18 x 90 + 7 x 60 = 2,040; discharged 750.
#   Gamma: NCTR 2,500; discharged 1,250.
#   Midlands (Alpha + Beta): NCTR 4,690, discharged 1,000, 50,000 people: 4,690 / 25 / 50,000 x
#          100,000 = 375.2; remaining 3,690 / 25 / 0.5 = 295.2; the same day 1,000 / 4,690 = 21.3%.
#   England: NCTR 7,190, discharged 2,250, 100,000 people: 287.6 a day per 100,000 (and 287.6
#          a day), remaining 4,940 / 25 = 197.6; the same day 2,250 / 7,190 = 31.3%.
# Week by week, per 100,000 (whole weeks only; 2 June and 24-26 June left out):
#   Alpha: 40 / 20,000, 50 / 20,000, 60 / 20,000 x 100,000 = 200.0, 250.0, 300.0
#   Midlands: (40 + 90), (50 + 60), (60 + 90) / 50,000 x 100,000 = 260.0, 220.0, 300.0
#   England: 230, 210, 250 / 100,000 x 100,000 = 230.0, 210.0, 250.0
# Reasons in June 2024 (patients remaining): Alpha's trust 30 hospital process (H1), 10 capacity
# (C9); Beta's 10 and 10; Gamma's 0 and 40. Alpha 75.0% / 25.0%; the Midlands 40 / 60 = 66.7% and
# 33.3%; England 40.0% and 60.0%.

HAND_MADE_GEOGRAPHY = {
    "icb_subicb_la_population.csv": """\
region_name,icb22_code,icb22_name,sicbl22_code,sicbl22_name,ltla22_code,ltla22_name,population_all,population_18_plus,population_65_plus,population_85_plus
Midlands,E54000018,Alpha ICB,E38000001,Place A,E07000001,District A,100000,80000,20000,2000
Midlands,E54000019,Beta ICB,E38000002,Place B,E07000002,District B,150000,120000,30000,3000
London,E54000027,Gamma ICB,E38000003,Place C,E09000001,District C,250000,200000,50000,5000
""",
    "nhs_trusts.csv": """\
nhs_trust22_code,nhs_trust22_name,nhs_region21_name,status,icb22_code
RA1,Alpha Hospitals,Midlands,open,E54000018
RB1,Beta Hospitals,Midlands,open,E54000019
RC1,Gamma Hospitals,London,open,E54000027
"""}
FIRST_DAY, LAST_DAY = date(2024, 6, 2), date(2024, 6, 26)  # a Sunday, a Wednesday
WEEKS = [date(2024, 6, 3), date(2024, 6, 10), date(2024, 6, 17)]
H1_TEXT = "Hospital process \u2013 Awaiting therapy review of need for supported discharge"
C9_TEXT = "Capacity \u2013 Housing adaptations not yet completed?(Pathway 1 or 3)"


def hand_made_nctr(code: str, day: date) -> int:
    week = (day - WEEKS[0]).days // 7  # -1 and 3: the part weeks
    if code == "E54000018":
        return 400 if week in (-1, 3) else (40, 50, 60)[week]
    return (60 if week == 1 else 90) if code == "E54000019" else 100


def hand_made_published() -> dict[str, str]:
    discharged = {"E54000018": 10, "E54000019": 30, "E54000027": 50}
    days = [FIRST_DAY + timedelta(days=n) for n in range((LAST_DAY - FIRST_DAY).days + 1)]
    icb_daily = "icb22_code,date,nctr_patients,discharged_by_1700," \
                "discharged_between_1701_2359,discharged_total\n" + "".join(
                    f"{code},{day},{hand_made_nctr(code, day)},,,{discharged[code]}\n"
                    for code in discharged for day in days)
    reasons = "nhs_trust22_code,nhs_trust22_name,month_start,delay_reason,patients\n" + "".join(
        f"{trust},{trust} trust,2024-06-01,{text},{patients}\n"
        for trust, h1, c9 in (("RA1", 30, 10), ("RB1", 10, 10), ("RC1", 0, 40))
        for text, patients in ((H1_TEXT, h1), (C9_TEXT, c9)))
    return {"icb_daily_nctr.csv": icb_daily, "trust_monthly_delay_reasons.csv": reasons}


@pytest.fixture(scope="module")
def published_only(migrated_template, tmp_path_factory):
    """A database holding the hand-made published figures and no local data at all."""
    folder = tmp_path_factory.mktemp("published-only")
    url = fresh_database(migrated_template, folder)
    engine = make_engine(url)
    report = load_published(engine, write_folder(folder / "sitreps", hand_made_published()),
                            geography=write_folder(folder / "geography", HAND_MADE_GEOGRAPHY))
    assert report.loaded and not report.rejections, report.summary()
    app = create_app(Settings(database_url=url, clock=FixedClock(TODAY_AT)), engine)
    yield engine, app
    engine.dispose()


def test_the_trend_spans_whole_weeks_only_at_both_ends():
    # Sunday 2 June to Wednesday 26 June: the three whole weeks between.
    assert trend_span(FIRST_DAY, LAST_DAY) == (date(2024, 6, 3), date(2024, 6, 23))
    # Years published, the latest day a Tuesday: the 39 weeks up to the Sunday before it.
    assert trend_span(date(2022, 4, 1), date(2024, 12, 31)) == (date(2024, 4, 1),
                                                                date(2024, 12, 29))
    assert (date(2024, 12, 29) - date(2024, 4, 1)).days + 1 == 39 * 7


@pytest.mark.parametrize(("icb_codes", "per_100k"), [
    (("E54000018",), [200.0, 250.0, 300.0]),
    (("E54000018", "E54000019"), [260.0, 220.0, 300.0]),  # the Midlands
    (None, [230.0, 210.0, 250.0]),  # England
])
def test_the_weekly_trend_of_an_icb_a_region_and_england(published_only, icb_codes, per_100k):
    engine, _ = published_only
    weekly = weekly_trend(engine, icb_codes, *trend_span(*published_days(engine)))
    assert list(weekly.week_start) == WEEKS
    assert list(weekly.nctr_per_100k) == pytest.approx(per_100k)


def benchmark_view(client, headers: dict[str, str], search: str) -> Any:
    """The Benchmark page as the route callback sends it over HTTP (the page's JSON tree)."""
    callbacks = json.loads(client.get("/_dash-dependencies").data)
    answer = client.post("/_dash-update-component", headers=headers,
                         json=route_payload(callbacks, "/benchmark", search))
    assert answer.status_code == 200, answer.data[:500]
    return json.loads(answer.data)["response"]["page-content"]["children"]


def texts(tree: Any) -> dict[str, str]:
    """Every component's text by its id."""
    def text(node: Any) -> str:
        if isinstance(node, list):
            return "".join(map(text, node))
        if isinstance(node, dict):
            return text(node.get("props", {}).get("children"))
        return "" if node is None else str(node)

    return {node["props"]["id"]: text(node) for node in component_nodes(tree)
            if isinstance(node["props"].get("id"), str)}


def table_rows(client, headers: dict[str, str], search: str,  # type: ignore[no-untyped-def]
               table_id: str) -> list[list[str]]:
    """A table of the Benchmark page as the browser gets it when the person opens it."""
    answer = client.post("/_dash-update-component", headers=headers,
                         json=figures_payload(table_id, "/benchmark", search))
    assert answer.status_code == 200, answer.data[:500]
    (sent,) = json.loads(answer.data)["response"].values()  # the one table's holder
    table = find_table(sent["children"], table_id)
    assert table is not None, table_id
    return table_contents(table)[2]


@pytest.mark.parametrize(("search", "name", "figures", "trend", "mix"), [
    ("", "England", ("287.6", "31.3%", "197.6"), ("230.0", "210.0", "250.0"), None),
    ("?benchmark=midlands", "Midlands", ("375.2", "21.3%", "295.2"),
     ("260.0", "220.0", "300.0"), ("66.7", "33.3")),
    ("?benchmark=E54000018", "Alpha ICB", ("530.0", "9.4%", "480.0"),
     ("200.0", "250.0", "300.0"), ("75.0", "25.0")),
])
def test_the_benchmark_with_published_figures_only_for_england_a_region_and_an_icb(
        published_only, search, name, figures, trend, mix):
    engine, app = published_only
    client = app.server.test_client()
    headers = sign_in_client(client, add_user(engine, "place_manager", username=f"pm-{name}"))
    page = benchmark_view(client, headers, search)
    shown = texts(page)
    assert "no-local-data" not in shown and shown["page-title"] == "National benchmark"
    assert f"showing {name}" in shown["benchmark-summary"]
    picker = next(node for node in component_nodes(page)
                  if node["props"].get("id") == "benchmark-picker")
    assert picker["props"]["value"] == {"England": "england", "Midlands": "midlands"}.get(
        name, "E54000018")
    assert [o["value"] for o in picker["props"]["options"]] == [
        "england", "london", "E54000027", "midlands", "E54000018", "E54000019"]
    assert (shown["chosen-nctr-value"], shown["chosen-same-day-value"],
            shown["chosen-remaining-value"]) == figures
    assert shown["england-nctr-per-day"] == "288"  # 7,190 over 25 days
    if name != "England":  # England's figures beside the choice's
        assert (shown["england-nctr-value"], shown["england-same-day-value"],
                shown["england-remaining-value"]) == ("287.6", "31.3%", "197.6")
    # Week by week: the three whole weeks only, not the Sunday before nor the days after.
    assert [row[:2] for row in table_rows(client, headers, search, "trend-table")] == [
        [f"{week:%Y-%m-%d}", value] for week, value in zip(WEEKS, trend, strict=True)]
    reasons = {row[0]: row[1:] for row in table_rows(client, headers, search, "reason-mix-table")}
    england_mix = ["40.0", "60.0"]
    assert [reasons["Hospital process"][-1], reasons["Capacity"][-1]] == england_mix
    if mix:
        assert [reasons["Hospital process"][0], reasons["Capacity"][0]] == list(mix)
    # Every ICB is ranked whatever is chosen.
    assert [row[0] for row in table_rows(client, headers, search, "icb-ranking-table")] == [
        "Alpha ICB", "Beta ICB", "Gamma ICB"]  # 530.0, 272.0, 200.0 per 100,000


def test_an_unknown_choice_says_so_and_shows_england(published_only):
    engine, app = published_only
    client = app.server.test_client()
    headers = sign_in_client(client, add_user(engine, "executive", username="exec-unknown"))
    shown = texts(benchmark_view(client, headers, "?benchmark=atlantis"))
    assert shown["benchmark-choice-message"] == (
        "NHS England publishes no figures for a region or ICB 'atlantis'; showing England.")
    assert shown["chosen-nctr-value"] == "287.6"
    answer = json.dumps(benchmark_view(client, headers, "?benchmark=%3Cscript%3E"))
    assert "not England, a region or an ICB code" in answer and "287.6" in answer


def test_without_local_data_the_other_pages_point_to_the_benchmark(published_only):
    engine, app = published_only
    client = app.server.test_client()
    headers = sign_in_client(client, add_user(engine, "data_manager", username="dm-pages"))
    layout = json.loads(client.get("/_dash-layout").data)
    picker = next(node for node in component_nodes(layout)
                  if node["props"].get("id") == "area-picker")
    assert picker["props"]["options"] == [] and picker["props"]["value"] is None
    callbacks = json.loads(client.get("/_dash-dependencies").data)
    for path in (*PAGES[:-1], "/data"):
        assert path != "/benchmark"
        answer = client.post("/_dash-update-component", headers=headers,
                             json=route_payload(callbacks, path, "?from=2024-06-01"))
        response = json.loads(answer.data)["response"]
        content = response["page-content"]["children"]
        assert texts(content)["page-title"] == PAGES_BY_PATH[path].title
        assert texts(content)["no-local-data"].startswith("There is no local data yet."), path
        link = next(node["props"] for node in component_nodes(content)
                    if node["props"].get("id") == "no-local-data-benchmark-link")
        assert link["href"] == "/benchmark?from=2024-06-01"
        nav = {node["props"]["id"]: node["props"]["href"]
               for node in component_nodes(response["main-nav"]["children"])
               if node.get("type") == "NavLink"}
        # Every page a data manager may open is in the navigation, each keeping the period.
        expected = {f"nav-{page.slug}" for page in REGISTERED_PAGES if page.in_nav
                    and (page.permission is None or "data_manager" in PERMISSIONS[page.permission])}
        assert nav["nav-benchmark"] == "/benchmark?from=2024-06-01" and set(nav) == expected, nav
    # The link works: the Benchmark, England by default.
    shown = texts(benchmark_view(client, headers, "?from=2024-06-01"))
    assert shown["chosen-nctr-value"] == "287.6" and "showing England" in \
        shown["benchmark-summary"]


def test_in_a_browser_without_local_data_choosing_a_region_writes_the_address(published_only):
    from playwright.sync_api import expect

    engine, app = published_only
    with browsing(app.server, add_user(engine, "executive", username="exec-browser")) as (
            page, base_url):
        page.goto(f"{base_url}/")
        expect(page.locator("#no-local-data")).to_contain_text("There is no local data yet")
        page.locator("#no-local-data-benchmark-link").click()
        expect(page.locator("#chosen-nctr-value")).to_have_text("287.6")  # England
        page.locator("#benchmark-picker").click()
        page.get_by_role("option", name="Midlands (region)").click()
        expect(page).to_have_url(f"{base_url}/benchmark?benchmark=midlands")
        expect(page.locator("#chosen-nctr-value")).to_have_text("375.2")
        page.go_back()
        expect(page.locator("#chosen-nctr-value")).to_have_text("287.6")
        page.locator("#nav-today").click()
        expect(page.locator("#no-local-data")).to_be_visible()


# Last: on PostgreSQL every test shares one database, and this one empties it (its own
# ``engine``), so the module's fixtures above must be done with it.
def test_with_local_data_the_areas_icb_is_the_default_and_any_role_may_choose_another(
        engine, database_url, tmp_path):
    assert load_published(engine, write_folder(tmp_path / "sitreps", hand_made_published()),
                          geography=write_folder(tmp_path / "geo", HAND_MADE_GEOGRAPHY)).loaded
    assert load_files(engine, tmp_path / "local", {"areas.csv": """\
        code,name,level,parent_code,population_65_plus
        E54000018,Alpha system,icb,,20000
        DA,Alpha place,district,E54000018,8000
        """}).loaded
    app = create_app(Settings(database_url=database_url, clock=FixedClock(TODAY_AT)), engine)
    client = app.server.test_client()
    headers = sign_in_client(client, add_user(engine, "hub_lead", ("DA",)))
    shown = texts(benchmark_view(client, headers, ""))  # the hub's place, in Alpha
    assert "showing Alpha ICB" in shown["benchmark-summary"]
    assert shown["chosen-nctr-value"] == "530.0"
    for search, name, figure in (("?benchmark=E54000027", "Gamma ICB", "200.0"),  # 2,500 / 25
                                 ("?benchmark=london", "London", "200.0"),
                                 ("?area=DA&benchmark=england", "England", "287.6")):
        shown = texts(benchmark_view(client, headers, search))
        assert "access-denied" not in shown and f"showing {name}" in shown["benchmark-summary"]
        assert shown["chosen-nctr-value"] == figure
    # Local areas stay in scope: the system above the hub's place is not theirs to choose.
    assert "access-denied" in texts(benchmark_view(client, headers, "?area=E54000018"))
