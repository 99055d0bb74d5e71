"""Period, pathway, reason group, site and benchmark controls write the URL; the page re-renders
from the URL."""

from __future__ import annotations

from datetime import date
from typing import Any

from dash import Dash, Input, Output, State, no_update

from dashboard.clock import Clock
from dashboard.dash_guard import requires
from dashboard.url_state import read_view_state, search_with
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


def register(app: Dash, clock: Clock) -> None:
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
        # The picker, put on the page, says the period shown (by default, none is in the
        # address): that is not a choice, and writing it would add a step to the history and
        # ask for every part of the page again.
        shown = read_view_state(search, clock.now().date())
        if (first, last) == (shown.first_day.isoformat(), shown.last_day.isoformat()):
            return no_update
        new = search_with(search, **{"from": first, "to": last})
        return new if new != (search or "") else no_update

    for picker, name in DROPDOWNS.items():
        _register_dropdown(app, picker, name)

    @app.callback(
        Output("url", "search", allow_duplicate=True),
        Input("since-picker", "value"), State("url", "search"), prevent_initial_call=True,
    )
    @requires(None, scoped=False)
    def choose_since(value: Any, search: str | None) -> Any:
        """The huddle's "since" time. Leaving the field unchanged (it shows the time in use,
        by default the same time yesterday) is not a choice: the address stays as it is."""
        if not isinstance(value, str):
            return no_update
        now = clock.now()
        if value == f"{read_view_state(search, now.date()).since_shown(now):%Y-%m-%dT%H:%M}":
            return no_update
        return _with_choice(search, "since", value)


# Each dropdown and the address parameter it writes.
DROPDOWNS = {"pathway-picker": "pathway", "reasons-picker": "reasons", "site-picker": "site",
             "waited-picker": "waited", "benchmark-picker": "benchmark"}


def _register_dropdown(app: Dash, picker: str, name: str) -> None:
    @app.callback(
        Output("url", "search", allow_duplicate=True),
        Input(picker, "value"), State("url", "search"), prevent_initial_call=True,
    )
    @requires(None, scoped=False)
    def choose(value: Any, search: str | None) -> Any:
        return _with_choice(search, name, value)
