"""Pathway 0: home with no new support, mostly a few hours after NCTR, some on a later day."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from demo.synthetic.journeys import Journeys, lognormal
from demo.synthetic.parameters import (
    DISCHARGE_HOURS,
    LATER_DAYS_CAP,
    LATER_DAYS_MEDIAN,
    LATER_DAYS_SIGMA,
    LATER_SHARE_BOUNDS,
    SAME_DAY_HOURS_MEDIAN,
    SAME_DAY_HOURS_SIGMA,
)
from demo.synthetic.reference import TrustCalibration
from demo.synthetic.timeaxis import HOUR, Calendar, defer_to_busy_day


def discharge_pathway0(journeys: Journeys, calibrations: Sequence[TrustCalibration],
                       calendar: Calendar, rng: np.random.Generator) -> None:
    """Same-day discharge a few hours after NCTR, or a later day (long tail).

    Who leaves on a later day is solved per trust, month by month in time order, so that the
    people still waiting at midnight average the published "remaining" level times its
    month-of-year factor, counting the pathway 1-3 people waiting and earlier months' stayers.
    Pathway 0 thereby absorbs the swings of the queues for places.
    """
    day_months = calendar.month_of(calendar.days)
    for index, calibration in enumerate(calibrations):
        of_site = journeys.site == index
        who = np.flatnonzero(of_site & (journeys.pathway == 0))
        others = np.flatnonzero(of_site & (journeys.pathway > 0))
        nctr = journeys.nctr[who]
        same_day = nctr + lognormal(rng, SAME_DAY_HOURS_MEDIAN, SAME_DAY_HOURS_SIGMA,
                                    len(who)) * HOUR
        days_later = np.rint(lognormal(rng, LATER_DAYS_MEDIAN, LATER_DAYS_SIGMA, len(who)))
        u = rng.random((len(who), 3))  # later or not, discharge hour, day deferral
        factors = list(calibration.weekday_factors)
        stock = _MidnightStock(calendar)
        stock.add(journeys.nctr[others], journeys.discharged[others])
        cohort_months = calendar.month_of(nctr)
        for month in np.unique(day_months):
            rows = np.flatnonzero(cohort_months == month)
            days = np.flatnonzero(day_months == month)
            target = calibration.remaining * calibration.remaining_month_factors[month % 12]
            later = _later_day_discharges(nctr[rows], days_later[rows], u[rows, 1], u[rows, 2],
                                          factors)
            threshold, stretch = stock.later_threshold(target, days[0], days[-1], nctr[rows],
                                                       same_day[rows], later, u[rows, 0])
            if stretch > 1:
                later = _later_day_discharges(nctr[rows], days_later[rows] * stretch,
                                              u[rows, 1], u[rows, 2], factors)
            leaves = np.where(u[rows, 0] < threshold, later, same_day[rows])
            stock.add(nctr[rows], leaves)
            journeys.discharged[who[rows]] = leaves
        journeys.readmitted[who] = journeys.discharged[who] + journeys.readmit_after[who]


class _MidnightStock:
    """People waiting at 23:59 of each simulated day, as journeys are added."""

    def __init__(self, calendar: Calendar) -> None:
        self.first_day = calendar.first_day
        self.changes = np.zeros(len(calendar.days) + 1)

    def _span(self, nctr: np.ndarray, leaves: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Day indexes [first, stop) at whose midnight each person is still waiting."""
        size = len(self.changes) - 1
        first = np.clip(np.floor(nctr).astype(int) - self.first_day, 0, size)
        stop = np.clip(np.floor(leaves).astype(int) - self.first_day, 0, size)
        return first, np.maximum(stop, first)

    def add(self, nctr: np.ndarray, leaves: np.ndarray) -> None:
        first, stop = self._span(nctr, leaves)
        np.add.at(self.changes, first, 1)
        np.add.at(self.changes, stop, -1)

    def _within(self, nctr: np.ndarray, leaves: np.ndarray, low: int, high: int) -> np.ndarray:
        first, stop = self._span(nctr, leaves)
        return np.maximum(0, np.minimum(stop, high + 1) - np.maximum(first, low))

    def later_threshold(self, remaining: float, low: int, high: int, nctr: np.ndarray,
                        same_day: np.ndarray, later: np.ndarray,
                        choice_u: np.ndarray) -> tuple[float, float]:
        """The cut on `choice_u` below which a cohort leaves on its later day so that the days
        low..high average `remaining` people waiting at midnight; and the stretch of the later
        waits needed beyond the share's upper bound."""
        if not len(nctr):
            return LATER_SHARE_BOUNDS[0], 1.0
        waiting = np.cumsum(self.changes)[low:high + 1].sum()
        base = self._within(nctr, same_day, low, high)
        wanted = remaining * (high - low + 1) - waiting - base.sum()
        order = np.argsort(choice_u)
        added = np.cumsum((self._within(nctr, later, low, high) - base)[order])
        cuts = choice_u[order]
        taken = int(np.searchsorted(added, wanted))
        threshold = float(cuts[taken]) if taken < len(cuts) else 1.0
        within_bound = int(np.searchsorted(cuts, LATER_SHARE_BOUNDS[1]))
        stretch = 1.0
        if threshold > LATER_SHARE_BOUNDS[1] and within_bound and added[within_bound - 1] > 0:
            stretch = max(1.0, wanted / added[within_bound - 1])
        return float(np.clip(threshold, *LATER_SHARE_BOUNDS)), stretch


def _later_day_discharges(nctr: np.ndarray, days_later: np.ndarray, hour_u: np.ndarray,
                          day_u: np.ndarray, weekday_factors: list[float]) -> np.ndarray:
    """Whole days later (at least 1) in discharge hours, off quiet days."""
    days_later = np.clip(np.rint(days_later), 1, LATER_DAYS_CAP)
    hours = DISCHARGE_HOURS[0] + hour_u * (DISCHARGE_HOURS[1] - DISCHARGE_HOURS[0])
    planned = np.floor(nctr) + days_later + hours * HOUR
    return np.array([defer_to_busy_day(t, u, weekday_factors)
                     for t, u in zip(planned.tolist(), day_u.tolist(), strict=True)])
