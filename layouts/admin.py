"""The administration page: users and their roles, and the audit log (newest first)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from dash import html

from dashboard import formatting as fmt
from data_access.access import ROLES
from layouts.components import data_table

AUDIT_SHOWN = 200


def build(users: pd.DataFrame, events: pd.DataFrame, now: datetime) -> html.Div:
    return html.Div([
        html.H1("Administration", id="page-title"),
        html.P(f"Users and the audit log at {fmt.moment(now)}. Users are added and disabled "
               "with 'python -m dashboard user ...' (see docs/security.md).",
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
        html.Section([
            html.H2("Audit log"),
            html.P("Every view of person-level rows, every export, every refusal and every "
                   f"sign-in, newest first (the latest {AUDIT_SHOWN})."),
            data_table(
                ["When", "User", "Role", "Action", "Scope", "Rows", "Detail", "Client"],
                [(fmt.moment(e.at), e.username or "–", e.role or "–", e.action, e.scope,
                  "–" if pd.isna(e.rows) else f"{int(e.rows):,}", e.detail, e.client or "–")
                 for e in events.head(AUDIT_SHOWN).itertuples()],
                "audit-table", f"The latest {fmt.plural(min(len(events), AUDIT_SHOWN), 'event')}",
                # "Rows" may be a number of people (a person-level view): counted as such.
                kinds=["label", "label", "label", "label", "label", "count", "label", "label"]),
        ]),
    ])
