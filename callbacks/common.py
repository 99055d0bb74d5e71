"""What several callbacks share."""

from __future__ import annotations

from dashboard.auth import client_address, current_scope
from dashboard.context import AppContext
from data_access.access import AreaInScope, area_in_scope
from data_access.areas import default_area_code


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
        else min(scope.area_codes, default=None)
    area = area_in_scope(context.engine, scope, default, now, what, client) if default else None
    if requested and area is not None:
        return area, f"There is no area with the code {requested!r}; showing {area.name}."
    return area, None
