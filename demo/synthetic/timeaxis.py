"""The simulation's clock: local wall-clock time as float days since 2000-01-01 00:00.

The dashboard reads naive timestamps as Europe/London local time and works in local calendar days,
so the simulation runs on the wall clock too (durations across a clock change are an hour off,
which no metric notices). The only care needed is the hour that does not exist when the clocks go
forward: times in it are written as the moment the clocks reach (02:00), which keeps every pair of
timestamps in the same order after the loader converts them to UTC.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

from dashboard.clock import LONDON

EPOCH = datetime(2000, 1, 1)
_EPOCH64 = np.datetime64("2000-01-01T00:00:00", "s")
HOUR = 1 / 24


def to_days(moment: datetime) -> float:
    """Days since EPOCH on the wall clock; an aware moment is first read as London time."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(LONDON).replace(tzinfo=None)
    return (moment - EPOCH).total_seconds() / 86400


def months_before(moment: date, months: int) -> date:
    """The same day of the month `months` calendar months earlier (clamped to the month's end)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    first_of_next = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return date(year, month + 1, min(moment.day, (first_of_next - timedelta(days=1)).day))


@dataclass(frozen=True)
class Calendar:
    """The simulated days: from the warm-up start to the day of `now`."""

    first_day: int  # day index of the first simulated day
    window_start: float  # start of the history written out (days)
    now: float  # days

    @property
    def last_day(self) -> int:
        return math.floor(self.now)

    @property
    def days(self) -> np.ndarray:
        return np.arange(self.first_day, self.last_day + 1)

    @property
    def window_days(self) -> float:
        return self.now - self.window_start

    @property
    def calibration_start(self) -> float:
        """Levels are matched from here on: the history window and the later half of the
        warm-up, when services are already full."""
        return self.first_day + (self.window_start - self.first_day) / 2

    @property
    def calibration_days(self) -> float:
        return self.now - self.calibration_start

    @staticmethod
    def month_of(times: np.ndarray) -> np.ndarray:
        """The month of each time, counted as year * 12 + month - 1."""
        dates = _EPOCH64.astype("datetime64[D]") + np.floor(times).astype(int)
        return dates.astype("datetime64[M]").astype(int) + 1970 * 12

    def weekdays(self) -> np.ndarray:
        """Monday = 0, for every simulated day."""
        return (self.days + EPOCH.weekday()) % 7

    def months(self) -> np.ndarray:
        """Calendar month 1-12 for every simulated day."""
        return self.month_of(self.days) % 12 + 1


def into_hours(t: float, opening: tuple[float, float], u: float) -> float:
    """Move a time outside the daily opening hours to the next opening, spread over 90 minutes."""
    day = math.floor(t)
    hour = (t - day) * 24
    if opening[0] <= hour < opening[1]:
        return t
    next_open = day + (1 if hour >= opening[1] else 0)
    return next_open + (opening[0] + 1.5 * u) * HOUR


def defer_to_busy_day(t: float, u: float, weekday_factors: Sequence[float]) -> float:
    """Put a planned discharge off by whole days while the day is quieter than `u` says.

    A day whose discharge factor (trust's published weekday pattern, mean 1) is f goes ahead with
    probability min(f, 1), so discharges waiting on staff follow the trust's weekday shape.
    """
    for _ in range(7):
        weekday = (math.floor(t) + EPOCH.weekday()) % 7
        if u <= weekday_factors[weekday]:
            break
        t += 1.0
    return t


def _spring_gaps(years: range) -> np.ndarray:
    """Start (seconds since EPOCH) of each non-existent local hour when the clocks go forward."""
    starts = []
    for year in years:
        for day in range(1, 32):
            wall = datetime(year, 3, day, 1, 30)
            there_and_back = (wall.replace(tzinfo=LONDON).astimezone(UTC)
                              .astimezone(LONDON).replace(tzinfo=None))
            if there_and_back != wall:
                starts.append((datetime(year, 3, day, 1) - EPOCH).total_seconds())
    return np.array(starts, dtype=np.int64)


def format_timestamps(days: np.ndarray) -> np.ndarray:
    """ISO 8601 naive local strings to the second; NaN gives an empty string."""
    days = np.asarray(days, dtype=float)
    missing = np.isnan(days)
    seconds = np.floor(np.where(missing, 0.0, days) * 86400).astype(np.int64)
    if seconds.size:
        first_year = (EPOCH + timedelta(seconds=int(seconds.min()))).year
        last_year = (EPOCH + timedelta(seconds=int(seconds.max()))).year
        for gap in _spring_gaps(range(first_year, last_year + 1)):
            seconds[(seconds >= gap) & (seconds < gap + 3600)] = gap + 3600
    text = np.datetime_as_string(_EPOCH64 + seconds.astype("timedelta64[s]"), unit="s")
    return np.where(missing, "", text)
