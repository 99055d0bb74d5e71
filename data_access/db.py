"""Engine creation: one engine per process, dialect set-up in one place."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

# Errors that mean the database cannot be reached or did not answer in time (a server down, a
# network cut, a file gone, no pool connection free), as opposed to a fault in a query.
UNREACHABLE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError,
                                                   PoolTimeoutError)
# A PostgreSQL server that does not answer is reported after this long, not after the minutes a
# TCP connect can take (a URL's own connect_timeout wins).
CONNECT_TIMEOUT_SECONDS = 3
# What a query raises when the database fails. Code above data access catches it by this name,
# so only data_access/ knows the database is reached through SQLAlchemy (.importlinter).
DatabaseError = SQLAlchemyError
# SQLite's words for a file it cannot reach (a network share or volume gone).
_SQLITE_UNREACHABLE = ("disk i/o error", "unable to open database file")


def make_engine(database_url: str, *, creator: Callable[[], Any] | None = None) -> Engine:
    """The engine for a URL. ``creator`` (tests) makes the DBAPI connections instead of the
    driver: it is how a test puts something it controls between the app and the database."""
    url = make_url(database_url)
    options: dict[str, Any] = {"creator": creator} if creator else {}
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "handle_error", _sqlite_file_gone_is_a_disconnect)
        return engine
    connect_args: dict[str, Any] = {} if "connect_timeout" in url.query else \
        {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    # No JIT compilation: the planner's estimates for the area filter often pass JIT's cost
    # threshold, and compiling then takes 10-15 ms of a query that runs in a few.
    connect_args["options"] = " ".join(filter(None, (url.query.get("options"), "-c jit=off")))
    # pre_ping: a connection the server or network dropped is replaced on checkout, so the pool
    # recovers by itself when the server is back.
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **options)


def use_in_child_process(engine: Engine) -> None:
    """In a process forked from the app (a background job): leave the parent's pooled
    connections to the parent and open the job's own."""
    engine.dispose(close=False)


def lock_for_writing(connection: Connection, key: int) -> None:
    """Take the write lock ``key`` for the rest of the transaction, before its first statement:
    writers holding the same key (PostgreSQL: an advisory lock) or any writer (SQLite: the
    database's write lock) wait their turn, so what a writer reads it may act on. The lock goes
    with the transaction, even a killed one."""
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(key)))
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # A system's data (tens of MB) stays in memory between queries: 64 MiB of page cache per
    # connection and the file mapped into memory, instead of SQLite's 2 MB default.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.close()


def _sqlite_file_gone_is_a_disconnect(context: ExceptionContext) -> None:
    """A connection whose file could not be reached is not used again: the pool drops its
    connections and opens new ones, which work once the file is back."""
    error = context.original_exception
    if isinstance(error, sqlite3.OperationalError) and \
            str(error).lower().startswith(_SQLITE_UNREACHABLE):
        context.is_disconnect = True
