"""Local goals: which goal holds for an area on a day, the goals a page lists, and setting one from
the Goals page through the same loader (and checks) as goals.csv."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine, or_, select

from dashboard.clock import Clock
from dashboard.goals import GOAL_MEASURES, GoalInForce
from dashboard.vocabulary import UPPER_TIER_LEVEL
from data_access.access import AreaInScope, require_in_scope
from data_access.contract import GOALS
from data_access.loader import LoadReport, load_batch
from data_access.models import Area, AreaLink, Goal

GOAL_COLUMNS = ["area_code", "area", "measure", "first_day", "last_day", "goal", "better",
                "set_for"]
PAGE_CHANNEL = "page"


def goals_in_force(engine: Engine, area: AreaInScope, day: date) -> dict[str, GoalInForce]:
    """Each measure's goal that holds for the area on ``day``: the area's own, else (for a share
    or an average, ``GoalMeasure.inherited``) that of the nearest area it lies in, an upper-tier
    local authority's first where two are as near."""
    code = require_in_scope(area).code
    statement = (
        select(Goal.measure, Goal.goal, Goal.better, Goal.first_day, Goal.last_day,
               Goal.area_code, Area.name, AreaLink.depth)
        .join(AreaLink, AreaLink.ancestor_code == Goal.area_code)
        .join(Area, Area.code == Goal.area_code)
        .where(AreaLink.descendant_code == code, Goal.first_day <= day, Goal.last_day >= day)
        # Nearest last; at the same distance the upper-tier local authority's (the Better Care
        # Fund footprint) last.
        .order_by(AreaLink.depth.desc(), (Area.level == UPPER_TIER_LEVEL).asc(), Goal.area_code))
    found: dict[str, GoalInForce] = {}
    with engine.connect() as connection:
        for measure, value, better, first, last, area_code, name, depth in connection.execute(
                statement):
            known = GOAL_MEASURES.get(measure)
            if known is None or (depth > 0 and not known.inherited):
                continue
            # Nearest last: the area's own goal overwrites one held from above.
            found[measure] = GoalInForce(measure, float(value), better, first, last, area_code,
                                         name)
    return found


def goals_around(engine: Engine, area: AreaInScope) -> pd.DataFrame:
    """Every goal set for the area, for the areas inside it and for those it lies in (whose
    shares and averages it holds), latest first; ``set_for`` is "here", "inside" or "above"."""
    code = require_in_scope(area).code
    inside = select(AreaLink.descendant_code).where(AreaLink.ancestor_code == code)
    above = select(AreaLink.ancestor_code).where(AreaLink.descendant_code == code)
    statement = (
        select(Goal.area_code, Area.name.label("area"), Goal.measure, Goal.first_day,
               Goal.last_day, Goal.goal, Goal.better)
        .join(Area, Area.code == Goal.area_code)
        .where(or_(Goal.area_code.in_(inside), Goal.area_code.in_(above)))
        .order_by(Goal.first_day.desc(), Area.name, Goal.measure))
    with engine.connect() as connection:
        goals = pd.read_sql_query(statement, connection)
        above_codes = set(connection.scalars(above))
    goals["set_for"] = ["here" if c == code else "above" if c in above_codes else "inside"
                      for c in goals["area_code"]]
    return goals.reindex(columns=GOAL_COLUMNS)


def set_goal(engine: Engine, area: AreaInScope, measure: str, first_day: str, last_day: str,
             goal: str, better: str, *, set_by: str, clock: Clock) -> LoadReport:
    """Set (or replace, from the same first day) a goal for a checked area, as one row of
    goals.csv through the loader: the same checks, and the load names who set it."""
    row = {"measure": measure, "first_day": first_day, "last_day": last_day, "goal": goal,
           "better": better}
    return load_from_page(engine, area, GOALS.name, row, set_by=set_by, clock=clock)


def load_from_page(engine: Engine, area: AreaInScope, file_name: str,
                   row: dict[str, str | None], *, set_by: str, clock: Clock) -> LoadReport:
    """One row a data manager set on the Goals page for a checked area, as a record of
    ``file_name`` through the loader: the same checks as the file, and the load names who set
    it."""
    record = {"area_code": require_in_scope(area).code, **row}
    return load_batch(engine, {file_name: [(1, record)]}, source=f"Goals page: {set_by}",
                      clock=clock, channel=PAGE_CHANNEL, unit="record")
