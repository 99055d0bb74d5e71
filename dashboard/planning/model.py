"""The queue of one pathway in one area: people become NCTR, wait first come first served for a
place, stay, and leave; many replications at once.

A stochastic discrete-event simulation written with numpy (docs/planning.md, "Why numpy"): each
replication is a multi-server first-come-first-served queue; the people are taken in the order
they became ready for a place (NCTR plus any process time), all replications side by side, and
each starts on the place that frees first (or at once when one is free). That order is exactly
the event order of a FIFO queue, so it gives the same start times as a process-per-person SimPy
model on the same draws (tests/test_planning_queueing.py checks that), about thirty times faster
(docs/planning.md).

Time is in days from the start (00:00 of the first day). Places can open and close on given days
(``capacity`` per day): a place that closes takes no one new, and whoever is in it stays to the
end of their stay.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from dashboard.planning.stays import StayDistribution

_NEVER = np.inf


@dataclass(frozen=True, eq=False)
class Queue:
    """What the model needs for one area and pathway.

    ``arrivals_per_day``: the expected number becoming NCTR on each day of the horizon (Poisson
    around it, at uniform times in the day). ``capacity``: places open on each day, or None for
    unlimited. ``in_service_days``: how long each person in service at the start has been in it.
    ``waiting_days``: how long each person waiting at the start has waited. ``process``: the
    time from NCTR until a person can take a place (assessment, referral, arrangements, a first
    visit): None for none; someone already waiting has the rest of it, given how long they have
    waited.
    """

    arrivals_per_day: np.ndarray
    stays: StayDistribution
    capacity: np.ndarray | None = None
    in_service_days: np.ndarray = field(default_factory=lambda: np.zeros(0))
    waiting_days: np.ndarray = field(default_factory=lambda: np.zeros(0))
    process: StayDistribution | None = None

    def __post_init__(self) -> None:
        rates = np.asarray(self.arrivals_per_day, dtype=float)
        if rates.ndim != 1 or len(rates) == 0 or not np.all(np.isfinite(rates)) or \
                np.any(rates < 0):
            raise ValueError("arrivals per day must be a non-empty series of numbers ≥ 0")
        if self.capacity is not None:
            places = np.asarray(self.capacity)
            if places.shape != rates.shape or np.any(places < 0):
                raise ValueError("capacity must give places ≥ 0 for every day of the horizon")

    @property
    def horizon(self) -> int:
        return len(self.arrivals_per_day)


@dataclass(frozen=True, eq=False)
class Run:
    """Every person of every replication (rows): when they became NCTR (days from the start; -inf
    for those already in service at the start), started and left the service (inf: never
    started, or never arrived: rows are padded with inf), and when they were ready for a place."""

    horizon: int
    arrival: np.ndarray
    start: np.ndarray
    end: np.ndarray
    ready: np.ndarray  # when each could take a place (NCTR plus process time)

    @property
    def replications(self) -> int:
        return self.arrival.shape[0]


def simulate(queue: Queue, replications: int,
             seed: int | Sequence[int] | np.random.Generator) -> Run:
    """Run the queue ``replications`` times from its starting state."""
    rng = np.random.default_rng(seed)
    arrival = np.concatenate([
        np.broadcast_to(-np.sort(np.asarray(queue.waiting_days, dtype=float))[::-1],
                        (replications, len(queue.waiting_days))),
        _arrival_times(rng, queue.arrivals_per_day, replications)], axis=1)
    stays = queue.stays.draw(rng, arrival.shape)
    elapsed = np.broadcast_to(np.asarray(queue.in_service_days, dtype=float),
                              (replications, len(queue.in_service_days)))
    occupant_end = queue.stays.draw_remaining(rng, elapsed) if elapsed.size else elapsed.copy()
    ready = _ready(rng, queue, arrival)
    if queue.capacity is None:
        start = np.maximum(ready, 0.0)  # those waiting at the start begin at once
    else:
        # First come first served in the order people become ready for a place.
        order = np.argsort(ready, axis=1, kind="stable")
        rows = np.arange(replications)[:, None]
        start = np.empty_like(ready)
        start[rows, order] = _first_come_first_served(
            ready[rows, order], stays[rows, order], occupant_end,
            np.asarray(queue.capacity, dtype=int))
    end = start + stays
    before = np.full(elapsed.shape, -_NEVER)
    return Run(queue.horizon, np.concatenate([before, arrival], axis=1),
               np.concatenate([-elapsed, start], axis=1),
               np.concatenate([occupant_end, end], axis=1),
               np.concatenate([before, ready], axis=1))


def _ready(rng: np.random.Generator, queue: Queue, arrival: np.ndarray) -> np.ndarray:
    """When each person can take a place: NCTR plus the process time (for those already waiting,
    now plus the rest of theirs)."""
    if queue.process is None:
        return arrival
    waiting = len(queue.waiting_days)
    ready = arrival + queue.process.draw(rng, arrival.shape)
    if waiting:
        ready[:, :waiting] = queue.process.draw_remaining(rng, -arrival[:, :waiting])
    return ready


def _arrival_times(rng: np.random.Generator, rates: np.ndarray, replications: int) -> np.ndarray:
    """Poisson counts per day, each at a uniform time in its day; per replication in time order,
    padded with inf."""
    horizon = len(rates)
    counts = rng.poisson(np.broadcast_to(rates, (replications, horizon)))
    per_replication = counts.sum(axis=1)
    times = (np.repeat(np.tile(np.arange(horizon), replications), counts.ravel())
             + rng.uniform(size=int(counts.sum())))
    owner = np.repeat(np.arange(replications), per_replication)
    order = np.lexsort((times, owner))
    times, owner = times[order], owner[order]
    position = np.arange(len(times)) - np.repeat(np.cumsum(per_replication) - per_replication,
                                                 per_replication)
    padded = np.full((replications, int(per_replication.max(initial=0))), _NEVER)
    padded[owner, position] = times
    return padded


def _windows(capacity: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Places as opening windows: place i is open on the days capacity exceeds i. A place that
    closes and reopens is one window per open spell; ``successor`` links a window to the place's
    next one (-1: none), so nobody starts there while the last occupant is still in."""
    opens, closes, successor = [], [], []
    for place in range(int(capacity.max(initial=0))):
        open_days = np.concatenate([[False], capacity > place, [False]])
        changes = np.flatnonzero(np.diff(open_days.astype(int)))
        spells = list(zip(changes[::2], changes[1::2], strict=True))
        for number, (first, last) in enumerate(spells):
            opens.append(float(first))
            # The last spell stays open after the horizon (the queue does not empty at its end).
            closes.append(float(last) if number < len(spells) - 1 or last < len(capacity)
                          else _NEVER)
            successor.append(len(opens) if number < len(spells) - 1 else -1)
    return np.array(opens), np.array(closes), np.array(successor, dtype=int)


def _first_come_first_served(arrival: np.ndarray, stays: np.ndarray, occupant_end: np.ndarray,
                             capacity: np.ndarray) -> np.ndarray:
    """Start times in a FIFO queue: each person in NCTR order takes the open place that frees
    first, no earlier than they arrive (all replications at once)."""
    replications, occupants = occupant_end.shape
    opens, closes, successor = _windows(capacity)
    # People in service at the start fill the places open then; when they are more, those who
    # leave first sit in places that close at once (over-full: nobody new starts until they are
    # fewer than the places).
    open_at_start = np.flatnonzero((opens <= 0) & (closes > 0))
    extra = max(0, occupants - len(open_at_start))
    opens = np.concatenate([opens, np.full(extra, -_NEVER)])
    closes = np.concatenate([closes, np.zeros(extra)])
    successor = np.concatenate([successor, np.full(extra, -1)])
    free = np.broadcast_to(opens, (replications, len(opens))).copy()
    seats = np.concatenate([open_at_start, len(opens) - extra + np.arange(extra)])[:occupants]
    free[:, seats] = np.maximum(free[:, seats], np.sort(occupant_end, axis=1)[:, ::-1])
    chained = bool(np.any(successor >= 0))
    rows = np.arange(replications)
    if chained:
        for seat in seats:
            _carry(free, rows, np.full(replications, seat), free[:, seat], successor)
    start = np.full(arrival.shape, _NEVER)
    if len(opens) == 0:
        return start
    for k in range(arrival.shape[1]):
        candidate = np.maximum(free, arrival[:, k, None])
        candidate[candidate >= closes] = _NEVER
        place = candidate.argmin(axis=1)
        begins = candidate[rows, place]
        served = np.isfinite(begins)
        start[:, k] = begins
        leaves = np.where(served, begins + stays[:, k], free[rows, place])
        free[rows, place] = leaves
        if chained:
            _carry(free, rows[served], place[served], leaves[served], successor)
    return start


def _carry(free: np.ndarray, rows: np.ndarray, place: np.ndarray, leaves: np.ndarray,
           successor: np.ndarray) -> None:
    """A place's later windows open no earlier than its occupant leaves."""
    following = successor[place]
    while np.any(following >= 0):
        keep = following >= 0
        rows, following, leaves = rows[keep], following[keep], leaves[keep]
        free[rows, following] = np.maximum(free[rows, following], leaves)
        following = successor[following]
