"""What the dashboard says while its database does not answer: the banner over every page, and
the plain page (sign-in, anything else that needs the database) and message (APIs)."""

from __future__ import annotations

import html as html_text
from datetime import datetime

from dash import html

from layouts import formatting as fmt

RETRY_SECONDS = 30  # the plain page asks again this often; APIs are told to wait this long
DATA_AS_AT_UNKNOWN = "Data as at: not known while the database is not answering"
HEADING = "The database is not answering"


def _since(since: datetime) -> str:
    return f"{HEADING} (since {fmt.moment(since)})."


def banner(since: datetime, shown_from: datetime | None,
           last_read: datetime | None) -> html.Div:
    """Over every page: since when, and how old the figures shown are (``shown_from``: when they
    were computed; None: no figures are shown, ``last_read`` is the last successful read)."""
    if shown_from is not None:
        shown = f"The figures below are the last good data, computed at {fmt.moment(shown_from)}."
    elif last_read is not None:
        shown = ("This page's figures cannot be shown until it answers; the last good data was "
                 f"read at {fmt.moment(last_read)}.")
    else:
        shown = ("This page's figures cannot be shown until it answers; no data has been read "
                 "since the dashboard started.")
    return html.Div([html.Strong(_since(since)), " ", shown,
                     " The page will update by itself when the database answers again."],
                    className="alert alert-danger notice", id="database-down", role="alert")


def message(since: datetime) -> str:
    """For API clients."""
    return f"{_since(since)} Nothing was read or written; try again in {RETRY_SECONDS} seconds."


def page(since: datetime) -> str:
    """A whole page for routes outside the dashboard's frame (sign-in, exports): it asks again
    by itself (a meta refresh, no script)."""
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{RETRY_SECONDS}">
<title>Database not answering: Intermediate care dashboard</title>
<link rel="stylesheet" href="/assets/bootstrap.min.css">
<link rel="stylesheet" href="/assets/app.css">
</head><body><main class="container login-page" id="main-content">
<h1>Intermediate care dashboard</h1>
<div class="alert alert-danger" role="alert" id="database-down">
<strong>{html_text.escape(_since(since))}</strong> The dashboard cannot read its data or sign
anyone in until it answers. This page tries again every {RETRY_SECONDS} seconds by itself.
</div></main></body></html>"""
