"""Administration page: the people who may sign in, their sessions, and the audit log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import Dash, Input, Output, State, html

from dashboard.auth import client_address, current_scope
from dashboard.context import AppContext
from dashboard.dash_guard import requires
from dashboard.url_state import ViewState
from data_access.access import AreaInScope, list_users
from data_access.audit import recent_events
from data_access.sessions import list_sessions, revoke_user
from layouts import admin as admin_layout


def register(app: Dash, context: AppContext) -> None:
    @app.callback(Output("sessions-list", "children"), Output("revoke-message", "children"),
                  Input("revoke-sessions", "n_clicks"), State("revoke-user", "value"))
    @requires("admin", scoped=False)  # anyone can call this: the guard refuses all but admins
    def sessions(clicks: Any, username: Any) -> tuple[Any, Any]:
        """The sessions, read afresh; after a click, first every session of the chosen user
        ended."""
        scope, now, client = current_scope(), context.clock.now(), client_address()
        outcome = None
        if clicks and username is not None:
            # Compared with the users here, not put in a query: the browser can send anything.
            if isinstance(username, str) and username in set(list_users(context.engine).username):
                ended = revoke_user(context.engine, username, now, scope.username, scope.role,
                                    client)
                outcome = admin_layout.revoked(username, ended)
            else:
                outcome = admin_layout.no_such_user()
        listed = list_sessions(context.engine, now, context.session_limits,
                               admin_layout.SESSIONS_SHOWN)
        return admin_layout.sessions_table(listed), outcome


def render(context: AppContext, _area: AreaInScope | None, _state: ViewState,
           _href: Callable[[str], str]) -> html.Div:
    return admin_layout.build(list_users(context.engine), recent_events(context.engine),
                              context.clock.now())
