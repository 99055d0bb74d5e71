"""Shared fixtures: a migrated, empty database per test, on SQLite or PostgreSQL.

``TEST_DATABASE_URL`` (a PostgreSQL URL) runs the whole suite against PostgreSQL; without it
each test gets its own SQLite file. In CI (``CI=true``) nothing that needs a browser or a
server may skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from data_access.db import make_engine
from data_access.migrate import upgrade_to_head
from data_access.models import Base
from tests import properties  # noqa: F401  (loads the Hypothesis profile for every run)

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def skip_or_fail(reason: str) -> None:
    """Locally a missing browser or server skips with a reason; in CI it fails the test."""
    if IN_CI:
        pytest.fail(f"{reason} (CI must run this test)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database built by the Alembic migrations once per session."""
    if POSTGRES_URL:
        upgrade_to_head(POSTGRES_URL)
        return POSTGRES_URL
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade_to_head(f"sqlite:///{path}")
    return str(path)


@pytest.fixture
def database_url(migrated_template: str, tmp_path: Path) -> str:
    return fresh_database(migrated_template, tmp_path)


def fresh_database(migrated_template: str, folder: Path) -> str:
    """An empty migrated database: PostgreSQL emptied, or a copy of the SQLite template."""
    if POSTGRES_URL:
        engine = make_engine(POSTGRES_URL)
        tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return POSTGRES_URL
    path = folder / "test.db"
    shutil.copy(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def module_database(migrated_template: str,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Engine]]:
    """One database for a whole module, as (URL, engine): for property tests, whose many examples
    share it and reset what they need themselves."""
    url = fresh_database(migrated_template, tmp_path_factory.mktemp("module"))
    engine = make_engine(url)
    yield url, engine
    engine.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()
