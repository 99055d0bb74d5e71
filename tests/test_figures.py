"""Figures are served as plain data, without Plotly's Figure object or its per-property
validation (they cost 3.4 ms a chart): what is sent must be what a validated Figure would send,
on every page. (Plotly writes an array of numbers as a typed array, base64 in ``bdata``; the
plain data writes the same numbers as a list. plotly.js reads both alike.)"""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np
import pytest

import layouts.figures
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
            monkeypatch.setattr(layouts.figures, "VALIDATE", validate)
            response = client.post("/_dash-update-component",
                                   json=route_payload(callbacks, path, "?area=ICB1"))
            assert response.status_code == 200, (path, response.data[:300])
            sent[validate] = response.get_data(as_text=True)
        assert json.loads(sent[False]) == as_lists(json.loads(sent[True])), path  # key order aside
        charts += sent[False].count('"figure":')
    assert charts >= 20, charts  # the pages drew their charts


def as_lists(sent: Any) -> Any:
    """``sent`` with each typed array Plotly wrote (``{"dtype": "f8", "bdata": ...}``) as the
    list of its numbers."""
    if isinstance(sent, dict) and set(sent) in ({"dtype", "bdata"}, {"dtype", "bdata", "shape"}):
        return np.frombuffer(base64.b64decode(sent["bdata"]), dtype=sent["dtype"]).tolist()
    if isinstance(sent, dict):
        return {key: as_lists(value) for key, value in sent.items()}
    if isinstance(sent, list):
        return [as_lists(value) for value in sent]
    return sent


def test_a_typed_array_is_read_as_its_numbers() -> None:
    written = base64.b64encode(np.array([1.5, -2.0]).tobytes()).decode()
    assert as_lists({"x": [{"dtype": "f8", "bdata": written}]}) == {"x": [[1.5, -2.0]]}
    assert as_lists({"dtype": "i1", "bdata": base64.b64encode(bytes([3, 4])).decode()}) == [3, 4]


# Chart margins worked out before drawing (layouts/figures.py), so that Plotly's automargin has
# nothing to add and draws each chart once. Widths by hand from Arial's advance widths (per 1,000
# of the font size): C 722, a 556, p 556, c 500, i 222, t 278, y 500, space 278, H 722, o 556.
def test_a_names_width_is_the_sum_of_its_letters_advance_widths():
    from layouts.figures import text_width

    # C + a + p + a + c + i + t + y = 722 + 556 + 556 + 556 + 500 + 222 + 278 + 500 = 3,890
    assert text_width("Capacity", 14) == pytest.approx(3890 * 14 / 1000)  # 54.46 px
    assert text_width("Hop", 10) == pytest.approx((722 + 556 + 556) * 10 / 1000)
    assert text_width("é", 10) == pytest.approx(5.56)  # not in the table: a digit's width


def test_a_category_axis_leaves_room_for_its_longest_name():
    from layouts.figures import category_margin, horizontal_bars

    # "Capacity" 54.46 px, "Hop" 25.70 px at 14 px; the longest plus a 10 px gap: 64.46 -> 64.
    assert category_margin(["Hop", "Capacity"]) == 64
    chart = horizontal_bars(["Hop", "Capacity"], [3, 4], axis_title="people")
    assert chart["layout"]["margin"]["l"] == 64


def test_a_legend_below_gets_a_line_more_each_time_its_names_wrap():
    from layouts.figures import (
        LEGEND_BELOW_MARGIN,
        LEGEND_LINE_PX,
        LEGEND_SYMBOL_PX,
        LEGEND_WIDTH_PX,
        legend_below_margin,
        text_width,
    )

    short = ["Hop", "Capacity"]  # 25.70 + 54.46 + 2 symbols: well within one line
    assert legend_below_margin(short) == LEGEND_BELOW_MARGIN
    name = "Capacity " * 6  # 6 x (54.46 + 3.89) = 350.1 px: one such name fills a line
    assert text_width(name, 14) + LEGEND_SYMBOL_PX > LEGEND_WIDTH_PX / 2
    assert legend_below_margin([name, name, name]) == LEGEND_BELOW_MARGIN + 2 * LEGEND_LINE_PX
