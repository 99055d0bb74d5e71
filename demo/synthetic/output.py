"""Turning the simulation into the contract CSV files, as they would look at `now`.

The simulation knows the future; here every event after `now` is blanked (with what depends on
it), and only journeys that touch the history window are written.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from data_access.contract import (
    AREAS,
    CAPACITY,
    DELAYS,
    EPISODES,
    GOALS,
    SERVICES,
    SITES,
    TRIGGER_LEVELS,
    UPDATED_AT,
    FileSpec,
)
from demo.synthetic.capacity import CapacityReports
from demo.synthetic.goals import goal_rows
from demo.synthetic.journeys import Journeys
from demo.synthetic.person_details import PersonDetails
from demo.synthetic.reasons import ReasonChanges
from demo.synthetic.system import System
from demo.synthetic.timeaxis import Calendar, format_timestamps
from demo.synthetic.trigger_levels import trigger_level_rows

_FILES: tuple[FileSpec, ...] = (AREAS, SITES, SERVICES, EPISODES, DELAYS, CAPACITY, GOALS,
                                TRIGGER_LEVELS)


class ContractWriter:
    """The contract files, written ICB by ICB so memory stays at one ICB's worth."""

    def __init__(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self._handles = {spec.name: (out_dir / spec.name).open("w", newline="", encoding="utf-8")
                         for spec in _FILES}
        self._writers = {name: csv.writer(handle) for name, handle in self._handles.items()}
        for spec in _FILES:
            # The simulation keeps no source stamps: its rows apply in arrival order, so the
            # header leaves out updated_at (a row with fewer values than its header is refused).
            self._writers[spec.name].writerow([column.name for column in spec.columns
                                               if column is not UPDATED_AT])
        self.rows_written = {spec.name: 0 for spec in _FILES}
        self._area_codes: set[str] = set()

    def __enter__(self) -> ContractWriter:
        return self

    def __exit__(self, *_: object) -> None:
        for handle in self._handles.values():
            handle.close()

    def _write(self, spec: FileSpec, rows: Iterable[Sequence[object]]) -> None:
        rows = list(rows)
        self._writers[spec.name].writerows(rows)
        self.rows_written[spec.name] += len(rows)

    def _write_columns(self, spec: FileSpec, *columns: np.ndarray | list[str]) -> None:
        """Rows from equally long columns (as Python lists: much faster to write than numpy)."""
        self._write(spec, zip(*(np.asarray(column).tolist() for column in columns), strict=True))

    def add_system_and_journeys(self, system: System, journeys: Journeys,
                                changes: ReasonChanges, reports: CapacityReports,
                                calendar: Calendar, details: PersonDetails) -> None:
        self.add_system(system)
        self.add_journeys(system, journeys, changes, reports, calendar, details)
        self._write(GOALS, goal_rows(system, calendar))
        self._write(TRIGGER_LEVELS, trigger_level_rows(system))

    def add_system(self, system: System) -> None:
        new_areas = [area for area in system.areas if area.code not in self._area_codes]
        self._area_codes.update(area.code for area in new_areas)  # regions are shared by ICBs
        self._write(AREAS, ((a.code, a.name, a.level, a.parent_code or "",
                             str(a.population_65_plus), str(a.population_all),
                             a.upper_tier_code or "") for a in new_areas))
        self._write(SITES, ((s.code, s.name, s.trust_code, s.trust_name, s.area_code)
                            for s in system.sites))
        self._write(SERVICES, ((s.code, s.name, str(s.pathway), s.setting, s.provider, s.sector,
                                s.area_code, str(s.places), s.service_type, s.meets_needs)
                               for s in system.services))

    def add_journeys(self, system: System, journeys: Journeys, changes: ReasonChanges,
                     reports: CapacityReports, calendar: Calendar,
                     details: PersonDetails) -> None:
        ids = episode_ids(system, journeys)
        written = written_journeys(journeys, calendar)
        self._write_columns(EPISODES, *_episode_columns(system, journeys, ids, written, calendar),
                            *(column[written] for column in (
                                details.ethnic_group, details.imd_decile,
                                details.barthel_start, details.barthel_end, details.goals_met)),
                            *_after_discharge(journeys, details, written, calendar),
                            _needs(system, journeys, written))
        self._write_columns(DELAYS, *_delay_columns(changes, ids, written))
        self._write_columns(CAPACITY, reports.service, format_timestamps(reports.reported),
                            reports.places, reports.occupied, reports.unavailable)


def _after_discharge(journeys: Journeys, details: PersonDetails, written: np.ndarray,
                     calendar: Calendar) -> tuple[np.ndarray, ...]:
    """died_at, permanent_care_at and setting_at_admission: a death that ended the service;
    entering permanent care at the end of the service, or on discharge to a new care home
    placement (pathway 3 from anywhere but a care home)."""
    j, setting = journeys, details.setting_at_admission
    died = np.where(j.outcome == "died", j.end, np.nan)
    new_placement = (j.pathway == 3) & ~np.isin(setting, ("residential_care", "nursing_care"))
    permanent = np.where(j.outcome == "care_home", j.end,
                         np.where(new_placement, j.discharged, np.nan))
    known = np.where(died <= calendar.now, died, np.nan), \
        np.where(permanent <= calendar.now, permanent, np.nan)
    return (format_timestamps(known[0][written]), format_timestamps(known[1][written]),
            setting[written])


def _needs(system: System, journeys: Journeys, written: np.ndarray) -> np.ndarray:
    """A person's care needs, known from their assessment: those routed to nursing home beds
    need nursing (``parameters.NEEDS_OF_KIND``); others none recorded."""
    by_service = np.array([s.needs_of_its_people for s in system.services] + [""])  # -1: ""
    return by_service[journeys.service][written]


def episode_ids(system: System, journeys: Journeys) -> np.ndarray:
    """`<site>-<number>`, numbered in NCTR order per site over the whole simulation."""
    first_of_site = np.searchsorted(journeys.site, journeys.site, side="left")
    number = np.arange(len(journeys)) - first_of_site + 1
    codes = np.array([site.code for site in system.sites])[journeys.site]
    return np.array([f"{code}-{k:06d}" for code, k in zip(codes, number, strict=True)])


def written_journeys(journeys: Journeys, calendar: Calendar) -> np.ndarray:
    """Journeys still going on at the window start (waiting or in a service) or starting later."""
    last = np.where(journeys.service >= 0, journeys.end, journeys.discharged)
    return last >= calendar.window_start


def _episode_columns(system: System, journeys: Journeys, ids: np.ndarray, written: np.ndarray,
                     calendar: Calendar) -> tuple[np.ndarray, ...]:
    now = calendar.now
    j = journeys

    def until_now(times: np.ndarray) -> np.ndarray:
        return format_timestamps(np.where(times <= now, times, np.nan)[written])

    service_codes = np.array([s.code for s in system.services] + [""])[j.service]  # -1 -> ""
    service_known = np.where(j.decided <= now, service_codes, "")  # arranged once decided
    outcome = np.where(j.end <= now, j.outcome, "")
    at_home_known = (j.pathway > 0) & (j.discharged + 91 <= now)
    at_home = np.where(at_home_known, np.where(j.at_home_91 == 1.0, "true", "false"), "")
    site_codes = np.array([s.code for s in system.sites])[j.site]
    home_codes = np.array([a.code for a in system.neighbourhoods])[j.neighbourhood]
    # Invented ward names, spread evenly over 28 wards per site (the huddle list shows them).
    wards = np.array([f"Ward {k}" for k in range(1, 29)])[(np.arange(len(j)) * 37) % 28]
    return (ids[written], j.person_ref[written], site_codes[written], wards[written],
            home_codes[written],
            j.age[written], j.sex[written], format_timestamps(j.admitted[written]),
            format_timestamps(j.nctr[written]), until_now(j.referred), j.pathway[written],
            until_now(j.discharged), service_known[written], until_now(j.start),
            until_now(j.end), outcome[written], until_now(j.readmitted), at_home[written])


def _delay_columns(changes: ReasonChanges, ids: np.ndarray,
                   written: np.ndarray) -> tuple[np.ndarray, ...]:
    keep = written[changes.journey]
    journey, code = changes.journey[keep], changes.code[keep]
    effective = format_timestamps(changes.effective[keep])
    # Two changes within the same second: the later one is the reason that stands.
    last_of_key = np.ones(len(journey), dtype=bool)
    last_of_key[:-1] = (journey[:-1] != journey[1:]) | (effective[:-1] != effective[1:])
    return ids[journey[last_of_key]], effective[last_of_key], code[last_of_key]
