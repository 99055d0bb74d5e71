"""The view cache keeps each view as the plain JSON data Dash sends: made with orjson, it must be
exactly what Plotly's own encoder makes of the same components and figures."""

from __future__ import annotations

import json
import threading
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from dash import dcc, html
from flask import Flask
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
        html.Ul(np.array(["a", date(2026, 11, 25)], dtype=object)),
        html.P(None), html.P([pd.NaT]),
    ])
    assert as_sent(tree) == json.loads(to_json_plotly(tree))


def test_two_versions_of_the_code_never_read_each_others_entries(monkeypatch):
    from dashboard.cache import KEY_PREFIX, code_fingerprint

    current = code_fingerprint()
    assert KEY_PREFIX == f"ic-dashboard:{current}:"
    read = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda source: read(source) + (
        b"# changed\n" if source.name == "shell.py" else b""))
    assert code_fingerprint() != current


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


class _Waiting(threading.Event):
    """An Event that says when a thread starts waiting on it (so a test knows a request is
    waiting, without sleeping)."""

    started_waiting = threading.Event()

    def wait(self, timeout: float | None = None) -> bool:
        _Waiting.started_waiting.set()
        return super().wait(timeout)


@pytest.fixture
def shared_views(engine, monkeypatch):  # type: ignore[no-untyped-def]
    from dashboard.cache import InFlight, ViewCache
    from dashboard.clock import LONDON, FixedClock

    _Waiting.started_waiting = threading.Event()
    views = ViewCache(engine, FixedClock(datetime(2026, 11, 25, 8, 30, tzinfo=LONDON)))
    monkeypatch.setattr(views, "_in_flight", InFlight(event=_Waiting))
    server = Flask(__name__)
    views.init_app(server)
    return views, server


def _ask_while_computing(shared, first_compute, second_compute):  # type: ignore[no-untyped-def]
    """The first request computes; the second asks for the same view while it does (it is
    seen waiting); then the first finishes. Both answers."""
    views, server = shared
    computing, finish, answers = threading.Event(), threading.Event(), {}

    def first():  # type: ignore[no-untyped-def]
        computing.set()
        assert finish.wait(10)
        return first_compute()

    def ask(name, compute):  # type: ignore[no-untyped-def]
        try:
            with server.app_context():
                answers[name] = views.view(("content", "/", "?area=ICB1"), compute, shared=True)
        except RuntimeError as error:
            answers[name] = error

    leader = threading.Thread(target=ask, args=("first", first))
    leader.start()
    assert computing.wait(10)
    follower = threading.Thread(target=ask, args=("second", second_compute))
    follower.start()
    assert _Waiting.started_waiting.wait(10)  # the second request waits for the first
    finish.set()
    leader.join(10)
    follower.join(10)
    return answers


def test_requests_for_a_view_being_computed_wait_for_it_and_do_not_compute_it_again(
        shared_views):  # type: ignore[no-untyped-def]
    computed = []

    def compute(name):  # type: ignore[no-untyped-def]
        return lambda: computed.append(name) or {"figures": name}

    answers = _ask_while_computing(shared_views, compute("first"), compute("second"))
    assert computed == ["first"]
    assert answers == {"first": {"figures": "first"}, "second": {"figures": "first"}}


def test_when_the_computing_request_fails_the_waiting_one_computes_the_view_itself(
        shared_views):  # type: ignore[no-untyped-def]
    def fail():  # type: ignore[no-untyped-def]
        raise RuntimeError("the first request failed")

    answers = _ask_while_computing(shared_views, fail, lambda: {"figures": "second"})
    assert isinstance(answers["first"], RuntimeError)
    assert answers["second"] == {"figures": "second"}
