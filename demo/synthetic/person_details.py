"""Details about people that equity and outcome measures need: ethnic group, deprivation of
home, functional score (Modified Barthel, 0-20) at the start and end of intermediate care, and
whether their own goals were met.

Invented, but shaped by public figures: people aged 65+ in Coventry are more ethnically diverse
and live in more deprived areas than in rural Warwickshire (ONS Census 2021, IMD 2019, read
roughly); about 93% of people improve or keep their independence in intermediate care (national
audit, domain.md); people in pathway 3 start with the lowest scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demo.synthetic.journeys import Journeys
from demo.synthetic.system import System

ETHNIC_CODES = ("white", "mixed", "asian", "black", "other", "not_stated")
# Shares among people aged 65+ by district name; "*" elsewhere (England-like, rounded).
ETHNIC_SHARES: dict[str, tuple[float, ...]] = {
    "Coventry": (0.84, 0.01, 0.10, 0.025, 0.01, 0.015),
    "*": (0.95, 0.005, 0.02, 0.005, 0.005, 0.015),
}
# Typical deprivation decile of a district's older residents (1 = most deprived tenth).
DEPRIVATION_CENTRE: dict[str, float] = {
    "Coventry": 4.0, "Nuneaton and Bedworth": 4.5, "North Warwickshire": 5.5, "Rugby": 6.5,
    "Warwick": 7.5, "Stratford-on-Avon": 7.5, "*": 5.5,
}
# Modified Barthel at the start of the service, by pathway: (mean, spread).
BARTHEL_START = {1: (14.0, 3.0), 2: (10.0, 3.5), 3: (6.0, 3.0)}
# Change over the service by pathway: (mean, spread); most improve or stay the same.
BARTHEL_CHANGE = {1: (3.0, 2.0), 2: (4.0, 2.5), 3: (1.0, 1.5)}
GOALS_MET_SHARE = {"home_no_support": 0.85, "home_with_support": 0.75, "care_home": 0.55,
                   "readmitted": 0.45, "other": 0.6}
# Where people lived when admitted (we choose, after domain.md: about half of pathway 3
# discharges are care home residents returning; few others come from a care home or prison).
CARE_HOME_AT_ADMISSION = {0: 0.04, 1: 0.005, 2: 0.005, 3: 0.5}  # share of each pathway
NURSING_SHARE_OF_CARE_HOMES = 0.4
FROM_PRISON = 0.0005
ETHNICITY_NOT_RECORDED = 0.05  # the column left blank (not asked), as opposed to "not stated"
DEPRIVATION_NOT_RECORDED = 0.02


@dataclass(frozen=True)
class PersonDetails:
    ethnic_group: np.ndarray  # code, or "" when not recorded
    imd_decile: np.ndarray  # "1".."10", or ""
    barthel_start: np.ndarray  # "0".."20", or "" (no service started)
    barthel_end: np.ndarray  # "0".."20", or "" (not ended, or died)
    goals_met: np.ndarray  # "true" / "false", or ""
    setting_at_admission: np.ndarray  # own_home, residential_care, nursing_care or prison


def person_details(system: System, journeys: Journeys, now: float,
                   rng: np.random.Generator) -> PersonDetails:
    """Draw every journey's details; anything not yet known at ``now`` is blank."""
    district_names = np.array([system.districts[d].name for d in system.neighbourhood_district])
    names = district_names[journeys.neighbourhood]
    n = len(journeys)
    ethnic = np.empty(n, dtype=object)
    deprivation = np.empty(n, dtype=float)
    for name in np.unique(names):
        who = names == name
        shares = ETHNIC_SHARES.get(str(name), ETHNIC_SHARES["*"])
        ethnic[who] = rng.choice(ETHNIC_CODES, size=who.sum(), p=shares)
        centre = DEPRIVATION_CENTRE.get(str(name), DEPRIVATION_CENTRE["*"])
        deprivation[who] = rng.normal(centre, 2.2, who.sum())
    ethnic[rng.random(n) < ETHNICITY_NOT_RECORDED] = ""
    decile = np.clip(np.rint(deprivation), 1, 10).astype(int).astype(str).astype(object)
    decile[rng.random(n) < DEPRIVATION_NOT_RECORDED] = ""

    started = (journeys.pathway > 0) & (journeys.start <= now)
    ended = started & (journeys.end <= now) & (journeys.outcome != "died")
    start_score = np.full(n, np.nan)
    change = np.zeros(n)
    for pathway, (mean, spread) in BARTHEL_START.items():
        who = journeys.pathway == pathway
        start_score[who] = rng.normal(mean, spread, who.sum())
        change_mean, change_spread = BARTHEL_CHANGE[pathway]
        change[who] = rng.normal(change_mean, change_spread, who.sum())
    start_score = np.clip(np.rint(start_score), 0, 20)
    end_score = np.clip(start_score + np.rint(change), 0, 20)
    goals = np.array([rng.random() < GOALS_MET_SHARE.get(str(o), 0.6)
                      for o in journeys.outcome])
    # Drawn last, so the details drawn before keep their values.
    from_care_home = rng.random(n) < np.array(
        [CARE_HOME_AT_ADMISSION.get(int(p), 0.0) if p == p else 0.0 for p in journeys.pathway])
    nursing = rng.random(n) < NURSING_SHARE_OF_CARE_HOMES
    prison = rng.random(n) < FROM_PRISON
    setting = np.where(from_care_home, np.where(nursing, "nursing_care", "residential_care"),
                       np.where(prison, "prison", "own_home"))
    return PersonDetails(
        setting_at_admission=setting.astype(str),
        ethnic_group=ethnic.astype(str),
        imd_decile=decile.astype(str),
        barthel_start=np.where(started, _whole(start_score), ""),
        barthel_end=np.where(ended, _whole(end_score), ""),
        goals_met=np.where(ended, np.where(goals, "true", "false"), ""),
    )


def _whole(values: np.ndarray) -> np.ndarray:
    return np.array([("" if np.isnan(v) else str(int(v))) for v in values], dtype=object)
