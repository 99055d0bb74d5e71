"""Getting a database ready: migrate it, and fill an empty one with the synthetic demo."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine

from dashboard.clock import Clock
from dashboard.config import PROJECT_ROOT
from dashboard.progress import Progress, Stage
from data_access.access import DEMO_PASSWORD, create_demo_users
from data_access.areas import picker_areas
from data_access.loader import LoadReport, load_folder
from data_access.migrate import upgrade_to_head
from data_access.published import load_published
from data_access.status import data_status

log = logging.getLogger(__name__)

DEFAULT_ICB = "E54000018"  # NHS Coventry and Warwickshire ICB
PUBLISHED_EXTRACTS = PROJECT_ROOT / "reference_data" / "nhse_discharge_sitrep"


# The first run's stages and their expected seconds (measured on a 2-core machine).
GENERATING, LOADING, PUBLISHED = ("Generating the synthetic system",
                                  "Checking and loading it into the database",
                                  "Loading NHS England's published figures")
FIRST_RUN_STAGES = (Stage(GENERATING, 8), Stage(LOADING, 14), Stage(PUBLISHED, 3))


def build_demo(engine: Engine, clock: Clock, *, icb_codes: Sequence[str] = (DEFAULT_ICB,),
               months: int = 18, seed: int = 20261125, out_dir: Path | None = None,
               progress: Progress | None = None) -> LoadReport:
    """Generate the synthetic system as contract CSV files and load them through the loader."""
    from dashboard.synthetic import generate_system  # heavy; only needed here

    with tempfile.TemporaryDirectory(prefix="demo-") as scratch:
        folder = out_dir or Path(scratch)
        if progress:
            progress.start(GENERATING)
        counts = generate_system(folder, now=clock.now(), icb_codes=icb_codes, months=months,
                                 seed=seed)
        log.info("generated %s", counts)
        if progress:
            progress.start(LOADING)
        report = load_folder(engine, folder, synthetic=True, clock=clock)
    if report.loaded:
        areas = picker_areas(engine)
        places = areas[areas.level == "district"]
        hub = str(places.code.iloc[0]) if len(places) else str(areas.code.iloc[0])
        made = create_demo_users(engine, clock.now(), hub, DEMO_PASSWORD)
        if made:
            log.warning("Demonstration accounts (password %r, synthetic data only): %s",
                        DEMO_PASSWORD, ", ".join(made))
    return report


def prepare_database(engine: Engine, database_url: str, clock: Clock, *,
                     demo_if_empty: bool, progress: Progress | None = None) -> None:
    upgrade_to_head(database_url)
    if demo_if_empty and data_status(engine).episodes == 0:
        log.warning("The database is empty: building the synthetic demonstration system "
                    "(about half a minute on first run)...")
        report = build_demo(engine, clock, progress=progress)
        if not report.loaded:
            raise RuntimeError("the synthetic demo was rejected by the loader:\n"
                               + report.summary())
        # The real published figures the repository carries, for the national benchmark.
        if progress:
            progress.start(PUBLISHED)
        published = load_published(engine, PUBLISHED_EXTRACTS, clock=clock)
        if not published.loaded:
            raise RuntimeError("the published extracts were rejected by the loader:\n"
                               + published.summary())
