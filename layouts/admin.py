"""The administration page: users and their roles, their sessions, and the audit log (newest
first)."""

from __future__ import annotations

from datetime import datetime

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.results import ROLES
from layouts import formatting as fmt
from layouts.components import data_table, notice, plain_table, table_block

AUDIT_SHOWN = 200
SESSIONS_SHOWN = 100


def build(users: pd.DataFrame, events: pd.DataFrame, now: datetime) -> html.Div:
    return html.Div([
        html.H1("Administration", id="page-title"),
        html.P(f"Users, their sessions and the audit log at {fmt.moment(now)}. Users are "
               "added, changed and disabled with 'python -m dashboard user ...' (see "
               "docs/security.md).",
               className="lead-in"),
        html.Section([
            html.H2("Users"),
            data_table(
                ["Username", "Name", "Role", "Areas", "Password", "Demonstration", "Status"],
                [(u.username, u.display_name, ROLES.get(u.role, u.role), u.areas or "every area",
                  "set" if u.has_password else "single sign-on only",
                  "yes" if u.demo else "no",
                  "disabled" if pd.notna(u.disabled_at) else "active")
                 for u in users.itertuples()],
                "users-table", f"{fmt.plural(len(users), 'user')}", kinds=["label"] * 7),
        ]),
        sessions_section(users),
        html.Section([
            html.H2("Audit log"),
            html.P("Every view of person-level rows, every export, every refusal and every "
                   f"sign-in, newest first (the latest {AUDIT_SHOWN})."),
            data_table(
                ["When", "User", "Role", "Action", "Scope", "Rows", "Detail", "Client"],
                [(fmt.moment(e.at), fmt.text(e.username), fmt.text(e.role), e.action, e.scope,
                  "–" if pd.isna(e.rows) else f"{int(e.rows):,}", fmt.text(e.detail),
                  fmt.text(e.client))
                 for e in events.head(AUDIT_SHOWN).itertuples()],
                "audit-table", f"The latest {fmt.plural(min(len(events), AUDIT_SHOWN), 'event')}",
                # "Rows" may be a number of people (a person-level view): counted as such.
                kinds=["label", "label", "label", "label", "label", "count", "label", "label"]),
        ]),
    ])


def sessions_section(users: pd.DataFrame) -> html.Section:
    """The sessions, and ending all of one user's at once. The list and the outcome are filled
    in by callbacks.admin (always read afresh: this page's other parts are cached)."""
    active = users[users.disabled_at.isna()]
    return html.Section([
        html.H2("Sessions"),
        html.P("Who is signed in, and every session that has ended and why. Ending a user's "
               "sessions signs them out everywhere at once and forgets the browsers they signed "
               "in from (their device cookies); they can sign in again with their password. To "
               "keep them out, disable them."),
        html.Div([
            html.Div([
                html.Label("User", htmlFor="revoke-user", className="filter-label"),
                dcc.Dropdown(id="revoke-user", className="filter-picker",
                             options=[{"label": f"{u.username} ({u.display_name})",
                                       "value": u.username} for u in active.itertuples()],
                             placeholder="Choose a user"),
            ], className="filter"),
            html.Button("End all their sessions", id="revoke-sessions", type="button",
                        className="btn btn-outline-danger"),
        ], className="filter-bar"),
        html.Div(id="revoke-message", role="status"),
        html.Div(id="sessions-list"),
    ])


def sessions_table(sessions: pd.DataFrame) -> html.Div:
    return table_block(plain_table(
        ["User", "Signed in at", "Last seen", "Client address", "State", "Why ended"],
        [(s.username, fmt.moment(s.signed_in_at), fmt.moment(s.last_seen_at), fmt.text(s.client),
          s.state, fmt.text(s.why_ended)) for s in sessions.head(SESSIONS_SHOWN).itertuples()],
        "sessions-table",
        f"The latest {fmt.plural(min(len(sessions), SESSIONS_SHOWN), 'session')}, newest first"))


def revoked(username: str, ended: int) -> dbc.Alert:
    return notice(f"{fmt.plural(ended, 'live session')} of {username} ended, and the browsers "
                  "they signed in from forgotten.", tone="success", element_id="revoke-done")


def no_such_user() -> dbc.Alert:
    return notice("There is no such user: choose one from the list.",
                  element_id="revoke-unknown")


