"""Huddle list page: the people waiting now in the hub's areas, for the hub lead; who to
escalate, what changed since yesterday's huddle, the actions on each person and places with room.

Thin: the role and area checks and the audit record happen in ``data_access.huddle`` and
``data_access.actions`` (any client can call these with any input), with the scope from the
server-side session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from dash import MATCH, Dash, Input, Output, State, html, no_update

from callbacks.common import resolve_area
from dashboard.auth import client_address, current_scope
from dashboard.clock import as_london
from dashboard.context import AppContext
from dashboard.dash_guard import requires
from dashboard.url_state import ViewState, read_view_state
from data_access.access import AccessDenied, AreaInScope
from data_access.actions import (
    ActionError,
    VersionConflict,
    actions_in_area,
    change_action,
    escalation_list,
    offer_place,
    places_for,
    record_action,
    since_then,
)
from data_access.db import DatabaseError
from data_access.huddle import WHAT, huddle_filter_options, huddle_list
from data_access.status import data_status
from layouts import huddle as huddle_layout
from layouts import huddle_actions as actions_layout


def render(context: AppContext, area: AreaInScope, state: ViewState,
           href: Callable[[str], str]) -> html.Div:
    """The lists (redrawn alone at a new data version: ``redraw_lists``) and the action form."""
    lists, everyone = live_parts(context, area, state)
    return html.Div([actions_layout.sections_nav(), html.Div(lists, id="huddle-live"),
                     actions_layout.action_form(everyone, context.clock.now())])


def live_parts(context: AppContext, area: AreaInScope,
               state: ViewState) -> tuple[list[Any], pd.DataFrame]:
    """The huddle list, escalations, changes since a time and the actions; and everyone waiting
    in the area (the form's people)."""
    engine, now = context.engine, context.clock.now()
    scope, client = current_scope(), client_address()
    # The list first: a refusal stops everything else (and is recorded once).
    people = huddle_list(engine, scope, area, now, pathway=state.pathway,
                         reason_group=state.reason_group, site_code=state.site,
                         waited_days=state.waited, client=client)
    everyone = huddle_list(engine, scope, area, now, client=client) \
        if state.pathway or state.reason_group or state.site or state.waited else people
    since = state.since_shown(now)
    view = huddle_layout.HuddleView(
        area=area, state=state, now=now, people=people,
        options=huddle_filter_options(engine, scope, area, now, client=client),
        synthetic=data_status(engine).synthetic)
    return [
        huddle_layout.build(view),
        actions_layout.escalations_section(escalation_list(engine, scope, area, now, client,
                                                           waiting=everyone)),
        actions_layout.since_section(since_then(engine, scope, area, since, now, client),
                                     asked_for=state.since is not None
                                     and as_london(state.since) != since),
        actions_layout.actions_section(everyone, actions_in_area(engine, scope, area, now,
                                                                 client)),
    ], everyone


def register(app: Dash, context: AppContext) -> None:
    def checked(search: Any) -> AreaInScope:
        state = read_view_state(search if isinstance(search, str) else None,
                                context.clock.now().date())
        area = resolve_area(context, state.area, WHAT)[0]
        if area is None:
            raise AccessDenied("There is no area to show.")
        return area

    @app.callback(Output("huddle-live", "children"), Output("action-person", "options"),
                  Input("lists-stale", "data"), State("url", "search"),
                  prevent_initial_call=True)
    @requires("people", scoped=True)
    def redraw_lists(_version: Any, search: Any) -> tuple[Any, Any]:
        """At a new data version, the lists again (a colleague's change shows); the form, maybe
        half-filled, stays as it is (the route leaves this page's content be, and asks for
        this through ``lists-stale``)."""
        try:
            area = checked(search)
        except AccessDenied as refusal:  # recorded
            return actions_layout.said(str(refusal), False), []
        try:
            lists, everyone = live_parts(context, area, read_view_state(
                search if isinstance(search, str) else None, context.clock.now().date()))
        except DatabaseError:  # the frame shows the outage; the lists stay as they were
            return no_update, no_update
        return lists, actions_layout.person_options(everyone)

    @app.callback(Output("action-pick", "options"), Output("action-pick", "value"),
                  Input("action-person", "value"), State("url", "search"))
    @requires("people", scoped=True)
    def person_chosen(episode_id: Any, search: Any) -> tuple[Any, Any]:
        """The person's actions to choose from, and a new one chosen."""
        try:
            area = checked(search)
        except AccessDenied as refusal:  # recorded
            return [{"label": str(refusal), "value": "refused"}], "refused"
        actions = actions_in_area(context.engine, current_scope(), area, context.clock.now(),
                                  client_address())
        return (actions_layout.action_options(actions[actions.episode_id == episode_id]),
                actions_layout.NEW_ACTION)

    @app.callback(Output("action-kind", "value"), Output("action-detail", "value"),
                  Output("action-owner", "value"), Output("action-due", "value"),
                  Output("action-status", "value"), Output("action-blocked", "value"),
                  Output("action-version", "data"),
                  Input("action-pick", "value"), State("url", "search"))
    @requires("people", scoped=True)
    def action_chosen(action_id: Any, search: Any) -> tuple[Any, ...]:
        """The chosen action's values and the version they are, to change; blank for new."""
        try:
            area = checked(search)
        except AccessDenied:  # recorded
            return (no_update,) * 7
        if not isinstance(action_id, str) or not action_id.isdigit():
            return (no_update,) * 6 + (None,)
        actions = actions_in_area(context.engine, current_scope(), area, context.clock.now(),
                                  client_address()).set_index("id")
        if int(action_id) not in actions.index:
            return (no_update,) * 6 + (None,)
        action = actions.loc[int(action_id)]
        return (action.kind, action.detail, action.owner_team,
                f"{action.due_at:%Y-%m-%dT%H:%M}", action.status, action.blocked_reason,
                int(action.version))

    @app.callback(Output("action-message", "children"), Output("actions-list", "children"),
                  Output("action-pick", "options", allow_duplicate=True),
                  Output("action-pick", "value", allow_duplicate=True),
                  Output("action-version", "data", allow_duplicate=True),
                  Input("action-save", "n_clicks"), State("action-person", "value"),
                  State("action-pick", "value"), State("action-kind", "value"),
                  State("action-detail", "value"), State("action-owner", "value"),
                  State("action-due", "value"), State("action-status", "value"),
                  State("action-blocked", "value"), State("action-version", "data"),
                  State("url", "search"), prevent_initial_call=True)
    @requires("people", scoped=True)
    def save(clicks: Any, episode_id: Any, action_id: Any, kind: Any, detail: Any, owner: Any,
             due: Any, status: Any, blocked: Any, version: Any,
             search: Any) -> tuple[Any, ...]:
        """Record a new action, or change the chosen one on the version it was read at; then
        the form holds the saved action at its new version."""
        unchanged = (no_update,) * 4
        try:
            area = checked(search)
        except AccessDenied as refusal:  # recorded
            return (actions_layout.said(str(refusal), False), *unchanged)
        if not clicks:
            return (no_update, *unchanged)
        engine, scope, now, client = (context.engine, current_scope(), context.clock.now(),
                                      client_address())
        values = {"kind": kind, "detail": detail, "owner_team": owner, "due_at": due,
                  "status": status, "blocked_reason": blocked}
        try:
            if isinstance(action_id, str) and action_id.isdigit():
                if not isinstance(version, int) or isinstance(version, bool):
                    raise ActionError("choose the action again: its version is not known")
                saved, new_version = int(action_id), change_action(
                    engine, scope, area, int(action_id), version, values, now, client)
                message = actions_layout.said(f"Saved: version {new_version}.", True)
            elif isinstance(episode_id, str):
                saved, new_version = record_action(engine, scope, area, episode_id, values,
                                                   now, client), 1
                message = actions_layout.said("Recorded.", True)
            else:
                raise ActionError("choose a person")
        except (ActionError, VersionConflict) as problem:
            return (actions_layout.said(f"Not saved: {problem}", False), *unchanged)
        context.views.data_changed()  # every open huddle redraws at its next refresh
        actions = actions_in_area(engine, scope, area, now, client)
        people = huddle_list(engine, scope, area, now, client=client)
        person = actions.loc[actions.id == saved, "episode_id"].iloc[0]
        return (message, actions_layout.actions_table(actions, people),
                actions_layout.action_options(actions[actions.episode_id == person]),
                str(saved), new_version)

    @app.callback(Output("places-list", "children"), Input("places-find", "n_clicks"),
                  State("action-person", "value"), State("url", "search"),
                  prevent_initial_call=True)
    @requires("people", scoped=True)
    def find_places(clicks: Any, episode_id: Any, search: Any) -> Any:
        """The shortlist of places for the chosen person."""
        try:
            area = checked(search)
        except AccessDenied as refusal:  # recorded
            return actions_layout.said(str(refusal), False)
        if not clicks or not isinstance(episode_id, str):
            return no_update
        try:
            return actions_layout.places_table(places_for(
                context.engine, current_scope(), area, episode_id, context.clock.now(),
                client_address()))
        except ActionError as problem:
            return actions_layout.said(str(problem), False)

    @app.callback(Output({"type": "offer-result", "service": MATCH}, "children"),
                  Input({"type": "offer-place", "service": MATCH}, "n_clicks"),
                  State({"type": "offer-place", "service": MATCH}, "id"),
                  State("action-person", "value"), State("url", "search"),
                  prevent_initial_call=True)
    @requires("people", scoped=True)
    def offer(clicks: Any, button: Any, episode_id: Any, search: Any) -> Any:
        """Record "offered to service X" as an action on the chosen person."""
        try:
            area = checked(search)
        except AccessDenied as refusal:  # recorded
            return str(refusal)
        service = button.get("service") if isinstance(button, dict) else None
        if not clicks or not isinstance(episode_id, str) or not isinstance(service, str):
            return no_update
        try:
            offer_place(context.engine, current_scope(), area, episode_id, service,
                        context.clock.now(), client_address())
        except ActionError as problem:
            return f" Not offered: {problem}"
        context.views.data_changed()
        return " Offered: recorded as an action."
