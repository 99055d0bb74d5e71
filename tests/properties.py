"""What the property-based tests (``tests/test_properties_*.py``) share: the Hypothesis profile and
example budgets, hostile text, stack-trace detection and snapshots of the data tables.

The profile is loaded for every run (``tests/conftest.py`` imports this module). In CI it is
``ci``: a fixed budget per test (``budget``), derandomised so every run tries the same examples,
no deadline (the machine is shared) and no example database written. Locally,
``HYPOTHESIS_PROFILE=thorough python -m pytest tests/test_properties_*.py`` runs 20 times as many
random examples.
"""

from __future__ import annotations

import os
import re
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from data_access.models import AuditEvent, Base, Load, LoadRejection

settings.register_profile("ci", derandomize=True, deadline=None, database=None,
                          print_blob=False)
settings.register_profile("thorough", parent=settings.get_profile("ci"), derandomize=False)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
MULTIPLIER = {"ci": 1, "thorough": 20}[PROFILE]
settings.load_profile(PROFILE)


def budget(examples: int) -> settings:
    """A test's example budget: ``examples`` in CI, 20 times as many when thorough."""
    return settings(max_examples=examples * MULTIPLIER)


SCRIPTS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "<svg onload=alert(1)>",
    "[click](javascript:alert(1))",
    "'\"><iframe srcdoc='<script>alert(1)</script>'>",
)
# Text a hostile or broken source might send: markup, spreadsheet formulae, SQL, control and
# invisible characters, lone surrogates (JSON can carry them), numbers and dates out of range.
HOSTILE = (
    *SCRIPTS,
    '=HYPERLINK("http://example.invalid","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd",
    "'; DROP TABLE episodes; --", "\x00", "a\x00b", "\ufeff", "\ud800", "\u202e\u0644",
    "ß²١", "\r\n", "NaN", "-1", "1e309", "9" * 5000, "0001-01-01T00:00+05:00",
    "9999-12-31T23:59-05:00", "2026-02-30T10:00", "x" * 100_000,
)


def hostile_text(max_size: int = 60) -> st.SearchStrategy[str]:
    """One of the hostile strings, any unicode text, or the two mixed."""
    hostile = st.sampled_from(range(len(HOSTILE))).map(HOSTILE.__getitem__)  # a short repr
    return st.one_of(hostile, st.text(max_size=max_size),
                     st.tuples(st.text(max_size=8), hostile).map(lambda parts: "".join(parts)))


# How a Python stack trace shows itself, in any response body.
TRACE = re.compile(r'Traceback \(most recent call last\)|File "[^"\n]*", line \d+|\.py", line \d+'
                   r"|\.py:\d+")


def assert_no_trace(body: str) -> None:
    assert not TRACE.search(body), f"a stack trace in the answer: {body[:2000]}"


# Record every attempt (a refused feed delivery is in the audit log too).
BOOKKEEPING = {Load.__tablename__, LoadRejection.__tablename__, AuditEvent.__tablename__}


def data_tables(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table except the loads bookkeeping, in key order."""
    with engine.connect() as connection:
        return {table.name: [tuple(row) for row in connection.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for table in Base.metadata.sorted_tables if table.name not in BOOKKEEPING}


def empty_all_tables(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
