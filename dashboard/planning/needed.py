"""What capacity do we need? The fewest places to add (on every day of the horizon, to the
scenario's places) for the people who become NCTR in the horizon to start within 24 hours of being
ready for a place in the target share (90% by default), with its uncertainty (docs/planning.md,
"What capacity do we need?"). Without process time, ready is NCTR: the 24-hour ambition itself.

Every capacity is run on the same random draws (common random numbers), so the comparison between
two capacities is not blurred by chance; the search halves the range between no places and
enough for everyone, taking the share to rise with the places (more places never delay anyone).
With unit costs, the **cost** over the horizon with those places: days of intermediate care given
× the cost per day, plus acute bed days lost to waiting × the cost per delayed day (as the run's
own cost), its mean and band across the runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from dashboard.planning.model import Queue, simulate
from dashboard.planning.outputs import BAND, WITHIN, UnitCosts, daily, totals

DEFAULT_TARGET = 0.9


@dataclass(frozen=True)
class Needed:
    """``extra_places``: the fewest places to add so that the runs' mean share meets the target
    (negative: that many fewer would still meet it; None: not met by ``searched_up_to``).
    ``confident_extra_places``: the fewest so that 95% of runs meet it. ``share``: the mean and
    band of the share at ``extra_places``. ``cost``: the mean and band of the cost over the
    horizon with ``extra_places`` (None without unit costs, or when the target is not met)."""

    target: float
    extra_places: int | None
    confident_extra_places: int | None
    share: tuple[float, float, float] | None
    searched_up_to: int
    cost: tuple[float, float, float] | None = None


def share_within_24h(queue: Queue, replications: int, seed: int | Sequence[int]) -> np.ndarray:
    """Per run: of the people who become NCTR in the horizon (and ready for a place early
    enough for their 24 hours to end in it), the share who start within 24 hours of being ready
    (of NCTR when there is no process time); everyone counted, started or not (NaN for a run in
    which no one became NCTR)."""
    run = simulate(queue, replications, seed)
    cohort = np.isfinite(run.arrival) & (run.arrival >= 0) & (run.ready <= run.horizon - WITHIN)
    with np.errstate(invalid="ignore"):
        within = cohort & (run.start - run.ready <= WITHIN)
        people = cohort.sum(axis=1)
        return np.where(people > 0, within.sum(axis=1) / np.maximum(people, 1), np.nan)


def places_needed(queue: Queue, replications: int, seed: int | Sequence[int],
                  target: float = DEFAULT_TARGET, costs: UnitCosts | None = None) -> Needed:
    if queue.capacity is None:
        raise ValueError("the queue has unlimited places")
    base = np.asarray(queue.capacity, dtype=int)
    cache: dict[int, np.ndarray] = {}

    def shares(extra: int) -> np.ndarray:
        if extra not in cache:
            cache[extra] = share_within_24h(
                replace(queue, capacity=np.maximum(base + extra, 0)), replications, seed)
        return cache[extra]

    lowest = -int(base.max(initial=0))
    # Enough places for everyone arriving, staying the mean stay, to be in service together.
    limit = 2 * int(np.ceil(queue.arrivals_per_day.max(initial=0) * queue.stays.mean)) + \
        len(queue.in_service_days) + len(queue.waiting_days) + 10
    mean_meets = _smallest(lambda extra: _figure(np.nanmean, shares(extra)) >= target, lowest,
                           limit)
    confident = _smallest(
        lambda extra: _figure(lambda v: np.nanpercentile(v, BAND[0]), shares(extra)) >= target,
        lowest if mean_meets is None else mean_meets, limit)
    share = cost = None
    if mean_meets is not None:
        values = shares(mean_meets)
        low, high = np.nanpercentile(values, BAND)
        share = (float(np.nanmean(values)), float(low), float(high))
        if costs is not None:
            cost = _cost(replace(queue, capacity=np.maximum(base + mean_meets, 0)),
                         replications, seed, costs)
    return Needed(target, mean_meets, confident, share, limit, cost)


def _cost(queue: Queue, replications: int, seed: int | Sequence[int],
          costs: UnitCosts) -> tuple[float, float, float]:
    """The cost over the horizon of a run of ``queue`` (the same draws as the search)."""
    run = simulate(queue, replications, seed)
    row = totals(run, daily(run), costs).set_index("measure").loc["cost"]
    return float(row["mean"]), float(row["low"]), float(row["high"])


def _figure(summarise: Callable[[np.ndarray], float], values: np.ndarray) -> float:
    """A summary of the runs that had someone to count; -1 (never meets) when none had."""
    return float(summarise(values)) if np.any(np.isfinite(values)) else -1.0


def _smallest(meets: Callable[[int], bool], lowest: int, limit: int) -> int | None:
    """The smallest whole number from ``lowest`` to ``limit`` that meets, for a ``meets`` that
    is false below some point and true from it (None: not met by ``limit``); by halving."""
    if not meets(limit):
        return None
    low, high = lowest - 1, limit  # meets(high) holds; meets(low) is taken not to
    while high - low > 1:
        middle = (low + high) // 2
        if meets(middle):
            high = middle
        else:
            low = middle
    return high
