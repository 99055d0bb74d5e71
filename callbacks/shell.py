"""Routing, the area picker and the URL, and the frame's banners."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache
from importlib import import_module
from typing import Any

from dash import Dash, Input, Output, State, ctx, dcc, html, no_update

from callbacks.common import resolve_area
from dashboard.auth import client_address, current_scope
from dashboard.cache import DatabaseDown, as_sent, encoded, is_down
from dashboard.context import AppContext
from dashboard.dash_guard import requires
from dashboard.pages import BENCHMARK, GLOSSARY_PATH, PAGES_BY_PATH, Page, allowed_nav_pages
from dashboard.results import UserScope
from dashboard.url_state import (
    ViewState,
    area_from_search,
    as_path,
    as_search,
    href,
    read_view_state,
    search_with_area,
)
from data_access.access import AccessDenied, AreaInScope, require
from data_access.db import DatabaseError
from data_access.feeds import source_freshness
from data_access.status import data_status
from layouts import formatting as fmt
from layouts import help as help_layout
from layouts import outage, placeholder, shell
from layouts.components import detach_on_demand, notice

log = logging.getLogger(__name__)
FRAME_OUTPUTS = 5  # what the route sends of a view: content, banner, data as at, sources, nav

# A page without local data (``Page.local_data`` False) may be given no area.
Renderer = Callable[[AppContext, AreaInScope | None, ViewState, Callable[[str], str]], Any]


@cache
def code_named(reference: str) -> Callable[..., Any]:
    """The function a page declaration names as ``"module:function"`` (``Page.render``,
    ``Page.callbacks``)."""
    module, _, name = reference.partition(":")
    return getattr(import_module(module), name)  # type: ignore[no-any-return]


def renderer(page: Page) -> Renderer:
    return code_named(page.render)


def register(app: Dash, context: AppContext) -> None:
    @app.callback(
        Output("url", "search"), Output("area-picker", "value"),
        Input("url", "search"), Input("area-picker", "value"),
    )
    @requires(None, scoped=True)  # only an area code the user may see
    def sync_area(search: str | None, picked: Any) -> tuple[Any, Any]:
        """The picker writes the URL; the URL (a link, the back button) sets the picker."""
        if ctx.triggered_id == "area-picker" and isinstance(picked, str):
            if picked != area_from_search(search):
                return search_with_area(search, picked), no_update
            return no_update, no_update
        try:
            area, _ = resolve_area(context, area_from_search(search))
        except AccessDenied:
            return no_update, no_update  # the page itself says why
        return no_update, area.code if area else no_update

    app.clientside_callback(
        """function(children) {
            // Follow /how-we-count#<id> once per address, when the page (and its lazily
            // loaded Markdown) is drawn; a later redraw (new data) leaves the reader be.
            const here = window.location.href;
            if (!children || window.followedAnchor === here) { return; }
            window.followedAnchor = here;
            const id = decodeURIComponent(window.location.hash.slice(1));
            const content = document.getElementById("page-content");
            if (!id || !content) { return; }
            const follow = new ResizeObserver(
                () => document.getElementById(id)?.scrollIntoView({behavior: "instant"}));
            follow.observe(content);
            setTimeout(() => follow.disconnect(), 2000);
        }""",
        Input("page-content", "children"),
    )

    @app.callback(
        Output("data-version", "data"),
        Input("refresh-tick", "n_intervals"), State("data-version", "data"),
        State("database-status", "children"),
    )
    @requires(None, scoped=False)  # the data version: no figures
    def check_for_new_data(_ticks: int | None, shown: str | None, banner: Any) -> Any:
        """Every open page asks this on each tick; only a changed version redraws the page, or
        a page showing the outage banner once the database answers (a view can fail after its
        version was read, so the version shown may be the current one)."""
        current = context.views.version()
        if current == shown and not (banner and not is_down(current)):
            return no_update
        return current

    app.clientside_callback(
        """function(version) {
            // This frame was served while the database did not answer, without its area list:
            // once the database answers, load the page again to get it.
            if (version && !version.startsWith("down.")) { window.location.reload(); }
            return window.dash_clientside.no_update;
        }""",
        Output("frame-incomplete", "data"), Input("data-version", "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output("page-content", "children"), Output("synthetic-banner", "children"),
        Output("data-as-at", "children"), Output("source-status", "children"),
        Output("main-nav", "children"), Output("database-status", "children"),
        Output("lists-stale", "data"),
        Input("url", "pathname"), Input("url", "search"), Input("data-version", "data"),
        State("database-status", "children"),
    )
    @requires(None, scoped=True)  # each page's own permission is checked by _route, in words
    def route(pathname: Any, search: Any, version: Any, banner: Any) -> tuple[Any, ...]:
        path, search = as_path(pathname), as_search(search)
        page = PAGES_BY_PATH.get(path)
        if (ctx.triggered_id == "data-version" and page is not None and page.keeps_its_forms
                and not is_down(version) and not banner):
            # A new version for a page holding a form (not after an outage, whose banner
            # replaced the page): the frame again, and the page's own callback redraws its lists
            # (``lists-stale``); a half-filled form stays as it was.
            return (*_frame(context, path, search, with_content=False), version)
        return (*_frame(context, path, search), no_update)


def _frame(context: AppContext, path: str, search: str,
           with_content: bool = True) -> tuple[Any, ...]:
    """The route's outputs but the last: the page (or no update, ``with_content`` False), the
    frame around it and the database's banner (None while it answers)."""
    scope = None
    try:
        scope = current_scope()
        if not with_content:
            frame = _route(context, scope, path, search, with_content=False)
            return (no_update, *(encoded(as_sent(part))
                                 for part in frame[1:FRAME_OUTPUTS]), None)
        outputs = view_for(context, scope, path, search)
        return (*map(encoded, outputs[:FRAME_OUTPUTS]), None)
    except DatabaseDown as down:
        return outage_view(down, scope, path, search)
    except AccessDenied as refusal:
        allowed = allowed_nav_pages(scope.may)
        content = html.Div([
            html.Div(str(refusal), className="alert alert-danger notice",
                     id="access-denied", role="alert"),
            html.P(["Pages you may open: ",
                    *[item for page in allowed
                      for item in (dcc.Link(page.title, href=page.path), " ")]]
                   if allowed else "There are no pages for your role."),
        ])
        return (content, no_update, no_update, no_update, no_update, None)
    except DatabaseError:
        log.exception("database error while rendering %s", path)
        message = notice("The data cannot be read right now (the database did not answer). "
                         "Try again in a minute.", tone="danger", element_id="db-error")
        return (message, no_update, no_update, no_update, no_update, None)


def outage_view(down: DatabaseDown, scope: UserScope | None, path: str,
                search: str | None) -> tuple[Any, ...]:
    """The frame while the database does not answer: the last good copy of this view, if the
    server kept one, under the banner; else the banner alone (and the user's navigation, if
    their role is known)."""
    if down.kept is not None:
        return (*down.kept.value[:FRAME_OUTPUTS],
                outage.banner(down.since, down.kept.made_at, down.last_read))
    nav = no_update if scope is None else \
        shell.nav_items(allowed_nav_pages(scope.may), lambda page: href(page, search))
    return (None, no_update, outage.DATA_AS_AT_UNKNOWN, None, nav,
            outage.banner(down.since, None, down.last_read))


def view_for(context: AppContext, scope: UserScope, path: str,
             search: str | None) -> tuple[Any, ...]:
    """The frame's outputs for one address and user, as Dash sends them (plain JSON data), then
    the page's tables shown on demand, by id (taken out of the page: see
    ``layouts.components.on_demand``).

    Raises ``AccessDenied`` (recorded) for a page or area outside the user's role and scope,
    and ``DatabaseDown`` (with the view's last good copy, if kept) while the database does not
    answer.
    """
    page = PAGES_BY_PATH.get(path)
    if page is not None and page.permission == "people":
        # Person-level pages are never cached: each view is checked and recorded.
        return tuple(context.views.fresh(lambda: _tables_apart(_route(context, scope, path,
                                                                      search))))
    # One computation per view, user scope and data version (see dashboard.cache).
    return tuple(context.views.view(("page", scope.cache_key, path, search or ""),
                                    lambda: _tables_apart(_route(context, scope, path, search))))


def _tables_apart(outputs: tuple[Any, ...]) -> tuple[Any, ...]:
    """The frame's outputs as sent, the page without its on-demand tables, and those tables."""
    sent = as_sent(outputs)
    return (*sent, detach_on_demand(sent[0]))


def page_content(context: AppContext, page: Page, area: AreaInScope | None, state: ViewState,
                 search: str | None) -> Any:
    """A page's own content for an address whose area is resolved (``search`` names it): the
    same for every user who may see it, so computed once per address and data version for all
    of them (the frame around it, with its navigation, is each user's), and ready before anyone
    asks when ``callbacks.warm`` has computed it."""
    link = lambda path: href(path, search)  # noqa: E731
    if page.permission == "people":  # person-level: never kept, each view checked and recorded
        return _render(context, page, area, state, link)
    return context.views.view(("content", page.path, search or ""),
                              lambda: _render(context, page, area, state, link),
                              shared=True)


def _render(context: AppContext, page: Page, area: AreaInScope | None, state: ViewState,
            link: Callable[[str], str]) -> html.Div:
    return html.Div([help_layout.how_to_read(page.how_to_read, link(GLOSSARY_PATH)),
                     renderer(page)(context, area, state, link)])


def _route(context: AppContext, scope: UserScope, pathname: str, search: str | None,
           with_content: bool = True) -> tuple[Any, ...]:
    """Everything the frame shows for one address: page, banners, data status, navigation
    (``with_content`` False: all but the page, which is then None)."""
    now = context.clock.now()
    page = PAGES_BY_PATH.get(pathname)
    if page is not None and page.permission is not None:
        require(context.engine, scope, page.permission, now, f"the {page.title} page",
                client_address())
    status = data_status(context.engine)
    state = read_view_state(search, now.date())
    area, message = resolve_area(context, state.area, f"the {page.title if page else ''} page")
    if area is not None and area.code != state.area:
        search = search_with_area(search, area.code)
    link = lambda path: href(path, search)  # noqa: E731
    content: Any
    if not with_content:
        content = None
    elif page is None:
        content = placeholder.not_found(pathname, link("/"))
    elif area is None and page.local_data:
        content = placeholder.no_local_data(
            page, link(BENCHMARK.path) if BENCHMARK in allowed_nav_pages(scope.may) else None)
    else:
        content = page_content(context, page, area, state, search)
    messages = [notice(message, element_id="area-message")] if message else []
    messages += [notice(text, element_id=f"url-message-{i}")
                 for i, text in enumerate(state.messages)]
    if messages:
        content = html.Div([*messages, content])
    as_at = f"Data as at {fmt.moment(status.last_loaded_at)} · figures at {fmt.moment(now)}"
    sources = shell.source_status(source_freshness(context.engine, now),
                                  page.uses if page else (), now)
    return (content, shell.synthetic_banner(status.synthetic), as_at, sources,
            shell.nav_items(allowed_nav_pages(scope.may), link))
