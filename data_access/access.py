"""Who may see what: users, roles, their area scope, and the checks every entry point makes.

Any client can call Dash's callback endpoint with any input, so the checks live here, on the
server, beside the data: pages, callbacks, the export and the huddle list all call
``require`` and ``require_area`` with the scope taken from the server-side session, never from
anything the browser sends. A refusal is recorded in the audit log. The scope is read afresh
with the session on every request (``session_scope``); every change to a user that could
narrow what they see ends their sessions in the same transaction.

Scope is a type: every metric and person-level query takes an ``AreaInScope``, never a bare
area code, and only this module makes one: ``area_in_scope`` after checking the signed-in
user's areas, or ``area_for_system_use`` for the work no user asks for (the background warm-up,
the command line, benchmarks and tests; ``tests/test_scope_type.py`` names who may call it).

Roles (docs/security.md):
- executive, place manager: aggregate figures for every area;
- hub lead: aggregate figures and the person-level huddle list, for the areas of their hub;
- data manager: aggregate figures for every area, and the Data page (loads, deliveries, checks);
- administrator: users, their sessions and the audit log, and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, Engine, Row, delete, insert, select, update

from dashboard.clock import from_utc_naive, to_utc_naive
from dashboard.results import PERMISSIONS, ROLES, AreaInfo, UserScope
from data_access import audit, sessions
from data_access.models import Area, AreaLink, User, UserArea, UserSession


def first_role_holding(permission: str | None) -> str:
    """The first role, in ``ROLES`` order, that holds ``permission`` (any role for None): the role
    a page is shown as in the accessibility test and the screenshots."""
    return next(role for role in ROLES if permission is None or role in PERMISSIONS[permission])


# Argon2id at OWASP's recommended minimum configuration (Password Storage Cheat Sheet: 19 MiB,
# 2 passes, 1 lane). The library's default (RFC 9106's second profile: 64 MiB, 3 passes, 4 lanes)
# costs about seven times the CPU (0.27 s against 0.04 s on a 2-core machine), every attempt the
# sign-in limits let through spends it, right or wrong, and the app's cores are the ones serving
# the huddle. See docs/security.md.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MIN_PASSWORD_LENGTH = 12
DEMO_PASSWORD = "demo"  # demonstration accounts only: sign-in refuses them while real data is in


class AccessDenied(Exception):
    """The user may not see this; the message says so in words they can act on."""


class UserError(ValueError):
    """A user command that cannot be done; the message says why."""


# --- users ------------------------------------------------------------------------------------

def create_user(engine: Engine, username: str, role: str, now: datetime, *,
                password: str | None, display_name: str | None = None,
                area_codes: tuple[str, ...] = (), demo: bool = False) -> None:
    """Add a user. A hub lead needs at least one area; ``password`` None = single sign-on only."""
    username = username.strip()
    if not username or len(username) > 64:
        raise UserError("a username is 1 to 64 characters")
    _check_role_and_areas(role, area_codes)
    if password is not None and len(password) < MIN_PASSWORD_LENGTH and not demo:
        raise UserError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    with engine.begin() as connection:
        if connection.scalar(select(User.username).where(User.username == username)):
            raise UserError(f"there is already a user {username!r}")
        connection.execute(insert(User), {
            "username": username, "display_name": display_name or username, "role": role,
            "password_hash": _HASHER.hash(password) if password is not None else None,
            "demo": demo, "created_at": to_utc_naive(now)})
        _set_areas(connection, username, area_codes)


def set_password(engine: Engine, username: str, password: str, now: datetime) -> None:
    """A new password; the user's sessions end and the browsers they signed in from are
    forgotten (a password is changed when it may be known to someone else)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    with engine.begin() as connection:
        _require_user(connection, username)
        connection.execute(update(User).where(User.username == username)
                           .values(password_hash=_HASHER.hash(password)))
        ended = sessions.end_sessions_of(connection, username, now, sessions.PASSWORD_CHANGED)
        sessions.forget_device_cookies(connection, username)
    _record_ended(engine, username, now, ended, sessions.PASSWORD_CHANGED)


def disable_user(engine: Engine, username: str, now: datetime) -> None:
    """Stop a user signing in (kept for the audit): their sessions end and the browsers they
    signed in from are forgotten."""
    with engine.begin() as connection:
        done = connection.execute(update(User).where(User.username == username,
                                                     User.disabled_at.is_(None))
                                  .values(disabled_at=to_utc_naive(now)))
        if done.rowcount != 1:
            raise UserError(f"there is no active user {username!r}")
        ended = sessions.end_sessions_of(connection, username, now, sessions.DISABLED)
        sessions.forget_device_cookies(connection, username)
    _record_ended(engine, username, now, ended, sessions.DISABLED)


def change_role(engine: Engine, username: str, role: str, now: datetime,
                area_codes: tuple[str, ...] = ()) -> None:
    """A new role (a hub lead's with their hub's areas); the user's sessions end."""
    _check_role_and_areas(role, area_codes)
    with engine.begin() as connection:
        _require_user(connection, username)
        connection.execute(update(User).where(User.username == username).values(role=role))
        _set_areas(connection, username, area_codes)
        ended = sessions.end_sessions_of(connection, username, now, sessions.ROLE_CHANGED)
    _record_ended(engine, username, now, ended, sessions.ROLE_CHANGED)


def change_areas(engine: Engine, username: str, area_codes: tuple[str, ...],
                 now: datetime) -> None:
    """A hub lead's hub is now these areas; their sessions end."""
    with engine.begin() as connection:
        role = _require_user(connection, username)
        _check_role_and_areas(role, area_codes)
        _set_areas(connection, username, area_codes)
        ended = sessions.end_sessions_of(connection, username, now, sessions.AREAS_CHANGED)
    _record_ended(engine, username, now, ended, sessions.AREAS_CHANGED)


def _check_role_and_areas(role: str, area_codes: tuple[str, ...]) -> None:
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if role == "hub_lead" and not area_codes:
        raise UserError("a hub lead needs the areas of their hub (--area CODE ...)")
    if role != "hub_lead" and area_codes:
        raise UserError("only hub leads are limited to areas")


def _require_user(connection: Connection, username: str) -> str:
    """The user's role; ``UserError`` if there is no such user."""
    role = connection.scalar(select(User.role).where(User.username == username))
    if role is None:
        raise UserError(f"there is no user {username!r}")
    return str(role)


def _set_areas(connection: Connection, username: str, area_codes: tuple[str, ...]) -> None:
    """The user's hub is exactly these (known) areas."""
    known = set(connection.scalars(select(Area.code).where(Area.code.in_(area_codes))))
    unknown = sorted(set(area_codes) - known)
    if unknown:
        raise UserError(f"unknown area code(s): {', '.join(unknown)}")
    connection.execute(delete(UserArea).where(UserArea.username == username))
    if area_codes:
        connection.execute(insert(UserArea), [{"username": username, "area_code": code}
                                              for code in sorted(set(area_codes))])


def _record_ended(engine: Engine, username: str, now: datetime, ended: int, why: str) -> None:
    if ended:
        audit.record(engine, now, "sessions_ended", "sessions", username=username, rows=ended,
                     detail=f"{why}: every session of the user ended")


def create_demo_users(engine: Engine, now: datetime, hub_area_code: str,
                      password: str) -> list[str]:
    """One demonstration account per role (the hub lead's hub is ``hub_area_code``), unless they
    exist. Their password is public, so sign-in refuses them once real data is loaded."""
    with engine.connect() as connection:
        if connection.scalar(select(User.username).where(User.demo.is_(True)).limit(1)):
            return []
    made = []
    for role, label in ROLES.items():
        username = f"demo-{role.replace('_', '-')}"
        create_user(engine, username, role, now, password=password,
                    display_name=f"Demo {label.lower()}", demo=True,
                    area_codes=(hub_area_code,) if role == "hub_lead" else ())
        made.append(username)
    return made


def list_users(engine: Engine) -> pd.DataFrame:
    """Every user (never a password hash), with their hub's areas."""
    with engine.connect() as connection:
        users = pd.DataFrame(connection.execute(
            select(User.username, User.display_name, User.role, User.demo, User.created_at,
                   User.disabled_at, (User.password_hash.is_not(None)).label("has_password"))
            .order_by(User.username)).mappings().all(),
            columns=["username", "display_name", "role", "demo", "created_at", "disabled_at",
                     "has_password"])
        areas = connection.execute(select(UserArea.username, UserArea.area_code)
                                   .order_by(UserArea.area_code)).all()
    by_user: dict[str, list[str]] = {}
    for username, code in areas:
        by_user.setdefault(username, []).append(code)
    users["areas"] = [", ".join(by_user.get(u, [])) for u in users.username]
    return users


def first_areas_of_users(engine: Engine) -> list[str]:
    """The area each active user with areas of their own opens first (the first of them by code,
    as ``callbacks.common.resolve_area`` chooses): codes only, each once, in code order."""
    first: dict[str, str] = {}
    with engine.connect() as connection:
        for username, code in connection.execute(
                select(UserArea.username, UserArea.area_code)
                .join(User, User.username == UserArea.username)
                .where(User.disabled_at.is_(None))):
            first[username] = min(first.get(username, code), code)  # Python's order, as there
    return sorted(set(first.values()))


def verify_password(engine: Engine, username: str, password: str) -> UserScope | None:
    """The user's scope if the password is right and the account active; else None."""
    with engine.connect() as connection:
        stored = connection.scalar(select(User.password_hash).where(
            User.username == username[:64], User.disabled_at.is_(None)))
    if stored is None:
        _HASHER.hash(password)  # spend the same time, so timing does not tell who exists
        return None
    try:
        _HASHER.verify(stored, password)
    except VerifyMismatchError:  # the wrong password (the check's time is spent)
        return None
    except (VerificationError, InvalidHashError):
        _HASHER.hash(password)  # a stored value no check can pass: spend a check's time anyway
        return None
    if _HASHER.check_needs_rehash(stored):  # made with other parameters: re-made at a sign-in
        with engine.begin() as connection:
            connection.execute(update(User).where(User.username == username[:64],
                                                  User.password_hash == stored)
                               .values(password_hash=_HASHER.hash(password)))
    return load_scope(engine, username)


_SCOPE_COLUMNS = (User.username, User.role, User.display_name, User.demo)


def load_scope(engine: Engine, username: str) -> UserScope | None:
    """An active user's scope, read afresh (a disabled user or a changed role takes effect at
    once)."""
    with engine.connect() as connection:
        user = connection.execute(select(*_SCOPE_COLUMNS).where(
            User.username == username[:64], User.disabled_at.is_(None))).first()
        return None if user is None else _scope_of(connection, user)


@dataclass(frozen=True)
class LiveSession:
    scope: UserScope
    signed_in_at: datetime


def session_scope(engine: Engine, session_id: str, now: datetime,
                  limits: sessions.SessionLimits) -> LiveSession | None:
    """The scope of the live session ``session_id``, read afresh with it: one query by the
    session's key (a hub lead's areas, a second). None for a session that is unknown, ended,
    idle or too old (ended here, with why), or whose user is disabled. The session's last-seen
    time moves at most once a minute."""
    id_hash, at = sessions.digest(session_id), to_utc_naive(now)
    with engine.connect() as connection:
        found = connection.execute(
            select(*_SCOPE_COLUMNS, UserSession.signed_in_at, UserSession.last_seen_at)
            .join(User, User.username == UserSession.username)
            .where(UserSession.id_hash == id_hash, UserSession.ended_at.is_(None),
                   User.disabled_at.is_(None))).first()
        if found is None:
            return None
        why_over = limits.why_over(found.signed_in_at, found.last_seen_at, at)
        scope = _scope_of(connection, found) if why_over is None else None
    if scope is None:
        sessions.end_session(engine, id_hash, now, str(why_over))
        return None
    sessions.note_seen(engine, id_hash, found.last_seen_at, now)
    return LiveSession(scope, from_utc_naive(found.signed_in_at))


def _scope_of(connection: Connection, user: Row[Any]) -> UserScope:
    """A user's scope from their row (``_SCOPE_COLUMNS``): a hub lead's areas are read."""
    areas = frozenset(connection.scalars(select(UserArea.area_code)
                                         .where(UserArea.username == user.username))) \
        if user.role == "hub_lead" else None
    return UserScope(user.username, user.role, user.display_name, areas, bool(user.demo))


# --- checks -----------------------------------------------------------------------------------

def visible_area_codes(engine: Engine, scope: UserScope) -> set[str] | None:
    """Every area the user may see (their hub's areas and everything inside); None = all."""
    if scope.area_codes is None:
        return None
    with engine.connect() as connection:
        return set(connection.scalars(select(AreaLink.descendant_code)
                                      .where(AreaLink.ancestor_code.in_(scope.area_codes))))


def require(engine: Engine, scope: UserScope, permission: str, at: datetime, what: str,
            client: str | None = None) -> None:
    """Refuse (and record) unless the user's role holds ``permission``."""
    if not scope.may(permission):
        audit.record(engine, at, "refused", what, username=scope.username, role=scope.role,
                     detail=f"role {scope.role} lacks {permission}", client=client)
        raise AccessDenied(f"Your role ({ROLES[scope.role]}) does not give access to {what}.")


def require_area(engine: Engine, scope: UserScope, area_code: str, at: datetime, what: str,
                 client: str | None = None) -> None:
    """Refuse (and record) unless ``area_code`` is inside the user's scope."""
    visible = visible_area_codes(engine, scope)
    if visible is not None and area_code not in visible:
        audit.record(engine, at, "refused", f"{what} for {area_code}"[:300],
                     username=scope.username, role=scope.role,
                     detail="area outside the user's scope", client=client)
        raise AccessDenied(f"The area {area_code!r} is outside the areas you may see.")


# --- scope as a type --------------------------------------------------------------------------

_ISSUER = object()  # only this module holds it, so only this module can make an AreaInScope
SYSTEM_USES = ("warm-up", "command line", "benchmark", "test")


@dataclass(frozen=True)
class AreaInScope(AreaInfo):
    """An area the access layer has let through for ``checked_for``: the user whose scope it
    was checked against, or ``"system: <use>"``. Pages and views see it as an ``AreaInfo``."""

    checked_for: str = ""
    _issuer: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._issuer is not _ISSUER:
            raise TypeError("an AreaInScope is made only by data_access.access "
                            "(area_in_scope, or area_for_system_use)")

    @property
    def for_system_use(self) -> bool:
        return self.checked_for.startswith("system: ")


def area_in_scope(engine: Engine, scope: UserScope, area_code: str, at: datetime, what: str,
                  client: str | None = None) -> AreaInScope | None:
    """The area, checked against the user's areas: ``AccessDenied`` (recorded) outside them;
    None for a code that names no area."""
    require_area(engine, scope, area_code, at, what, client)
    return _issue(engine, area_code, scope.username)


def area_for_system_use(engine: Engine, area_code: str, use: str) -> AreaInScope | None:
    """The area for work no signed-in user asks for (``use``, one of ``SYSTEM_USES``): its
    figures reach a person only through a page that checked their scope. Never person-level
    data (``require_checked_for``)."""
    if use not in SYSTEM_USES:
        raise ValueError(f"a system use is one of {', '.join(SYSTEM_USES)}")
    return _issue(engine, area_code, f"system: {use}")


_AREA_COLUMNS = (Area.code, Area.name, Area.level, Area.population_65_plus)


def _issue(engine: Engine, area_code: str, checked_for: str) -> AreaInScope | None:
    with engine.connect() as connection:
        row = connection.execute(select(*_AREA_COLUMNS).where(Area.code == area_code)).first()
    return None if row is None else AreaInScope(*row, checked_for=checked_for, _issuer=_ISSUER)


def areas_inside(engine: Engine, area: AreaInScope, level: str) -> list[AreaInScope]:
    """The areas of ``level`` inside a checked area, in name order, checked for the same user
    (a scope holds everything inside its areas)."""
    require_in_scope(area)
    with engine.connect() as connection:
        rows = connection.execute(
            select(*_AREA_COLUMNS).join(AreaLink, AreaLink.descendant_code == Area.code)
            .where(AreaLink.ancestor_code == area.code, Area.level == level)
            .order_by(Area.name)).all()
    return [AreaInScope(*row, checked_for=area.checked_for, _issuer=_ISSUER) for row in rows]


def area_inside(engine: Engine, area: AreaInScope, code: str) -> AreaInScope | None:
    """The area ``code`` if it is a checked area or lies inside it (a person's home, say),
    checked for the same user; None otherwise."""
    require_in_scope(area)
    with engine.connect() as connection:
        row = connection.execute(
            select(*_AREA_COLUMNS).join(AreaLink, AreaLink.descendant_code == Area.code)
            .where(AreaLink.ancestor_code == area.code, Area.code == code)).first()
    return None if row is None else AreaInScope(*row, checked_for=area.checked_for,
                                                _issuer=_ISSUER)


def require_checked_for(engine: Engine, scope: UserScope, area: AreaInScope, at: datetime,
                        what: str, client: str | None = None) -> None:
    """Refuse (and record) person-level data for an area that was not checked for this user:
    one checked for someone else, or issued for system use."""
    if not isinstance(area, AreaInScope) or area.checked_for != scope.username:
        audit.record(engine, at, "refused", f"{what} for {area.code}"[:300],
                     username=scope.username, role=scope.role,
                     detail=f"area checked for {getattr(area, 'checked_for', 'nobody')!r}",
                     client=client)
        raise AccessDenied(f"The area {area.code!r} was not checked for you.")


def require_in_scope(area: object) -> AreaInScope:
    """The area if it came from this module; ``TypeError`` for anything else (a bare code, an
    ``AreaInfo`` built by hand): the SQL that confines a query to an area calls it."""
    if not isinstance(area, AreaInScope):
        raise TypeError(f"a query takes an AreaInScope from data_access.access, not "
                        f"{type(area).__name__}")
    return area
