"""Getting a database ready: migrate it, and fill an empty one with the synthetic demo."""

from __future__ import annotations

import logging
import multiprocessing
import queue
import shutil
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from dashboard.clock import Clock, as_london
from dashboard.config import PROJECT_ROOT
from dashboard.progress import Progress, Stage
from data_access.access import DEMO_PASSWORD, area_in_scope, create_demo_users, load_scope
from data_access.actions import record_action
from data_access.areas import picker_areas
from data_access.facts import ensure_daily_waits
from data_access.huddle import huddle_list
from data_access.loader import FileResult, LoadReport, load_folder
from data_access.migrate import upgrade_to_head
from data_access.published import load_published
from data_access.status import holds_episodes

log = logging.getLogger(__name__)

DEFAULT_ICB = "E54000018"  # NHS Coventry and Warwickshire ICB
DEMO_HUB_LEAD = "demo-hub-lead"  # made by create_demo_users
PUBLISHED_EXTRACTS = PROJECT_ROOT / "reference_data" / "nhse_discharge_sitrep"


# The first run's stages and their expected seconds (measured on a 2-core machine).
GENERATING, LOADING, PUBLISHED = ("Generating the synthetic system",
                                  "Checking and loading it into the database",
                                  "Loading NHS England's published figures")
FIRST_RUN_STAGES = (Stage(GENERATING, 8), Stage(LOADING, 14), Stage(PUBLISHED, 3))


def build_demo(engine: Engine, clock: Clock, *, icb_codes: Sequence[str] = (DEFAULT_ICB,),
               months: int = 18, seed: int = 20261125, out_dir: Path | None = None,
               progress: Progress | None = None) -> LoadReport:
    """Generate the synthetic system as contract CSV files and load them through the loader.

    Several ICBs are generated and loaded one system at a time, each system one batch (see
    ``_load_system_by_system``)."""
    if len(icb_codes) > 1:
        report = _load_system_by_system(engine, clock, icb_codes, months, seed, out_dir)
    else:
        report = _load_in_one_batch(engine, clock, icb_codes, months, seed, out_dir, progress)
    if report.loaded:
        areas = picker_areas(engine)
        places = areas[areas.level == "district"]
        hub = str(places.code.iloc[0]) if len(places) else str(areas.code.iloc[0])
        made = create_demo_users(engine, clock.now(), hub, DEMO_PASSWORD)
        if made:
            log.warning("Demonstration accounts (password %r, synthetic data only): %s",
                        DEMO_PASSWORD, ", ".join(made))
            _record_demo_actions(engine, clock.now(), hub)
    return report


def _record_demo_actions(engine: Engine, now: datetime, hub: str) -> None:
    """The demo hub lead's actions on their people (once, with the accounts), recorded as any
    hub lead's are: checked, kept with their history and audited."""
    from demo.synthetic.actions import demo_actions

    scope = load_scope(engine, DEMO_HUB_LEAD)
    area = area_in_scope(engine, scope, hub, now, "the demo's actions") if scope else None
    if scope is None or area is None:
        return
    people = huddle_list(engine, scope, area, now)
    for episode_id, values in demo_actions(people, now):
        record_action(engine, scope, area, episode_id, values, now)


def _load_in_one_batch(engine: Engine, clock: Clock, icb_codes: Sequence[str], months: int,
                       seed: int, out_dir: Path | None,
                       progress: Progress | None) -> LoadReport:
    from demo.synthetic import generate_system  # heavy; only needed here

    with tempfile.TemporaryDirectory(prefix="demo-") as scratch:
        folder = out_dir or Path(scratch)
        if progress:
            progress.start(GENERATING)
        counts = generate_system(folder, now=clock.now(), icb_codes=icb_codes, months=months,
                                 seed=seed)
        log.info("generated %s", counts)
        if progress:
            progress.start(LOADING)
        return load_folder(engine, folder, synthetic=True, clock=clock)


def _load_system_by_system(engine: Engine, clock: Clock, icb_codes: Sequence[str],
                           months: int, seed: int, out_dir: Path | None) -> LoadReport:
    """Many systems (up to all 42: a whole country): a second process generates each ICB while
    this one loads the one before, so the two cores both work and memory holds about two
    systems, never the country. Each system is one atomic batch: if a load stops, the systems
    already loaded stay whole, the one being loaded leaves nothing, and running the same command
    again finishes the job (loads are idempotent).

    Returns the report of all the batches, or of the first one rejected (its systems before it
    stay loaded; the log names them)."""
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: no engine or threads
    ready: Any = spawn.Queue(maxsize=1)  # one system generated ahead, at most
    with tempfile.TemporaryDirectory(prefix="demo-") as scratch:
        root = out_dir or Path(scratch)
        producer = spawn.Process(target=_generate_each, daemon=True,
                                 args=(ready, root, clock.now(), list(icb_codes), months, seed))
        producer.start()
        files: list[FileResult] = []
        try:
            for number in range(1, len(icb_codes) + 1):
                icb_code, folder = _next_generated(ready, producer)
                report = load_folder(engine, folder, synthetic=True, clock=clock)
                if not report.loaded:
                    log.error("%s was rejected; the %d systems before it are loaded.",
                              icb_code, number - 1)
                    return report
                log.info("system %d of %d loaded: %s (%s rows)", number, len(icb_codes),
                         icb_code, f"{report.rows_accepted:,}")
                files.extend(report.files)
                if out_dir is None:
                    shutil.rmtree(folder)
        finally:
            producer.terminate()
            producer.join()
    return LoadReport(report.batch_id, str(root), True, tuple(files))


def _generate_each(ready: Any, root: Path, now: datetime, icb_codes: list[str], months: int,
                   seed: int) -> None:
    """The generating process: each ICB's folder onto the queue as soon as it is written."""
    from demo.synthetic.generate import generate_each_icb

    try:
        for icb_code, folder, _ in generate_each_icb(root, now=now, icb_codes=icb_codes,
                                                     months=months, seed=seed):
            ready.put((icb_code, folder))
    except Exception as error:  # noqa: BLE001 (reported to the loading process, which stops)
        ready.put((None, f"{error.__class__.__name__}: {error}"))


def _next_generated(ready: Any, producer: Any) -> tuple[str, Path]:
    while True:
        try:
            icb_code, folder = ready.get(timeout=5)
        except queue.Empty:
            if not producer.is_alive():
                raise RuntimeError("the generating process stopped unexpectedly") from None
            continue
        if icb_code is None:
            raise RuntimeError(f"generating the synthetic systems failed: {folder}")
        return icb_code, folder


def prepare_database(engine: Engine, database_url: str, clock: Clock, *,
                     demo_if_empty: bool, progress: Progress | None = None) -> None:
    upgrade_to_head(database_url)
    if ensure_daily_waits(engine, as_london(clock.now()).date()):
        log.warning("Daily facts computed for the data already loaded.")
    if demo_if_empty and not holds_episodes(engine):
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
