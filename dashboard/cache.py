"""One cache of rendered views, keyed by the view and the data version, shared by every browser.

Each open page asks every refresh interval whether the data changed. The answer (the data
version) is itself cached for a few seconds, so a thousand open browsers cost one small query per
few seconds; a view is computed once per data version and then served from the cache, so the cost
of a refresh does not grow with the number of browsers.

The version is the id of the latest load or delivery, plus the current time step: figures about
"now" (hours waiting, stale reports, quiet sources) move with time even when no data arrives, so
they are recomputed once per step, not once per browser.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any, TypeVar

from flask import Flask
from flask_caching import Cache
from plotly.io.json import to_json_plotly
from sqlalchemy import Engine

from dashboard.clock import Clock
from data_access.feeds import data_version

T = TypeVar("T")

TIME_STEP_SECONDS = 300  # figures about "now" are recomputed at most this often
VERSION_SECONDS = 5  # how long the data version itself is taken as known
VIEW_SECONDS = 3600  # an unused view leaves the cache after this long
_VERSION_KEY = "data-version"
KEY_PREFIX = "ic-dashboard:"


def time_step(now: datetime) -> int:
    return int(now.timestamp() // TIME_STEP_SECONDS)


class ViewCache:
    def __init__(self, engine: Engine, clock: Clock, cache_type: str = "simple",
                 cache_dir: str | None = None, version_seconds: int = VERSION_SECONDS,
                 redis_url: str | None = None) -> None:
        self._engine, self._clock, self._version_seconds = engine, clock, version_seconds
        config: dict[str, Any] = {"CACHE_TYPE": {"simple": "SimpleCache",
                                                 "filesystem": "FileSystemCache",
                                                 "redis": "RedisCache",
                                                 "null": "NullCache"}[cache_type],
                                  "CACHE_DEFAULT_TIMEOUT": VIEW_SECONDS,
                                  "CACHE_KEY_PREFIX": KEY_PREFIX}
        if cache_type == "filesystem":
            config["CACHE_DIR"] = cache_dir
        if cache_type == "redis":  # shared by every instance: the version, views and back-tests
            config["CACHE_REDIS_URL"] = redis_url
        self._cache = Cache(config=config)

    def init_app(self, server: Flask) -> None:
        self._cache.init_app(server)

    def version(self, with_time_step: bool = True) -> str:
        """The data version: the latest load's id and (unless told not to) the time step."""
        latest = self._cache.get(_VERSION_KEY)
        if latest is None:
            latest = data_version(self._engine)
            self._cache.set(_VERSION_KEY, latest, timeout=self._version_seconds)
        return f"{latest}.{time_step(self._clock.now())}" if with_time_step else str(latest)

    def data_changed(self) -> None:
        """Forget the data version at once (called after a load in this process)."""
        self._cache.delete(_VERSION_KEY)

    def remember(self, key: tuple[Hashable, ...], compute: Callable[[], T], seconds: int) -> T:
        """``compute()`` at most once per ``seconds`` (a result of None is not kept)."""
        cache_key = repr(("remember", key))
        found = self._cache.get(cache_key)
        if found is None:
            found = compute()
            if found is not None:
                self._cache.set(cache_key, found, timeout=seconds)
        return found  # type: ignore[no-any-return]

    def view(self, key: tuple[Hashable, ...], compute: Callable[[], T], *,
             with_time_step: bool = True) -> T:
        """``compute()`` once per key and data version; later calls get the cached result.

        The version is the server's own, never one a browser sends (a client can send anything).
        A view that does not move with the time of day (its key names the day) passes
        ``with_time_step=False``.
        """
        cache_key = repr((key, self.version(with_time_step)))
        found = self._cache.get(cache_key)
        if found is None:
            found = as_sent(compute())
            self._cache.set(cache_key, found)
        return found  # type: ignore[no-any-return]


def as_sent(output: Any) -> Any:
    """Components and figures as the plain JSON data Dash sends to the browser.

    Cached in this form, a view is the same bytes whether it was just computed or not (a
    pickled Plotly figure comes back with its whole template attached) and cheap to copy.
    """
    return json.loads(to_json_plotly(output))
