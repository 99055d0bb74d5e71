"""Loads that go wrong: one killed midway, two at once. Both databases.

A killed load leaves nothing of its batch and the same command then loads it all; two loads at
once leave exactly what loading them one after the other leaves.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text

from data_access.contract import FILE_SPECS
from data_access.db import make_engine
from data_access.loader import load_folder
from data_access.models import Base, Load
from demo.synthetic import generate_system
from tests.builders import (
    EPISODE_HEADER,
    GEOGRAPHY,
    TODAY_AT,
    TODAY_EPISODES,
    load_files,
    write_folder,
)
from tests.conftest import fresh_database
from tests.outage import wait_until

ROOT = Path(__file__).resolve().parent.parent
DATA_TABLES = ("areas", "area_links", "sites", "services", "episodes", "delay_reasons",
               "capacity_reports")
# The loader's writes of a batch's rows, as PostgreSQL shows them in pg_stat_activity.
BATCH_WRITES = r"^\s*(INSERT INTO (areas|sites|services|episodes|delay_reasons|capacity_reports)" \
               r"\M|COPY scratch_)"


def contents(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order."""
    with engine.connect() as connection:
        return {table.name: sorted(map(tuple, connection.execute(select(table))), key=repr)
                for table in Base.metadata.sorted_tables}


def writing(engine: Engine, source: Path) -> bool:
    """Whether another connection is in the middle of writing a batch: on PostgreSQL, a backend
    whose transaction has written and is now writing a batch's rows; on SQLite, a connection
    holding the write lock while the batch is not yet committed."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        probe = sqlite3.connect(str(url.database), timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.rollback()
            return False
        except sqlite3.OperationalError as error:
            locked = "locked" in str(error)
        finally:
            probe.close()
        with engine.connect() as connection:  # committed already: the ANALYZE after a load
            return locked and not connection.scalar(
                select(Load.id).where(Load.source == str(source)).limit(1))
    with engine.connect() as connection:
        return bool(connection.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL AND query ~* :writes"),
            {"writes": BATCH_WRITES}))


def run_cli(database_url: str, *args: str, **options: Any) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "dashboard", *args], cwd=ROOT, text=True,
                            env={**os.environ, "DATABASE_URL": database_url}, **options)


def test_a_load_killed_midway_leaves_nothing_and_the_same_command_then_loads_it_all(
        engine, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert load_files(engine, tmp_path / "earlier", {**GEOGRAPHY,
                                                    "episodes.csv": TODAY_EPISODES}).loaded
    folder = tmp_path / "batch"
    written = generate_system(folder, now=TODAY_AT, months=1)  # a few seconds' load
    before = contents(engine)

    load = run_cli(database_url, "load", str(folder), stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)
    try:
        wait_until(lambda: load.poll() is not None or writing(engine, folder), 60,
                   "the load is writing its batch")
        assert load.poll() is None, "the load ended before it could be killed: " \
                                    f"{load.communicate()[1][-500:]}"
        load.send_signal(signal.SIGKILL)
        load.wait(timeout=30)
    finally:
        if load.poll() is None:
            load.kill()
    assert load.returncode == -signal.SIGKILL

    # A fresh connection: the database opens, answers and holds nothing of the batch.
    reopened = make_engine(database_url)
    with reopened.connect() as connection:
        if reopened.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        else:
            assert connection.scalar(text("SELECT 1")) == 1
    assert contents(reopened) == before
    reopened.dispose()

    again = run_cli(database_url, "load", str(folder), stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err[-2000:]
    after = contents(engine)
    # Every contract file the demo wrote (the contract's list, not a hand-kept one).
    tables = {spec.name: spec.table for spec in FILE_SPECS if spec.name in written}
    assert {"episodes.csv", "goals.csv"} <= set(tables)
    for file_name, table in tables.items():
        assert len(after[table]) == len(before[table]) + written[file_name], table
        assert f"{file_name}: {written[file_name]} rows read, {written[file_name]} new, " \
            "0 rows already present" in out
    with engine.connect() as connection:
        outcomes = Counter(connection.scalars(select(Load.outcome).where(
            Load.source == str(folder))))
    assert outcomes == Counter({"loaded": len(tables)})  # one complete load: nothing of the first


EPISODES = 1500


def conflicting_batch(folder: Path, name: str, newer_when_even: bool, home: str,
                      parent: str) -> Path:
    """Areas of its own (so both loads rebuild the area closure), and the same episodes, delay
    reasons and capacity reports as the other batch with other values, each newer in one batch
    than in the other (even keys in one, odd in the other); written in the opposite order to the
    other batch's, as concurrent writers would meet them."""
    def stamp(i: int) -> str:
        return "2026-11-25T07:00" if (i % 2 == 0) == newer_when_even else "2026-11-25T06:00"

    order = range(EPISODES) if newer_when_even else range(EPISODES - 1, -1, -1)
    areas = "code,name,level,parent_code,updated_at\n" + "".join(
        f"{name}{i},Neighbourhood {name}{i},neighbourhood,{parent},{stamp(0)}\n"
        for i in range(20))
    episodes = EPISODE_HEADER.rstrip("\n") + ",updated_at\n" + "".join(
        f"C{i},p{i}{name},S1,{home},{70 + i % 20 if newer_when_even else 90 - i % 20},"
        f"{'F' if newer_when_even else 'M'},2026-11-20T10:00,2026-11-24T08:00,,,,,,,,,,"
        f"{stamp(i)}\n" for i in order)
    delays = "episode_id,effective_at,reason_code,updated_at\n" + "".join(
        f"C{i},2026-11-24T09:00,{'T1' if newer_when_even else 'C1'},{stamp(i)}\n"
        for i in order)
    capacity = "service_code,reported_at,places,occupied,unavailable,updated_at\n" + "".join(
        f"P1H,2026-11-{1 + i // 24:02d}T{i % 24:02d}:00,10,{i % 10 if newer_when_even else 9},"
        f"0,{stamp(i)}\n" for i in order if i < 24 * 20)
    return write_folder(folder, {"areas.csv": areas, "episodes.csv": episodes,
                                 "delays.csv": delays, "capacity.csv": capacity})


def result(engine: Engine) -> dict[str, Any]:
    """The tables' contents with each row's load named by its source (the folder) instead of
    its id, and the loads themselves without ids and times."""
    with engine.connect() as connection:
        source_of = dict(connection.execute(select(Load.id, Load.source)).all())
        loads = Counter(connection.execute(select(
            Load.source, Load.file_name, Load.outcome, Load.rows_read, Load.rows_accepted,
            Load.rows_rejected)).all())
    tables = {}
    for name in DATA_TABLES:
        table = Base.metadata.tables[name]
        with engine.connect() as connection:
            rows = [row._asdict() for row in connection.execute(select(table))]
        for row in rows:
            if "load_id" in row:
                row["load_id"] = source_of.get(row["load_id"])
        tables[name] = sorted(rows, key=repr)
    return {"tables": tables, "loads": loads}


def test_two_loads_at_once_leave_what_one_after_the_other_leaves(
        engine, migrated_template, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The same result means exactly the tables that loading the batches one after the other
    leaves: every row, value for value, and the load (batch) that wrote it; the loads recorded,
    but not their ids or times, which depend on which went first. Every conflicting record
    carries updated_at, and an older update never overwrites a newer one, so one after the other
    gives the same tables in either order (asserted too): two at once must give exactly those.
    Without a lock held for the whole write, PostgreSQL deadlocks the two on keys met in
    opposite orders, or the two area closure rebuilds collide on its primary key."""
    geography = write_folder(tmp_path / "geography", GEOGRAPHY)
    first = conflicting_batch(tmp_path / "first", "NA", True, "N1", "D1")
    second = conflicting_batch(tmp_path / "second", "NB", False, "N2", "D2")

    assert load_folder(engine, geography).loaded
    start, failures = threading.Barrier(2), []

    def load(folder: Path) -> None:
        start.wait()
        try:
            report = load_folder(engine, folder)
            assert report.loaded and not report.rejections, report.summary()
        except Exception as error:  # noqa: BLE001 (reported below, with the other thread's)
            failures.append(error)

    threads = [threading.Thread(target=load, args=(folder,)) for folder in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    at_once = result(engine)

    one_after_the_other = []
    for order in ((first, second), (second, first)):
        scratch = tmp_path / f"serial-{order[0].name}"
        scratch.mkdir()
        url = fresh_database(migrated_template, scratch)
        serial = make_engine(url)
        for folder in (geography, *order):
            assert load_folder(serial, folder).loaded
        one_after_the_other.append(result(serial))
        serial.dispose()
    assert one_after_the_other[0] == one_after_the_other[1]
    assert at_once == one_after_the_other[0]
    assert len(at_once["tables"]["episodes"]) == EPISODES
    winners = Counter(row["load_id"] for row in at_once["tables"]["episodes"])
    assert winners == Counter({str(first): EPISODES // 2, str(second): EPISODES // 2})
