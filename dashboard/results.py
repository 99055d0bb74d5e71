"""What data access returns and the screens draw: the plain result types (and the constants
that go with them) that ``data_access`` and ``layouts`` share. Defined here, below both, so a
layout can take a result without importing the module of queries that makes it
(``.importlinter``: layouts never import data access)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from dashboard.outlook import BacktestResult
from dashboard.vocabulary import AMBITION_HOURS

# --- data_access.access -----------------------------------------------------------------------
ROLES: dict[str, str] = {
    "executive": "Executive",
    "place_manager": "Place manager",
    "hub_lead": "Care transfer hub lead",
    "data_manager": "Data manager",
    "administrator": "Administrator",
}

# What each permission is for, and the roles that hold it.
PERMISSIONS: dict[str, frozenset[str]] = {
    "aggregates": frozenset({"executive", "place_manager", "hub_lead", "data_manager"}),
    "people": frozenset({"hub_lead"}),
    "data": frozenset({"data_manager"}),
    "goals": frozenset({"data_manager"}),  # setting local goals (anyone with figures reads them)
    "admin": frozenset({"administrator"}),
    # Running demand and capacity scenarios on the Plan page: aggregate figures only, for the
    # roles that plan services (hub leads run the day, administrators see no figures).
    "planning": frozenset({"executive", "place_manager", "data_manager"}),
}


@dataclass(frozen=True)
class UserScope:
    username: str
    role: str
    display_name: str
    # The hub's areas (each with everything inside it); None: every area.
    area_codes: frozenset[str] | None
    demo: bool = False

    def may(self, permission: str) -> bool:
        return self.role in PERMISSIONS[permission]

    @property
    def cache_key(self) -> tuple[str, tuple[str, ...] | None]:
        """What makes two users' views of the same address differ."""
        return self.role, None if self.area_codes is None else tuple(sorted(self.area_codes))


# --- data_access.areas ------------------------------------------------------------------------
LEVEL_LABELS = {"region": "Region", "icb": "System", "sub_icb": "Sub-ICB location",
                "district": "Place", "neighbourhood": "Neighbourhood"}


@dataclass(frozen=True)
class AreaInfo:
    code: str
    name: str
    level: str
    population_65_plus: int | None

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level, self.level)


# --- data_access.metrics.benchmark ------------------------------------------------------------
ENGLAND = "England"


@dataclass(frozen=True)
class Choice:
    """What the page shows: England, an NHS region, or an ICB."""

    key: str  # as the address writes it: "england", a region's key, an ICB's code
    level: str  # "england", "region" or "icb"
    name: str
    region: str | None  # an ICB's region (a region's own name)
    icb_codes: tuple[str, ...] | None  # the ICBs summed; None: every one (England)


# --- data_access.metrics.outlook --------------------------------------------------------------


@dataclass(frozen=True)
class Backtest:
    demand: BacktestResult
    places: BacktestResult


# --- data_access.feeds ------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceFreshness:
    name: str
    expected_every_minutes: int | None
    last_delivery_at: datetime | None  # London time of the last accepted delivery
    kinds: frozenset[str]  # contract file names it has delivered, such as "episodes.csv"
    quiet: bool  # no accepted delivery for longer than expected (or none at all)


# --- data_access.loader -----------------------------------------------------------------------
# What the write makes of an accepted row: not stored before; stored, and rewritten; stored
# exactly so already; or stored with a later updated_at, so ignored as stale.
WRITE_OUTCOMES = ("new", "changed", "unchanged", "stale")


# --- data_access.quality ----------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    check_id: str
    title: str
    definition: str  # which records are flagged, in words (the check's docstring)
    why_it_matters: str
    count: int  # every flagged record, not only those named in ``rows``
    columns: tuple[str, ...]  # contract column names, so a data lead knows what to look up
    rows: tuple[tuple[Any, ...], ...]  # the first ROWS_SHOWN flagged records; times London


# --- data_access.metrics.waiting --------------------------------------------------------------


@dataclass(frozen=True)
class WaitingSnapshot:
    at: datetime
    total: int
    over_24_hours: int
    by_band: dict[str, int]  # every band of DELAY_BANDS, in order, zeros included


# --- data_access.metrics.flow -----------------------------------------------------------------
LONG_STAY_DAYS = 42  # six weeks: intermediate care is usually up to six weeks


@dataclass(frozen=True)
class LengthOfCare:
    ended: int  # services that ended in the period
    median_days: float | None
    p90_days: float | None
    beyond_six_weeks: int  # of those ended, lasted more than 42 days
    still_in_service: int  # started, not ended at the period's end
    still_in_service_beyond_six_weeks: int

    @property
    def beyond_six_weeks_percent(self) -> float | None:
        return None if self.ended == 0 else 100.0 * self.beyond_six_weeks / self.ended


# --- data_access.huddle -----------------------------------------------------------------------


@dataclass(frozen=True)
class HuddleFilterOptions:
    """What the huddle list's filters can offer: among the people waiting now in the area."""

    sites: list[tuple[str, str]]  # (code, name), by name
    reason_groups: list[str]  # in REASON_GROUPS order, "not recorded" last


# --- data_access.metrics.outcomes -------------------------------------------------------------


@dataclass(frozen=True)
class FunctionalChange:
    people: int  # ended in the period with both scores recorded
    median_change: float | None  # Modified Barthel points, end minus start
    improved_or_kept: int  # change >= 0
    goals: pd.DataFrame  # proportion of people whose own goals were met (one row)


# --- data_access.metrics.time_to_service ------------------------------------------------------


@dataclass(frozen=True)
class TimeToService:
    started: int  # services started in the period (pathways 1-3, NCTR time known)
    median_hours: float | None
    p90_hours: float | None
    within_24h: int
    still_waiting_over_24h: int  # at the period's end, without a service yet

    @property
    def within_24h_percent(self) -> float | None:
        return None if self.started == 0 else 100.0 * self.within_24h / self.started

STAGES: tuple[tuple[str, str, str], ...] = (
    # (label, from column, to column)
    ("NCTR to hub referral", "nctr_at", "referred_to_hub_at"),
    ("Hub referral to discharge", "referred_to_hub_at", "discharged_at"),
    ("Discharge to service start", "discharged_at", "service_start_at"),
)

# Upper bounds in hours (inclusive); the first band is the 24-hour ambition.
HOUR_BANDS: tuple[tuple[str, float | None], ...] = (
    ("within 24 h", AMBITION_HOURS), ("24-48 h", 48.0), ("2-3 days", 72.0),
    ("3-7 days", 168.0), ("1-2 weeks", 336.0), ("over 2 weeks", None),
)


# --- data_access.metrics.capacity -------------------------------------------------------------


@dataclass(frozen=True)
class PathwayCapacity:
    pathway: int
    services: int
    free_current: int  # free places in services whose latest report is current
    stale_services: int  # their free places are not counted in free_current
    unreported_services: int
    oldest_current_report: datetime | None


# --- data_access.metrics.today ----------------------------------------------------------------


@dataclass(frozen=True)
class TodaySummary:
    at: datetime
    waiting_now: WaitingSnapshot
    waiting_same_time_yesterday: WaitingSnapshot
    discharges_yesterday: dict[int | None, int]
    time_to_service_7_days: TimeToService
    capacity: dict[int, PathwayCapacity]

    @property
    def change_since_yesterday(self) -> int:
        return self.waiting_now.total - self.waiting_same_time_yesterday.total


# --- data_access.metrics.discharge_delays -----------------------------------------------------

@dataclass(frozen=True)
class DischargeDelays:
    """NHS England's discharge delay measures over the discharges of a period."""

    discharges: int  # adults (18+) discharged after a stay of at least one night
    by_band: dict[str, int]  # discharges by days from the discharge ready date, DELAY_BANDS
    delay_days: int  # total days between the ready date and the discharge ("bed days lost")
    not_counted: dict[str, int]  # discharges left out, by why: under 18, age not recorded, ...

    @property
    def on_ready_date(self) -> int:
        """Discharged on their discharge ready date (0 days' delay)."""
        return self.by_band.get("0 days", 0)

    @property
    def delayed(self) -> int:
        """Discharged 1 or more days after it."""
        return self.discharges - self.on_ready_date

    @property
    def on_ready_date_percent(self) -> float | None:
        return None if self.discharges == 0 else 100.0 * self.on_ready_date / self.discharges

    @property
    def delayed_percent(self) -> float | None:
        return None if self.discharges == 0 else 100.0 * self.delayed / self.discharges

    @property
    def mean_delay_days(self) -> float | None:
        """Average delay counting everyone, the 0-day discharges included."""
        return None if self.discharges == 0 else self.delay_days / self.discharges

    @property
    def mean_delay_days_of_delayed(self) -> float | None:
        """Average delay over those delayed (1+ days) only."""
        return None if self.delayed == 0 else self.delay_days / self.delayed


# --- data_access.metrics.ascof ----------------------------------------------------------------

@dataclass(frozen=True)
class Ascof2D:
    """ASCOF 2D over the discharges of a period (see data_access.metrics.ascof)."""

    discharges: int  # people 65+ discharged, not from long-term care (part 2's denominator)
    into_reablement: int  # of them, discharged into reablement (part 2's numerator)
    followed_up: int  # into reablement, day 84 in the period and passed (part 1's denominator)
    at_home: int  # of those, in the community all 84 days (part 1's numerator)
    died: int  # not at home: died within 84 days (each counted by its first event)
    readmitted: int  # an emergency readmission within 84 days
    entered_care: int  # permanent residential or nursing care within 84 days
    not_yet_followed_up: int  # into reablement, day 84 in the period but still to come
    left_out: dict[str, int]  # in long-term care at admission, age not recorded

    @property
    def part_1_percent(self) -> float | None:
        return None if self.followed_up == 0 else 100.0 * self.at_home / self.followed_up

    @property
    def part_2_percent(self) -> float | None:
        return None if self.discharges == 0 else 100.0 * self.into_reablement / self.discharges


@dataclass(frozen=True)
class SinceThen:
    """What changed for a hub's people between two huddles (London times)."""

    since: datetime
    new: pd.DataFrame  # person_ref, episode_id, nctr_at: became NCTR since
    left: pd.DataFrame  # person_ref, episode_id, discharged_at, pathway, service: discharged
    reason_changed: pd.DataFrame  # person_ref, episode_id, effective_at, reason_code
    done: pd.DataFrame  # actions marked done since: id, episode_id, kind, changed_by, changed_at
    became_overdue: pd.DataFrame  # actions not done whose due time passed since: id, ...
