"""Every table of figures says what each of its columns holds (``kinds``), so an export for
sharing applies the small-number rule (dashboard.disclosure) column by column: in the source,
on real pages rendered on hand-made data, and on one table worked out by hand."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from flask import Flask

from callbacks.export import find_table, table_contents
from callbacks.shell import renderer
from dashboard.cache import ViewCache, as_sent
from dashboard.clock import FixedClock
from dashboard.context import AppContext
from dashboard.disclosure import SUPPRESSED, shared_rows
from dashboard.pages import GLOSSARY_PATH, PAGES, PAGES_BY_PATH
from dashboard.spc import spc, weekly_series
from dashboard.url_state import read_view_state
from data_access.db import make_engine
from data_access.metrics.benchmark import choices, sum_of_icbs
from data_access.metrics.outlook import outlook_backtest
from layouts import benchmark as benchmark_layout
from layouts import capacity as capacity_layout
from layouts.components import component_nodes
from tests.accounts import add_user
from tests.builders import (
    GEOGRAPHY,
    TODAY_AT,
    TODAY_CAPACITY,
    TODAY_DELAYS,
    TODAY_EPISODES,
    load_files,
    system_area,
)
from tests.conftest import fresh_database

LAYOUTS = Path(__file__).resolve().parent.parent / "layouts"
# The huddle lists people, not figures to share (its export for sharing is refused), and
# components.py defines data_table.
NOT_CHECKED = {"huddle.py", "components.py"}
PERIOD = "from=2026-11-02&to=2026-11-24"

# Ten services started in the week of Monday 2 November, in Place two (N2), NCTR at 08:00 on the
# 2nd and the service starting 10, 12, 14, 16, 18, 20, 22, 30, 40 and 50 hours later.
KNOWN_HOURS = (10, 12, 14, 16, 18, 20, 22, 30, 40, 50)
KNOWN_EPISODES = "".join(
    f"K{i},k{i},S1,N2,80,F,2026-10-30T10:00,2026-11-02T08:00,2026-11-02T09:00,1,"
    f"{start},P1H,{start},,,,\n"
    for i, start in enumerate(
        (pd.Timestamp("2026-11-02T08:00") + pd.Timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M")
        for h in KNOWN_HOURS))


def test_every_data_table_in_the_layouts_declares_its_kinds() -> None:
    calls: dict[str, int] = {}
    for path in sorted(LAYOUTS.glob("*.py")):
        if path.name in NOT_CHECKED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and (
                    getattr(node.func, "id", None) == "data_table"
                    or getattr(node.func, "attr", None) == "data_table"):
                keywords = {k.arg for k in node.keywords}
                assert "kinds" in keywords, f"{path.name}:{node.lineno}: no kinds"
                calls[path.name] = calls.get(path.name, 0) + 1
    # The walk found the tables it should (a renamed function would pass vacuously).
    assert set(calls) >= {"today.py", "delays.py", "time_to_service.py", "capacity.py",
                          "flow.py", "outcomes.py", "places.py", "benchmark.py", "data.py",
                          "admin.py"}
    assert sum(calls.values()) >= 37  # as of writing


@pytest.fixture(scope="module")
def context(migrated_template, tmp_path_factory) -> Iterator[AppContext]:
    folder = tmp_path_factory.mktemp("kinds")
    engine = make_engine(fresh_database(migrated_template, folder))
    report = load_files(engine, folder / "batch", {
        **GEOGRAPHY, "episodes.csv": TODAY_EPISODES + KNOWN_EPISODES,
        "capacity.csv": TODAY_CAPACITY, "delays.csv": TODAY_DELAYS})
    assert report.loaded, report.summary()
    add_user(engine, "executive")
    clock = FixedClock(TODAY_AT)
    # A page keeps its period's figures in the view cache (callbacks.common.for_the_day): the
    # cache, here one that keeps nothing, works within an app, as when the app serves them.
    views, server = ViewCache(engine, clock, cache_type="null"), Flask(__name__)
    views.init_app(server)
    with server.app_context():
        yield AppContext(engine=engine, clock=clock, views=views)
    engine.dispose()


# Pages rendered below from the registry: all but the Huddle (person rows, as a hub lead sees
# them: tests/test_huddle.py), the Benchmark (published figures: built by hand below) and the
# help pages (no tables).
NOT_RENDERED_HERE = {"/huddle", "/benchmark", "/how-we-count", GLOSSARY_PATH}


def render(context: AppContext, path: str, area_code: str = "ICB1") -> Any:
    """A page's tree as Dash sends it (plain JSON), as the export reads it."""
    state = read_view_state(f"?area={area_code}&{PERIOD}", TODAY_AT.date())
    tree = renderer(PAGES_BY_PATH[path])(context, system_area(context.engine, area_code), state,
                                         lambda path: f"{path}?area={area_code}")
    return as_sent(tree)


def benchmark_tree() -> Any:
    icbs = pd.DataFrame({
        "code": ["Q1", "Q2"], "name": ["ICB one", "ICB two"], "region": ["North", "South"],
        "population_65_plus": [250_000.0, 120_000.0], "nctr_per_100k": [40.5, 52.0],
        "same_day_percent": [61.0, 55.5], "remaining_per_100k": [30.1, 41.9], "days": [84, 80],
        "nctr": [8_505, 4_992], "discharged": [5_188, 2_770]})
    trusts = pd.DataFrame({
        "name": ["Trust A", "Trust B"], "region": ["North", None], "icb_code": ["Q1", "Q2"],
        "nctr_per_day": [101.5, 48.0], "same_day_percent": [60.0, 52.5],
        "remaining_per_day": [70.2, 30.0], "days": [84, 80]})
    mix = pd.DataFrame({"reason_group": ["Capacity"], "patients": [12], "share": [100.0]})
    options = choices(icbs)
    weeks = pd.DataFrame({"week_start": [date(2024, 12, 2), date(2024, 12, 9)],
                          "nctr_per_100k": [40.2, 41.7]})
    view = benchmark_layout.BenchmarkView(
        first_day=date(2024, 10, 9), last_day=date(2024, 12, 31), icbs=icbs, trusts=trusts,
        choice=options["Q1"], choices=tuple(options.values()),
        chosen=sum_of_icbs(icbs[icbs.code == "Q1"]), england=sum_of_icbs(icbs),
        trend=spc(weekly_series(weeks, "nctr_per_100k", date(2024, 12, 2), date(2024, 12, 15))),
        reason_month=date(2024, 12, 1), chosen_mix=mix, england_mix=mix)
    return as_sent(benchmark_layout.build(view, lambda path: path))


@pytest.fixture(scope="module")
def pages(context) -> dict[str, Any]:
    trees = {page.slug: render(context, page.path) for page in PAGES
             if page.path not in NOT_RENDERED_HERE}
    trees["places-D2"] = render(context, "/places", "D2")
    trees["outlook-backtest"] = as_sent(capacity_layout.backtest_block(
        outlook_backtest(context.engine, system_area(context.engine, "ICB1"), TODAY_AT), (1, 2, 3)))
    trees["benchmark"] = benchmark_tree()
    return trees


def exported_tables(tree: Any) -> set[str]:
    """The ids of the tables with export buttons (every table made by data_table)."""
    return {node["props"]["data-table"] for node in component_nodes(tree)
            if node.get("type") == "Button" and "data-table" in node["props"]}


def test_every_exported_table_has_one_kind_per_column_naming_real_columns(pages) -> None:
    seen: set[str] = set()
    for name, tree in pages.items():
        for table_id in exported_tables(tree):
            table = find_table(tree, table_id)
            assert table is not None, f"{name}: {table_id}"
            declared = table["props"].get("data-kinds")
            assert declared, f"{name}: {table_id} declares no kinds"
            kinds = declared.split("|")
            _, columns, rows = table_contents(table)
            assert len(kinds) == len(columns), f"{name}: {table_id}: {kinds} for {columns}"
            for kind in kinds:
                if kind.startswith(("average:", "share:")):
                    base = kind.split(":", 1)[1]
                    assert base in columns, f"{name}: {table_id}: {kind} names no column"
                    assert kinds[columns.index(base)] == "count", f"{table_id}: {kind}"
                else:
                    assert kind in ("label", "count", "measure"), f"{table_id}: {kind}"
            # The export for sharing takes every row of it without an error.
            assert len(shared_rows(columns, rows, kinds)) == len(rows)
            seen.add(table_id)
    # The pages drew the tables of every kind of column (a page that failed to draw one
    # would let this test pass on less).
    assert seen >= {
        "bands-table", "reason-group-table", "reasons-table", "remaining-table",
        "weekly-mix-table", "accumulation-table", "bands-tts-table", "weekly-hours-table",
        "stages-table", "tts-places-table", "within-spc-table", "demand-supply-table",
        "capacity-pathway-table", "services-table", "capacity-area-table",
        "outlook-table-p1", "outlook-backtest-table", "journeys-table", "starts-ends-table",
        "mix-table", "flow-spc-0-table", "at-home-quarters-table", "outcomes-pathway-table",
        "waiting-funnel-table", "within-funnel-table", "users-table", "audit-table",
        "check-reason-missing-table", "check-capacity-over-places-now-table", "icb-table",
        "trust-table", "reason-mix-table", "icb-ranking-table", "trend-table"}


def test_a_data_table_without_the_right_number_of_kinds_is_refused() -> None:
    from layouts.components import data_table

    with pytest.raises(ValueError):
        data_table(["Area", "People"], [("A", 1)], "t", "caption", kinds=["label"])
    block = data_table(["Area", "People"], [("A", 1)], "t", "c", kinds=["label", "count"])
    table = next(n for n in component_nodes(as_sent(block)) if n["type"] == "Table")
    assert table["props"]["data-kinds"] == "label|count"


def shared_table(tree: Any, table_id: str) -> tuple[list[str], list[list[str]], list[list[str]]]:
    table = find_table(tree, table_id)
    _, columns, rows = table_contents(table)
    return columns, rows, shared_rows(columns, rows, table["props"]["data-kinds"].split("|"))


def test_weekly_hours_shared_by_hand(pages) -> None:
    """ICB1, 2 to 24 November. Week of 2 Nov: the ten K episodes, hours 10 ... 50: median
    (18 + 20) / 2 = 19.0, 90th percentile at rank 0.9 x 9 = 8.1, 40 + 0.1 x (50 - 40) = 41.0.
    Week of 16 Nov: E11 (24 h, 18 Nov) and E10 (50 h, 21 Nov): median 37.0, 90th percentile
    24 + 0.9 x 26 = 47.4. Week of 23 Nov: E9 (24 h) and E7 (28 h, both 24 Nov): median 26.0,
    90th percentile 24 + 0.9 x 4 = 27.6. Shared: 10 started stays 10 with its median and
    percentile; 2 started is "*" and so are the median and percentile over them."""
    columns, rows, shared = shared_table(pages["time-to-service"], "weekly-hours-table")
    assert columns == ["Week from", "Median", "90th percentile", "Started"]
    assert rows == [["02 Nov", "19.0 h", "41.0 h", "10"],
                    ["16 Nov", "37.0 h", "47.4 h", "2"],
                    ["23 Nov", "26.0 h", "27.6 h", "2"]]
    assert shared == [["02 Nov", "19.0 h", "41.0 h", "10"],
                      ["16 Nov", SUPPRESSED, SUPPRESSED, SUPPRESSED],
                      ["23 Nov", SUPPRESSED, SUPPRESSED, SUPPRESSED]]


def test_time_to_service_by_home_area_shared_by_hand(pages) -> None:
    """Place one (D1): E7 (28 h) and E11 (24 h): 2 started, median 26.0 h, 1 of 2 within 24 h
    (50%); shared, nothing but the name and the SPC words. Place two (D2): the ten K episodes,
    E9 (24 h) and E10 (50 h): 12 started (shared to the nearest 5: 10); sorted hours 10 12 14
    16 18 20 22 24 30 40 50 50, median (20 + 22) / 2 = 21.0 h; 8 of 12 within 24 h (at most
    24.0): 67%, withheld: it implies 4 people not within 24 h."""
    columns, rows, shared = shared_table(pages["time-to-service"], "tts-places-table")
    assert columns == ["Area", "Started", "Median", "Median: variation", "Within 24 h",
                       "Within 24 h: variation"]
    assert [[r[0], r[1], r[2], r[4]] for r in rows] == [["Place one", "2", "26.0 h", "50%"],
                                                       ["Place two", "12", "21.0 h", "67%"]]
    assert shared == [["Place one", SUPPRESSED, SUPPRESSED, rows[0][3], SUPPRESSED, rows[0][5]],
                      # 67% of 12 leaves 4 people outside 24 h: the share would give them away.
                      ["Place two", "10", "21.0 h", rows[1][3], SUPPRESSED, rows[1][5]]]


def test_occupancy_is_withheld_with_a_small_occupied_count(pages) -> None:
    """Capacity at 08:30 on 25 Nov, latest reports at most 24 h old. Place one: P1H, 10 places,
    7 occupied, 1 unavailable, 2 free, 7 of 9 open places: 78%. Place two: P1X (exactly 24 h
    old, so current), 5 places, 6 occupied, none free (not below 0), 6 of 5: 120%; P3C never
    reported. The system: P2B's report is 24.5 h old, not counted. Shared, 7 and 6 occupied are
    "*" and so is the occupancy that would give them away; zeros stay 0."""
    columns, rows, shared = shared_table(pages["capacity"], "capacity-area-table")
    assert columns == ["Area", "Places", "Occupied", "Unavailable", "Free", "Occupancy",
                       "Without a current report"]
    assert rows == [["Place one", "10", "7", "1", "2", "78%", "0"],
                    ["Place two", "5", "6", "0", "0", "120%", "1"],
                    ["Test system", "0", "0", "0", "0", "–", "1"]]
    assert shared == [["Place one", "10", "*", "*", "*", "*", "0"],
                      ["Place two", "*", "*", "0", "0", "*", "1"],
                      ["Test system", "0", "0", "0", "0", "–", "1"]]
    # Pathway 1 over both: 15 places, 13 occupied (to the nearest 5: 15), 13 of 14: 93%, withheld.
    columns, rows, shared = shared_table(pages["capacity"], "capacity-pathway-table")
    assert rows[0][:6] == ["P1 home-based", "15", "13", "1", "2", "93%"]
    # 93% over 13 implies a group of 1 on the other side: withheld too (conservative).
    assert shared[0][:6] == ["P1 home-based", "15", "15", "*", "*", "*"]


def test_the_times_of_a_flagged_record_are_withheld_but_not_its_identifiers(pages) -> None:
    columns, rows, shared = shared_table(pages["data"], "check-reason-missing-table")
    assert columns[:3] == ["episode_id", "site_code", "pathway"] and rows
    for row, out in zip(rows, shared, strict=True):
        assert out[:3] == row[:3]
        assert out[3:] == [SUPPRESSED] * (len(columns) - 3)
