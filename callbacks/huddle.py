"""Huddle list page: the people waiting now in the hub's areas, for the hub lead.

Thin: the role and area checks and the audit record happen in ``data_access.huddle`` (any client
can call this with any URL), with the scope from the server-side session.
"""

from __future__ import annotations

from collections.abc import Callable

from dash import html

from dashboard.auth import client_address, current_scope
from dashboard.context import AppContext
from dashboard.url_state import ViewState
from data_access.access import AreaInScope
from data_access.huddle import huddle_filter_options, huddle_list
from data_access.status import data_status
from layouts import huddle as huddle_layout


def render(context: AppContext, area: AreaInScope, state: ViewState,
           href: Callable[[str], str]) -> html.Div:
    engine, now = context.engine, context.clock.now()
    scope, client = current_scope(), client_address()
    # The list first: a refusal stops everything else (and is recorded once).
    people = huddle_list(engine, scope, area, now, pathway=state.pathway,
                         reason_group=state.reason_group, site_code=state.site,
                         waited_days=state.waited, client=client)
    view = huddle_layout.HuddleView(
        area=area, state=state, now=now, people=people,
        options=huddle_filter_options(engine, scope, area, now, client=client),
        synthetic=data_status(engine).synthetic)
    return huddle_layout.build(view)
