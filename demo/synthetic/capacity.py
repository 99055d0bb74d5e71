"""Daily capacity reports: places, people in the service at report time, places closed.

Occupied is counted from the simulated journeys, so the reports agree with the episodes. Places
are the commissioned places plus any escalation places open at the time. Reports are mostly sent
between 08:00 and 10:00; a few days are missing, and a couple of services have not reported for
over a day at `now` so that stale reports show up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from demo.synthetic.journeys import Journeys
from demo.synthetic.parameters import (
    CLOSURE_DAY_SHARE,
    MISSING_REPORT_SHARE,
    OUTBREAK_WEEKS_PER_BED_SERVICE_YEAR,
    REPORT_HOUR,
    REPORT_SPREAD_HOURS,
    STALE_SERVICES,
    UNAVAILABLE_OVER_FREE_SHARE,
)
from demo.synthetic.system import Service, System
from demo.synthetic.timeaxis import HOUR, Calendar


@dataclass
class CapacityReports:
    """One row per report, all services of an ICB."""

    service: list[str]
    reported: np.ndarray  # days
    places: np.ndarray
    occupied: np.ndarray
    unavailable: np.ndarray


def capacity_reports(system: System, journeys: Journeys, calendar: Calendar,
                     rng: np.random.Generator) -> CapacityReports:
    stale = set(rng.choice(len(system.services), size=min(STALE_SERVICES, len(system.services)),
                           replace=False).tolist())
    codes: list[str] = []
    columns: list[list[np.ndarray]] = [[], [], [], []]
    for index, service in enumerate(system.services):
        reported = _report_times(calendar, index in stale, rng)
        members = journeys.service == index
        occupied = _people_in_service(journeys.start[members], journeys.end[members], reported)
        escalated = members & journeys.escalation_place
        places = service.places + _people_in_service(journeys.start[escalated],
                                                     journeys.end[escalated], reported)
        unavailable = _unavailable(service, places, reported, occupied, calendar, rng)
        codes.extend([service.code] * len(reported))
        for column, values in zip(columns, (reported, places, occupied, unavailable), strict=True):
            column.append(values)
    reported, places, occupied, unavailable = (np.concatenate(c) for c in columns)
    return CapacityReports(codes, reported, places, occupied, unavailable)


def _report_times(calendar: Calendar, stale: bool, rng: np.random.Generator) -> np.ndarray:
    """One report a day in the window, up to `now`. Today's report is not after `now`; the last
    two days are never missing unless the service is the stale kind."""
    days = np.arange(math.floor(calendar.window_start), calendar.last_day + 1)
    reported = days + (REPORT_HOUR + REPORT_SPREAD_HOURS * rng.random(len(days))) * HOUR
    today_opens = calendar.last_day + REPORT_HOUR * HOUR
    if calendar.now >= today_opens:
        reported[-1] = today_opens + rng.random() * (calendar.now - today_opens)
    keep = (reported <= calendar.now) & (reported >= calendar.window_start)
    keep &= (rng.random(len(days)) >= MISSING_REPORT_SHARE) | (days >= calendar.last_day - 1)
    if stale:
        keep &= reported < calendar.now - rng.uniform(1.25, 3.0)
    return reported[keep]


def _people_in_service(start: np.ndarray, end: np.ndarray, at: np.ndarray) -> np.ndarray:
    started = np.searchsorted(np.sort(start[~np.isnan(start)]), at, side="right")
    ended = np.searchsorted(np.sort(end[~np.isnan(end)]), at, side="right")
    return started - ended


def _unavailable(service: Service, places: np.ndarray, reported: np.ndarray,
                 occupied: np.ndarray, calendar: Calendar,
                 rng: np.random.Generator) -> np.ndarray:
    """Odd days with 1-2 places closed (staffing); bed services also have infection outbreak
    weeks with a few beds closed. Closures mostly fit within the free places, as in real
    returns where a closed bed is usually an empty one."""
    n = len(reported)
    closed = np.where(rng.random(n) < CLOSURE_DAY_SHARE, rng.integers(1, 3, n), 0)
    if service.setting == "bed":
        years = calendar.window_days / 365.25
        for _ in range(rng.poisson(OUTBREAK_WEEKS_PER_BED_SERVICE_YEAR * years)):
            begins = rng.uniform(calendar.window_start, calendar.now)
            week = (reported >= begins) & (reported < begins + 7)
            closed[week] += rng.integers(2, max(3, service.places // 4) + 1)
    closed = np.minimum(closed, places)
    fits = rng.random(n) >= UNAVAILABLE_OVER_FREE_SHARE
    free = np.maximum(places - occupied, 0)
    return np.where(fits, np.minimum(closed, free), closed)
