"""**Local goals** (we define the mechanism; the goals are the area's own): a data manager sets,
for an area, a measure and a period (first to last day), the level to reach and the direction in
which better lies, on the Goals page or in the contract's ``goals.csv``. Better Care Fund plans
(source: NHS England and DHSC, Better Care Fund planning requirements 2025-26) set such goals on
discharge delay per Health and Wellbeing Board, an upper-tier local authority; systems and places
set their own, such as the local 24-hour ambition for NCTR to service, which is a local plan's
ambition and not a published national target.

- The measures: the share receiving a service within 24 hours of NCTR, the share discharged on
  their discharge ready date, the average discharge delay counting everyone, and the people
  waiting 21 days or more since their DRD.
- The goal that holds for an area on a day is the area's own; for a share or an average, one set
  for an area it lies in holds too (the nearest wins); a count of people holds only where it is
  set. One goal of a measure holds on a day: goals of an area and measure may not overlap.
- A chart of the measure draws the goal at the period's end as its target (dotted), and the
  Making Data Count **assurance icon** compares it with the process limits (see *SPC charts*).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

Better = Literal["up", "down"]
DIRECTIONS: tuple[Better, ...] = ("up", "down")


@dataclass(frozen=True)
class GoalMeasure:
    """A measure a goal may be set on, as its page charts it."""

    key: str
    label: str
    unit: Literal["percent", "days", "people"]
    better: Better
    page: str  # the path of the page whose SPC chart draws it
    # A share or an average means the same for an area as for the areas inside it, so a goal
    # set for a system holds for its places unless they set their own; a count does not.
    inherited: bool

    def valid_value(self, value: float) -> str | None:
        """Why ``value`` cannot be a goal of this measure (None if it can)."""
        if value < 0:
            return "a goal cannot be below 0"
        if self.unit == "percent" and value > 100:
            return "a share cannot be above 100%"
        if self.unit == "people" and value != int(value):
            return "a count of people is a whole number"
        return None


GOAL_MEASURES: dict[str, GoalMeasure] = {measure.key: measure for measure in (
    GoalMeasure("within_24h_percent",
                "Share receiving a service within 24 h of NCTR (the local 24-hour ambition)",
                "percent", "up", "/time-to-service", inherited=True),
    GoalMeasure("discharged_on_drd_percent", "Share discharged on their discharge ready date",
                "percent", "up", "/discharge-delays", inherited=True),
    GoalMeasure("mean_delay_days", "Average discharge delay, everyone counted (days)",
                "days", "down", "/discharge-delays", inherited=True),
    GoalMeasure("waiting_21_days_plus", "People waiting 21 days or more since their DRD",
                "people", "down", "/today", inherited=False),
)}


@dataclass(frozen=True)
class GoalInForce:
    """The goal that holds for an area and a measure on a day."""

    measure: str
    value: float
    better: Better
    first_day: date
    last_day: date
    area_code: str  # where it was set: the area itself, or one it lies in
    area_name: str

    def set_on(self, area_code: str) -> bool:
        """Set for this very area, rather than held from an area it lies in."""
        return self.area_code == area_code


def target_of(goals: Mapping[str, GoalInForce], measure: str) -> float | None:
    """The level a chart of ``measure`` draws as its target: the goal that holds, if any."""
    goal = goals.get(measure)
    return None if goal is None else goal.value


def met(goal: GoalInForce, value: float) -> bool:
    """The value is on the goal or on its better side."""
    return value >= goal.value if goal.better == "up" else value <= goal.value

