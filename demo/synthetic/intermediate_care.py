"""Pathways 1-3: the care transfer hub, then first come first served for a place.

The hub refers, decides the pathway and arranges the service (lognormal steps in hub hours; a
share are fast-tracked, some arrangements are complex). People then take the first place free in
a service of their pathway serving their home place: per service a heap of the times places free
up, with escalation places when the wait would be long. Places are commissioned to the simulated
demand. Each trust's hub pace is set so that its pathway 1-3 people are their share of the trust's
published waiting level.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from demo.synthetic.journeys import Journeys, lognormal, midnights
from demo.synthetic.parameters import (
    ARRANGEMENT_HOURS,
    CAPACITY_SAFETY_MARGIN,
    COMPLEX_EXTRA_DAYS,
    COMPLEX_EXTRA_DAYS_CAP,
    COMPLEX_SHARE,
    DISCHARGE_HOURS,
    ESCALATION_AFTER_DAYS,
    ESCALATION_SHARE,
    FAST_TRACK_SCALE,
    FAST_TRACK_SHARE,
    FIRST_VISIT_DAY_SHARES,
    HUB_DECISION_HOURS,
    HUB_HOURS,
    HUB_REFERRAL_HOURS,
    MIN_PLACES,
    PACE_BOUNDS,
    PATHWAYS_123_SHARE_OF_REMAINING,
    SERVICE_DAYS,
    SERVICE_DAYS_CAP,
    TRANSFER_HOURS,
)
from demo.synthetic.reference import TrustCalibration
from demo.synthetic.system import System
from demo.synthetic.timeaxis import HOUR, Calendar, defer_to_busy_day, into_hours


@dataclass
class _Draws:
    """Random durations (days) and uniforms of the pathway 1-3 journeys, drawn up front."""

    to_hub: np.ndarray
    to_decision: np.ndarray
    arranging: np.ndarray
    transfer: np.ndarray
    visit_day: np.ndarray  # pathway 1: first visit 0, 1 or 2 days after discharge
    service_days: np.ndarray
    # (n, 6) uniforms for: referral hour, decision hour, discharge hour, discharge day, first
    # visit hour, choice among services with a free place
    uniforms: np.ndarray


def serve_pathways_123(journeys: Journeys, system: System,
                       calibrations: Sequence[TrustCalibration], calendar: Calendar,
                       rng: np.random.Generator) -> None:
    """Hub steps, then the queue for places. Run twice: the second run paces each trust's hub
    steps so that its pathway 1-3 people make up their share of the trust's waiting level."""
    chosen = np.flatnonzero(journeys.pathway > 0)
    pathway = journeys.pathway[chosen]
    district = system.neighbourhood_district[journeys.neighbourhood[chosen]]
    draws = _draw_service_journeys(pathway, rng)
    journeys.complex_arrangements[chosen] = rng.random(len(chosen)) < COMPLEX_SHARE
    draws.arranging += np.where(journeys.complex_arrangements[chosen], np.minimum(
        lognormal(rng, *COMPLEX_EXTRA_DAYS, len(chosen)), COMPLEX_EXTRA_DAYS_CAP), 0.0)
    calibrating = journeys.nctr[chosen] >= calendar.calibration_start
    _commission_places(system, calibrating, _route(system, pathway, district, rng),
                       _holding_days(journeys, chosen, draws), calendar)
    pace = np.ones(len(chosen))
    for run in range(2):
        _hub_steps(journeys, chosen, draws, pace)
        _queue_for_places(journeys, system, chosen, district, draws, calibrations, calendar)
        if run == 0:
            pace = _trust_pace(journeys, chosen, calibrating, calibrations, calendar)


def _queue_for_places(journeys: Journeys, system: System, chosen: np.ndarray,
                      district: np.ndarray, draws: _Draws,
                      calibrations: Sequence[TrustCalibration], calendar: Calendar) -> None:
    """Per pathway, people take places first come (service arranged) first served."""
    journeys.outcome[chosen] = ""
    weekday_factors = [list(c.weekday_factors) for c in calibrations]
    pathway = journeys.pathway[chosen]
    for path in (1, 2, 3):
        rows = np.flatnonzero(pathway == path)
        rows = rows[np.argsort(journeys.ready[chosen[rows]], kind="stable")]
        pool = _Pool(system, path, calendar.first_day)
        people = zip(chosen[rows].tolist(), rows.tolist(), district[rows].tolist(), strict=True)
        for i, row, place in people:
            _place(journeys, i, draws, row, pool, place, weekday_factors[journeys.site[i]])


def _trust_pace(journeys: Journeys, chosen: np.ndarray, calibrating: np.ndarray,
                calibrations: Sequence[TrustCalibration], calendar: Calendar) -> np.ndarray:
    """Per person, the factor on their hub steps that brings their trust's pathway 1-3 people
    waiting at midnight to PATHWAYS_123_SHARE_OF_REMAINING of its published remaining level
    (the time after the hub steps, mostly the queue, is taken as it came out of the first run)."""
    pace = np.ones(len(chosen))
    for index, calibration in enumerate(calibrations):
        rows = np.flatnonzero((journeys.site[chosen] == index) & calibrating)
        if not len(rows):
            continue
        who = chosen[rows]
        per_day = len(rows) / calendar.calibration_days
        wanted = PATHWAYS_123_SHARE_OF_REMAINING * calibration.remaining / per_day
        hub = (journeys.ready[who] - journeys.nctr[who]).mean()
        after_hub = midnights(journeys.nctr[who], journeys.discharged[who]).mean() - hub
        pace[journeys.site[chosen] == index] = np.clip((wanted - after_hub) / hub, *PACE_BOUNDS)
    return pace


def _route(system: System, pathway: np.ndarray, district: np.ndarray,
           rng: np.random.Generator) -> np.ndarray:
    """The service planned for each person: one serving their place, by routing weight."""
    chosen = np.empty(len(pathway), dtype=int)
    for path in (1, 2, 3):
        for place in range(len(system.districts)):
            who = np.flatnonzero((pathway == path) & (district == place))
            options = [i for i, s in enumerate(system.services)
                       if s.pathway == path and place in s.districts]
            weights = np.array([system.services[i].routing_weight for i in options])
            chosen[who] = rng.choice(options, size=len(who), p=weights / weights.sum())
    return chosen


def _draw_service_journeys(pathway: np.ndarray, rng: np.random.Generator) -> _Draws:
    n = len(pathway)
    fast = np.where(rng.random(n) < FAST_TRACK_SHARE, FAST_TRACK_SCALE, 1.0) * HOUR
    arranging, service_days = np.empty(n), np.empty(n)
    for path in (1, 2, 3):
        on = pathway == path
        arranging[on] = lognormal(rng, *ARRANGEMENT_HOURS[path], int(on.sum())) * fast[on]
        service_days[on] = np.clip(lognormal(rng, *SERVICE_DAYS[path], int(on.sum())), 0.5,
                                    SERVICE_DAYS_CAP[path])
    return _Draws(
        to_hub=lognormal(rng, *HUB_REFERRAL_HOURS, n) * fast,
        to_decision=lognormal(rng, *HUB_DECISION_HOURS, n) * fast,
        arranging=arranging,
        transfer=lognormal(rng, *TRANSFER_HOURS, n) * HOUR,
        visit_day=np.where(pathway == 1, rng.choice(len(FIRST_VISIT_DAY_SHARES), size=n,
                                                    p=FIRST_VISIT_DAY_SHARES), 0),
        service_days=service_days,
        uniforms=rng.random((n, 6)),
    )


def _hub_steps(journeys: Journeys, chosen: np.ndarray, draws: _Draws, pace: np.ndarray) -> None:
    """NCTR -> referral to the hub -> pathway decision (in hub hours) -> service arranged."""
    referred = _in_hub_hours(journeys.nctr[chosen] + draws.to_hub * pace, draws.uniforms[:, 0])
    decided = _in_hub_hours(referred + draws.to_decision * pace, draws.uniforms[:, 1])
    journeys.referred[chosen] = referred
    journeys.decided[chosen] = decided
    journeys.ready[chosen] = decided + draws.arranging * pace


def _in_hub_hours(times: np.ndarray, u: np.ndarray) -> np.ndarray:
    return np.array([into_hours(t, HUB_HOURS, v)
                     for t, v in zip(times.tolist(), u.tolist(), strict=True)])


def _holding_days(journeys: Journeys, who: np.ndarray, draws: _Draws) -> np.ndarray:
    """Days a place is held per person: transfer, wait for the first visit, service (cut short
    by a readmission)."""
    service_days = np.fmin(draws.service_days, journeys.readmit_after[who])
    return draws.transfer + draws.visit_day + service_days


def _commission_places(system: System, calibrating: np.ndarray, planned: np.ndarray,
                       holding_days: np.ndarray, calendar: Calendar) -> None:
    """Places = mean planned load + a square-root safety margin."""
    for index, service in enumerate(system.services):
        load = holding_days[(planned == index) & calibrating].sum() / calendar.calibration_days
        service.places = max(MIN_PLACES, math.ceil(load + CAPACITY_SAFETY_MARGIN * math.sqrt(load)))


class _Pool:
    """The places of one pathway's services: per service a heap of the times places free up.

    When the wait for a place would pass ESCALATION_AFTER_DAYS, the service opens an escalation
    place (spot purchase, winter beds) if it has one left; it closes when its person leaves.
    """

    def __init__(self, system: System, pathway: int, first_day: int) -> None:
        self.free_at = {index: [float(first_day)] * service.places
                        for index, service in enumerate(system.services)
                        if service.pathway == pathway}
        self.escalation_until: dict[int, list[float]] = {index: [] for index in self.free_at}
        self.escalation_max = {index: math.ceil(ESCALATION_SHARE * system.services[index].places)
                               for index in self.free_at}
        self.options = [[(index, system.services[index].routing_weight) for index in self.free_at
                         if place in system.services[index].districts]
                        for place in range(len(system.districts))]

    def take(self, place: int, ready: float, u: float) -> tuple[int, float, bool]:
        """A service serving the place with a place free at `ready` (by routing weight), else an
        escalation place if the wait would be long, else the place that frees first.
        Returns the service, when the place is free, and whether it is an escalation place."""
        options = [(index, weight) for index, weight in self.options[place]
                   if self.free_at[index][0] <= ready]
        if options:
            index = self._pick(options, u)
            return index, heapq.heappop(self.free_at[index]), False
        index = min((index for index, _ in self.options[place]), key=lambda k: self.free_at[k][0])
        opened = ready + ESCALATION_AFTER_DAYS
        if self.free_at[index][0] > opened:
            for candidate, _ in self.options[place]:
                in_use = self.escalation_until[candidate]
                while in_use and in_use[0] <= opened:
                    heapq.heappop(in_use)
                if len(in_use) < self.escalation_max[candidate]:
                    return candidate, opened, True
        return index, heapq.heappop(self.free_at[index]), False

    @staticmethod
    def _pick(options: list[tuple[int, float]], u: float) -> int:
        total = sum(weight for _, weight in options)
        for index, weight in options:
            u -= weight / total
            if u <= 0:
                return index
        return options[-1][0]

    def give_back(self, service: int, free_again: float, escalation: bool) -> None:
        heapq.heappush(self.escalation_until[service] if escalation else self.free_at[service],
                       free_again)


def _place(journeys: Journeys, i: int, draws: _Draws, row: int, pool: _Pool, place: int,
           weekday_factors: list[float]) -> None:
    """First come first served: person i takes the first place free in their pool, leaves
    hospital in discharge hours on a day the trust discharges, and holds the place till the end."""
    u = draws.uniforms[row]
    service, free_at, escalation = pool.take(place, journeys.ready[i], u[5])
    placed = max(journeys.ready[i], free_at)
    leaves = into_hours(placed + draws.transfer[row], DISCHARGE_HOURS, u[2])
    leaves = defer_to_busy_day(leaves, u[3], weekday_factors)
    start = (_first_visit(leaves, int(draws.visit_day[row]), u[4])
             if journeys.pathway[i] == 1 else leaves)  # a bed is taken on discharge
    end = start + draws.service_days[row]
    readmitted = leaves + journeys.readmit_after[i]
    if not math.isnan(readmitted):
        readmitted = max(readmitted, start + 0.5)  # readmitted from the service, not before
        if readmitted < end:
            end = readmitted
            journeys.outcome[i] = "readmitted"
    pool.give_back(service, end, escalation)
    journeys.service[i], journeys.placed[i], journeys.discharged[i] = service, placed, leaves
    journeys.start[i], journeys.end[i], journeys.readmitted[i] = start, end, readmitted
    journeys.escalation_place[i] = escalation


def _first_visit(discharged: float, day: int, u: float) -> float:
    """Home-based care: the first visit a few hours after discharge, or in the day 1-2 days on."""
    if day == 0:
        return discharged + (1 + 3 * u) * HOUR
    return math.floor(discharged) + day + (9 + 8 * u) * HOUR
