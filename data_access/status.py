"""What the data is: when it was last loaded, and whether it is synthetic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select

from dashboard.clock import from_utc_naive
from data_access.models import Episode, Load


@dataclass(frozen=True)
class DataStatus:
    last_loaded_at: datetime | None  # aware London time of the last successful load
    synthetic: bool  # any synthetic load is in the database
    episodes: int


def data_status(engine: Engine) -> DataStatus:
    accepted = Load.outcome.in_(("loaded", "partial"))
    with engine.connect() as connection:
        last = connection.scalar(select(func.max(Load.finished_at)).where(accepted))
        synthetic = connection.scalar(
            select(func.count()).where(accepted, Load.synthetic.is_(True))) or 0
        episodes = connection.scalar(select(func.count()).select_from(Episode)) or 0
    return DataStatus(from_utc_naive(last) if last else None, synthetic > 0, int(episodes))


def holds_real_person_data(engine: Engine) -> bool:
    """Whether any person-level rows came from a load not marked synthetic (then demonstration
    accounts, whose passwords are public, are refused)."""
    with engine.connect() as connection:
        found = connection.scalar(select(Load.id).where(
            Load.outcome.in_(("loaded", "partial")), Load.synthetic.is_(False),
            Load.file_name.in_(("episodes.csv", "delays.csv")), Load.rows_accepted > 0).limit(1))
    return found is not None
