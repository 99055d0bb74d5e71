"""Configuration from the environment, read once when the app or a command starts."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from dashboard.clock import Clock, parse_clock
from data_access.sessions import SessionLimits

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
    # Live screens: how often each open page asks whether the data changed.
    refresh_seconds: int = 60
    # Push API limits per request.
    feed_max_bytes: int = 5_000_000
    feed_max_records: int = 20_000
    # Figures are cached per view and data version. "simple" is per process; "filesystem" (with
    # cache_dir) is shared by the processes of one machine; "redis" (with redis_url) by every
    # instance that uses the same Redis.
    cache_type: str = "simple"
    cache_dir: str = str(PROJECT_ROOT / "instance" / "cache")
    redis_url: str | None = None
    # "simple" and "filesystem": at most this many entries (views, versions) are kept; a
    # view is 10-500 kB. Redis is bounded by its own maxmemory instead.
    cache_entries: int = 500
    # Sessions. Without DASHBOARD_SECRET_KEY a key is made once and kept in instance/secret_key.
    secret_key: str | None = None
    # Cookies only over HTTPS; "auto": yes unless the app listens on loopback (local use).
    secure_cookies: bool | None = None
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    # Single sign-on: the header a trusted reverse proxy sets to the signed-in username, trusted
    # only on requests from these proxy addresses.
    sso_header: str | None = None
    trusted_proxies: tuple[str, ...] = ()
    # Which default views are computed in the background at every new data version
    # (callbacks/warm.py): "places" (systems and places), "systems" or "off". Off unless set, so
    # an app a test builds does no work of its own; DASHBOARD_WARM_VIEWS defaults to "places".
    warm_views: str = "off"

    @property
    def session_limits(self) -> SessionLimits:
        return SessionLimits(idle=timedelta(minutes=self.session_idle_minutes),
                             longest=timedelta(hours=self.session_max_hours))


def settings_from_env(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    return Settings(
        database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        host=env.get("HOST", "127.0.0.1"),
        port=int(env.get("PORT", "8050")),
        demo_if_empty=env.get("DASHBOARD_DEMO_IF_EMPTY", "1") not in ("0", "false", "no"),
        clock=parse_clock(env.get("DASHBOARD_NOW")),
        refresh_seconds=_positive_int(env, "DASHBOARD_REFRESH_SECONDS", 60),
        feed_max_bytes=_positive_int(env, "DASHBOARD_FEED_MAX_BYTES", 5_000_000),
        feed_max_records=_positive_int(env, "DASHBOARD_FEED_MAX_RECORDS", 20_000),
        cache_type=env.get("DASHBOARD_CACHE", "simple"),
        cache_dir=env.get("DASHBOARD_CACHE_DIR") or str(PROJECT_ROOT / "instance" / "cache"),
        cache_entries=_positive_int(env, "DASHBOARD_CACHE_ENTRIES", 500),
        redis_url=_redis_url(env),
        secret_key=env.get("DASHBOARD_SECRET_KEY") or None,
        secure_cookies=_flag(env.get("DASHBOARD_SECURE_COOKIES")),
        session_idle_minutes=_positive_int(env, "DASHBOARD_SESSION_IDLE_MINUTES", 30),
        session_max_hours=_positive_int(env, "DASHBOARD_SESSION_MAX_HOURS", 12),
        sso_header=env.get("DASHBOARD_SSO_HEADER") or None,
        trusted_proxies=tuple(filter(None, (a.strip() for a in
                                            env.get("DASHBOARD_TRUSTED_PROXIES", "").split(",")))),
        warm_views=_choice(env, "DASHBOARD_WARM_VIEWS", "places", ("places", "systems", "off")),
    )


def _redis_url(env: dict[str, str] | os._Environ[str]) -> str | None:
    url = env.get("DASHBOARD_REDIS_URL") or None
    if env.get("DASHBOARD_CACHE") == "redis" and url is None:
        raise ValueError("DASHBOARD_CACHE=redis needs DASHBOARD_REDIS_URL, e.g. "
                         "redis://127.0.0.1:6379/0")
    return url


def _choice(env: dict[str, str] | os._Environ[str], name: str, default: str,
            allowed: tuple[str, ...]) -> str:
    value = env.get(name) or default
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _flag(raw: str | None) -> bool | None:
    if raw is None or raw.strip().lower() in ("", "auto"):
        return None
    return raw.strip().lower() not in ("0", "false", "no", "off")


def _positive_int(env: dict[str, str] | os._Environ[str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise ValueError(f"{name} must be at least 1")
    return value
