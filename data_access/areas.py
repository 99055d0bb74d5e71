"""The area tree: what the picker offers, and the SQL filters that confine a query to an area
(they take only an ``AreaInScope``, so no query reaches an area the access layer did not let
through)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import ColumnElement, Engine, Select, select

from data_access.access import AreaInScope, require_in_scope
from data_access.models import Area, AreaLink, Episode, Service, TriggerLevel

PICKER_LEVELS = ("icb", "utla", "sub_icb", "district", "neighbourhood")
# The level an area is broken down into on the pages (a system into places, a place into
# neighbourhoods; a neighbourhood is the finest there is).
CHILD_LEVEL = {"region": "icb", "icb": "district", "utla": "district", "sub_icb": "district",
               "district": "neighbourhood", "neighbourhood": "neighbourhood"}


def picker_areas(engine: Engine) -> pd.DataFrame:
    """Areas offered by the picker, in tree order, with their depth below the top shown level.

    A sub-ICB location that is its ICB's only one adds nothing (same people), so it is left out.
    """
    with engine.connect() as connection:
        areas = pd.read_sql_query(select(Area.code, Area.name, Area.level, Area.parent_code),
                                  connection)
    children = areas.groupby("parent_code")["code"].apply(list).to_dict()
    only_child = {kids[0] for kids in children.values() if len(kids) == 1}
    # Plain dicts, not a frame looked up area by area: the country has about 1,600.
    name_of = dict(zip(areas.code, areas.name, strict=True))
    level_of = dict(zip(areas.code, areas.level, strict=True))
    rows: list[dict[str, object]] = []

    def visit(code: str, depth: int) -> None:
        level = level_of[code]
        shown = level in PICKER_LEVELS and not (level == "sub_icb" and code in only_child)
        if shown:
            rows.append({"code": code, "name": name_of[code], "level": level, "depth": depth})
        for child in sorted(children.get(code, []), key=name_of.__getitem__):
            visit(child, depth + 1 if shown else depth)

    for root in sorted(areas.loc[areas.parent_code.isna(), "code"]):
        visit(root, 0)
    return pd.DataFrame(rows, columns=["code", "name", "level", "depth"])


def default_area_code(engine: Engine) -> str | None:
    """The first system (ICB) in name order, or the first top-level area."""
    with engine.connect() as connection:
        return connection.scalar(
            select(Area.code).order_by((Area.level != "icb"), Area.name).limit(1)
        )


def areas_with_trigger_levels(engine: Engine) -> list[str]:
    """The codes of the areas with system trigger levels set (for their scheduled evaluation):
    codes only, no figure of any area."""
    with engine.connect() as connection:
        return list(connection.scalars(select(TriggerLevel.area_code).distinct()
                                       .order_by(TriggerLevel.area_code)))


def _descendants(area: AreaInScope) -> Select[tuple[str]]:
    return select(AreaLink.descendant_code).where(
        AreaLink.ancestor_code == require_in_scope(area).code)


def _ancestors(area: AreaInScope) -> Select[tuple[str]]:
    return select(AreaLink.ancestor_code).where(
        AreaLink.descendant_code == require_in_scope(area).code)


def episodes_in_area(area: AreaInScope) -> ColumnElement[bool]:
    """People whose home is inside the area (the area itself or any area below it)."""
    return home_in_area(Episode.home_area_code, area)


def home_in_area(column: ColumnElement[str], area: AreaInScope) -> ColumnElement[bool]:
    """A home area ``column`` (of episodes, or of facts about them) inside the area."""
    return column.in_(_descendants(area))


def services_serving_area(area: AreaInScope) -> ColumnElement[bool]:
    """Services available to the area's people: those of the area, of areas inside it, and of
    the areas it lies in (a system-wide bed base serves every place in the system)."""
    return Service.area_code.in_(_descendants(area).union(_ancestors(area)))
