"""Exact answers of queueing theory that the simulation is checked against (docs/planning.md,
"Validation").

M/M/c: Poisson arrivals at rate λ, exponential stays of mean 1/μ, c places, first come first
served, unlimited waiting room. With offered load a = λ/μ and occupancy ρ = a/c < 1:

- Erlang C, the probability that an arrival waits:
  C(c, a) = (a^c / c!) · c/(c - a)  /  (Σ_{k<c} a^k/k! + (a^c / c!) · c/(c - a));
- mean number waiting Lq = C · ρ/(1 - ρ); mean wait Wq = C / (cμ - λ) = Lq / λ (Little).

With unlimited places (M/G/∞) the mean number in service is λ × mean stay, whatever the stay's
distribution.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErlangC:
    """The steady state of an M/M/c queue (times in the unit of the rates, here days)."""

    probability_of_waiting: float
    mean_queue: float
    mean_wait: float
    occupancy: float


def erlang_c(arrival_rate: float, mean_stay: float, places: int) -> ErlangC:
    """Erlang C for ``places`` servers; refuses a load at or above capacity (no steady state)."""
    if arrival_rate <= 0 or mean_stay <= 0 or places < 1:
        raise ValueError("arrival rate and mean stay must be positive, places at least 1")
    offered = arrival_rate * mean_stay
    occupancy = offered / places
    if occupancy >= 1:
        raise ValueError(f"load {occupancy:.3f} ≥ 1: the queue grows without limit")
    # Terms a^k/k! built by multiplication: no factorials of large numbers.
    term, below = 1.0, 0.0
    for k in range(places):
        below += term
        term *= offered / (k + 1)
    top = term * places / (places - offered)  # (a^c / c!) · c/(c - a)
    waiting = top / (below + top)
    mean_queue = waiting * occupancy / (1 - occupancy)
    return ErlangC(waiting, mean_queue, mean_queue / arrival_rate, occupancy)
