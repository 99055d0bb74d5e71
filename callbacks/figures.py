"""A chart's figures as a table, sent when the person opens it (``layouts.components.on_demand``).

The table comes from the same view the page came from (cached per view and data version), for
the signed-in user, through the same checks as the page: a role or area outside their scope is
refused in words (and recorded), as on the page itself.
"""

from __future__ import annotations

from typing import Any

from dash import MATCH, Dash, Input, Output, State, callback_context, html

from callbacks.shell import FRAME_OUTPUTS, view_for
from dashboard.auth import current_scope
from dashboard.cache import DatabaseDown, encoded
from dashboard.context import AppContext
from dashboard.dash_guard import requires
from dashboard.url_state import as_path, as_search
from data_access.access import AccessDenied
from layouts.components import HOLDER, OPENER


def register(app: Dash, context: AppContext) -> None:
    @app.callback(
        Output({"type": HOLDER, "table": MATCH}, "children"),
        Input({"type": OPENER, "table": MATCH}, "n_clicks"),
        State("url", "pathname"), State("url", "search"), prevent_initial_call=True,
    )
    @requires(None, scoped=True)  # the page's own checks, through view_for
    def show_figures(_opened: Any, pathname: Any, search: Any) -> Any:
        table_id = callback_context.outputs_list["id"].get("table")
        try:
            outputs = view_for(context, current_scope(), as_path(pathname), as_search(search))
        except AccessDenied as refusal:  # recorded
            return html.P(str(refusal), className="notice access-denied")
        except DatabaseDown:
            return html.P("The figures cannot be read right now (the database is not "
                          "answering); try again in a minute.", className="notice")
        table = outputs[FRAME_OUTPUTS].get(table_id) if isinstance(table_id, str) else None
        if table is None:
            return html.P("This table is no longer on the page: reload the page.",
                          className="notice")
        return encoded(table)
