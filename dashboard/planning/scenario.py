"""A planning scenario as a JSON file: named, validated with messages a planner can act on.

Every key but ``name`` and ``area`` is optional; docs/planning.md lists them with an example.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import numpy as np

PATHWAYS = (1, 2, 3)
MAX_HORIZON_WEEKS = 26
MAX_REPLICATIONS = 1000
MAX_PLACES = 100_000  # far above any area's places; keeps a typo from running for hours


class ScenarioError(ValueError):
    """A scenario that cannot be run, and why (shown as it is, never as a traceback)."""


@dataclass(frozen=True)
class CapacityChange:
    """``places`` more (or fewer, when negative) for the pathway from ``from_day`` on."""

    pathway: int
    from_day: date
    places: int


@dataclass(frozen=True)
class Surge:
    """Demand × (1 + ``increase``) from ``first_day`` to ``last_day`` (a winter surge)."""

    first_day: date
    last_day: date
    increase: float


@dataclass(frozen=True)
class Shift:
    """Move ``share`` of the people who would need pathway ``from_pathway`` to ``to_pathway``
    (home first: from 2 to 1)."""

    from_pathway: int
    to_pathway: int
    share: float


@dataclass(frozen=True)
class Costs:
    """Pounds per day of intermediate care (bed day, or person-day of home care) and per acute
    bed day lost to waiting."""

    service_day: float
    delayed_bed_day: float


@dataclass(frozen=True)
class Scenario:
    name: str
    area: str
    pathways: tuple[int, ...] = PATHWAYS
    start: date | None = None  # None: today
    horizon_weeks: int = MAX_HORIZON_WEEKS
    replications: int = 100
    seed: int = 1
    history_weeks: int = 12
    stays: str = "lognormal"  # or "empirical"
    process: str = "empirical"  # or "none": no process time, capacity waits only
    trend: bool = False
    places: dict[int, int] = field(default_factory=dict)  # places open now, instead of reports
    capacity_changes: tuple[CapacityChange, ...] = ()
    length_of_stay: dict[int, float] = field(default_factory=dict)  # factor per pathway
    demand_growth: float = 0.0
    winter_surge: Surge | None = None
    shift: Shift | None = None
    unit_costs: dict[int, Costs] = field(default_factory=dict)

    @property
    def horizon_days(self) -> int:
        return 7 * self.horizon_weeks

    def baseline(self) -> Scenario:
        """The same run with none of the changes: what the data says happens as things are."""
        return replace(self, name="Baseline", capacity_changes=(), length_of_stay={},
                       demand_growth=0.0, winter_surge=None, shift=None)

    def demand(self, base: dict[int, np.ndarray], first_day: date) -> dict[int, np.ndarray]:
        """Expected arrivals per day for each pathway after growth, surge and shift."""
        days = [first_day + timedelta(days=d) for d in range(self.horizon_days)]
        factor = np.full(len(days), 1.0 + self.demand_growth)
        if self.winter_surge is not None:
            surge = self.winter_surge
            factor *= np.array([1 + surge.increase if surge.first_day <= d <= surge.last_day
                                else 1.0 for d in days])
        result = {pathway: np.asarray(rates, dtype=float) * factor
                  for pathway, rates in base.items()}
        if self.shift is not None and self.shift.from_pathway in result:
            moved = result[self.shift.from_pathway] * self.shift.share
            result[self.shift.from_pathway] = result[self.shift.from_pathway] - moved
            if self.shift.to_pathway in result:
                result[self.shift.to_pathway] = result[self.shift.to_pathway] + moved
        return result

    def capacity(self, pathway: int, places_now: int, first_day: date) -> np.ndarray:
        """Places open on each day of the horizon: today's, then each change from its day."""
        places = np.full(self.horizon_days, self.places.get(pathway, places_now), dtype=int)
        for change in self.capacity_changes:
            if change.pathway == pathway:
                since = max(0, (change.from_day - first_day).days)
                places[since:] += change.places
        return np.maximum(places, 0)


_KEYS = {"name", "area", "pathways", "start", "horizon_weeks", "replications", "seed",
         "history_weeks", "stays", "process", "trend", "places", "capacity_changes",
         "length_of_stay", "demand_growth", "winter_surge", "shift", "unit_costs"}


def parse_scenario(text: str) -> Scenario:
    """The scenario in a JSON text, or ``ScenarioError`` naming every problem found."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ScenarioError(f"not JSON: {error.msg} at line {error.lineno}, column "
                            f"{error.colno}") from None
    if not isinstance(raw, dict):
        raise ScenarioError("a scenario is a JSON object ({...})")
    problems: list[str] = []
    check = _Checker(problems)
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        problems.append(f"unknown keys: {', '.join(unknown)} (known: {', '.join(sorted(_KEYS))})")
    name = check.text(raw, "name")
    area = check.text(raw, "area")
    pathways = check.pathways(raw.get("pathways", list(PATHWAYS)))
    start = check.day(raw["start"], "start") if raw.get("start") is not None else None
    horizon = check.whole(raw, "horizon_weeks", MAX_HORIZON_WEEKS, 1, MAX_HORIZON_WEEKS)
    replications = check.whole(raw, "replications", 100, 2, MAX_REPLICATIONS)
    seed = check.whole(raw, "seed", 1, 0, 2 ** 32 - 1)
    history = check.whole(raw, "history_weeks", 12, 1, 104)
    stays = raw.get("stays", "lognormal")
    if stays not in ("lognormal", "empirical"):
        problems.append(f"stays: 'lognormal' or 'empirical', not {stays!r}")
    process = raw.get("process", "empirical")
    if process not in ("empirical", "none"):
        problems.append(f"process: 'empirical' or 'none', not {process!r}")
    trend = raw.get("trend", False)
    if not isinstance(trend, bool):
        problems.append("trend: true or false")
    places = {check.pathway(k, "places"): check.places(v, f"places {k}", low=0)
              for k, v in check.mapping(raw, "places").items()}
    changes = tuple(
        CapacityChange(check.pathway(c.get("pathway"), f"capacity_changes[{i}] pathway"),
                       check.day(c.get("from"), f"capacity_changes[{i}] from"),
                       check.places(c.get("places"), f"capacity_changes[{i}] places",
                                    low=-MAX_PLACES))
        for i, c in enumerate(check.objects(raw, "capacity_changes")))
    length = {check.pathway(k, "length_of_stay"):
              check.number(v, f"length_of_stay {k}", low=0.1, high=10)
              for k, v in check.mapping(raw, "length_of_stay").items()}
    growth = check.number(raw.get("demand_growth", 0.0), "demand_growth", low=-0.9, high=10)
    surge = None
    if raw.get("winter_surge") is not None:
        given = raw["winter_surge"] if isinstance(raw["winter_surge"], dict) else {}
        surge = Surge(check.day(given.get("from"), "winter_surge from"),
                      check.day(given.get("to"), "winter_surge to"),
                      check.number(given.get("increase"), "winter_surge increase", low=-0.9,
                                   high=10))
        if surge.first_day > surge.last_day:
            problems.append("winter_surge: 'from' is after 'to'")
    shift = None
    if raw.get("shift") is not None:
        given = raw["shift"] if isinstance(raw["shift"], dict) else {}
        shift = Shift(check.pathway(given.get("from"), "shift from"),
                      check.pathway(given.get("to"), "shift to"),
                      check.number(given.get("share"), "shift share", low=0, high=1))
        if shift.from_pathway == shift.to_pathway:
            problems.append("shift: 'from' and 'to' are the same pathway")
    costs = {}
    for key, value in check.mapping(raw, "unit_costs").items():
        given = value if isinstance(value, dict) else {}
        costs[check.pathway(key, "unit_costs")] = Costs(
            check.number(given.get("service_day"), f"unit_costs {key} service_day", low=0),
            check.number(given.get("delayed_bed_day"), f"unit_costs {key} delayed_bed_day",
                         low=0))
    if problems:
        raise ScenarioError("; ".join(problems))
    return Scenario(name, area, pathways, start, horizon, replications, seed, history, stays,
                    process, trend, places, changes, length, growth, surge, shift, costs)


class _Checker:
    """Each check records its problem and returns a harmless stand-in, so every problem of a
    file is reported at once."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems

    def _bad(self, message: str, stand_in: Any) -> Any:
        self.problems.append(message)
        return stand_in

    def text(self, raw: dict[str, Any], key: str) -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip() or len(value) > 200 or \
                any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in value):
            return self._bad(f"{key}: a text of 1 to 200 printable characters is required", "")
        return value.strip()

    def pathway(self, value: Any, where: str) -> int:
        if str(value) in ("1", "2", "3"):
            return int(str(value))
        return self._bad(f"{where}: pathway 1, 2 or 3, not {value!r}", 1)

    def pathways(self, value: Any) -> tuple[int, ...]:
        if not isinstance(value, list) or not value:
            return self._bad("pathways: a list such as [1, 2, 3]", PATHWAYS)
        return tuple(sorted({self.pathway(p, "pathways") for p in value}))

    def day(self, value: Any, where: str) -> date:
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            return self._bad(f"{where}: a date such as 2027-01-04, not {value!r}", date.min)

    def integer(self, value: Any, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            return self._bad(f"{where}: a whole number, not {value!r}", 0)
        return value

    def places(self, value: Any, where: str, low: int) -> int:
        number = self.integer(value, where)
        if not low <= number <= MAX_PLACES:
            return self._bad(f"{where}: from {low} to {MAX_PLACES}, not {number}", 0)
        return number

    def whole(self, raw: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
        number = self.integer(raw.get(key, default), key)
        if not low <= number <= high:
            return self._bad(f"{key}: from {low} to {high}, not {number}", default)
        return number

    def number(self, value: Any, where: str, low: float = -math.inf,
               high: float = math.inf) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or \
                not math.isfinite(value):
            return self._bad(f"{where}: a number, not {value!r}", max(low, 0.0))
        if not low <= value <= high:
            return self._bad(f"{where}: from {low:g} to {high:g}, not {value:g}", max(low, 0.0))
        return float(value)

    def mapping(self, raw: dict[str, Any], key: str) -> dict[str, Any]:
        value = raw.get(key, {})
        if not isinstance(value, dict):
            return self._bad(f"{key}: an object by pathway, such as {{\"1\": ...}}", {})
        return value

    def objects(self, raw: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            return self._bad(f"{key}: a list of objects", [])
        return value
