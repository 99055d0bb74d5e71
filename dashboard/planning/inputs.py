"""The model's inputs as estimated from history, each saying where it came from (pure: the
queries are in ``data_access.planning``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from dashboard.planning.stays import Empirical, LogNormal


@dataclass(frozen=True, eq=False)
class Arrivals:
    """New NCTR per day for a pathway: the mean over the window, each weekday's factor on it
    (Monday first; 1 where the window saw no such weekday) and the linear trend (arrivals a day,
    per day), fitted at the window's middle day."""

    mean_per_day: float
    weekday_factors: tuple[float, ...]
    trend_per_day: float
    middle: date
    source: str

    def expected(self, first_day: date, days: int, with_trend: bool = False) -> np.ndarray:
        """The expected arrivals on each of ``days`` days from ``first_day`` (never below 0)."""
        dates = [first_day + timedelta(days=d) for d in range(days)]
        factors = np.array([self.weekday_factors[d.weekday()] for d in dates])
        level = np.full(days, self.mean_per_day)
        if with_trend:
            level = level + self.trend_per_day * np.array([(d - self.middle).days for d in dates])
        return np.maximum(level * factors, 0.0)


def estimate_arrivals(counts: np.ndarray, first_day: date, where: str) -> Arrivals:
    """From arrivals on each day of a window starting ``first_day`` (zeros included)."""
    counts = np.asarray(counts, dtype=float)
    if len(counts) < 7:
        raise ValueError("the history window must be at least 7 days")
    mean = float(counts.mean())
    weekdays = np.array([(first_day + timedelta(days=d)).weekday() for d in range(len(counts))])
    factors = tuple(float(counts[weekdays == w].mean() / mean) if mean > 0 else 1.0
                    for w in range(7))
    x = np.arange(len(counts), dtype=float)
    slope = float(np.sum((x - x.mean()) * counts) / np.sum((x - x.mean()) ** 2))
    last_day = first_day + timedelta(days=len(counts) - 1)
    source = (f"{where}: people becoming NCTR from {first_day:%d %b %Y} to {last_day:%d %b %Y} "
              f"({len(counts)} days, {int(counts.sum())} in all)")
    return Arrivals(mean, factors, slope, first_day + timedelta(days=(len(counts) - 1) // 2),
                    source)


@dataclass(frozen=True, eq=False)
class Stays:
    """Durations in days (completed lengths of stay, or process times) and the log-normal
    fitted to those above 0."""

    completed: np.ndarray
    lognormal: LogNormal | None
    source: str
    what: str = "completed stays"

    def empirical(self) -> Empirical:
        return Empirical(self.completed, self.what)


def estimate_stays(completed: np.ndarray, where: str, what: str = "completed stays") -> Stays:
    completed = np.sort(np.asarray(completed, dtype=float))
    positive = completed[completed > 0]
    fit = LogNormal.fit(positive) if len(positive) >= 2 else None
    return Stays(completed, fit, f"{where}: {len(completed)} {what}", what)


@dataclass(frozen=True)
class Capacity:
    """Places open now for a pathway (places less unavailable, current reports only)."""

    places: int
    source: str


@dataclass(frozen=True, eq=False)
class State:
    """Today: how long each person in service has been in it, and each person waiting has
    waited (days)."""

    in_service_days: np.ndarray
    waiting_days: np.ndarray
    source: str
