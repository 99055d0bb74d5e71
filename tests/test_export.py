"""Exports over HTTP: the table on the page as CSV or Excel, for the team or (small-number rule)
for sharing; the same checks as the page; every export recorded."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from dashboard.app_factory import create_app
from dashboard.clock import FixedClock
from dashboard.config import Settings
from dashboard.disclosure import RULE_TEXT
from data_access.audit import recent_events
from data_access.metrics.waiting import waiting_at
from tests.accounts import add_user, sign_in_client
from tests.builders import GEOGRAPHY, TODAY_AT, TODAY_EPISODES, load_files

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
    bands = waiting_at(engine, "ICB1", TODAY_AT).by_band
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
    bands = waiting_at(engine, "ICB1", TODAY_AT).by_band
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
