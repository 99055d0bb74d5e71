"""Comparing areas fairly: rates per 100,000, Wilson intervals and funnel limits.

**Funnel plots**: each area's value against its size with 95% and 99.8% limits around the overall
value. An area outside the 99.8% limits differs by more than chance.
"""

# Pure functions (numpy only). The docstrings are definitions, shown on screen and in
# docs/metrics.md (dashboard/definitions.py).

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

PER = 100_000
QUANTILE_TOLERANCE = 1e-12  # summed probabilities may fall short of 1 by rounding
FUNNEL_LEVELS = (0.95, 0.998)


def z_value(confidence: float) -> float:
    """The two-sided standard normal quantile: 1.96 for 95%, 3.09 for 99.8%."""
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def rate_per_100k(count: float, population: float) -> float | None:
    """Count per 100,000 people (of the population aged 65+ for our rates); None if no one."""
    return None if not population else PER * count / population


@dataclass(frozen=True)
class Proportion:
    numerator: int
    denominator: int
    low: float | None  # Wilson interval
    high: float | None

    @property
    def value(self) -> float | None:
        return None if self.denominator == 0 else self.numerator / self.denominator


def wilson(numerator: int, denominator: int, confidence: float = 0.95) -> Proportion:
    """**Wilson interval**: a proportion with its Wilson score interval (good for small counts
    and for 0% or 100%, where the usual normal interval fails)."""
    if denominator == 0:
        return Proportion(numerator, 0, None, None)
    z = z_value(confidence)
    p = numerator / denominator
    scale = 1 + z * z / denominator
    centre = (p + z * z / (2 * denominator)) / scale
    half = (z / scale) * math.sqrt(p * (1 - p) / denominator
                                   + z * z / (4 * denominator * denominator))
    return Proportion(numerator, denominator, max(0.0, centre - half), min(1.0, centre + half))


def proportion_funnel(target: float, denominator: float,
                      confidence: float) -> tuple[float, float]:
    """**Shares**: normal approximation to the binomial (Spiegelhalter 2005), around the overall
    share at each denominator, clipped to 0-100%."""
    half = z_value(confidence) * math.sqrt(target * (1 - target) / denominator)
    return max(0.0, target - half), min(1.0, target + half)


def rate_funnel(target_rate: float, population: float,
                confidence: float) -> tuple[float, float]:
    """**Rates**: exact Poisson quantiles of the expected count at each population (the overall
    rate applied to it), as rates."""
    expected = target_rate * population / PER
    tail = (1 - confidence) / 2
    low = poisson_quantile(expected, tail)
    high = poisson_quantile(expected, 1 - tail)
    return PER * low / population, PER * high / population


def poisson_quantile(mean: float, probability: float) -> float:
    """Smallest k with P(X <= k) >= probability for X ~ Poisson(mean), from the probabilities
    summed in log space (no scipy; no underflow for large means). NaN for a NaN mean."""
    if not np.isfinite(mean):
        return float("nan")
    if mean < 0:
        raise ValueError("a Poisson mean cannot be negative")
    if mean == 0:
        return 0.0
    top = int(np.ceil(mean + 12 * np.sqrt(mean) + 20))
    k = np.arange(top + 1)
    log_factorial = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, top + 1)))])
    cdf = np.cumsum(np.exp(k * np.log(mean) - mean - log_factorial))
    reached = np.flatnonzero(cdf >= probability - QUANTILE_TOLERANCE)
    return float(reached[0]) if reached.size else float(top)
