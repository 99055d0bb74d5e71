"""The sessions this process last saw as valid: stand-ins for the session lookup while the
database does not answer.

Every request looks its session up in the database; only while the database does not answer
(or is known not to, for a few seconds after a read failed: ``ViewCache.attempt``) does the copy
here stand in, so that a page a user already had open keeps showing the outage banner and the
last good figures (dashboard.cache). Nothing can be ended while the database does not answer, so
the copy says what the database last said; it is held to the same idle and maximum-age limits,
counted from what this process saw. It is per process and in memory: never shared with another
worker or instance (each keeps what it saw itself), and never consulted while the database is
known to answer. docs/security.md (Sessions) says exactly how far it reaches.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from dashboard.results import UserScope
from data_access.access import LiveSession
from data_access.sessions import SessionLimits


@dataclass
class _Seen:
    scope: UserScope
    signed_in_at: datetime
    last_seen_at: datetime


class LastSeenSessions:
    """Keyed by the session id's hash (or ``sso:<username>``); the least recently seen are
    dropped beyond ``entries``."""

    def __init__(self, limits: SessionLimits, entries: int = 10_000) -> None:
        self._limits, self._entries = limits, entries
        self._seen: OrderedDict[str, _Seen] = OrderedDict()
        self._lock = threading.Lock()

    def saw(self, key: str, live: LiveSession, now: datetime) -> None:
        """The database has just said this session is live, with this scope."""
        with self._lock:
            self._seen[key] = _Seen(live.scope, live.signed_in_at, now)
            self._seen.move_to_end(key)
            while len(self._seen) > self._entries:
                self._seen.popitem(last=False)

    def stand_in(self, key: str, now: datetime) -> UserScope | None:
        """The scope last seen for a session that is not idle or too old by what this process
        saw (its last-seen time moves on); None if there is none."""
        with self._lock:
            seen = self._seen.get(key)
            if seen is None:
                return None
            if self._limits.why_over(seen.signed_in_at, seen.last_seen_at, now):
                del self._seen[key]
                return None
            seen.last_seen_at = now
            return seen.scope

    def forget(self, key: str) -> None:
        """The session ended (or the database says it is not live): never stand in for it."""
        with self._lock:
            self._seen.pop(key, None)
