"""Administration page: the people who may sign in, and the audit log."""

from __future__ import annotations

from collections.abc import Callable

from dash import html

from dashboard.context import AppContext
from dashboard.url_state import ViewState
from data_access.access import list_users
from data_access.areas import AreaInfo
from data_access.audit import recent_events
from layouts import admin as admin_layout


def render(context: AppContext, _area: AreaInfo | None, _state: ViewState,
           _href: Callable[[str], str]) -> html.Div:
    return admin_layout.build(list_users(context.engine), recent_events(context.engine),
                              context.clock.now())
