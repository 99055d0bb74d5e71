"""One cache of rendered views, keyed by the view and the data version, shared by every browser.

Each open page asks every refresh interval whether the data changed. The answer (the data
version) is itself cached for a few seconds, so a thousand open browsers cost one small query per
few seconds; a view is computed once per data version and then served from the cache, so the cost
of a refresh does not grow with the number of browsers.

The version is the id of the latest load or delivery, plus the current time step: figures about
"now" (hours waiting, stale reports, quiet sources) move with time even when no data arrives, so
they are recomputed once per step, not once per browser.

While the database does not answer, the version says so (``down.<since>``) and every view
raises ``DatabaseDown`` carrying the last good copy this server holds for its key (the key holds
the user's scope, so a copy never reaches another scope) and when it was computed; the next
version that reads the database again ends the outage for every page.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import orjson
import pandas as pd
from flask import Flask
from flask_caching import Cache
from redis.exceptions import RedisError
from sqlalchemy import Engine

from dashboard.clock import Clock
from data_access.db import UNREACHABLE_ERRORS
from data_access.feeds import data_version

T = TypeVar("T")
log = logging.getLogger(__name__)

TIME_STEP_SECONDS = 300  # figures about "now" are recomputed at most this often
VERSION_SECONDS = 5  # how long the data version itself is taken as known
VIEW_SECONDS = 3600  # an unused view leaves the cache after this long
_VERSION_KEY, _DOWN_SINCE_KEY, _LAST_READ_KEY = "data-version", "down-since", "last-read"
_DOWN = "down."


def code_fingerprint() -> str:
    """A digest of the app's Python source. Views are kept as the data sent, and a page's period
    figures as pickled frames and results: two versions of the code sharing one Redis during an
    upgrade must never read each other's, so every key carries this."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for package in ("callbacks", "dashboard", "data_access", "layouts"):
        for source in sorted((root / package).rglob("*.py")):
            digest.update(source.relative_to(root).as_posix().encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()[:12]


KEY_PREFIX = f"ic-dashboard:{code_fingerprint()}:"
# The longest a request waits for the same view being computed by another request in its
# process before it computes the view itself (well within gunicorn's 60 s timeout).
IN_FLIGHT_WAIT_SECONDS = 20.0


def time_step(now: datetime) -> int:
    return int(now.timestamp() // TIME_STEP_SECONDS)


def is_down(version: str | None) -> bool:
    """Whether a data version says the database is not answering."""
    return bool(version) and str(version).startswith(_DOWN)


@dataclass(frozen=True)
class Kept:
    """The last good copy of a view, as sent, and when it was computed."""

    value: Any
    made_at: datetime


class DatabaseDown(Exception):
    """The database is not answering: since when, the last successful read before that (None:
    none since this cache was new) and, for a view, its last good copy (None: none kept)."""

    def __init__(self, since: datetime, last_read: datetime | None,
                 kept: Kept | None = None) -> None:
        super().__init__(f"the database has not answered since {since.isoformat()}")
        self.since, self.last_read, self.kept = since, last_read, kept


class SharedCache:
    """The cache backend, whose own outage is a miss, not an error: while Redis does not answer,
    pages are computed as if nothing were cached (and it is not asked again for a few seconds,
    so no request waits on it twice); once it answers it is used again."""

    RETRY_SECONDS = 5

    def __init__(self, cache: Cache) -> None:
        self._cache, self._failing, self._retry_at = cache, False, 0.0

    def init_app(self, server: Flask) -> None:
        self._cache.init_app(server)

    def get(self, key: str) -> Any:
        return self._call(self._cache.get, key)

    def set(self, key: str, value: Any, timeout: int | None = None) -> None:
        self._call(self._cache.set, key, value, timeout=timeout)

    def delete(self, key: str) -> None:
        self._call(self._cache.delete, key)

    def add(self, key: str, value: Any, timeout: int | None = None) -> bool:
        """Set ``key`` unless it is set; whether this call set it (True while the cache does
        not answer: each process then works alone)."""
        added = self._call(self._cache.add, key, value, timeout=timeout)
        return added is None or bool(added)

    def _call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self._failing and time.monotonic() < self._retry_at:
            return None
        try:
            answer = method(*args, **kwargs)
        except RedisError:
            if not self._failing:
                log.warning("the shared cache (Redis) is not answering; computing every view")
            self._failing, self._retry_at = True, time.monotonic() + self.RETRY_SECONDS
            return None
        if self._failing:
            log.warning("the shared cache (Redis) answers again")
            self._failing = False
        return answer


class InFlight:
    """Requests for the same view at the same moment, in one process: the first computes it,
    the others wait for it and then read it from the cache. At the 8:30 huddle everyone opens
    the same default views at once; without this, each request computed its own copy of a view
    another was already computing, and the first minutes were the slowest of the day."""

    def __init__(self, event: Callable[[], threading.Event] = threading.Event) -> None:
        self._lock, self._event = threading.Lock(), event
        self._running: dict[Hashable, threading.Event] = {}

    @contextmanager
    def first(self, key: Hashable) -> Iterator[bool]:
        """Yields True to the request that computes ``key``; False to one that came while it
        did, once it has finished (or ``IN_FLIGHT_WAIT_SECONDS`` have passed)."""
        with self._lock:
            running = self._running.get(key)
            if running is None:
                self._running[key] = self._event()
        if running is not None:
            running.wait(IN_FLIGHT_WAIT_SECONDS)
            yield False
            return
        try:
            yield True
        finally:
            with self._lock:
                self._running.pop(key).set()


class ViewCache:
    def __init__(self, engine: Engine, clock: Clock, cache_type: str = "simple",
                 cache_dir: str | None = None, version_seconds: int = VERSION_SECONDS,
                 redis_url: str | None = None, entries: int = 500) -> None:
        self._engine, self._clock, self._version_seconds = engine, clock, version_seconds
        self._in_flight = InFlight()
        # Whether other processes read what this one keeps (the warm-up may then run apart).
        self.shared_between_processes = cache_type in ("filesystem", "redis")
        config: dict[str, Any] = {"CACHE_TYPE": {"simple": "SimpleCache",
                                                 "filesystem": "FileSystemCache",
                                                 "redis": "RedisCache",
                                                 "null": "NullCache"}[cache_type],
                                  "CACHE_DEFAULT_TIMEOUT": VIEW_SECONDS,
                                  "CACHE_KEY_PREFIX": KEY_PREFIX}
        if cache_type in ("simple", "filesystem"):
            config["CACHE_THRESHOLD"] = entries
        if cache_type == "filesystem":
            config["CACHE_DIR"] = cache_dir
        if cache_type == "redis":  # shared by every instance: the version, views and back-tests
            config["CACHE_REDIS_URL"] = redis_url
            # A Redis that does not answer is given up on quickly (see SharedCache).
            config["CACHE_OPTIONS"] = {"socket_connect_timeout": 1, "socket_timeout": 1}
        self._cache = SharedCache(Cache(config=config))

    def init_app(self, server: Flask) -> None:
        self._cache.init_app(server)

    def version(self, with_time_step: bool = True) -> str:
        """The data version: the latest load's id and (unless told not to) the time step; while
        the database does not answer, ``down.<since>`` (never raises)."""
        latest = self._cache.get(_VERSION_KEY)
        if latest is None:
            try:
                latest = data_version(self._engine)
            except UNREACHABLE_ERRORS:
                return self._went_down()
            self._cache.set(_LAST_READ_KEY, self._clock.now(), timeout=0)
            if self._cache.get(_DOWN_SINCE_KEY) is not None:
                log.warning("the database answers again")
                self._cache.delete(_DOWN_SINCE_KEY)
            self._cache.set(_VERSION_KEY, latest, timeout=self._version_seconds)
        if is_down(latest):
            return str(latest)
        return f"{latest}.{time_step(self._clock.now())}" if with_time_step else str(latest)

    def not_answering(self, kept: Kept | None = None) -> DatabaseDown:
        """Note that the database did not answer (every page's next version says so, and it is
        asked again only after the version's few seconds); the outage as known here."""
        self._went_down()
        return self._outage(kept)

    def _went_down(self) -> str:
        since = self._cache.get(_DOWN_SINCE_KEY)
        if since is None:
            since = self._clock.now()
            self._cache.set(_DOWN_SINCE_KEY, since, timeout=0)
            log.warning("the database is not answering; pages show their last good figures")
        verdict = f"{_DOWN}{since:%Y%m%dT%H%M%S}"
        self._cache.set(_VERSION_KEY, verdict, timeout=self._version_seconds)
        return verdict

    def _outage(self, kept: Kept | None = None) -> DatabaseDown:
        return DatabaseDown(self._cache.get(_DOWN_SINCE_KEY) or self._clock.now(),
                            self._cache.get(_LAST_READ_KEY), kept)

    def attempt(self, compute: Callable[[], T], kept: Kept | None = None) -> T:
        """``compute()`` now, never cached; ``DatabaseDown`` instead if the database does not
        answer, or is known not to: a read failed and the version has not been read again
        since (within its few seconds), so no request waits for it again."""
        if is_down(self._cache.get(_VERSION_KEY)):
            raise self._outage(kept)  # known down: no request waits for it again
        try:
            return compute()
        except UNREACHABLE_ERRORS as error:
            raise self.not_answering(kept) from error
        except DatabaseDown:  # a view computed within this one: this one's last good copy
            raise self._outage(kept) from None

    def claim(self, name: str, seconds: int) -> bool:
        """Whether this process takes on the work called ``name`` (no other process sharing the
        cache has in the last ``seconds``)."""
        return self._cache.add(repr(("claim", name)), True, timeout=seconds)

    def data_changed(self) -> None:
        """Forget the data version at once (called after a load in this process)."""
        self._cache.delete(_VERSION_KEY)

    def view(self, key: tuple[Hashable, ...], compute: Callable[[], T], *,
             with_time_step: bool = True, shared: bool = False, as_is: bool = False,
             keep_seconds: int = VIEW_SECONDS) -> T:
        """``compute()`` once per key and data version; later calls get the cached result, as
        sent (``as_sent``), or, ``as_is``, as computed (the frames and results a page is built from;
        the cache keeps its own copy, so a caller may change what it gets). An entry unused for
        ``keep_seconds`` leaves the cache.

        The version is the server's own, never one a browser sends (a client can send anything).
        A view that does not move with the time of day (its key names the day) passes
        ``with_time_step=False``. A view whose computation checks and records nothing of the
        user (the same for everyone who may see it) passes ``shared=True``: requests for it that
        come while it is computed in this process wait for it (``InFlight``).

        While the database does not answer this raises ``DatabaseDown`` with the last good copy
        for the key, if this server has one (its entry is the latest version computed).
        """
        version = self.version(with_time_step)
        cache_key = repr(("view", key))
        entry = self._cache.get(cache_key)
        if entry is not None and entry["version"] == version:
            return entry["value"]  # type: ignore[no-any-return]
        kept = None if entry is None else Kept(entry["value"], entry["made_at"])
        if is_down(version):
            if entry is not None:
                self._cache.set(cache_key, entry)  # kept for as long as the outage lasts
            raise self._outage(kept)
        prepared = compute if as_is else lambda: as_sent(compute())
        if not shared:
            return self._computed(cache_key, version, prepared, kept, keep_seconds)
        with self._in_flight.first((cache_key, version)) as first:
            if not first:
                entry = self._cache.get(cache_key)
                if entry is not None and entry["version"] == version:
                    return entry["value"]  # type: ignore[no-any-return]
            return self._computed(cache_key, version, prepared, kept, keep_seconds)

    def _computed(self, cache_key: str, version: str, compute: Callable[[], T],
                  kept: Kept | None, keep_seconds: int) -> T:
        made_at = self._clock.now()
        found = self.attempt(compute, kept)
        self._cache.set(cache_key, {"version": version, "made_at": made_at, "value": found},
                        timeout=keep_seconds)
        return found

    def peek(self, key: tuple[Hashable, ...]) -> Any:
        """The view for ``key`` if it is cached for the current data version, else None (never
        computes it)."""
        entry = self._cache.get(repr(("view", key)))
        return entry["value"] if entry is not None and entry["version"] == self.version() \
            else None

    def fresh(self, compute: Callable[[], T]) -> T:
        """``compute()`` as sent, never cached or kept (person-level views: each is checked and
        recorded); while the database does not answer, ``DatabaseDown`` without a copy."""
        if is_down(self.version()):
            raise self._outage()
        return self.attempt(lambda: as_sent(compute()))


def as_sent(output: Any) -> Any:
    """Components and figures as the plain JSON data Dash sends to the browser.

    Cached in this form, a view is the same bytes whether it was just computed or not (a
    pickled Plotly figure comes back with its whole template attached) and cheap to copy.
    orjson walks the output itself and asks ``_plain`` only about what it does not know
    (components, figures, pandas values): half the time of Plotly's own walk, the same data
    (tests/test_cache.py).
    """
    return orjson.loads(orjson.dumps(output, default=_plain, option=_AS_SENT_OPTIONS))


_AS_SENT_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def encoded(sent: Any) -> orjson.Fragment:
    """A view as sent (``as_sent``), encoded once for the response: Dash's encoder copies every
    dict and list of what a callback returns before encoding it (30 ms for a large page), and
    passes an encoded fragment through untouched."""
    return orjson.Fragment(orjson.dumps(sent))


def _plain(value: Any) -> Any:
    if hasattr(value, "to_plotly_json"):  # Dash components and Plotly figures
        return value.to_plotly_json()
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, pd.Series | pd.Index | np.ndarray):  # arrays orjson does not take
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot send a {type(value).__name__} to the browser")
