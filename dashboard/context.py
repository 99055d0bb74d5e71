"""What callbacks need from the running app (engine, clock, view cache), passed in, never global."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from dashboard.cache import ViewCache
from dashboard.clock import Clock
from dashboard.config import Settings
from data_access.sessions import SessionLimits


@dataclass(frozen=True)
class AppContext:
    engine: Engine
    clock: Clock
    views: ViewCache
    refresh_seconds: int = 60
    session_limits: SessionLimits = field(default_factory=lambda: Settings().session_limits)
