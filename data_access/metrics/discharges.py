"""Discharges by pathway."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, func, select

from dashboard.vocabulary import PATHWAYS
from data_access.access import AreaInScope
from data_access.areas import episodes_in_area
from data_access.models import Episode


def discharges_by_pathway(engine: Engine, area: AreaInScope, first_day: date,
                          last_day: date) -> dict[int | None, int]:
    """Episodes discharged on the local days of the period, by pathway 0-3 (zeros shown).

    Discharges with no pathway recorded are shown as "not recorded" (only when there are any).
    Today shows yesterday (the local calendar day before T).
    """
    # Days first_day..last_day inclusive; the key None counts discharges with no pathway.
    statement = (
        select(Episode.pathway, func.count())
        .where(episodes_in_area(area), Episode.discharge_date.between(first_day, last_day))
        .group_by(Episode.pathway)
    )
    with engine.connect() as connection:
        counts = dict(connection.execute(statement).all())
    result: dict[int | None, int] = {pathway: int(counts.get(pathway, 0)) for pathway in PATHWAYS}
    if counts.get(None):
        result[None] = int(counts[None])
    return result
