"""Delay reason histories: the current reason of each waiting person, and when it changed.

Pathways 1-3 follow their journey: awaiting referral to the hub (H3), the hub confirming needs and
pathway (T1), arrangements for the decided service (I1/I5/I6, or another interface reason when the
arrangements are complex), then no place free (C1/C5/C7, sometimes another capacity reason).
Pathway 0 waits, and the "other" reasons above, are drawn from the trust's published reason mix
(trust_monthly_delay_reasons.csv).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from demo.synthetic.journeys import Journeys
from demo.synthetic.parameters import (
    OTHER_CAPACITY_REASON_SHARE,
    P0_SECOND_REASON_SHARE,
    REASON_AFTER_HOURS,
)
from demo.synthetic.timeaxis import HOUR

# Reasons a pathway 0 wait can carry (domain.md "Delay reasons": hospital process, wellbeing,
# funding, housing, provider and choice; restart of existing care is pathway 0's own capacity).
PATHWAY0_REASONS = ("H1", "H2", "H4", "H5", "H6", "H7", "W1", "W2", "W3", "W4", "T3", "I4", "I8",
                    "I9", "I10", "I11", "I12", "C4", "C11")
# Per pathway: (usual interface reason, other interface reasons, usual capacity reason, others).
PATHWAY_REASONS: dict[int, tuple[str, tuple[str, ...], str, tuple[str, ...]]] = {
    1: ("I1", ("I2", "I3", "I4", "I7", "I10", "I11", "T2", "T3", "W1", "W2", "W3"),
        "C1", ("C2", "C3", "C4", "C8", "C9", "C10")),
    2: ("I5", ("I8", "I11", "I12", "T2", "T3", "W1", "W3"), "C5", ("C6", "C10")),
    3: ("I6", ("I7", "I10", "I11", "I12", "T2", "T3", "W2", "W3"), "C7", ("C8", "C9", "C10")),
}
# Codes the trust never reported still occur now and then.
MIX_FLOOR = 0.002


@dataclass
class ReasonChanges:
    """One row per change of a journey's current delay reason."""

    journey: np.ndarray  # index into Journeys
    effective: np.ndarray  # days
    code: np.ndarray


def reason_changes(journeys: Journeys, mixes: Sequence[dict[str, float]], now: float,
                   rng: np.random.Generator) -> ReasonChanges:
    """Every reason change up to `now` (and never after the discharge), in journey order."""
    parts = [_pathway0(journeys, mixes, rng), _pathways123(journeys, mixes, rng)]
    journey = np.concatenate([p.journey for p in parts])
    effective = np.concatenate([p.effective for p in parts])
    code = np.concatenate([p.code for p in parts])
    waited = journeys.discharged[journey] - journeys.nctr[journey] > REASON_AFTER_HOURS * HOUR
    keep = waited & (effective <= np.fmin(journeys.discharged[journey], now))
    order = np.lexsort((effective[keep], journey[keep]))
    return ReasonChanges(journey[keep][order], effective[keep][order], code[keep][order])


def _draw(rng: np.random.Generator, codes: Sequence[str], mix: dict[str, float],
          size: int) -> np.ndarray:
    weights = np.array([mix.get(code, 0.0) + MIX_FLOOR for code in codes])
    return rng.choice(np.array(codes, dtype=object), size=size, p=weights / weights.sum())


def _by_site(journeys: Journeys, who: np.ndarray, mixes: Sequence[dict[str, float]],
             codes: Sequence[str], rng: np.random.Generator) -> np.ndarray:
    """Codes for `who`, each from their own trust's mix."""
    drawn = np.empty(len(who), dtype=object)
    for site, mix in enumerate(mixes):
        here = journeys.site[who] == site
        drawn[here] = _draw(rng, codes, mix, int(here.sum()))
    return drawn


def _pathway0(journeys: Journeys, mixes: Sequence[dict[str, float]],
              rng: np.random.Generator) -> ReasonChanges:
    """A reason from NCTR; long waits (over two days) sometimes change reason part-way."""
    who = np.flatnonzero(journeys.pathway == 0)
    first = _by_site(journeys, who, mixes, PATHWAY0_REASONS, rng)
    wait = journeys.discharged[who] - journeys.nctr[who]
    changes = who[(wait > 2) & (rng.random(len(who)) < P0_SECOND_REASON_SHARE)]
    part_way = journeys.nctr[changes] + rng.uniform(0.3, 0.8, len(changes)) * (
        journeys.discharged[changes] - journeys.nctr[changes])
    second = _by_site(journeys, changes, mixes, PATHWAY0_REASONS, rng)
    return ReasonChanges(np.concatenate([who, changes]),
                         np.concatenate([journeys.nctr[who], part_way]),
                         np.concatenate([first, second]))


def _pathways123(journeys: Journeys, mixes: Sequence[dict[str, float]],
                 rng: np.random.Generator) -> ReasonChanges:
    journey, effective, code = [], [], []

    def add(who: np.ndarray, at: np.ndarray, codes: np.ndarray) -> None:
        journey.append(who)
        effective.append(at)
        code.append(codes)

    for path, (interface, other_interface, capacity, other_capacity) in PATHWAY_REASONS.items():
        who = np.flatnonzero(journeys.pathway == path)
        add(who, journeys.nctr[who], np.full(len(who), "H3", dtype=object))
        add(who, journeys.referred[who], np.full(len(who), "T1", dtype=object))
        # Complex arrangements carry another interface reason (funding, choice, housing...).
        add(who, journeys.decided[who],
            _usual_or_other(journeys, who, journeys.complex_arrangements[who], interface,
                            other_interface, mixes, rng))
        short = who[journeys.placed[who] > journeys.ready[who] + HOUR]  # no place free yet
        add(short, journeys.ready[short],
            _usual_or_other(journeys, short, rng.random(len(short)) < OTHER_CAPACITY_REASON_SHARE,
                            capacity, other_capacity, mixes, rng))
    return ReasonChanges(np.concatenate(journey), np.concatenate(effective),
                         np.concatenate(code))


def _usual_or_other(journeys: Journeys, who: np.ndarray, other: np.ndarray, usual: str,
                    others: Sequence[str], mixes: Sequence[dict[str, float]],
                    rng: np.random.Generator) -> np.ndarray:
    """The usual code, or where `other` one of `others` from the trust's mix."""
    codes = np.full(len(who), usual, dtype=object)
    codes[other] = _by_site(journeys, who[other], mixes, others, rng)
    return codes
