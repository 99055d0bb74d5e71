"""Figures are served without Plotly's per-property validation (it costs 3 ms a chart): what is
sent must be exactly what a validated figure would send, on every page."""

from __future__ import annotations

import json

import pytest

import dashboard.figures
from benchmarks.payloads import route_payload
from dashboard.app_factory import create_app
from dashboard.clock import FixedClock
from dashboard.config import Settings
from dashboard.pages import PAGES
from tests.accounts import add_user, sign_in_client
from tests.builders import GEOGRAPHY, TODAY_AT, TODAY_CAPACITY, TODAY_EPISODES, load_files

AGGREGATE_PAGES = [page.path for page in PAGES if page.permission != "people"
                   and page.path != "/admin"]


@pytest.fixture
def client(engine, database_url, tmp_path):  # type: ignore[no-untyped-def]
    assert load_files(engine, tmp_path / "batch", {**GEOGRAPHY, "episodes.csv": TODAY_EPISODES,
                                                   "capacity.csv": TODAY_CAPACITY}).loaded
    app = create_app(Settings(database_url=database_url, clock=FixedClock(TODAY_AT),
                              cache_type="null"), engine)
    client = app.server.test_client()
    client.environ_base["HTTP_X_CSRFTOKEN"] = sign_in_client(
        client, add_user(engine, "data_manager"))["X-CSRFToken"]
    return client


def test_every_page_sends_the_same_figures_as_with_validation(client, monkeypatch):
    callbacks = json.loads(client.get("/_dash-dependencies").data)
    charts = 0
    for path in AGGREGATE_PAGES:
        sent = {}
        for validate in (True, False):
            monkeypatch.setattr(dashboard.figures, "VALIDATE", validate)
            response = client.post("/_dash-update-component",
                                   json=route_payload(callbacks, path, "?area=ICB1"))
            assert response.status_code == 200, (path, response.data[:300])
            sent[validate] = response.get_data(as_text=True)
        assert json.loads(sent[False]) == json.loads(sent[True]), path  # key order aside
        charts += sent[False].count('"figure":')
    assert charts >= 20, charts  # the pages drew their charts
