"""Callbacks: validate inputs, call data_access, hand plain data to layouts. No SQL here."""

from __future__ import annotations

from dash import Dash

from dashboard.context import AppContext


def register_all(app: Dash, context: AppContext) -> None:
    """The callbacks every page shares, then each page's own (its declaration's ``callbacks``)."""
    from callbacks import export, figures, filters, shell
    from dashboard.pages import PAGES

    shell.register(app, context)
    filters.register(app, context.clock)
    export.register(app, context)
    figures.register(app, context)
    for page in PAGES:
        if page.callbacks is not None:
            shell.code_named(page.callbacks)(app, context)
