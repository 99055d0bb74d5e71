"""What several callbacks share."""

from __future__ import annotations

from dashboard.auth import client_address, current_scope
from dashboard.context import AppContext
from dashboard.results import AreaInfo
from data_access.access import require_area, visible_area_codes
from data_access.areas import default_area_code, get_area


def resolve_area(context: AppContext, requested: str | None,
                 what: str = "figures") -> tuple[AreaInfo | None, str | None]:
    """The area to show and, if the URL asked for one that does not exist, a message saying so.

    An area outside the signed-in user's scope raises ``AccessDenied`` (and is recorded).
    """
    scope = current_scope()
    now = context.clock.now()
    if requested:
        require_area(context.engine, scope, requested, now, what, client_address())
        area = get_area(context.engine, requested)
        if area is not None:
            return area, None
    visible = visible_area_codes(context.engine, scope)
    default = default_area_code(context.engine) if visible is None \
        else min(scope.area_codes or (), default=None)
    area = get_area(context.engine, default) if default else None
    if requested and area is not None:
        return area, f"There is no area with the code {requested!r}; showing {area.name}."
    return area, None
