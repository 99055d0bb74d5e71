"""**System trigger levels** (we define the mechanism; the thresholds and actions are the area's
own), in the spirit of NHS England's Operational Pressures Escalation Levels (OPEL) framework but
not OPEL itself: a data manager sets, per area and measure, the value at which levels 2, 3 and 4
begin, and what to do when the measure reaches each level (``trigger_levels.csv``).

- **Levels**: 1 steady, 2 moderate pressure, 3 severe pressure, 4 extreme pressure.
- **Measures**, read at the moment Today shows: people waiting (NCTR, not discharged) per
  100,000 aged 65+ (higher is worse); people waiting 21 days or more (higher is worse); free
  places now in services with a current report, for pathway 1, 2 and 3 (lower is worse); the
  share receiving a service within 24 hours of NCTR over the last 7 days (lower is worse).
- **A measure is at level L** (2-4) when its value is **at or worse than** its level-L threshold:
  ``value >= threshold`` where higher is worse, ``value <= threshold`` where lower is worse. It is
  at the highest level whose threshold it reaches; at level 1 if it reaches none.
- **The area's level** is the highest over its measures with a threshold set and a value now; the
  measure(s) at that level set it (each named when two or more tie). Level 1 is set by no measure:
  it is where the area is while none reaches a level-2 threshold or above.
- **No data**: a measure without a value now (no population aged 65+ recorded, no service with a
  current report for the pathway, no service started in the last 7 days) sets no level and is
  named as having no data; when no measure with a threshold has a value, the level is unknown,
  never guessed.
- A higher level's threshold must be strictly more severe than a lower level's (else the lower
  level could never be reached).
- Trigger levels hold for the area they are set for only, never for the areas inside it (two of
  the measures are counts, which mean something else for a smaller area).
- **History**: each time the level is evaluated (when Today is drawn, or by the scheduled
  ``python -m dashboard trigger-levels``) and differs from the area's latest recorded level, the
  new level is recorded with when and what set it. An unknown level is not recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from dashboard.rates import rate_per_100k
from dashboard.results import TodaySummary
from dashboard.vocabulary import LONGEST_DELAY_DAYS

Worse = Literal["higher", "lower"]

LEVEL_NAMES: dict[int, str] = {1: "steady", 2: "moderate pressure", 3: "severe pressure",
                               4: "extreme pressure"}
STEADY = 1
THRESHOLD_LEVELS = (2, 3, 4)  # level 1 has no threshold: it holds while none is reached
ACTIONS_LIMIT = 1000  # characters of what to do at a level: a few lines on a wall screen


@dataclass(frozen=True)
class TriggerMeasure:
    """A measure trigger levels may be set on."""

    key: str
    label: str
    unit: Literal["rate", "people", "places", "percent"]
    worse: Worse

    def reaches(self, value: float, threshold: float) -> bool:
        """The value is at the threshold or on its worse side."""
        return value >= threshold if self.worse == "higher" else value <= threshold

    def valid_threshold(self, value: float) -> str | None:
        """Why ``value`` cannot be a threshold of this measure (None if it can)."""
        if value < 0:
            return "a threshold cannot be below 0"
        if self.unit == "percent" and value > 100:
            return "a share cannot be above 100%"
        return None

    def shown(self, value: float) -> str:
        """The value as the Today page writes it (a rate's unit is in its label)."""
        if self.unit == "percent":
            return f"{value:.0f}%"
        if self.unit == "rate":
            return f"{value:,.1f}"
        return f"{value:,.0f}"


TRIGGER_MEASURES: dict[str, TriggerMeasure] = {measure.key: measure for measure in (
    # Labels short enough for a card on a huddle wall screen.
    TriggerMeasure("waiting_per_100k_65", "Waiting per 100,000 aged 65+", "rate", "higher"),
    TriggerMeasure("waiting_21_days_plus", "Waiting 21 days or more", "people", "higher"),
    TriggerMeasure("free_places_p1", "Free places, pathway 1", "places", "lower"),
    TriggerMeasure("free_places_p2", "Free places, pathway 2", "places", "lower"),
    TriggerMeasure("free_places_p3", "Free places, pathway 3", "places", "lower"),
    TriggerMeasure("within_24h_percent", "Within 24 h of NCTR, last 7 days", "percent",
                   "lower"),
)}


@dataclass(frozen=True)
class Threshold:
    """Where level ``level`` of ``measure`` begins for an area, and what to do at it."""

    measure: str
    level: int
    threshold: float
    actions: str


@dataclass(frozen=True)
class MeasureLevel:
    """A measure's value now and the level it reaches (None: no value now, no level)."""

    measure: str
    value: float | None
    level: int | None
    threshold: float | None  # of the level reached (None at level 1)
    actions: str  # what to do at the level reached ("" at level 1)

    @property
    def label(self) -> str:
        return TRIGGER_MEASURES[self.measure].label

    def describe(self) -> str:
        """The value against the threshold it reached: "Free places, pathway 1: 2 (level 3:
        ≤ 2)"."""
        measure = TRIGGER_MEASURES[self.measure]
        if self.value is None:
            return f"{measure.label}: no data now"
        if self.threshold is None:
            return f"{measure.label}: {measure.shown(self.value)}"
        side = "≥" if measure.worse == "higher" else "≤"
        return (f"{measure.label}: {measure.shown(self.value)} (level {self.level}: {side} "
                f"{measure.shown(self.threshold)})")


@dataclass(frozen=True)
class AreaLevel:
    """An area's escalation level now: None when no measure with a threshold has a value."""

    level: int | None
    set_by: tuple[MeasureLevel, ...]  # the measures at that level (none at level 1)
    no_data: tuple[str, ...]  # measures with thresholds but no value now: they set no level

    @property
    def name(self) -> str:
        return "unknown" if self.level is None else LEVEL_NAMES[self.level]


def measure_level(measure: TriggerMeasure, value: float | None,
                  thresholds: Iterable[Threshold]) -> MeasureLevel:
    """The highest level whose threshold ``value`` is at or worse than; level 1 if none."""
    if value is None:
        return MeasureLevel(measure.key, None, None, None, "")
    reached = [t for t in thresholds if measure.reaches(value, t.threshold)]
    if not reached:
        return MeasureLevel(measure.key, value, STEADY, None, "")
    top = max(reached, key=lambda t: t.level)
    return MeasureLevel(measure.key, value, top.level, top.threshold, top.actions)


def area_level(values: Mapping[str, float | None], thresholds: Iterable[Threshold]) -> AreaLevel:
    """The area's level from each measure's value now and its thresholds: the highest level over
    the measures with a threshold and a value; the measures at it named (none at level 1)."""
    by_measure: dict[str, list[Threshold]] = {}
    for threshold in thresholds:
        by_measure.setdefault(threshold.measure, []).append(threshold)
    levels = [measure_level(TRIGGER_MEASURES[key], values.get(key), by_measure[key])
              for key in TRIGGER_MEASURES if key in by_measure]
    known = [m for m in levels if m.level is not None]
    no_data = tuple(m.measure for m in levels if m.level is None)
    if not known:
        return AreaLevel(None, (), no_data)
    top = max(m.level for m in known if m.level is not None)
    set_by = tuple(m for m in known if m.level == top) if top > STEADY else ()
    return AreaLevel(top, set_by, no_data)


def order_problem(measure: TriggerMeasure, by_level: Mapping[int, float]) -> str | None:
    """Why a measure's thresholds by level are out of order (None if in order): each level's
    threshold strictly more severe than every lower level's."""
    ordered = sorted(by_level.items())
    for (low, low_value), (high, high_value) in zip(ordered, ordered[1:], strict=False):
        more_severe = high_value > low_value if measure.worse == "higher" \
            else high_value < low_value
        if not more_severe:
            return (f"the level {high} threshold {high_value:g} is not more severe than level "
                    f"{low}'s {low_value:g} ({measure.worse} is worse for {measure.key})")
    return None


def values_now(summary: TodaySummary, population_65_plus: int | None) -> dict[str, float | None]:
    """Each measure's value from the Today figures (each defined once, by its metric function):
    waiting now and its 21+ day band (``waiting_at``), free places of current reports
    (``capacity_by_pathway``) and the share within 24 h over the last 7 days
    (``nctr_to_service``)."""
    waiting = summary.waiting_now
    values: dict[str, float | None] = {
        "waiting_per_100k_65": rate_per_100k(waiting.total, population_65_plus or 0),
        "waiting_21_days_plus": float(waiting.by_band[f"{LONGEST_DELAY_DAYS}+ days"]),
        "within_24h_percent": summary.time_to_service_7_days.within_24h_percent,
    }
    for pathway, capacity in summary.capacity.items():
        reporting = capacity.services - capacity.stale_services - capacity.unreported_services
        values[f"free_places_p{pathway}"] = float(capacity.free_current) if reporting else None
    return values


@dataclass(frozen=True)
class LevelChange:
    """A row of an area's level history: from ``at`` on, the area was at ``level``."""

    at: datetime  # aware, London
    level: int
    reason: str  # the measures that set it, each with its value and threshold

    @property
    def name(self) -> str:
        return LEVEL_NAMES[self.level]


@dataclass(frozen=True)
class TriggerLevelsNow:
    """What Today shows: the level now (None when no trigger level is set for the area) and the
    latest changes of level, latest first."""

    level: AreaLevel | None
    changes: tuple[LevelChange, ...]


def reason_of(level: AreaLevel) -> str:
    """The history's words for what set the level."""
    if not level.set_by:
        return "no measure reaches a level 2 threshold or above"
    return "; ".join(measure.describe() for measure in level.set_by)
