"""The few SQL expressions whose spelling differs between SQLite and PostgreSQL.

Each is one SQLAlchemy construct compiled per dialect, so query code stays dialect-neutral.
Arguments must not be NULL (SQLite's min() returns NULL where PostgreSQL's LEAST() skips it):
wrap them in ``coalesce`` first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Float, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class epoch_seconds(FunctionElement[float]):  # noqa: N801 (reads like the SQL function it is)
    """Seconds since 1970-01-01 of a naive (UTC) timestamp."""

    type = Float()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler: Any, **kw: Any) -> str:
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


@compiles(epoch_seconds, "postgresql")
def _epoch_postgresql(element: epoch_seconds, compiler: Any, **kw: Any) -> str:
    return f"EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})"


class least(FunctionElement[Any]):  # noqa: N801
    """The smallest of its (non-NULL) arguments."""

    inherit_cache = True


class greatest(FunctionElement[Any]):  # noqa: N801
    """The largest of its (non-NULL) arguments."""

    inherit_cache = True


@compiles(least, "sqlite")
def _least_sqlite(element: least, compiler: Any, **kw: Any) -> str:
    return f"min({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element: greatest, compiler: Any, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


@compiles(least, "postgresql")
def _least_postgresql(element: least, compiler: Any, **kw: Any) -> str:
    return f"LEAST({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "postgresql")
def _greatest_postgresql(element: greatest, compiler: Any, **kw: Any) -> str:
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


class hours_before(FunctionElement[Any]):  # noqa: N801
    """A naive timestamp ``hours`` earlier (for index range bounds; SQLite drops fractions of a
    second, so use it only where a little earlier does no harm)."""

    inherit_cache = True

    def __init__(self, moment: Any, hours: int) -> None:
        self.hours = int(hours)
        super().__init__(moment)


@compiles(hours_before, "sqlite")
def _hours_before_sqlite(element: hours_before, compiler: Any, **kw: Any) -> str:
    return f"datetime({compiler.process(element.clauses, **kw)}, '-{element.hours} hours')"


@compiles(hours_before, "postgresql")
def _hours_before_postgresql(element: hours_before, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)} - INTERVAL '{element.hours} hours')"


class days_between(FunctionElement[int]):  # noqa: N801
    """Calendar days from the second date to the first (``later - earlier``): both are dates
    (local calendar days, as stored), so clock changes play no part."""

    type = Integer()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({later} - {earlier})"


def rows_frame(rows: Iterable[Any], columns: Sequence[str]) -> pd.DataFrame:
    """A query's rows (``Result.all()``) as a DataFrame with these columns.

    SQLAlchemy's rows are not tuples, so pandas takes them for objects of unknown kind and asks
    each one for a ``dtype``: an AttributeError raised and caught per row, a few milliseconds a
    page. As tuples they take pandas' direct path."""
    return pd.DataFrame([tuple(row) for row in rows], columns=list(columns))
