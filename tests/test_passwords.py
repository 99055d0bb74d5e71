"""Passwords are kept as Argon2id hashes at OWASP's recommended minimum configuration, and a hash
made with other parameters (the library's heavier default, before) is made again at the next
right sign-in, and only then."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, extract_parameters
from sqlalchemy import Engine, select, update

from data_access import access
from data_access.access import verify_password
from data_access.models import User
from tests.accounts import PASSWORD, add_user

OWASP = ("ID", 19 * 1024, 2, 1)  # type, memory (KiB), passes, lanes
OLDER = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4)  # the library default


def _stored_hash(engine: Engine, username: str) -> str | None:
    with engine.connect() as connection:
        return connection.scalar(select(User.password_hash).where(User.username == username))


def _store(engine: Engine, username: str, value: str) -> None:
    with engine.begin() as connection:
        connection.execute(update(User).where(User.username == username)
                           .values(password_hash=value))


def _parameters(hashed: str | None) -> tuple[str, int, int, int]:
    assert hashed is not None
    found = extract_parameters(hashed)
    return found.type.name, found.memory_cost, found.time_cost, found.parallelism


def test_a_new_password_is_hashed_with_owasps_argon2id_configuration(engine) -> None:
    username = add_user(engine, "executive")
    assert _parameters(_stored_hash(engine, username)) == OWASP


def test_an_older_hash_is_made_again_at_a_right_sign_in_and_only_then(engine) -> None:
    username = add_user(engine, "executive")
    older = OLDER.hash(PASSWORD)
    _store(engine, username, older)

    assert verify_password(engine, username, "not the password at all") is None
    assert _stored_hash(engine, username) == older

    scope = verify_password(engine, username, PASSWORD)
    assert scope is not None and scope.username == username
    remade = _stored_hash(engine, username)
    assert remade != older and _parameters(remade) == OWASP

    assert verify_password(engine, username, PASSWORD) is not None  # the new hash signs in...
    assert _stored_hash(engine, username) == remade  # ...and, current, is not made again


def test_a_password_changed_during_a_sign_in_is_not_overwritten_by_its_rehash(
        engine, monkeypatch: pytest.MonkeyPatch) -> None:
    username = add_user(engine, "executive")
    _store(engine, username, OLDER.hash(PASSWORD))
    changed_meanwhile = access._HASHER.hash("a newer password, set by the user")

    class ChangedBetweenTheCheckAndTheRehash(PasswordHasher):
        def check_needs_rehash(self, hashed: str | bytes) -> bool:
            _store(engine, username, changed_meanwhile)
            return True

    current = access._HASHER  # the app's own parameters, not a second copy of them
    monkeypatch.setattr(access, "_HASHER", ChangedBetweenTheCheckAndTheRehash(
        time_cost=current.time_cost, memory_cost=current.memory_cost,
        parallelism=current.parallelism))
    assert verify_password(engine, username, PASSWORD) is not None  # the password was right
    assert _stored_hash(engine, username) == changed_meanwhile


@pytest.mark.parametrize("stored", ["not a hash", "$2b$12$a bcrypt hash from elsewhere",
                                    "$argon2id$v=19$m=19456,t=2,p=1$broken"])
def test_a_stored_value_that_is_not_a_usable_hash_signs_nobody_in(engine, stored: str) -> None:
    username = add_user(engine, "executive")
    _store(engine, username, stored)
    assert verify_password(engine, username, PASSWORD) is None
    assert verify_password(engine, "nobody-by-this-name", PASSWORD) is None
