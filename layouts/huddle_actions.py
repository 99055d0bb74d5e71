"""The huddle that acts: who to escalate, what changed since yesterday's huddle, the actions on
each person (record, change, mark done), and places with room for a person. Free text is always
a text child (Dash escapes it), never markup."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.escalation import Flag
from dashboard.results import SinceThen
from dashboard.vocabulary import ACTION_KINDS, ACTION_STATUSES, ACTION_TEXT_LIMIT
from layouts import formatting as fmt

NEW_ACTION = "new"
ACTION_COLUMNS = ("Person", "Step", "Detail", "Owner", "Due", "Status", "Version", "Last change")


def _when(value: Any) -> str:
    return "–" if value is None or pd.isna(value) else value.strftime("%H:%M %a %d %b")


def sections_nav() -> html.Nav:
    """Links to the sections below the list (which may be long): the huddle's working parts."""
    return html.Nav([html.A(label, href=f"#{target}", className="me-3") for label, target in (
        ("Escalations", "escalations"), ("Since yesterday", "since"), ("Actions", "actions"),
        ("Record an action", "action-form"))],
        className="huddle-sections mb-2", **{"aria-label": "Huddle sections"})


def escalations_section(escalations: pd.DataFrame) -> html.Section:
    rows = [html.Tr([html.Th(p.person_ref, scope="row"), html.Td(f"Level {p.level}"),
                     html.Td(html.Ul([html.Li(_flag(flag)) for flag in p.raised]))],
                    className=f"escalation-level-{p.level}")
            for p in escalations.itertuples()]
    return html.Section([
        html.H2("Escalations", className="section-heading"),
        html.P(f"{fmt.plural(len(rows), 'person', 'people')} raise a flag, longest wait first: "
               "level 3 for 21 days or more; level 2 for 14 days or an overdue action; level 1 "
               "for 7 days, no action after 24 hours, or no reason recorded.",
               className="chart-summary", id="escalation-summary"),
        html.Table([
            html.Caption("People raising a flag, longest wait first"),
            html.Thead(html.Tr([html.Th(c, scope="col") for c in ("Person", "Level", "Flags")])),
            html.Tbody(rows),
        ], id="escalation-table", className="table table-sm") if rows else html.P(
            "Nobody raises a flag.", id="escalation-none"),
    ], className="huddle-escalations", id="escalations")


def _flag(flag: Flag) -> str:
    return f"{flag.rule} (level {flag.level}, since {flag.since:%H:%M %a %d %b})"


def since_section(changes: SinceThen, asked_for: bool = False) -> html.Section:
    """What changed since a time (``asked_for``: a time was asked for that is not before now,
    so the default is shown) and the control that chooses the time."""
    def listing(title: str, items: list[str], element_id: str) -> html.Div:
        return html.Div([html.H3(f"{title}: {len(items)}", className="kpi-title"),
                         html.Ul([html.Li(item) for item in items]) if items else None],
                        id=element_id, className="since-block")

    left = [f"{p.person_ref} at {_when(p.discharged_at)}: " + (
        f"pathway {int(p.pathway)}" if pd.notna(p.pathway) else "pathway not recorded") + (
        f", {p.service}" if isinstance(p.service, str) else "")
        for p in changes.left.itertuples()]
    return html.Section([
        html.H2(f"Since {changes.since:%H:%M %a %d %b}", className="section-heading"),
        html.Div([
            dbc.Label("Show the changes since (by default the same time yesterday)",
                      html_for="since-picker"),
            dbc.Input(id="since-picker", type="datetime-local", debounce=True,
                      value=f"{changes.since:%Y-%m-%dT%H:%M}", className="w-auto"),
            html.P("The time asked for is not before now: showing the changes since the same "
                   "time yesterday.", id="since-not-before-now", className="action-refused")
            if asked_for else None,
        ], className="mb-2"),
        dbc.Row([
            dbc.Col(listing("New", [f"{p.person_ref} (NCTR {_when(p.nctr_at)})"
                                    for p in changes.new.itertuples()], "since-new"), md=6,
                    xl=True),
            dbc.Col(listing("Left", left, "since-left"), md=6, xl=True),
            dbc.Col(listing("Reason changed", [
                f"{p.person_ref}: {p.reason_code} at {_when(p.effective_at)}"
                for p in changes.reason_changed.itertuples()], "since-reasons"), md=6, xl=True),
            dbc.Col(listing("Actions done", [
                f"{ACTION_KINDS.get(a.kind, a.kind)} ({a.episode_id}) by {a.changed_by}"
                for a in changes.done.itertuples()], "since-done"), md=6, xl=True),
            dbc.Col(listing("Became overdue", [
                f"{ACTION_KINDS.get(a.kind, a.kind)} ({a.episode_id}), due {_when(a.due_at)}"
                for a in changes.became_overdue.itertuples()], "since-overdue"), md=6, xl=True),
        ], className="g-2"),
    ], className="huddle-since", id="since")


def actions_table(actions: pd.DataFrame, people: pd.DataFrame) -> html.Div:
    """Every action on the area's people, due first. Free text goes in as text."""
    names = dict(zip(people.episode_id, people.person_ref, strict=True))
    rows = [html.Tr([
        html.Th(names.get(a.episode_id, a.episode_id), scope="row"),
        html.Td(ACTION_KINDS.get(a.kind, a.kind)), html.Td(a.detail, className="action-detail"),
        html.Td(a.owner_team), html.Td(_when(a.due_at)),
        html.Td(a.status + (f": {a.blocked_reason}" if a.status == "blocked" else "")),
        html.Td(str(a.version)), html.Td(f"{a.changed_by}, {_when(a.changed_at)}"),
    ], **{"data-action": str(a.id)}) for a in actions.itertuples()]
    if not rows:
        return html.P("No action is recorded yet.", id="actions-none")
    return html.Table([
        html.Caption("Actions on the people of this area, due first"),
        html.Thead(html.Tr([html.Th(c, scope="col") for c in ACTION_COLUMNS])),
        html.Tbody(rows),
    ], id="actions-table", className="table table-sm")


def actions_section(people: pd.DataFrame, actions: pd.DataFrame) -> html.Section:
    """Every action on the area's people (redrawn with the lists)."""
    return html.Section([
        html.H2("Actions", className="section-heading"),
        html.Div(actions_table(actions, people), id="actions-list"),
    ], className="huddle-actions-section", id="actions")


def person_options(people: pd.DataFrame) -> list[dict[str, str]]:
    return [{"label": f"{p.person_ref} ({p.episode_id})", "value": p.episode_id}
            for p in people.itertuples()]


def action_form(people: pd.DataFrame, now: datetime) -> html.Section:
    """The form that records or changes an action (a hub lead's own area only: the server
    checks each save), and places with room for the person chosen."""
    options = person_options(people)
    return html.Section([
        html.H3("Record or change an action", className="kpi-title"),
        dbc.Row([
            dbc.Col([dbc.Label("Person", html_for="action-person"),
                     dbc.Select(id="action-person", options=options,
                                value=options[0]["value"] if options else None)], md=4),
            dbc.Col([dbc.Label("Action", html_for="action-pick"),
                     dbc.Select(id="action-pick", value=NEW_ACTION,
                                options=[{"label": "A new action", "value": NEW_ACTION}])],
                    md=4),
            dbc.Col([dbc.Label("Step", html_for="action-kind"),
                     dbc.Select(id="action-kind", value=next(iter(ACTION_KINDS)),
                                options=[{"label": label, "value": kind}
                                         for kind, label in ACTION_KINDS.items()])], md=4),
        ], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col([dbc.Label(f"Detail (up to {ACTION_TEXT_LIMIT} characters)",
                               html_for="action-detail"),
                     dbc.Textarea(id="action-detail", maxLength=ACTION_TEXT_LIMIT, rows=2)],
                    md=6),
            dbc.Col([dbc.Label("Owner (team or organisation)", html_for="action-owner"),
                     dbc.Input(id="action-owner", type="text", maxLength=200)], md=6),
        ], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col([dbc.Label("Due", html_for="action-due"),
                     dbc.Input(id="action-due", type="datetime-local",
                               value=f"{now + timedelta(hours=24):%Y-%m-%dT%H:%M}")], md=4),
            dbc.Col([dbc.Label("Status", html_for="action-status"),
                     dbc.Select(id="action-status", value="open",
                                options=[{"label": s, "value": s} for s in ACTION_STATUSES])],
                    md=4),
            dbc.Col([dbc.Label("Why blocked", html_for="action-blocked"),
                     dbc.Input(id="action-blocked", type="text",
                               maxLength=ACTION_TEXT_LIMIT)], md=4),
        ], className="g-2 mb-2"),
        dcc.Store(id="action-version"),
        html.Button("Save the action", id="action-save", type="button",
                    className="btn btn-primary"),
        html.Div(id="action-message", role="status", className="mt-2"),
        html.H3("Places with room for this person", className="kpi-title mt-3"),
        html.Button("Find places", id="places-find", type="button",
                    className="btn btn-outline-primary"),
        html.Div(id="places-list", className="mt-2"),
    ], className="huddle-actions-section", id="action-form")


def action_options(actions: pd.DataFrame) -> list[dict[str, str]]:
    return [{"label": "A new action", "value": NEW_ACTION}] + [
        {"label": f"{ACTION_KINDS.get(a.kind, a.kind)}, due {_when(a.due_at)} ({a.status})",
         "value": str(a.id)} for a in actions.itertuples()]


def places_table(shortlist: pd.DataFrame) -> html.Div:
    if shortlist.empty:
        return html.P("No service of this person's pathway has a free place in a current "
                      "report.", id="places-none")
    return html.Table([
        html.Caption("Free places for this person, most first, then the freshest report"),
        html.Thead(html.Tr([html.Th(c, scope="col") for c in
                             ("Service", "Provider", "Free", "Reported", "Meets their needs",
                              "")])),
        html.Tbody([html.Tr([
            html.Th(s.name, scope="row"), html.Td(s.provider), html.Td(str(int(s.free))),
            html.Td(_when(s.reported_at)),
            html.Td("not recorded: check before offering" if s.meets == "not recorded"
                    else s.meets or "no needs recorded"),
            html.Td([html.Button("Offer", id={"type": "offer-place", "service": s.service_code},
                                 type="button", className="btn btn-sm btn-outline-primary"),
                     html.Span(id={"type": "offer-result", "service": s.service_code},
                               role="status")]),
        ]) for s in shortlist.itertuples()]),
    ], id="places-table", className="table table-sm")


def said(text: str, ok: bool) -> html.P:
    return html.P(text, className="action-saved" if ok else "action-refused")
