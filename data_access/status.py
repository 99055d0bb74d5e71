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


def data_status(engine: Engine) -> DataStatus:
    accepted = Load.outcome.in_(("loaded", "partial"))
    with engine.connect() as connection:
        last = connection.scalar(select(func.max(Load.finished_at)).where(accepted))
        synthetic = connection.scalar(
            select(Load.id).where(accepted, Load.synthetic.is_(True)).limit(1))
    return DataStatus(from_utc_naive(last) if last else None, synthetic is not None)


def holds_episodes(engine: Engine) -> bool:
    """Whether there are any (not how many: a count reads a whole country's episodes)."""
    with engine.connect() as connection:
        return connection.scalar(select(Episode.episode_id).limit(1)) is not None


def holds_real_person_data(engine: Engine) -> bool:
    """Whether any person-level rows came from a load not marked synthetic (then demonstration
    accounts, whose passwords are public, are refused)."""
    with engine.connect() as connection:
        found = connection.scalar(select(Load.id).where(
            Load.outcome.in_(("loaded", "partial")), Load.synthetic.is_(False),
            Load.file_name.in_(("episodes.csv", "delays.csv")), Load.rows_accepted > 0).limit(1))
    return found is not None
