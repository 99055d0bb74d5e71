"""Injectable clocks. Every "now" in the product comes from one of these."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (Europe/London)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC).astimezone(LONDON)


class FixedClock:
    """A clock that always answers the same time (tests, screenshots, reproducible demos)."""

    def __init__(self, at: datetime) -> None:
        self._at = as_london(at)

    def now(self) -> datetime:
        return self._at


def as_london(moment: datetime) -> datetime:
    """An aware London time; a naive datetime is read as London local time."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=LONDON)
    return moment.astimezone(LONDON)


def to_utc_naive(moment: datetime) -> datetime:
    """The storage form: naive UTC. Durations stay right across clock changes."""
    return as_london(moment).astimezone(UTC).replace(tzinfo=None)


def from_utc_naive(stored: datetime) -> datetime:
    """From the storage form back to an aware London time."""
    return stored.replace(tzinfo=UTC).astimezone(LONDON)


def day_start(day: date) -> datetime:
    """00:00 London time on ``day``."""
    return datetime.combine(day, time.min, LONDON)


def same_time_yesterday(now: datetime) -> datetime:
    """The same London clock time on the day before: across a clock change that is 23 or 25
    hours earlier, not 24 (a huddle at 08:30 looks back to yesterday's at 08:30)."""
    local = as_london(now)
    return as_london(datetime.combine(local.date() - timedelta(days=1), local.time()))


def parse_clock(text: str | None) -> Clock:
    """``DASHBOARD_NOW`` unset gives the system clock; an ISO 8601 time fixes it."""
    if not text:
        return SystemClock()
    return FixedClock(datetime.fromisoformat(text))
