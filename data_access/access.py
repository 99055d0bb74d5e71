"""Who may see what: users, roles, their area scope, and the checks every entry point makes.

Any client can call Dash's callback endpoint with any input, so the checks live here, on the
server, beside the data: pages, callbacks, the export and the huddle list all call
``require`` and ``require_area`` with the scope taken from the server-side session, never from
anything the browser sends. A refusal is recorded in the audit log.

Roles (docs/security.md):
- executive, place manager: aggregate figures for every area;
- hub lead: aggregate figures and the person-level huddle list, for the areas of their hub;
- data manager: aggregate figures for every area, and the Data page (loads, deliveries, checks);
- administrator: users and the audit log, and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, insert, select, update

from dashboard.clock import to_utc_naive
from data_access import audit
from data_access.models import Area, AreaLink, User, UserArea

ROLES: dict[str, str] = {
    "executive": "Executive",
    "place_manager": "Place manager",
    "hub_lead": "Care transfer hub lead",
    "data_manager": "Data manager",
    "administrator": "Administrator",
}
# What each permission is for, and the roles that hold it.
PERMISSIONS: dict[str, frozenset[str]] = {
    "aggregates": frozenset({"executive", "place_manager", "hub_lead", "data_manager"}),
    "people": frozenset({"hub_lead"}),
    "data": frozenset({"data_manager"}),
    "admin": frozenset({"administrator"}),
}
_HASHER = PasswordHasher()  # Argon2id with the library's current recommended parameters
MIN_PASSWORD_LENGTH = 12
DEMO_PASSWORD = "demo"  # demonstration accounts only: sign-in refuses them while real data is in


class AccessDenied(Exception):
    """The user may not see this; the message says so in words they can act on."""


class UserError(ValueError):
    """A user command that cannot be done; the message says why."""


@dataclass(frozen=True)
class UserScope:
    username: str
    role: str
    display_name: str
    # The hub's areas (each with everything inside it); None: every area.
    area_codes: frozenset[str] | None
    demo: bool = False

    def may(self, permission: str) -> bool:
        return self.role in PERMISSIONS[permission]

    @property
    def cache_key(self) -> tuple[str, tuple[str, ...] | None]:
        """What makes two users' views of the same address differ."""
        return self.role, None if self.area_codes is None else tuple(sorted(self.area_codes))


# --- users ------------------------------------------------------------------------------------

def create_user(engine: Engine, username: str, role: str, now: datetime, *,
                password: str | None, display_name: str | None = None,
                area_codes: tuple[str, ...] = (), demo: bool = False) -> None:
    """Add a user. A hub lead needs at least one area; ``password`` None = single sign-on only."""
    username = username.strip()
    if not username or len(username) > 64:
        raise UserError("a username is 1 to 64 characters")
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if role == "hub_lead" and not area_codes:
        raise UserError("a hub lead needs the areas of their hub (--area CODE ...)")
    if role != "hub_lead" and area_codes:
        raise UserError("only hub leads are limited to areas")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH and not demo:
        raise UserError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    with engine.begin() as connection:
        if connection.scalar(select(User.username).where(User.username == username)):
            raise UserError(f"there is already a user {username!r}")
        known = set(connection.scalars(select(Area.code).where(Area.code.in_(area_codes))))
        unknown = sorted(set(area_codes) - known)
        if unknown:
            raise UserError(f"unknown area code(s): {', '.join(unknown)}")
        connection.execute(insert(User), {
            "username": username, "display_name": display_name or username, "role": role,
            "password_hash": _HASHER.hash(password) if password is not None else None,
            "demo": demo, "created_at": to_utc_naive(now)})
        if area_codes:
            connection.execute(insert(UserArea), [{"username": username, "area_code": code}
                                                  for code in area_codes])


def set_password(engine: Engine, username: str, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    with engine.begin() as connection:
        done = connection.execute(update(User).where(User.username == username)
                                  .values(password_hash=_HASHER.hash(password)))
    if done.rowcount != 1:
        raise UserError(f"there is no user {username!r}")


def disable_user(engine: Engine, username: str, now: datetime) -> None:
    with engine.begin() as connection:
        done = connection.execute(update(User).where(User.username == username,
                                                     User.disabled_at.is_(None))
                                  .values(disabled_at=to_utc_naive(now)))
    if done.rowcount != 1:
        raise UserError(f"there is no active user {username!r}")


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


def remove_demo_users(engine: Engine) -> None:
    with engine.begin() as connection:
        demo = select(User.username).where(User.demo.is_(True))
        connection.execute(delete(UserArea).where(UserArea.username.in_(demo)))
        connection.execute(delete(User).where(User.demo.is_(True)))


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
    except (VerificationError, InvalidHashError):
        return None
    return load_scope(engine, username)


def load_scope(engine: Engine, username: str) -> UserScope | None:
    """An active user's scope, read afresh (a disabled user or a changed role takes effect at
    once)."""
    with engine.connect() as connection:
        user = connection.execute(select(User.username, User.role, User.display_name, User.demo)
                                  .where(User.username == username[:64],
                                         User.disabled_at.is_(None))).first()
        if user is None:
            return None
        areas = frozenset(connection.scalars(select(UserArea.area_code)
                                             .where(UserArea.username == user.username)))
    return UserScope(user.username, user.role, user.display_name,
                     areas if user.role == "hub_lead" else None, bool(user.demo))


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
