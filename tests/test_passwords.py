"""Passwords are kept as Argon2id hashes at OWASP's recommended configuration, and a hash made with
other parameters (the library's heavier default, before) is made again at the next right
sign-in, and only then."""

from __future__ import annotations

from argon2 import PasswordHasher, extract_parameters
from sqlalchemy import Engine, select, update

from data_access.access import verify_password
from data_access.models import User
from tests.accounts import PASSWORD, add_user


def _stored_hash(engine: Engine, username: str) -> str:
    with engine.connect() as connection:
        return connection.scalar(select(User.password_hash).where(User.username == username))


def test_a_new_password_is_hashed_with_owasps_argon2id_configuration(engine) -> None:
    username = add_user(engine, "executive")
    parameters = extract_parameters(_stored_hash(engine, username))
    assert (parameters.type.name, parameters.memory_cost, parameters.time_cost,
            parameters.parallelism) == ("ID", 19 * 1024, 2, 1)


def test_an_older_hash_is_made_again_at_a_right_sign_in_and_only_then(engine) -> None:
    username = add_user(engine, "executive")
    older = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4).hash(PASSWORD)
    with engine.begin() as connection:
        connection.execute(update(User).where(User.username == username)
                           .values(password_hash=older))

    assert verify_password(engine, username, "not the password at all") is None
    assert _stored_hash(engine, username) == older

    scope = verify_password(engine, username, PASSWORD)
    assert scope is not None and scope.username == username
    remade = _stored_hash(engine, username)
    assert remade != older
    assert extract_parameters(remade).memory_cost == 19 * 1024
    assert verify_password(engine, username, PASSWORD) is not None  # the new hash still signs in
