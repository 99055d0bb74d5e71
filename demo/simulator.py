"""A live simulator that keeps a running instance fed through the public push API, so a demo moves.

``python -m dashboard simulate --url URL --token TOKEN [--speed 60] [--interval 5]`` fetches the
instance's reference data (``GET /api/v1/reference``: areas, sites, services, and what the
token's source is granted) and then, every ``--interval`` real seconds, advances an in-memory
model and posts what happened to ``/api/v1/feeds/episodes``, ``/delays`` and ``/capacity``, in
that order, in batches of at most 1,000 records, each carrying only the contract's fields
(``updated_at`` = when the simulated change happened). People are admitted only to the sites
the source may write for, and capacity is reported only for its services (an administrator
grants them: ``python -m dashboard source grant SOURCE --kinds episodes,delays,capacity --area
ICB``). It reaches the instance only through the push API (no database); from the
project it borrows only the contract's column list and the synthetic demo's parameters.

The model
---------
A discrete-event simulation on its own clock, in simulated hours. ``Simulation.step(now,
elapsed_real_seconds)`` advances that clock by ``elapsed_real_seconds x speed`` and returns the
records to send. It is pure: no I/O, and the same seed, run id and sequence of ``now`` values give
the same records. Proportions are the synthetic demo's (``demo/synthetic/parameters.py``,
sourced from ``domain.md``):

* **Becoming NCTR**: a Poisson stream of 130 people a day (we choose; a system of this size has
  100-150). Each gets a pathway from the national mix (85% P0, 8.5% P1, 3.6% P2, 2.9% P3), a site,
  a home area (the lowest level in the reference, inside the site's area), sex, age (80% 65+),
  ethnic group and deprivation decile, an admission some days before, and a first delay reason.
* **Waiting and reasons**: pathway 0 mostly leaves a few hours later, 14% a day or more later (mean
  about 6 days; domain.md), half of those changing reason part-way. Pathways 1-3 go through the
  care transfer hub: referral (reason H3 -> T1), pathway decision (interface reason, I1/I5/I6 or,
  when complex, another), arrangements, and for about a third a wait for a free place (C1/C5/C7,
  sometimes another capacity reason), then discharge.
* **Service**: at discharge pathway 1-3 people get a service of their pathway serving their home
  area (the service's area is the home area or one of its ancestors; bigger services more often).
  Beds start the same moment; home-based services on the discharge day, the next or the one after.
  The service lasts the domain's lengths (P1 median 7.5 days, P2 and P3 about a month) and ends
  with the pathway's outcome mix (readmissions included), Modified Barthel and goals met.
* **Capacity**: every service reports about once a simulated hour (all of them on the first tick):
  occupied is a random walk pulled towards 88% of places, plus the simulator's own starts and
  ends, kept within 0..places; now and then one or two places close for a while.

Speed and time compression (read this before reading the charts)
----------------------------------------------------------------
``--speed S`` means S simulated hours of events per real hour (default 60: a simulated hour every
real minute, about 325 people becoming NCTR per real hour). Every timestamp sent is the real "now"
of the tick in which the event happened (``nctr_at = now``, ``discharged_at = now``, ...), because
the instance measures waits against its own clock. So **every duration the simulator creates is
compressed by the speed factor**: at speed 60 a 2-day wait for a care home bed shows as 48 minutes,
a 7-day reablement service as under 3 hours, and nearly everyone is "within 24 hours". Volumes per
real day are S/24 times a real system's. Admission dates are the exception: they lie days before
NCTR in real time (they happened before the simulation), so length of stay to NCTR looks real.
Time of day is not modelled (no board round peak, no weekends): at speed 60 a real minute is an
hour, so such patterns would only flicker. Results at 91 days (``at_home_91_days``) are never
sent: their real 91-day point would lie in the future. Use the simulator to show a system that
moves; use the synthetic demo (``python -m dashboard demo``) for realistic durations and trends.
"""

from __future__ import annotations

import argparse
import heapq
import http.client
import itertools
import json
import math
import os
import random
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO, TypeVar

from dashboard.clock import Clock, SystemClock, as_london
from dashboard.vocabulary import AREA_LEVELS, END_OUTCOMES
from data_access.contract import EPISODES
from demo.synthetic.parameters import (
    AGE_65_PLUS_MEAN,
    AGE_65_PLUS_SD,
    ARRANGEMENT_HOURS,
    COMPLEX_EXTRA_DAYS,
    COMPLEX_EXTRA_DAYS_CAP,
    COMPLEX_SHARE,
    END_OUTCOME_MIX,
    FAST_TRACK_SCALE,
    FAST_TRACK_SHARE,
    FIRST_VISIT_DAY_SHARES,
    HUB_DECISION_HOURS,
    HUB_REFERRAL_HOURS,
    LATER_DAYS_CAP,
    LATER_DAYS_MEDIAN,
    LATER_DAYS_SIGMA,
    LENGTH_OF_STAY_TO_NCTR_MEDIAN_DAYS,
    LENGTH_OF_STAY_TO_NCTR_SIGMA,
    OTHER_CAPACITY_REASON_SHARE,
    P0_SECOND_REASON_SHARE,
    PATHWAY_MIX,
    READMISSION_30_DAY_SHARE,
    SAME_DAY_HOURS_MEDIAN,
    SAME_DAY_HOURS_SIGMA,
    SERVICE_DAYS,
    SERVICE_DAYS_CAP,
    SEX_SHARES,
    SHARE_AGED_65_PLUS,
    TRANSFER_HOURS,
)
from demo.synthetic.person_details import (
    BARTHEL_CHANGE,
    BARTHEL_START,
    DEPRIVATION_CENTRE,
    DEPRIVATION_NOT_RECORDED,
    ETHNIC_CODES,
    ETHNIC_SHARES,
    ETHNICITY_NOT_RECORDED,
    GOALS_MET_SHARE,
)
from demo.synthetic.reasons import PATHWAY_REASONS

KINDS: tuple[str, ...] = ("episodes", "delays", "capacity")  # the order they are posted in
MAX_BATCH = 1000
TOKEN_ENV = "DASHBOARD_FEED_TOKEN"
EXIT_OK, EXIT_UNREACHABLE, EXIT_STOPPED = 0, 1, 2

# --- Rates and shares the synthetic demo does not define (we choose) -----------------------------
NCTR_PER_DAY = 130.0
# Pathway 0: share leaving a day or more after NCTR (domain.md "Volumes": 13-14.5%).
P0_LATER_SHARE = 0.14
# Pathway 0 reasons: a same-day wait is a hospital process; a long one anything pathway 0 can carry.
P0_SHORT_WAIT_REASONS = {"H5": 0.40, "H4": 0.25, "H7": 0.20, "H1": 0.10, "H2": 0.05}
P0_LONG_WAIT_REASONS = {
    "W1": 0.10, "W2": 0.04, "W3": 0.06, "W4": 0.08, "H1": 0.08, "H2": 0.08, "H6": 0.06,
    "H7": 0.06, "T3": 0.06, "I4": 0.03, "I8": 0.03, "I9": 0.01, "I10": 0.05, "I11": 0.10,
    "I12": 0.03, "C4": 0.03, "C11": 0.10,
}
# Pathways 1-3: share that waits for a free place once arrangements are ready, and how long.
PLACE_WAIT_SHARE = 0.35
PLACE_WAIT_HOURS = (36.0, 0.9)  # lognormal (median, sigma)
# Capacity: hours between a service's reports; occupancy the random walk is pulled towards
# (domain.md: care homes about 86% occupied; the demo's services run 85-95%).
REPORT_EVERY_HOURS = (0.75, 1.25)
OCCUPANCY_TARGET = 0.88
OCCUPANCY_PULL = 0.3
CLOSURE_START_SHARE, CLOSURE_END_SHARE = 0.02, 0.1  # per report: 1-2 places close / reopen

Record = dict[str, Any]
Batch = dict[str, list[Record]]
T = TypeVar("T")


# --- Reference data ----------------------------------------------------------------------------

class UnusableReference(ValueError):
    """The instance's reference data cannot drive a simulation; the message says why."""


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: str
    parent_code: str | None


@dataclass(frozen=True)
class Site:
    code: str
    name: str
    area_code: str


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    pathway: int
    setting: str
    area_code: str
    places: int


@dataclass
class Reference:
    """Areas, sites and services of the instance, with the look-ups the simulation needs."""

    areas: list[Area]
    sites: list[Site]  # where people are admitted: the sites the source may write for
    services: list[Service]
    # The services whose capacity the source may report (None: every one).
    reported: frozenset[str] | None = None
    _by_code: dict[str, Area] = field(init=False, repr=False)
    _homes: dict[str, list[Area]] = field(init=False, repr=False, default_factory=dict)
    _serving: dict[tuple[str, int], list[Service]] = field(init=False, repr=False,
                                                           default_factory=dict)

    def __post_init__(self) -> None:
        self._by_code = {area.code: area for area in self.areas}

    def ancestors(self, code: str) -> list[str]:
        """The area and every area above it, nearest first."""
        chain: list[str] = []
        while code in self._by_code and code not in chain:
            chain.append(code)
            code = self._by_code[code].parent_code or ""
        return chain

    @property
    def home_areas(self) -> list[Area]:
        """Areas at the lowest level present (neighbourhoods, where the instance has them)."""
        levels = [AREA_LEVELS.index(a.level) for a in self.areas if a.level in AREA_LEVELS]
        if not levels:
            return []
        return [a for a in self.areas if a.level == AREA_LEVELS[max(levels)]]

    def homes_for(self, site: Site) -> list[Area]:
        """Home areas inside the site's area (its catchment), or every home area if none is."""
        if site.code not in self._homes:
            inside = [a for a in self.home_areas if site.area_code in self.ancestors(a.code)]
            self._homes[site.code] = inside or self.home_areas
        return self._homes[site.code]

    def services_serving(self, area_code: str, pathway: int) -> list[Service]:
        """Services of the pathway whose area is the home area or one of its ancestors."""
        key = (area_code, pathway)
        if key not in self._serving:
            chain = set(self.ancestors(area_code))
            self._serving[key] = [s for s in self.services
                                  if s.pathway == pathway and s.area_code in chain]
        return self._serving[key]

    def district_name(self, area_code: str) -> str | None:
        for code in self.ancestors(area_code):
            if self._by_code[code].level == "district":
                return self._by_code[code].name
        return None


def parse_reference(data: Any) -> Reference:
    """The ``GET /api/v1/reference`` answer as a ``Reference`` (``UnusableReference`` if not)."""
    if not isinstance(data, dict):
        raise UnusableReference("the reference is not a JSON object")
    try:
        areas = [Area(str(a["code"]), str(a.get("name") or a["code"]), str(a["level"]),
                      a.get("parent_code") or None) for a in data.get("areas") or []]
        sites = [Site(str(s["code"]), str(s.get("name") or s["code"]), str(s["area_code"]))
                 for s in data.get("sites") or []]
        services = [Service(str(s["code"]), str(s.get("name") or s["code"]), int(s["pathway"]),
                            str(s["setting"]), str(s["area_code"]), int(s.get("places") or 0))
                    for s in data.get("services") or []]
        sites, reported = _granted(data.get("source"), sites)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise UnusableReference(f"the reference is not in the expected form ({error!r})") from None
    reference = Reference(areas, sites, services, reported)
    if not reference.sites or not reference.home_areas:
        raise UnusableReference("the instance has no sites the token's source may write for, "
                                "or no areas to simulate people in; load its reference data "
                                "(areas, sites, services) and grant the source its sites or "
                                "areas (python -m dashboard source grant) first")
    return reference


def _granted(source: Any, sites: list[Site]) -> tuple[list[Site], frozenset[str] | None]:
    """The sites the token's source may write episodes for, and the services it may report
    capacity of, from the reference's ``source`` (an older instance has none: every one)."""
    if source is None:
        return sites, None
    missing = {"episodes", "delays"} - set(source["kinds"])
    if missing:
        raise UnusableReference(f"the token's source {source['name']!r} may not send "
                                f"{' or '.join(sorted(missing))}; an administrator grants them "
                                "(python -m dashboard source grant)")
    writable = set(source["sites"])
    reported = frozenset(source["services"]) if "capacity" in source["kinds"] else frozenset()
    return [site for site in sites if site.code in writable], reported


# --- The event model (pure) --------------------------------------------------------------------

@dataclass
class Journey:
    record: Record  # the episode's whole current state, as sent
    pathway: int
    reason: str | None = None
    service: Service | None = None
    outcome: str | None = None


@dataclass
class Occupancy:
    occupied: int
    unavailable: int = 0


def iso(moment: datetime) -> str:
    """ISO 8601, London local time with its UTC offset, to the second."""
    return as_london(moment).isoformat(timespec="seconds")


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


class Simulation:
    """The simulator's own open journeys and services; ``step`` returns the records to send.

    Events are scheduled on a simulated clock (hours since the start) and each one is stamped with
    the real ``now`` of the step that reaches it, so a journey's timestamps never go backwards.
    """

    def __init__(self, reference: Reference, *, speed: float = 60.0, seed: int | None = None,
                 run_id: str = "1") -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        if not reference.sites or not reference.home_areas:
            raise UnusableReference("the reference has no sites or no areas")
        self.reference = reference
        self._services = {service.code: service for service in reference.services}
        self.speed = speed
        self.run_id = run_id
        self._rng = random.Random(seed)
        self._hours = 0.0
        self._now: datetime | None = None
        self._queue: list[tuple[float, int, str, str, str]] = []
        self._order = itertools.count()
        self._numbers = itertools.count(1)
        self._journeys: dict[str, Journey] = {}
        self._capacity: dict[str, Occupancy] = {}
        self._out_episodes: dict[str, Record] = {}
        self._out_delays: dict[str, Record] = {}
        self._out_capacity: dict[str, Record] = {}
        self._handlers: dict[str, Callable[[float, str, str], None]] = {
            "arrive": self._arrive, "refer": self._refer, "reason": self._change_reason,
            "discharge": self._discharge, "start": self._start, "end": self._end,
            "report": self._report,
        }
        self._schedule(self._rng.expovariate(NCTR_PER_DAY / 24), "arrive")
        for service in reference.services:
            occupied = service.places * self._rng.uniform(0.8, 0.95)
            self._capacity[service.code] = Occupancy(_clamp(occupied, 0, service.places))
            if reference.reported is None or service.code in reference.reported:
                self._schedule(0.0, "report", service.code)

    @property
    def simulated_hours(self) -> float:
        return self._hours

    @property
    def waiting(self) -> int:
        """The simulator's people who are NCTR and not yet discharged."""
        return sum(1 for j in self._journeys.values() if j.record["discharged_at"] is None)

    @property
    def in_service(self) -> int:
        return sum(1 for j in self._journeys.values()
                   if j.record["service_start_at"] is not None)

    def step(self, now: datetime, elapsed_real_seconds: float) -> Batch:
        """Advance by ``elapsed_real_seconds x speed``; the records to send, by kind.

        Within one step each episode, each episode's delay reason and each service's capacity
        appear at most once (their latest state), so a batch never repeats a natural key.
        """
        if elapsed_real_seconds < 0:
            raise ValueError("elapsed_real_seconds must not be negative")
        moment = as_london(now)
        if self._now is not None and moment < self._now:
            moment = self._now  # a clock set back must not put events out of order
        self._now = moment
        self._hours += elapsed_real_seconds * self.speed / 3600
        while self._queue and self._queue[0][0] <= self._hours:
            at, _, event, key, arg = heapq.heappop(self._queue)
            self._handlers[event](at, key, arg)
        batch: Batch = {
            "episodes": [dict(record) for record in self._out_episodes.values()],
            "delays": list(self._out_delays.values()),
            "capacity": list(self._out_capacity.values()),
        }
        self._out_episodes, self._out_delays, self._out_capacity = {}, {}, {}
        return batch

    # Scheduling and drawing

    def _schedule(self, at: float, event: str, key: str = "", arg: str = "") -> None:
        heapq.heappush(self._queue, (at, next(self._order), event, key, arg))

    def _stamp(self) -> str:
        assert self._now is not None
        return iso(self._now)

    def _pick(self, weights: dict[T, float]) -> T:
        return self._rng.choices(list(weights), weights=list(weights.values()))[0]

    def _lognormal(self, median: float, sigma: float) -> float:
        return self._rng.lognormvariate(math.log(median), sigma)

    # People becoming NCTR and waiting

    def _arrive(self, at: float, _key: str, _arg: str) -> None:
        self._schedule(at + self._rng.expovariate(NCTR_PER_DAY / 24), "arrive")
        rng = self._rng
        number = next(self._numbers)
        episode_id = f"SIM-{self.run_id}-{number}"
        site = rng.choice(self.reference.sites)
        home = rng.choice(self.reference.homes_for(site))
        pathway = self._pick(PATHWAY_MIX)
        record: Record = dict.fromkeys((c.name for c in EPISODES.columns), None)
        record.update(self._person(home.code))
        stay = min(self._lognormal(LENGTH_OF_STAY_TO_NCTR_MEDIAN_DAYS,
                                   LENGTH_OF_STAY_TO_NCTR_SIGMA), 120.0)
        assert self._now is not None
        record.update(episode_id=episode_id, person_ref=f"SIMP-{self.run_id}-{number}",
                      site_code=site.code, home_area_code=home.code,
                      admitted_at=iso(self._now.astimezone(UTC) - timedelta(days=stay)),
                      nctr_at=self._stamp(), pathway=pathway)
        journey = Journey(record, pathway)
        self._journeys[episode_id] = journey
        self._touch(journey)
        if pathway == 0:
            self._plan_pathway0(at, journey)
        else:
            self._plan_supported(at, journey)

    def _person(self, home_code: str) -> Record:
        rng = self._rng
        if rng.random() < SHARE_AGED_65_PLUS:
            age = _clamp(rng.gauss(AGE_65_PLUS_MEAN, AGE_65_PLUS_SD), 65, 104)
        else:
            age = rng.randint(18, 64)
        district = self.reference.district_name(home_code) or "*"
        shares = ETHNIC_SHARES.get(district, ETHNIC_SHARES["*"])
        ethnic = rng.choices(ETHNIC_CODES, weights=shares)[0]
        centre = DEPRIVATION_CENTRE.get(district, DEPRIVATION_CENTRE["*"])
        decile = _clamp(rng.gauss(centre, 2.2), 1, 10)
        return {
            "age": age, "sex": self._pick(SEX_SHARES),
            "ethnic_group": None if rng.random() < ETHNICITY_NOT_RECORDED else ethnic,
            "imd_decile": None if rng.random() < DEPRIVATION_NOT_RECORDED else decile,
        }

    def _plan_pathway0(self, at: float, journey: Journey) -> None:
        rng = self._rng
        later = rng.random() < P0_LATER_SHARE
        if later:
            wait = 24 * min(self._lognormal(LATER_DAYS_MEDIAN, LATER_DAYS_SIGMA), LATER_DAYS_CAP)
            wait = max(wait, 24.0)
        else:
            wait = min(self._lognormal(SAME_DAY_HOURS_MEDIAN, SAME_DAY_HOURS_SIGMA), 20.0)
        reasons = P0_LONG_WAIT_REASONS if later else P0_SHORT_WAIT_REASONS
        self._set_reason(journey, self._pick(reasons))
        if later and rng.random() < P0_SECOND_REASON_SHARE:
            self._schedule(at + rng.uniform(0.3, 0.8) * wait, "reason", self._id(journey),
                           self._pick(P0_LONG_WAIT_REASONS))
        self._schedule(at + wait, "discharge", self._id(journey))

    def _plan_supported(self, at: float, journey: Journey) -> None:
        """Pathways 1-3: hub referral, pathway decision, arrangements, a free place, discharge."""
        rng = self._rng
        interface, other_interface, capacity, other_capacity = PATHWAY_REASONS[journey.pathway]
        pace = FAST_TRACK_SCALE if rng.random() < FAST_TRACK_SHARE else 1.0
        referred = at + pace * self._lognormal(*HUB_REFERRAL_HOURS)
        decided = referred + pace * self._lognormal(*HUB_DECISION_HOURS)
        complex_ = rng.random() < COMPLEX_SHARE
        ready = decided + self._lognormal(*ARRANGEMENT_HOURS[journey.pathway])
        if complex_:
            ready += 24 * min(self._lognormal(*COMPLEX_EXTRA_DAYS), COMPLEX_EXTRA_DAYS_CAP)
        placed = ready
        episode_id = self._id(journey)
        self._set_reason(journey, "H3")
        self._schedule(referred, "refer", episode_id)
        self._schedule(decided, "reason", episode_id,
                       rng.choice(other_interface) if complex_ else interface)
        if rng.random() < PLACE_WAIT_SHARE:
            placed += self._lognormal(*PLACE_WAIT_HOURS)
            other = rng.random() < OTHER_CAPACITY_REASON_SHARE
            self._schedule(ready, "reason", episode_id,
                           rng.choice(other_capacity) if other else capacity)
        self._schedule(placed + self._lognormal(*TRANSFER_HOURS), "discharge", episode_id)

    def _refer(self, at: float, episode_id: str, _arg: str) -> None:
        journey = self._journeys[episode_id]
        journey.record["referred_to_hub_at"] = self._stamp()
        self._touch(journey)
        self._set_reason(journey, "T1")

    def _change_reason(self, at: float, episode_id: str, code: str) -> None:
        self._set_reason(self._journeys[episode_id], code)

    def _set_reason(self, journey: Journey, code: str) -> None:
        if code == journey.reason:
            return
        journey.reason = code
        episode_id = self._id(journey)
        self._out_delays[episode_id] = {"episode_id": episode_id, "effective_at": self._stamp(),
                                        "reason_code": code, "updated_at": self._stamp()}

    # Discharge and intermediate care

    def _discharge(self, at: float, episode_id: str, _arg: str) -> None:
        journey = self._journeys[episode_id]
        journey.record["discharged_at"] = self._stamp()
        self._touch(journey)
        service = self._choose_service(journey) if journey.pathway else None
        if service is None:  # pathway 0, or no service of the pathway serves the home area
            del self._journeys[episode_id]
            return
        journey.service = service
        journey.record["service_code"] = service.code
        first_visit_day = self._pick(dict(enumerate(FIRST_VISIT_DAY_SHARES)))
        if service.setting == "bed" or first_visit_day == 0:
            self._start(at, episode_id, "")
        else:
            self._schedule(at + 24 * first_visit_day + self._rng.uniform(-8, 6), "start",
                           episode_id)

    def _choose_service(self, journey: Journey) -> Service | None:
        services = self.reference.services_serving(journey.record["home_area_code"],
                                                   journey.pathway)
        if not services:
            return None
        return self._rng.choices(services, weights=[max(s.places, 1) for s in services])[0]

    def _start(self, at: float, episode_id: str, _arg: str) -> None:
        journey = self._journeys[episode_id]
        assert journey.service is not None
        rng = self._rng
        mean, spread = BARTHEL_START[journey.pathway]
        journey.record.update(service_start_at=self._stamp(),
                              barthel_start=_clamp(rng.gauss(mean, spread), 0, 20))
        self._touch(journey)
        self._capacity[journey.service.code].occupied += 1
        median, sigma = SERVICE_DAYS[journey.pathway]
        days = min(self._lognormal(median, sigma), SERVICE_DAYS_CAP[journey.pathway])
        if rng.random() < READMISSION_30_DAY_SHARE:
            outcome, days = "readmitted", days * rng.uniform(0.2, 1.0)
        else:
            outcome = self._pick(END_OUTCOME_MIX[journey.pathway])
        self._schedule(at + 24 * days, "end", episode_id, outcome)

    def _end(self, at: float, episode_id: str, outcome: str) -> None:
        journey = self._journeys.pop(episode_id)
        assert journey.service is not None and outcome in END_OUTCOMES
        rng = self._rng
        record = journey.record
        record.update(service_end_at=self._stamp(), end_outcome=outcome)
        if outcome == "readmitted":
            record["readmitted_at"] = self._stamp()
        if outcome != "died":
            mean, spread = BARTHEL_CHANGE[journey.pathway]
            record["barthel_end"] = _clamp(record["barthel_start"] + rng.gauss(mean, spread),
                                           0, 20)
            record["goals_met"] = rng.random() < GOALS_MET_SHARE.get(outcome, 0.6)
        self._touch(journey)
        occupancy = self._capacity[journey.service.code]
        occupancy.occupied = max(occupancy.occupied - 1, 0)

    # Capacity reports

    def _report(self, at: float, service_code: str, _arg: str) -> None:
        self._schedule(at + self._rng.uniform(*REPORT_EVERY_HOURS), "report", service_code)
        service = self._services[service_code]
        occupancy = self._capacity[service_code]
        rng = self._rng
        move = rng.choice((-1, 0, 1))
        if rng.random() < OCCUPANCY_PULL:
            target = OCCUPANCY_TARGET * service.places
            move += (occupancy.occupied < target) - (occupancy.occupied > target)
        occupancy.occupied = _clamp(occupancy.occupied + move, 0, service.places)
        if occupancy.unavailable == 0 and rng.random() < CLOSURE_START_SHARE:
            occupancy.unavailable = min(rng.randint(1, 2), service.places)
        elif occupancy.unavailable and rng.random() < CLOSURE_END_SHARE:
            occupancy.unavailable = 0
        self._out_capacity[service_code] = {
            "service_code": service_code, "reported_at": self._stamp(), "places": service.places,
            "occupied": occupancy.occupied, "unavailable": occupancy.unavailable,
            "updated_at": self._stamp(),
        }

    def _touch(self, journey: Journey) -> None:
        # updated_at: the instance never lets an older state of a record overwrite a newer one.
        journey.record["updated_at"] = self._stamp()
        self._out_episodes[self._id(journey)] = journey.record

    @staticmethod
    def _id(journey: Journey) -> str:
        return journey.record["episode_id"]


# --- HTTP client (urllib only) -----------------------------------------------------------------

class FeedError(Exception):
    """The instance answered something the simulator cannot use; the message says why."""


class TokenRefused(FeedError):
    """401 or 403: there is no point in going on."""


class Unreachable(FeedError):
    """A network error or a server error: worth trying again next tick."""


class Rejected(FeedError):
    """422: nothing of the batch was loaded; ``rejected`` lists ``{"index", "reason"}``."""

    def __init__(self, rejected: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(rejected)} records rejected")
        self.rejected = rejected


class FeedClient:
    """The public push API: ``GET /api/v1/reference`` and ``POST /api/v1/feeds/{kind}``."""

    def __init__(self, url: str, token: str, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def reference(self) -> Reference:
        return parse_reference(self._request("GET", "/api/v1/reference"))

    def post(self, kind: str, records: list[Record]) -> int:
        """Send one batch; the number of records applied (new or changed)."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        answer = self._request("POST", f"/api/v1/feeds/{kind}", records)
        if not isinstance(answer, dict) or not all(
                isinstance(answer.get(outcome), list) for outcome in ("new", "changed")):
            raise FeedError(f"unexpected answer to POST {kind}: {str(answer)[:80]}")
        return len(answer["new"]) + len(answer["changed"])

    def _request(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as error:  # before URLError: it is one
            raise _http_error(error, method, path) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            reason = getattr(error, "reason", None) or error
            raise Unreachable(f"could not reach {self.url}: {reason}") from None
        try:
            return json.loads(payload)
        except ValueError:
            raise FeedError(f"{method} {path} did not answer JSON") from None


def _http_error(error: urllib.error.HTTPError, method: str, path: str) -> FeedError:
    try:
        body = json.loads(error.read() or b"null")
    except (ValueError, OSError):
        body = None
    code = error.code
    if code == 403 and isinstance(body, dict) and body.get("refused"):
        first = body["refused"][0]
        return TokenRefused(f"the records were refused (HTTP 403): {first.get('reason')}; ask "
                            "an administrator to grant the token's source (python -m dashboard "
                            "source grant)")
    if code in (401, 403):
        return TokenRefused(f"the token was refused (HTTP {code}); check --token or {TOKEN_ENV}")
    if code == 422 and isinstance(body, dict) and isinstance(body.get("rejected"), list):
        return Rejected(body["rejected"])
    if code >= 500:
        return Unreachable(f"the server failed (HTTP {code}) on {method} {path}")
    detail = ""
    if isinstance(body, dict):
        detail = str(body.get("error") or body.get("detail") or body.get("message") or "")
    messages = {400: "the server could not read the batch", 404: "not found (is the URL the "
                "dashboard, with the push API?)", 413: "the batch was too large"}
    text = messages.get(code, "unexpected answer")
    return FeedError(f"{method} {path}: {text} (HTTP {code}){': ' + detail if detail else ''}")


# --- Sending -----------------------------------------------------------------------------------

def natural_key(kind: str, record: Record) -> tuple[Any, ...]:
    if kind == "episodes":
        return (record["episode_id"],)
    if kind == "delays":
        return (record["episode_id"], record["effective_at"])
    return (record["service_code"], record["reported_at"])


class Outbox:
    """Records not yet delivered, by kind and natural key.

    Records of a tick that could not be sent (network or server error) wait for the next tick; a
    newer state of the same key replaces them, so nothing out of date is sent. Re-sending a
    batch that was partly delivered is harmless: loading the same rows again changes nothing.
    """

    def __init__(self) -> None:
        self._pending: dict[str, dict[tuple[Any, ...], Record]] = {kind: {} for kind in KINDS}

    def add(self, batch: Batch) -> None:
        for kind in KINDS:
            for record in batch.get(kind, []):
                self._pending[kind][natural_key(kind, record)] = record

    def pending(self, kind: str) -> list[Record]:
        return list(self._pending[kind].values())

    def discard(self, kind: str, records: Iterable[Record]) -> None:
        for record in records:
            self._pending[kind].pop(natural_key(kind, record), None)

    def __len__(self) -> int:
        return sum(len(records) for records in self._pending.values())


@dataclass
class Delivery:
    """What one tick sent and what the instance applied, by kind; problems as messages."""

    sent: dict[str, int] = field(default_factory=dict)
    applied: int = 0  # records the instance wrote (new or changed)
    problems: list[str] = field(default_factory=list)
    held_back: bool = False  # a network or server error: the rest waits for the next tick


def _chunks(records: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for start in range(0, len(records), size):
        yield records[start:start + size]


def _describe_rejections(kind: str, rejected: list[dict[str, Any]]) -> str:
    shown = "; ".join(f"#{r.get('index')}: {r.get('reason')}" for r in rejected[:5])
    more = f" (and {len(rejected) - 5} more)" if len(rejected) > 5 else ""
    return f"{kind}: {len(rejected)} rejected, nothing of that batch loaded: {shown}{more}"


def deliver(client: FeedClient, outbox: Outbox) -> Delivery:
    """Post every pending kind in order; ``TokenRefused`` propagates (the run must stop).

    A 422 drops the records it names and sends the rest of that batch once more (the batch is
    all or nothing); other refusals drop the batch; a network or server error keeps everything
    for the next tick and sends no later kind (later kinds may refer to what did not arrive).
    """
    delivery = Delivery()
    for kind in KINDS:
        records = outbox.pending(kind)
        for batch in _chunks(records, MAX_BATCH):
            try:
                delivery.applied += _post_batch(client, kind, list(batch), outbox, delivery)
            except Unreachable as error:
                delivery.problems.append(f"{error}; trying again next tick")
                delivery.held_back = True
                return delivery
            except TokenRefused:
                raise
            except FeedError as error:
                delivery.problems.append(f"{kind}: {error}; those {len(batch)} records dropped")
            outbox.discard(kind, batch)
            delivery.sent[kind] = delivery.sent.get(kind, 0) + len(batch)
    return delivery


def _post_batch(client: FeedClient, kind: str, batch: list[Record], outbox: Outbox,
                delivery: Delivery) -> int:
    try:
        return client.post(kind, batch)
    except Rejected as rejection:
        delivery.problems.append(_describe_rejections(kind, rejection.rejected))
        bad = {r.get("index") for r in rejection.rejected}
        outbox.discard(kind, (record for i, record in enumerate(batch) if i in bad))
        rest = [record for i, record in enumerate(batch) if i not in bad]
        if not rest:
            return 0
        try:
            return client.post(kind, rest)
        except Rejected as again:
            delivery.problems.append(_describe_rejections(kind, again.rejected))
            return 0


# --- The loop ----------------------------------------------------------------------------------

def tick_line(now: datetime, simulation: Simulation, delivery: Delivery) -> str:
    """One short line per tick: time, simulated time, what was sent and applied."""
    head = f"{as_london(now):%H:%M:%S}  sim +{simulation.simulated_hours:.1f} h"
    sent = ", ".join(f"{kind} {n}" for kind, n in delivery.sent.items() if n)
    body = f"sent {sent}; applied {delivery.applied}" if sent else "nothing sent"
    people = f"({simulation.waiting} waiting, {simulation.in_service} in service)"
    return f"{head}  {body}  {people}"


def simulate(client: FeedClient, *, clock: Clock, speed: float, interval: float,
             duration: float | None = None, seed: int | None = None, run_id: str | None = None,
             out: TextIO | None = None, err: TextIO | None = None,
             sleep: Callable[[float], None] = time.sleep,
             monotonic: Callable[[], float] = time.monotonic) -> int:
    """Fetch the reference, then step and send every ``interval`` seconds; the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    started = monotonic()
    deadline = None if duration is None else started + duration
    if seed is None:
        seed = random.SystemRandom().randrange(2**31)
    try:
        reference = _fetch_reference(client, interval, deadline, out, err, sleep, monotonic)
        if isinstance(reference, int):
            return reference
        run_id = run_id or f"{clock.now().astimezone(UTC):%y%m%d%H%M%S}"
        simulation = Simulation(reference, speed=speed, seed=seed, run_id=run_id)
        per_hour = NCTR_PER_DAY / 24 * speed
        print(f"Feeding {client.url}: {len(reference.sites)} sites, "
              f"{len(reference.home_areas)} home areas, {len(reference.services)} services. "
              f"Speed {speed:g}: {speed:g} simulated hours per real hour, about {per_hour:.0f} "
              f"people becoming NCTR per real hour; waits are compressed {speed:g} times. "
              f"Run SIM-{run_id}, seed {seed}. Ctrl-C stops.", file=out, flush=True)
        return _loop(client, simulation, clock, interval, deadline, out, err, sleep, monotonic)
    except KeyboardInterrupt:
        print("Stopped.", file=out, flush=True)
        return EXIT_OK


def _fetch_reference(client: FeedClient, interval: float, deadline: float | None, out: TextIO,
                     err: TextIO, sleep: Callable[[float], None],
                     monotonic: Callable[[], float]) -> Reference | int:
    while True:
        try:
            return client.reference()
        except TokenRefused as error:
            print(f"error: {error}", file=err, flush=True)
            return EXIT_STOPPED
        except Unreachable as error:
            print(f"{error}; trying again in {interval:g} s", file=out, flush=True)
        except (FeedError, UnusableReference) as error:
            print(f"error: could not use the instance's reference: {error}", file=err, flush=True)
            return EXIT_STOPPED
        if deadline is not None and monotonic() + interval > deadline:
            print(f"error: {client.url} could not be reached", file=err, flush=True)
            return EXIT_UNREACHABLE
        sleep(interval)


def _loop(client: FeedClient, simulation: Simulation, clock: Clock, interval: float,
          deadline: float | None, out: TextIO, err: TextIO, sleep: Callable[[float], None],
          monotonic: Callable[[], float]) -> int:
    outbox = Outbox()
    last = monotonic()
    try:
        while True:
            tick = monotonic()
            now = clock.now()
            outbox.add(simulation.step(now, tick - last))
            last = tick
            delivery = deliver(client, outbox)
            print(tick_line(now, simulation, delivery), file=out, flush=True)
            for problem in delivery.problems:
                print(f"  {problem}", file=out, flush=True)
            if deadline is not None and monotonic() >= deadline:
                break
            next_tick = tick + interval
            if deadline is not None:
                next_tick = min(next_tick, deadline)
            sleep(max(next_tick - monotonic(), 0.0))
    except TokenRefused as error:
        print(f"error: {error}", file=err, flush=True)
        return EXIT_STOPPED
    except KeyboardInterrupt:
        print(_unsent(outbox, "Stopped."), file=out, flush=True)
        return EXIT_OK
    print(_unsent(outbox, "Finished."), file=out, flush=True)
    return EXIT_OK


def _unsent(outbox: Outbox, message: str) -> str:
    return f"{message} {len(outbox)} records were not delivered." if len(outbox) else message


# --- Command line ------------------------------------------------------------------------------

def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or math.isinf(value):
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number")
    return value


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """The ``simulate`` command's options."""
    parser.add_argument("--url", required=True,
                        help="the running dashboard, such as http://127.0.0.1:8050")
    parser.add_argument("--token", default=None,
                        help=f"push API token (required; default: the {TOKEN_ENV} variable)")
    parser.add_argument("--speed", type=_positive_float, default=60.0,
                        help="simulated hours of events per real hour (default 60: a simulated "
                        "hour every real minute); waits shrink by the same factor")
    parser.add_argument("--interval", type=_positive_float, default=5.0,
                        help="real seconds between ticks (default 5)")
    parser.add_argument("--duration", type=_positive_float, default=None,
                        help="real seconds to run, then stop (default: until Ctrl-C)")
    parser.add_argument("--seed", type=int, default=None,
                        help="random seed, to repeat a run (default: a new one, printed)")


def run(args: argparse.Namespace) -> int:
    """``python -m dashboard simulate``: the exit code (0 done, 1 unreachable, 2 stopped)."""
    token = args.token or os.environ.get(TOKEN_ENV, "")
    if not token:
        print(f"error: give --token or set {TOKEN_ENV}", file=sys.stderr)
        return EXIT_STOPPED
    if not args.url.startswith(("http://", "https://")):
        print(f"error: --url must start with http:// or https://, not {args.url!r}",
              file=sys.stderr)
        return EXIT_STOPPED
    client = FeedClient(args.url, token)
    return simulate(client, clock=SystemClock(), speed=args.speed, interval=args.interval,
                    duration=args.duration, seed=args.seed)
