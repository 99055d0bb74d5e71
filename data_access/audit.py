"""The audit log: every person-level view, export, refusal and sign-in, with who, when and scope."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from dashboard.clock import from_utc_naive, to_utc_naive
from data_access.contract import storable
from data_access.models import AuditEvent

# What is recorded (the Audit page and docs/security.md list them).
ACTIONS = ("view_people", "export", "refused", "sign_in", "sign_in_failed", "sign_out",
           "sessions_ended", "sessions_revoked", "area_changed", "goal_set", "goal_refused",
           "action_recorded", "action_changed", "trigger_level_set", "trigger_level_refused",
           "plan_run", "plan_scenario_saved", "plan_scenario_loaded", "plan_backtest")
AUDIT_COLUMNS = ["id", "at", "username", "role", "action", "scope", "rows", "detail", "client"]
# A failed sign-in's detail starts with this, then the cookie's label, when a valid device cookie
# vouched for the browser: such failures count against that cookie alone (dashboard/sign_in.py).
WITH_DEVICE_COOKIE = "device cookie "
WITHOUT_DEVICE_COOKIE = "no device cookie"


def record(engine: Engine, at: datetime, action: str, scope: str, *, username: str | None,
           role: str | None = None, rows: int | None = None, detail: str = "",
           client: str | None = None) -> None:
    """Write one event in its own transaction (so a refusal is recorded even as it is refused)."""
    with engine.begin() as connection:
        record_in(connection, at, action, scope, username=username, role=role, rows=rows,
                  detail=detail, client=client)


def record_in(connection: Connection, at: datetime, action: str, scope: str, *,
              username: str | None, role: str | None = None, rows: int | None = None,
              detail: str = "", client: str | None = None) -> None:
    """Write one event in the caller's transaction (it stands or falls with what it records)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    connection.execute(insert(AuditEvent), {
        "at": to_utc_naive(at), "username": username[:64] if username else None,
        "role": role, "action": action, "scope": storable(scope)[:300], "rows": rows,
        "detail": storable(detail)[:500], "client": client[:64] if client else None})


def recent_events(engine: Engine, limit: int = 200, action: str | None = None,
                  username: str | None = None) -> pd.DataFrame:
    """The newest events first; ``at`` in London time."""
    query = select(*(AuditEvent.__table__.c[name] for name in AUDIT_COLUMNS)) \
        .order_by(AuditEvent.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEvent.action == action)
    if username:
        query = query.where(AuditEvent.username == username)
    with engine.connect() as connection:
        frame = pd.DataFrame(connection.execute(query).mappings().all(), columns=AUDIT_COLUMNS)
    frame["at"] = [from_utc_naive(t) for t in frame["at"]]
    return frame


def sign_in_failure(device: str | None, why: str) -> str:
    """A failed sign-in's detail: which device cookie vouched for the browser (or none), and
    why it failed."""
    return f"{WITH_DEVICE_COOKIE}{device}: {why}" if device else f"{WITHOUT_DEVICE_COOKIE}: {why}"


def failed_sign_ins_since(engine: Engine, since: datetime, *, username: str | None = None,
                          client: str | None = None, device: str | None = None) -> int:
    """Failed sign-ins after ``since`` (rate limiting): with the device cookie labelled
    ``device``; or, without ``device``, those no device cookie vouched for, for a username or
    from a client address."""
    query = select(AuditEvent.id).where(AuditEvent.action == "sign_in_failed",
                                        AuditEvent.at > to_utc_naive(since))
    if device is not None:
        query = query.where(AuditEvent.detail.startswith(f"{WITH_DEVICE_COOKIE}{device}:",
                                                         autoescape=True))
    else:
        query = query.where(~AuditEvent.detail.startswith(WITH_DEVICE_COOKIE, autoescape=True))
    if username is not None:
        query = query.where(AuditEvent.username == username[:64])
    if client is not None:
        query = query.where(AuditEvent.client == client[:64])
    with engine.connect() as connection:
        return len(connection.execute(query.limit(1000)).all())
