"""Lengths of stay in intermediate care, in days: the distributions the model draws from.

Each draws new stays (``draw``) and the rest of the stay of someone already in service for
``elapsed`` days (``draw_remaining``: the stay given that it has lasted that long).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist
from typing import Protocol

import numpy as np

_NORMAL = NormalDist()


class StayDistribution(Protocol):
    def draw(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray: ...

    def draw_remaining(self, rng: np.random.Generator, elapsed: np.ndarray) -> np.ndarray: ...

    @property
    def mean(self) -> float: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class Exponential:
    """Memoryless stays (used to check the model against M/M/c)."""

    mean: float

    def draw(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
        return rng.exponential(self.mean, size)

    def draw_remaining(self, rng: np.random.Generator, elapsed: np.ndarray) -> np.ndarray:
        return rng.exponential(self.mean, np.shape(elapsed))

    def describe(self) -> str:
        return f"exponential, mean {self.mean:.1f} days"


@dataclass(frozen=True)
class LogNormal:
    """log(stay) is normal with mean ``mu`` and standard deviation ``sigma`` (as IPACS fits)."""

    mu: float
    sigma: float

    @property
    def mean(self) -> float:
        return float(np.exp(self.mu + self.sigma ** 2 / 2))

    @property
    def median(self) -> float:
        return float(np.exp(self.mu))

    def draw(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
        return rng.lognormal(self.mu, self.sigma, size)

    def draw_remaining(self, rng: np.random.Generator, elapsed: np.ndarray) -> np.ndarray:
        # Inverse transform on the part of the distribution beyond ``elapsed``.
        elapsed = np.asarray(elapsed, dtype=float)
        z_elapsed = (np.log(np.maximum(elapsed, 1e-9)) - self.mu) / self.sigma
        low = np.array([_NORMAL.cdf(z) for z in z_elapsed.ravel()]).reshape(elapsed.shape)
        u = low + (1 - low) * rng.uniform(size=elapsed.shape)
        u = np.clip(u, 1e-12, 1 - 1e-12)
        z = np.array([_NORMAL.inv_cdf(p) for p in u.ravel()]).reshape(elapsed.shape)
        return np.maximum(np.exp(self.mu + self.sigma * z) - elapsed, 0.0)

    def describe(self) -> str:
        return (f"log-normal, μ {self.mu:.3f}, σ {self.sigma:.3f} (median {self.median:.1f}, "
                f"mean {self.mean:.1f} days)")

    @classmethod
    def fit(cls, stays: np.ndarray) -> LogNormal:
        """Maximum likelihood: the mean and standard deviation of log(stay)."""
        logs = np.log(np.asarray(stays, dtype=float))
        if len(logs) < 2 or not np.all(np.isfinite(logs)):
            raise ValueError("a log-normal fit needs at least two stays, each longer than 0")
        return cls(float(logs.mean()), float(logs.std()))


@dataclass(frozen=True, eq=False)
class Empirical:
    """Stays drawn from those completed in history (with replacement).

    Someone already in service longer than every completed stay is taken to leave within the
    next day (uniformly): the history says nothing about stays that long (docs/planning.md,
    "Limits").
    """

    stays: np.ndarray
    what: str = "completed stays"

    def __post_init__(self) -> None:
        stays = np.sort(np.asarray(self.stays, dtype=float))
        if len(stays) == 0 or not np.all(np.isfinite(stays)) or stays[0] < 0:
            raise ValueError(f"the empirical distribution needs {self.what} of 0 days or more")
        object.__setattr__(self, "stays", stays)

    @property
    def mean(self) -> float:
        return float(self.stays.mean())

    def draw(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
        return rng.choice(self.stays, size)

    def draw_remaining(self, rng: np.random.Generator, elapsed: np.ndarray) -> np.ndarray:
        elapsed = np.asarray(elapsed, dtype=float)
        # Stays longer than ``elapsed`` are the sorted tail from ``first``; pick one uniformly.
        first = np.searchsorted(self.stays, elapsed, side="right")
        longer = len(self.stays) - first
        pick = first + np.floor(rng.uniform(size=elapsed.shape) * np.maximum(longer, 1))
        chosen = self.stays[np.minimum(pick.astype(int), len(self.stays) - 1)]
        beyond = rng.uniform(size=elapsed.shape)
        return np.where(longer > 0, chosen - elapsed, beyond)

    def describe(self) -> str:
        return (f"empirical, {len(self.stays)} {self.what} (median "
                f"{np.median(self.stays):.1f}, mean {self.mean:.1f} days)")


@dataclass(frozen=True)
class Scaled:
    """Another distribution with every stay multiplied by ``factor`` (a scenario's change)."""

    base: StayDistribution
    factor: float

    @property
    def mean(self) -> float:
        return self.base.mean * self.factor

    def draw(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
        return self.base.draw(rng, size) * self.factor

    def draw_remaining(self, rng: np.random.Generator, elapsed: np.ndarray) -> np.ndarray:
        # The stay already had is kept; what remains is scaled.
        return self.base.draw_remaining(rng, elapsed) * self.factor

    def describe(self) -> str:
        return f"{self.base.describe()}, × {self.factor:g}"
