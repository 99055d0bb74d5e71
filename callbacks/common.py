"""What several callbacks share."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from dashboard.auth import client_address, current_scope
from dashboard.clock import as_london, day_start
from dashboard.context import AppContext
from dashboard.url_state import ViewState
from data_access.access import AreaInScope, area_in_scope
from data_access.areas import default_area_code

T = TypeVar("T")


def resolve_area(context: AppContext, requested: str | None,
                 what: str = "figures") -> tuple[AreaInScope | None, str | None]:
    """The area to show, checked against the signed-in user's scope, and, if the URL asked for
    one that does not exist, a message saying so.

    An area outside the user's scope raises ``AccessDenied`` (and is recorded).
    """
    scope, now, client = current_scope(), context.clock.now(), client_address()
    if requested:
        area = area_in_scope(context.engine, scope, requested, now, what, client)
        if area is not None:
            return area, None
    default = default_area_code(context.engine) if scope.area_codes is None \
        else min(scope.area_codes, default=None)  # as access.first_areas_of_users
    area = area_in_scope(context.engine, scope, default, now, what, client) if default else None
    if requested and area is not None:
        return area, f"There is no area with the code {requested!r}; showing {area.name}."
    return area, None


def for_the_day(context: AppContext, part: str, area: AreaInScope | None, state: ViewState,
                compute: Callable[[], T]) -> T:
    """A page's figures that move with the data and the period's dates but not with the time of
    day (a period's trends, totals and breakdowns), as ``compute()`` returns them: kept once a
    day and data version for everyone who may see them. So the time step, which redraws every
    open page (its figures "now" move), recomputes only what "now" moves.

    ``compute`` must not depend on the time of day (it may on the day): a period that reaches
    today ends "now" (``ViewState.bounds``), so its figures are computed afresh with the rest
    of the page.
    """
    now = context.clock.now()
    today = as_london(now).date()
    if state.last_day >= today:
        return compute()
    until_midnight = day_start(today + timedelta(days=1)) - now
    return context.views.view(("day", part, area and area.code, state, today), compute,
                              with_time_step=False, shared=True, as_is=True,
                              keep_seconds=int(until_midnight.total_seconds()) + 1)
