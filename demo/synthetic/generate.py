"""The public entry points: generate a synthetic system for some ICBs, list the ICB codes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, time
from pathlib import Path
from typing import Any

import numpy as np

from dashboard.clock import as_london
from demo.synthetic.capacity import capacity_reports
from demo.synthetic.output import ContractWriter
from demo.synthetic.parameters import WARMUP_DAYS
from demo.synthetic.person_details import person_details
from demo.synthetic.reasons import reason_changes
from demo.synthetic.reference import calibrate_trust, geography, reason_mix
from demo.synthetic.simulation import simulate_journeys
from demo.synthetic.system import build_system
from demo.synthetic.timeaxis import Calendar, months_before, to_days


def all_icb_codes() -> list[str]:
    """The 42 ICB codes of the geography file, in file order."""
    return list(dict.fromkeys(geography()["icb22_code"]))


def generate_system(out_dir: Path, *, now: datetime, icb_codes: Sequence[str] = ("E54000018",),
                    months: int = 18, seed: int = 20261125) -> dict[str, int]:
    """Write areas.csv, sites.csv, services.csv, episodes.csv, delays.csv, capacity.csv
    (the data contract) for the given ICBs, with history for `months` months up to `now`
    (an aware Europe/London datetime) and the present state at `now`.
    Returns rows written per file."""
    with ContractWriter(Path(out_dir)) as writer:
        for _, parts in _simulated_systems(now, icb_codes, months, seed):
            writer.add_system_and_journeys(*parts)
    return writer.rows_written


def generate_each_icb(out_dir: Path, *, now: datetime, icb_codes: Sequence[str],
                      months: int = 18, seed: int = 20261125
                      ) -> Iterator[tuple[str, Path, dict[str, int]]]:
    """As ``generate_system``, but each ICB in a folder of its own (``out_dir/<ICB code>``), so
    that each can be loaded as soon as it is written: yields the ICB, its folder and its rows per
    file. The data are the same as ``generate_system`` writes for these ICBs (areas shared by
    several ICBs, such as regions, are in each of their folders)."""
    for icb_code, parts in _simulated_systems(now, icb_codes, months, seed):
        with ContractWriter(Path(out_dir) / icb_code) as writer:
            writer.add_system_and_journeys(*parts)
        yield icb_code, Path(out_dir) / icb_code, writer.rows_written


def _simulated_systems(now: datetime, icb_codes: Sequence[str], months: int,
                       seed: int) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Per ICB, in the order given: everything the contract writer needs to write it."""
    calendar = _calendar(as_london(now), months)
    known = all_icb_codes()
    unknown = [code for code in icb_codes if code not in known]
    if unknown:
        raise ValueError(f"not ICB codes of the geography file: {', '.join(unknown)}")
    # Shared by all ICBs: a district split between systems gets a distinct code in each.
    used_area_codes: set[str] = set()
    for icb_code in icb_codes:
        # One random stream per ICB and step: an ICB's data do not depend on the others chosen.
        streams = [np.random.default_rng(s) for s in
                   np.random.SeedSequence([seed, known.index(icb_code)]).spawn(5)]
        system = build_system(icb_code, streams[0], used_area_codes)
        calibrations = [calibrate_trust(site.trust_code) for site in system.sites]
        journeys = simulate_journeys(system, calibrations, calendar, streams[1])
        mixes = [reason_mix(site.trust_code) for site in system.sites]
        changes = reason_changes(journeys, mixes, calendar.now, streams[2])
        reports = capacity_reports(system, journeys, calendar, streams[3])
        details = person_details(system, journeys, calendar.now, streams[4])
        yield icb_code, (system, journeys, changes, reports, calendar, details)


def _calendar(now: datetime, months: int) -> Calendar:
    window_start = to_days(datetime.combine(months_before(now.date(), months), time()))
    return Calendar(first_day=int(window_start) - WARMUP_DAYS, window_start=window_start,
                    now=to_days(now))
