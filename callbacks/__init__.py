"""Callbacks: validate inputs, call data_access, hand plain data to layouts. No SQL here."""

from __future__ import annotations

from dash import Dash

from dashboard.context import AppContext


def register_all(app: Dash, context: AppContext) -> None:
    from callbacks import admin, capacity, export, figures, filters, shell

    shell.register(app, context)
    admin.register(app, context)
    filters.register(app, context.clock)
    capacity.register(app, context)
    export.register(app, context)
    figures.register(app, context)
