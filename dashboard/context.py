"""What callbacks need from the running app: the engine and the clock, passed in, never global."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from dashboard.clock import Clock


@dataclass(frozen=True)
class AppContext:
    engine: Engine
    clock: Clock
