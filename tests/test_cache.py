"""The view cache keeps each view as the plain JSON data Dash sends: made with orjson, it must be
exactly what Plotly's own encoder makes of the same components and figures."""

from __future__ import annotations

import json
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from dash import dcc, html
from plotly.io.json import to_json_plotly

from dashboard.cache import as_sent
from dashboard.spc import series, spc
from layouts import figures
from layouts.spc_figure import spc_figure


def test_as_sent_equals_plotly_s_own_json_for_components_figures_and_pandas_values():
    days = pd.date_range("2026-09-01", periods=30, freq="D")
    values = pd.Series(np.r_[np.arange(29, dtype=float), np.nan])
    tree = html.Div([
        dcc.Graph(figure=figures.lines(list(days.date), {"waiting": list(values)},
                                       axis_title="people")),
        dcc.Graph(figure=spc_figure(spc(series(days.date, values.fillna(3))), title_y="people")),
        html.Span(np.int64(3)), html.Span(np.float64(2.5)), html.Span(float("nan")),
        html.Time(pd.Timestamp("2026-11-25 08:30")), html.Time(date(2026, 11, 25)),
        html.Time(datetime(2026, 11, 25, 8, 30)), html.Ul(pd.Series(["a", "b"])),
        html.P(None), html.P([pd.NaT]),
    ])
    assert as_sent(tree) == json.loads(to_json_plotly(tree))


def test_an_object_the_browser_cannot_take_is_an_error_not_a_guess():
    with pytest.raises(TypeError):
        as_sent(html.Div(object()))


def test_table_rows_made_as_json_are_what_the_components_would_send():
    from layouts.components import component_nodes, data_table

    rows = [("Mon 3 Nov", 12, 4.5), ("Tue 4 Nov", 0, None)]
    sent = as_sent(data_table(["day", "people", "hours"], rows, "t", "caption"))
    table = next(node for node in sent["props"]["children"] if node["type"] == "Table")
    body = next(node for node in table["props"]["children"] if node["type"] == "Tbody")
    rows_sent = body["props"]["children"]  # one StaticHtml (layouts/static_html.py)
    assert rows_sent["type"] == "StaticHtml"
    assert rows_sent["props"]["rows"] == [["Mon 3 Nov", "12", "4.5"], ["Tue 4 Nov", "0", "None"]]
    # Read (exports, tests) as the html components the browser draws them as.
    assert [node for node in component_nodes(rows_sent) if node["type"] == "Tr"] == as_sent([
        html.Tr([html.Th(str(day), scope="row"), html.Td(str(people)), html.Td(str(hours))])
        for day, people, hours in rows])


def test_an_encoded_view_is_sent_byte_for_byte_as_dash_would_send_it():
    from dash._utils import to_json

    from dashboard.cache import encoded

    view = as_sent(html.Div([html.P("<script>alert(1)</script> & </div>"),
                             dcc.Graph(figure=figures.horizontal_bars(
                                 ["a", "b"], [1, 2], axis_title="people"))]))
    response = {"multi": True, "response": {"page-content": {"children": view}}}
    encoded_response = {"multi": True,
                        "response": {"page-content": {"children": encoded(view)}}}
    assert to_json(encoded_response) == to_json(response)
    assert "<script>" not in to_json(encoded_response)  # still escaped for HTML
