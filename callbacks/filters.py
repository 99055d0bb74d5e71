"""Period, pathway, reason group, site and benchmark controls write the URL; the page re-renders
from the URL."""

from __future__ import annotations

from datetime import date
from typing import Any

from dash import Dash, Input, Output, State, no_update

from dashboard.dash_guard import requires
from dashboard.url_state import search_with
from layouts.filters import ALL


def _iso_date(value: Any) -> str | None:
    """A date from the picker (ISO text, possibly with a time), or None if it is not one."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def _with_choice(search: str | None, name: str, value: Any) -> Any:
    """The URL with one dropdown's choice (``ALL`` or anything not text removes it); no update
    if that changes nothing. The page validates the value when it reads the URL."""
    chosen = value if isinstance(value, str) and value != ALL else None
    new = search_with(search, **{name: chosen})
    return new if new != (search or "") else no_update


def register(app: Dash) -> None:
    @app.callback(
        Output("url", "search", allow_duplicate=True),
        Input("period-picker", "start_date"), Input("period-picker", "end_date"),
        State("url", "search"), prevent_initial_call=True,
    )
    @requires(None, scoped=False)  # writes the address only; the page checks what it asks for
    def choose_period(start: Any, end: Any, search: str | None) -> Any:
        first, last = _iso_date(start), _iso_date(end)
        if first is None or last is None:
            return no_update  # half-chosen range: wait for the second date
        new = search_with(search, **{"from": first, "to": last})
        return new if new != (search or "") else no_update

    for picker, name in DROPDOWNS.items():
        _register_dropdown(app, picker, name)


# Each dropdown and the address parameter it writes.
DROPDOWNS = {"pathway-picker": "pathway", "reasons-picker": "reasons", "site-picker": "site",
             "benchmark-picker": "benchmark"}


def _register_dropdown(app: Dash, picker: str, name: str) -> None:
    @app.callback(
        Output("url", "search", allow_duplicate=True),
        Input(picker, "value"), State("url", "search"), prevent_initial_call=True,
    )
    @requires(None, scoped=False)
    def choose(value: Any, search: str | None) -> Any:
        return _with_choice(search, name, value)
