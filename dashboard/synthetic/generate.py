"""The public entry points: generate a synthetic system for some ICBs, list the ICB codes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from pathlib import Path

import numpy as np

from dashboard.clock import as_london
from dashboard.synthetic.capacity import capacity_reports
from dashboard.synthetic.output import ContractWriter
from dashboard.synthetic.parameters import WARMUP_DAYS
from dashboard.synthetic.person_details import person_details
from dashboard.synthetic.reasons import reason_changes
from dashboard.synthetic.reference import calibrate_trust, geography, reason_mix
from dashboard.synthetic.simulation import simulate_journeys
from dashboard.synthetic.system import build_system
from dashboard.synthetic.timeaxis import Calendar, months_before, to_days


def all_icb_codes() -> list[str]:
    """The 42 ICB codes of the geography file, in file order."""
    return list(dict.fromkeys(geography()["icb22_code"]))


def generate_system(out_dir: Path, *, now: datetime, icb_codes: Sequence[str] = ("E54000018",),
                    months: int = 18, seed: int = 20261125) -> dict[str, int]:
    """Write areas.csv, sites.csv, services.csv, episodes.csv, delays.csv, capacity.csv
    (the data contract) for the given ICBs, with history for `months` months up to `now`
    (an aware Europe/London datetime) and the present state at `now`.
    Returns rows written per file."""
    calendar = _calendar(as_london(now), months)
    known = all_icb_codes()
    unknown = [code for code in icb_codes if code not in known]
    if unknown:
        raise ValueError(f"not ICB codes of the geography file: {', '.join(unknown)}")
    used_area_codes: set[str] = set()
    with ContractWriter(Path(out_dir)) as writer:
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
            writer.add_system(system)
            details = person_details(system, journeys, calendar.now, streams[4])
            writer.add_journeys(system, journeys, changes, reports, calendar, details)
    return writer.rows_written


def _calendar(now: datetime, months: int) -> Calendar:
    window_start = to_days(datetime.combine(months_before(now.date(), months), time()))
    return Calendar(first_day=int(window_start) - WARMUP_DAYS, window_start=window_start,
                    now=to_days(now))
