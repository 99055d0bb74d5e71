"""Planning scenarios saved on the Plan page: per area, shared with everyone whose scope holds
the area (docs/planning.md, "Saved scenarios"). The caller checks the scenario
(``dashboard.planning.scenario.parse_scenario``) and audits the save or load."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, delete, insert, or_, select

from dashboard.clock import to_utc_naive
from data_access.access import AreaInScope, require_in_scope
from data_access.contract import storable
from data_access.models import Area, AreaLink, PlanScenario
from data_access.sql import rows_frame

SAVED_COLUMNS = ["id", "name", "area", "saved_by", "saved_at"]


@dataclass(frozen=True)
class SavedScenario:
    id: int
    area_code: str
    name: str
    scenario: str  # the scenario file's JSON
    saved_by: str


def _here_or_inside(area: AreaInScope) -> object:
    """Scenarios saved for the area or an area inside it (all within the user's scope)."""
    inside = select(AreaLink.descendant_code).where(AreaLink.ancestor_code == area.code)
    return or_(PlanScenario.area_code == area.code, PlanScenario.area_code.in_(inside))


def save_scenario(engine: Engine, area: AreaInScope, name: str, scenario: str, saved_by: str,
                  at: datetime) -> int:
    """Store the checked scenario under its name for the area (replacing one of that name);
    its id."""
    require_in_scope(area)
    if storable(name) != name or storable(scenario) != scenario:
        raise ValueError("a scenario's name and text must be storable")
    with engine.begin() as connection:
        connection.execute(delete(PlanScenario).where(PlanScenario.area_code == area.code,
                                                      PlanScenario.name == name))
        return int(connection.execute(insert(PlanScenario).values(
            area_code=area.code, name=name, scenario=scenario, saved_by=saved_by[:64],
            saved_at=to_utc_naive(at))).inserted_primary_key[0])


def saved_scenarios(engine: Engine, area: AreaInScope) -> pd.DataFrame:
    """The scenarios saved for the area and the areas inside it, newest first."""
    require_in_scope(area)
    statement = (select(PlanScenario.id, PlanScenario.name, Area.name.label("area"),
                        PlanScenario.saved_by, PlanScenario.saved_at)
                 .join(Area, Area.code == PlanScenario.area_code)
                 .where(_here_or_inside(area))
                 .order_by(PlanScenario.saved_at.desc(), PlanScenario.id.desc()))
    with engine.connect() as connection:
        return rows_frame(connection.execute(statement).all(), SAVED_COLUMNS)


def saved_scenario(engine: Engine, area: AreaInScope, scenario_id: int) -> SavedScenario | None:
    """The scenario of that id if it was saved for the area or an area inside it; else None."""
    require_in_scope(area)
    statement = (select(PlanScenario.id, PlanScenario.area_code, PlanScenario.name,
                        PlanScenario.scenario, PlanScenario.saved_by)
                 .where(PlanScenario.id == scenario_id, _here_or_inside(area)))
    with engine.connect() as connection:
        row = connection.execute(statement).first()
    return None if row is None else SavedScenario(*row)
