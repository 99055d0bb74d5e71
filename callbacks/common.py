"""What several callbacks share."""

from __future__ import annotations

from dashboard.context import AppContext
from data_access.areas import AreaInfo, default_area_code, get_area


def resolve_area(context: AppContext, requested: str | None) -> tuple[AreaInfo | None, str | None]:
    """The area to show and, if the URL asked for one that does not exist, a message saying so."""
    if requested:
        area = get_area(context.engine, requested)
        if area is not None:
            return area, None
    default = default_area_code(context.engine)
    area = get_area(context.engine, default) if default else None
    if requested and area is not None:
        return area, f"There is no area with the code {requested!r}; showing {area.name}."
    return area, None
