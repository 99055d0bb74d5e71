"""Configuration from the environment, read once when the app or a command starts."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.clock import Clock, parse_clock

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'instance' / 'dashboard.db'}"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8050
    # Load the synthetic demonstration system when the database holds no episodes.
    demo_if_empty: bool = True
    clock: Clock = field(default_factory=lambda: parse_clock(None))


def settings_from_env(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    return Settings(
        database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        host=env.get("HOST", "127.0.0.1"),
        port=int(env.get("PORT", "8050")),
        demo_if_empty=env.get("DASHBOARD_DEMO_IF_EMPTY", "1") not in ("0", "false", "no"),
        clock=parse_clock(env.get("DASHBOARD_NOW")),
    )
