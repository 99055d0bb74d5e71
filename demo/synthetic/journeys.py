"""The simulated journeys: one entry per person who stops meeting the criteria to reside.

Times are days on the wall clock (see timeaxis); the simulation runs past `now` and knows each
journey's future, which output.py hides.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Journeys:
    """One entry per simulated journey, in site then NCTR order. Times in days; NaN = never."""

    site: np.ndarray
    nctr: np.ndarray
    pathway: np.ndarray
    neighbourhood: np.ndarray
    age: np.ndarray
    sex: np.ndarray
    person_ref: np.ndarray
    admitted: np.ndarray
    readmit_after: np.ndarray  # days from discharge to a readmission within 30 days, else NaN
    referred: np.ndarray
    decided: np.ndarray
    ready: np.ndarray  # service arranged, waiting only for a free place
    complex_arrangements: np.ndarray  # arranging took extra days (funding, choice, housing...)
    placed: np.ndarray  # a place became free for them
    discharged: np.ndarray
    service: np.ndarray  # index into System.services, -1 for pathway 0
    escalation_place: np.ndarray  # the service opened an extra place for them
    start: np.ndarray
    end: np.ndarray
    readmitted: np.ndarray
    outcome: np.ndarray  # END_OUTCOMES code, "" for pathway 0
    at_home_91: np.ndarray  # 1.0 / 0.0, NaN when not assessed

    def __len__(self) -> int:
        return len(self.nctr)


def lognormal(rng: np.random.Generator, median: float, sigma: float, size: int) -> np.ndarray:
    """Lognormal draws given the median (and log-scale sigma)."""
    return median * np.exp(sigma * rng.standard_normal(size))


def midnights(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Midnights passed between two times: the days someone counts as still waiting at 23:59."""
    return np.floor(end) - np.floor(start)
