"""Alembic builds the whole schema on an empty database, matching the models exactly."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from data_access.db import make_engine
from data_access.migrate import upgrade_to_head
from data_access.models import Base
from tests.conftest import POSTGRES_URL


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:
    """A brand-new database: a new SQLite file, or a new database on the PostgreSQL server."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server = make_url(POSTGRES_URL)
    name = f"{server.database}_empty"
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def add_an_area_and_a_site(connection) -> None:  # type: ignore[no-untyped-def]
    """What an episode needs, in the columns every revision has."""
    connection.execute(text("INSERT INTO areas (code, name, level) VALUES ('A', 'Area', 'icb')"))
    connection.execute(text("INSERT INTO sites (code, name, trust_code, trust_name, area_code) "
                            "VALUES ('S', 'Site', 'T', 'Trust', 'A')"))


def test_upgrade_head_builds_the_schema_of_the_models(empty_database_url):
    upgrade_to_head(empty_database_url)
    engine = make_engine(empty_database_url)
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert set(Base.metadata.tables) <= tables
    assert differences == []


def test_upgrade_from_0001_keeps_episodes_and_fills_in_hospital_until(empty_database_url):
    from alembic import command

    from data_access.migrate import alembic_config

    config = alembic_config(empty_database_url)
    command.upgrade(config, "0001")
    engine = make_engine(empty_database_url)
    with engine.begin() as connection:
        add_an_area_and_a_site(connection)
        for episode, discharged in (("open", None), ("closed", "2026-11-20 10:00:00")):
            connection.execute(text(
                "INSERT INTO episodes (episode_id, person_ref, site_code, home_area_code, sex, "
                "admitted_at, discharged_at) VALUES (:e, 'p', 'S', 'A', 'F', "
                "'2026-11-01 10:00:00', :d)"), {"e": episode, "d": discharged})
    command.upgrade(config, "head")
    with engine.connect() as connection:
        rows = dict(connection.execute(text(
            "SELECT episode_id, in_hospital_until FROM episodes")).all())
    engine.dispose()
    assert str(rows["closed"]).startswith("2026-11-20 10:00:00")
    assert str(rows["open"]).startswith("9999-12-31")


def test_upgrade_to_0005_keeps_episodes_and_adds_empty_person_details(empty_database_url):
    from alembic import command

    from data_access.migrate import alembic_config

    config = alembic_config(empty_database_url)
    command.upgrade(config, "0004")
    engine = make_engine(empty_database_url)
    with engine.begin() as connection:
        add_an_area_and_a_site(connection)
        connection.execute(text(
            "INSERT INTO episodes (episode_id, person_ref, site_code, home_area_code, sex, "
            "admitted_at, in_hospital_until) VALUES ('kept', 'p', 'S', 'A', 'F', "
            "'2026-11-01 10:00:00', '9999-12-31 00:00:00')"))
    command.upgrade(config, "head")
    with engine.connect() as connection:
        row = connection.execute(text(
            "SELECT episode_id, ethnic_group, imd_decile, barthel_start, goals_met "
            "FROM episodes")).one()
    engine.dispose()
    assert tuple(row) == ("kept", None, None, None, None)


def test_upgrade_to_0008_fills_in_service_until_for_existing_episodes(empty_database_url):
    from alembic import command

    from data_access.migrate import alembic_config

    config = alembic_config(empty_database_url)
    command.upgrade(config, "0007")
    engine = make_engine(empty_database_url)
    with engine.begin() as connection:
        add_an_area_and_a_site(connection)
        for episode, start, end in (("none", None, None),
                                    ("going", "2026-11-02 10:00:00", None),
                                    ("ended", "2026-11-02 10:00:00", "2026-11-09 12:00:00")):
            connection.execute(text(
                "INSERT INTO episodes (episode_id, person_ref, site_code, home_area_code, sex, "
                "admitted_at, in_hospital_until, service_start_at, service_end_at) VALUES "
                "(:e, 'p', 'S', 'A', 'F', '2026-11-01 10:00:00', '9999-12-31 00:00:00', :s, :t)"),
                {"e": episode, "s": start, "t": end})
    command.upgrade(config, "head")
    with engine.connect() as connection:
        rows = dict(connection.execute(text(
            "SELECT episode_id, in_service_until FROM episodes")).all())
    engine.dispose()
    assert rows["none"] is None
    assert str(rows["going"]).startswith("9999-12-31")
    assert str(rows["ended"]).startswith("2026-11-09 12:00:00")


def test_upgrade_to_0012_fills_in_the_local_day_of_admission(empty_database_url):
    from alembic import command

    from data_access.migrate import alembic_config

    config = alembic_config(empty_database_url)
    command.upgrade(config, "0011")
    engine = make_engine(empty_database_url)
    with engine.begin() as connection:
        add_an_area_and_a_site(connection)
        # Stored as naive UTC: 23:30 UTC on 1 Jul is 00:30 on 2 Jul in London (BST); 23:30 UTC
        # on 1 Dec is 23:30 on 1 Dec (GMT).
        for episode, admitted in (("summer", "2026-07-01 23:30:00"),
                                  ("winter", "2026-12-01 23:30:00")):
            connection.execute(text(
                "INSERT INTO episodes (episode_id, person_ref, site_code, home_area_code, sex, "
                "admitted_at, in_hospital_until) VALUES "
                "(:e, 'p', 'S', 'A', 'F', :a, '9999-12-31 00:00:00')"),
                {"e": episode, "a": admitted})
    command.upgrade(config, "head")
    with engine.connect() as connection:
        rows = {episode: str(day) for episode, day in connection.execute(text(
            "SELECT episode_id, admission_date FROM episodes"))}
    engine.dispose()
    assert rows == {"summer": "2026-07-02", "winter": "2026-12-01"}
