"""Simulating an ICB's NCTR journeys, from arrival to outcome.

Each acute site's daily count of people newly no longer meeting the criteria to reside follows its
trust's published level, weekday and month pattern. Pathways 1-3 go through the care transfer hub
and queue for a place (intermediate_care.py); pathway 0 waits are solved so that the people still
waiting at midnight match the trust's published level (pathway0.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from demo.synthetic.intermediate_care import serve_pathways_123
from demo.synthetic.journeys import Journeys, lognormal
from demo.synthetic.parameters import (
    AGE_65_PLUS_MEAN,
    AGE_65_PLUS_SD,
    AT_HOME_91_GIVEN_OUTCOME,
    BOARD_ROUND_HOUR_MEAN,
    BOARD_ROUND_HOUR_SD,
    BOARD_ROUND_HOURS,
    BOARD_ROUND_SHARE,
    DAILY_VOLUME_CV,
    END_OUTCOME_MIX,
    LENGTH_OF_STAY_TO_NCTR_MEDIAN_DAYS,
    LENGTH_OF_STAY_TO_NCTR_SIGMA,
    PATHWAY_MIX,
    READMISSION_30_DAY_SHARE,
    SEX_SHARES,
    SHARE_AGED_65_PLUS,
    WINTER_SUPPORT_SWING,
)
from demo.synthetic.pathway0 import discharge_pathway0
from demo.synthetic.reference import TrustCalibration
from demo.synthetic.system import System
from demo.synthetic.timeaxis import HOUR, Calendar


def simulate_journeys(system: System, calibrations: Sequence[TrustCalibration],
                      calendar: Calendar, rng: np.random.Generator) -> Journeys:
    """Every journey of the system from the warm-up start to `now` (events may lie beyond)."""
    site, nctr = _arrivals(calibrations, calendar, rng)
    n = len(nctr)
    age, sex, person_ref = _people(n, rng)
    nan = np.full(n, np.nan)
    journeys = Journeys(
        site=site, nctr=nctr,
        pathway=_pathways(calendar.month_of(nctr) % 12, rng),
        neighbourhood=_home_neighbourhoods(system, site, rng),
        age=age, sex=sex, person_ref=person_ref,
        admitted=nctr - lognormal(rng, LENGTH_OF_STAY_TO_NCTR_MEDIAN_DAYS,
                                  LENGTH_OF_STAY_TO_NCTR_SIGMA, n),
        readmit_after=np.where(rng.random(n) < READMISSION_30_DAY_SHARE,
                               np.maximum(30 * rng.beta(1.3, 2.5, n), 0.3), np.nan),
        referred=nan.copy(), decided=nan.copy(), ready=nan.copy(),
        complex_arrangements=np.zeros(n, dtype=bool), placed=nan.copy(),
        discharged=nan.copy(), service=np.full(n, -1),
        escalation_place=np.zeros(n, dtype=bool), start=nan.copy(), end=nan.copy(),
        readmitted=nan.copy(), outcome=np.full(n, "", dtype=object), at_home_91=nan.copy(),
    )
    serve_pathways_123(journeys, system, calibrations, calendar, rng)
    discharge_pathway0(journeys, calibrations, calendar, rng)
    _end_outcomes(journeys, rng)
    return journeys


def _arrivals(calibrations: Sequence[TrustCalibration], calendar: Calendar,
              rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Per site and day: Poisson count around the trust's level x weekday x month factor."""
    days, weekdays, months = calendar.days, calendar.weekdays(), calendar.months()
    sites, times = [], []
    for index, calibration in enumerate(calibrations):
        expected = (calibration.discharges_per_day * calibration.weekday_factors[weekdays]
                    * calibration.month_factors[months - 1])
        shape = 1 / DAILY_VOLUME_CV ** 2
        counts = rng.poisson(expected * rng.gamma(shape, 1 / shape, len(days)))
        moments = np.repeat(days, counts) + _nctr_hours(rng, int(counts.sum())) * HOUR
        moments = np.sort(moments[moments <= calendar.now])
        sites.append(np.full(len(moments), index))
        times.append(moments)
    return np.concatenate(sites), np.concatenate(times)


def _pathways(month_index: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Pathway by the national mix, with more support needed in winter (month 0 = January)."""
    winter = 1 + WINTER_SUPPORT_SWING * np.cos(2 * np.pi * month_index / 12)
    supported = np.array([PATHWAY_MIX[p] for p in (1, 2, 3)])
    cumulative = 1 - np.cumsum(supported[::-1])[::-1][None, :] * winter[:, None]  # P0 | 1 | 2 | 3
    return (rng.random(len(month_index))[:, None] >= cumulative).sum(axis=1)


def _nctr_hours(rng: np.random.Generator, size: int) -> np.ndarray:
    """Most decisions at the morning board round, the rest at any hour."""
    board_round = np.clip(rng.normal(BOARD_ROUND_HOUR_MEAN, BOARD_ROUND_HOUR_SD, size),
                          *BOARD_ROUND_HOURS)
    return np.where(rng.random(size) < BOARD_ROUND_SHARE, board_round, rng.uniform(0, 24, size))


def _people(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    older = np.clip(np.rint(rng.normal(AGE_65_PLUS_MEAN, AGE_65_PLUS_SD, n)), 65, 104)
    younger = np.floor(18 + 47 * rng.beta(2.2, 1.3, n))  # 18-64
    age = np.where(rng.random(n) < SHARE_AGED_65_PLUS, older, younger).astype(int)
    sex = rng.choice(list(SEX_SHARES), size=n, p=list(SEX_SHARES.values()))
    person_ref = np.array([f"P{value:08X}" for value in rng.integers(0, 2**32, n)])
    return age, sex, person_ref


def _home_neighbourhoods(system: System, site: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Neighbourhoods weighted by population 65+ times the site's pull on their district."""
    population = np.array([area.population_65_plus for area in system.neighbourhoods], float)
    home = np.empty(len(site), dtype=int)
    for index in range(len(system.sites)):
        weights = population * system.catchment[index, system.neighbourhood_district]
        chosen = site == index
        home[chosen] = rng.choice(len(population), size=int(chosen.sum()),
                                  p=weights / weights.sum())
    return home


def _end_outcomes(journeys: Journeys, rng: np.random.Generator) -> None:
    """End-of-service outcome (unless a readmission ended it) and whether at home at 91 days."""
    for path, mix in END_OUTCOME_MIX.items():
        who = np.flatnonzero((journeys.pathway == path) & (journeys.outcome == ""))
        journeys.outcome[who] = rng.choice(list(mix), size=len(who), p=list(mix.values()))
    served = np.flatnonzero(journeys.pathway > 0)
    at_home = np.array([AT_HOME_91_GIVEN_OUTCOME[o] for o in journeys.outcome[served]])
    journeys.at_home_91[served] = (rng.random(len(served)) < at_home).astype(float)
