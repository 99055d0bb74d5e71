"""The Data page's component tree, rendered by its callback on hand-made data (the data of
tests/test_quality.py, where every figure is worked out): sources, deliveries, checks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from dash import html

from callbacks import data as data_page
from dashboard.cache import ViewCache
from dashboard.clock import FixedClock
from dashboard.context import AppContext
from dashboard.url_state import read_view_state
from data_access.deliveries import recent_deliveries
from data_access.loader import load_folder
from layouts.components import body_row
from layouts.data import deliveries_block
from layouts.static_html import StaticHtml
from tests.builders import AREAS, GEOGRAPHY, feed_source, system_area, write_folder
from tests.test_quality import (
    BAD_EPISODES,
    FEED_RECORDS,
    LOADED_AT,
    NOW,
    QUALITY_FILES,
    deliver,
)


def prop(node: Any, name: str) -> Any:
    """A component's property, whether an object or (table rows) the JSON Dash sends."""
    if isinstance(node, dict):
        return node.get("props", {}).get(name)
    return getattr(node, name, None)


def is_a(node: Any, kind: type) -> bool:
    return isinstance(node, kind) or (isinstance(node, dict) and node.get("type") == kind.__name__)


def walk(node: Any) -> Iterator[Any]:
    """Every component and string in the tree, depth first (through a StaticHtml's content,
    and its rows as the elements they are drawn as)."""
    yield node
    for name in ("children", "content"):
        children = prop(node, name)
        if isinstance(children, list | tuple):
            for child in children:
                yield from walk(child)
        elif children is not None:
            yield from walk(children)
    if is_a(node, StaticHtml):
        for row in prop(node, "rows") or ():
            yield from walk(body_row(row))


def by_id(tree: Any, element_id: str) -> Any:
    found = [node for node in walk(tree) if getattr(node, "id", None) == element_id]
    assert len(found) == 1, f"{element_id}: {len(found)} elements"
    return found[0]


def text(node: Any) -> str:
    return " ".join(str(n) for n in walk(node) if isinstance(n, str | int | float))


def table_rows(table: Any) -> list[list[str]]:
    """The text of each body row's cells."""
    body = next(n for n in walk(table) if is_a(n, html.Tbody))
    return [[text(cell) for cell in prop(row, "children")] for row in walk(body)
            if is_a(row, html.Tr)]


@pytest.fixture
def page(engine, tmp_path):
    # Load ids: the quality files 1-6, council 7, the rejected file 8, ward 9, care homes 10,
    # therapy 11 (the quality files are loaded at LOADED_AT, after every time they hold).
    report = load_folder(engine, write_folder(tmp_path / "quality", QUALITY_FILES),
                         clock=FixedClock(LOADED_AT))
    assert report.loaded, report.summary()
    for source, every in (("ward-system", 60), ("care-homes", 10), ("therapy", 30),
                          ("council", None)):
        feed_source(engine, source, NOW, kinds=("episodes",), every_minutes=every)
    assert deliver(engine, FEED_RECORDS, "council", datetime(2026, 11, 24, 8, 15)).loaded
    bad = write_folder(tmp_path / "bad", {"episodes.csv": BAD_EPISODES})
    assert not load_folder(engine, bad, clock=FixedClock(datetime(2026, 11, 25, 8, 0))).loaded
    # Each source its own records (the council's are its own to change).
    for source in ("ward-system", "care-homes"):
        records = [{**record, "episode_id": f"{source}-{record['episode_id']}"}
                   for record in FEED_RECORDS]
        assert deliver(engine, records, source, datetime(2026, 11, 25, 8, 15)).loaded
    bad_record = [{**FEED_RECORDS[0], "sex": "X"}]
    assert not deliver(engine, bad_record, "therapy", datetime(2026, 11, 25, 8, 20)).loaded
    clock = FixedClock(NOW)
    context = AppContext(engine=engine, clock=clock, views=ViewCache(engine, clock))
    area = system_area(engine, "ICB1")
    state = read_view_state("?area=ICB1", NOW.date())
    return data_page.render(context, area, state, lambda path: f"{path}?area=ICB1")


def test_title_and_headings_in_order(page):
    assert text(by_id(page, "page-title")) == "Data: Test system"
    headings = [(type(n).__name__, text(n)) for n in walk(page)
                if isinstance(n, html.H1 | html.H2 | html.H3 | html.H4 | html.H5 | html.H6)]
    assert headings == [
        ("H1", "Data: Test system"), ("H2", "Sources"), ("H2", "Deliveries"), ("H2", "Checks"),
        ("H3", "NCTR time missing"), ("H3", "Delay reason missing for a person waiting"),
        ("H3", "Service started before NCTR"),
        ("H3", "Latest capacity report: more occupied than places"),
        ("H3", "Capacity reports in the last 30 days: more occupied than places"),
        ("H3", "Waiting in hospital for more than 60 days"),
        ("H3", "In intermediate care for more than 120 days")]


def test_sources_with_their_status_in_words(page):
    rows = table_rows(by_id(page, "sources-table"))
    assert [(r[0], r[1], r[3], r[4]) for r in rows] == [
        ("care-homes", "every 10 min", "QUIET", "episodes"),  # 15 min since its delivery
        ("council", "not set", "no interval set", "episodes"),
        ("therapy", "every 30 min", "never delivered", "–"),  # its one delivery was rejected
        ("ward-system", "every 60 min", "on time", "episodes"),
    ]
    assert rows[3][2] == "08:15 Wed 25 Nov 2026 (15 min ago)"
    assert rows[2][2] == "never"


def test_deliveries_with_rejection_reasons(page, tmp_path):
    rows = table_rows(by_id(page, "deliveries-table"))
    # Newest first: therapy's rejected record, two feed deliveries, the rejected file, the
    # council's delivery, then the quality batch's six files in contract order.
    # Read, accepted, rejected, and what was written ("–": nothing).
    assert [(r[0], r[2], r[3], r[4], r[5], r[6:10]) for r in rows] == [
        ("2026-11-25 08:20", "therapy", "feed", "episodes", "rejected", ["1", "0", "1", "–"]),
        ("2026-11-25 08:15", "care-homes", "feed", "episodes", "loaded",
         ["2", "2", "0", "2 new"]),
        ("2026-11-25 08:15", "ward-system", "feed", "episodes", "loaded",
         ["2", "2", "0", "2 new"]),
        ("2026-11-25 08:00", str(tmp_path / "bad"), "file", "episodes", "rejected",
         ["3", "0", "2", "–"]),
        ("2026-11-24 08:15", "council", "feed", "episodes", "loaded", ["2", "2", "0", "2 new"]),
        *[("2026-11-25 12:00", str(tmp_path / "quality"), "file", kind, "loaded",
           [str(n), str(n), "0", f"{n} new"])
          for kind, n in [("areas", 5), ("sites", 1), ("services", 4), ("episodes", 28),
                          ("delays", 5), ("capacity", 8)]],
    ]
    reasons = by_id(page, "delivery-8-reasons")
    assert isinstance(reasons, html.Details)
    assert [text(li) for li in walk(reasons) if isinstance(li, html.Li)] == [
        "line 3: admitted_at: 'yesterday' is not an ISO 8601 timestamp",
        "line 4: nctr_at is before admitted_at"]
    record = by_id(page, "delivery-11-reasons")
    assert [text(li) for li in walk(record) if isinstance(li, html.Li)] == [
        "record 0: sex: 'X' is not one of F, M, U"]
    assert rows[1][10] == ""  # nothing rejected: no reasons


def test_checks_show_counts_and_name_the_records(page):
    counts = {check: text(by_id(page, f"check-{check}-count")) for check in (
        "nctr-missing", "reason-missing", "service-before-nctr", "capacity-over-places-now",
        "capacity-over-places-recent", "stuck-in-hospital", "stuck-in-service")}
    assert counts == {"nctr-missing": "3", "reason-missing": "4", "service-before-nctr": "2",
                      "capacity-over-places-now": "2", "capacity-over-places-recent": "3",
                      "stuck-in-hospital": "2", "stuck-in-service": "2"}
    assert text(by_id(page, "checks-summary")).startswith("7 of 7 checks flag records")
    assert table_rows(by_id(page, "check-service-before-nctr-table")) == [
        ["C1", "S1", "1", "P1H", "2026-11-20 12:00", "2026-11-20 10:00", "-2.0"],
        ["C3", "S1", "2", "P2B", "2026-11-21 12:00", "2026-11-19 12:00", "-48.0"]]
    assert table_rows(by_id(page, "check-nctr-missing-table"))[0] == [
        "Q4", "S1", "", "2026-11-22 10:00", "2026-11-25 08:30", "", ""]
    assert [r[0] for r in table_rows(by_id(page, "check-reason-missing-table"))] == [
        "R7", "R4", "R1", "R2"]
    assert table_rows(by_id(page, "check-stuck-in-hospital-table")) == [
        ["H4", "S1", "", "2026-06-20 10:00", "2026-07-01 10:00", "147.0"],
        ["H1", "S1", "", "2026-09-20 10:00", "2026-09-26 09:29", "60.0"]]
    assert table_rows(by_id(page, "check-capacity-over-places-now-table")) == [
        ["P1H", "2026-11-25 08:00", "10", "11"], ["P3C", "2026-09-01 08:00", "5", "6"]]
    card = by_id(page, "check-stuck-in-service")
    assert "Affects: Flow" in text(card)
    link = next(n for n in walk(card) if getattr(n, "href", None))
    assert link.href == "/flow?area=ICB1"


def test_tables_are_captioned_with_header_scopes(page):
    tables = [n for n in walk(page) if isinstance(n, html.Table)]
    assert len(tables) == 2 + 7
    for table in tables:
        assert any(isinstance(n, html.Caption) for n in walk(table)), table.id
        headers = [n for n in walk(table) if is_a(n, html.Th)]
        assert headers and all(prop(h, "scope") in ("col", "row") for h in headers), table.id


def test_a_place_checks_its_own_records(engine, tmp_path):
    report = load_folder(engine, write_folder(tmp_path / "quality", QUALITY_FILES),
                         clock=FixedClock(LOADED_AT))
    assert report.loaded
    clock = FixedClock(NOW)
    context = AppContext(engine=engine, clock=clock, views=ViewCache(engine, clock))
    tree = data_page.render(context, system_area(engine, "D2"),
                            read_view_state("?area=D2", NOW.date()), lambda path: path)
    assert text(by_id(tree, "page-title")) == "Data: Place two"
    assert text(by_id(tree, "check-reason-missing-count")) == "3"
    assert text(by_id(tree, "sources-none")).startswith("No feed sources are registered")
    assert [r[0] for r in table_rows(by_id(tree, "check-reason-missing-table"))] == [
        "R7", "R4", "R2"]


def test_each_load_says_what_it_wrote(engine, tmp_path):
    folder = write_folder(tmp_path / "geography", GEOGRAPHY)
    for _ in range(2):
        assert load_folder(engine, folder, clock=FixedClock(LOADED_AT)).loaded
    write_folder(folder, {"areas.csv": AREAS.replace("Place two", "Place 2")})
    assert load_folder(engine, folder, clock=FixedClock(LOADED_AT)).loaded
    rows = table_rows(deliveries_block(recent_deliveries(engine), {}))
    assert [(r[4], r[9]) for r in rows] == [
        ("areas", "1 changed, 4 unchanged"), ("sites", "1 unchanged"),
        ("services", "4 unchanged"),
        ("areas", "5 unchanged"), ("sites", "1 unchanged"), ("services", "4 unchanged"),
        ("areas", "5 new"), ("sites", "1 new"), ("services", "4 new")]
