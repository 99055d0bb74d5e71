"""Reading and writing the actions on people: the one place their versions, history and audit
records are written, for both ways in.

It checks the values, never who asks: its callers do, and pass the check of the person as
``may_act`` (run in the same transaction as the read or write). Only two modules call it
(``tests/test_scope_type.py`` keeps it so): ``data_access.actions`` for a signed-in hub lead
(the role, and the person's home inside an area checked for them) and
``data_access.feed_actions`` for a feed source (the ``actions`` kind granted, and the episode
the source's own, at a site in its scope).

A change names the version it was made on: if the action changed since, ``VersionConflict``
says who and when, and nothing is written (optimistic versioning). Every version is kept in
``person_action_changes``, with the values before and after; every read and write is recorded
in the audit log (a write in its own transaction).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select, update

from dashboard.clock import LONDON, from_utc_naive, to_utc_naive
from dashboard.vocabulary import ACTION_KINDS, ACTION_STATUSES, ACTION_TEXT_LIMIT
from data_access import audit
from data_access.contract import parse_timestamp, storable
from data_access.models import Episode, PersonAction, PersonActionChange

FIELDS = ("kind", "detail", "owner_team", "due_at", "status", "blocked_reason")
ACTION_COLUMNS = ["id", "episode_id", *FIELDS, "version", "created_at", "created_by",
                  "changed_at", "changed_by"]
HISTORY_COLUMNS = ["version", "changed_at", "changed_by", "before", "after"]
# The longest text of each free-text field, in characters.
TEXT_LIMITS = {"detail": ACTION_TEXT_LIMIT, "owner_team": 200,
               "blocked_reason": ACTION_TEXT_LIMIT}


class ActionError(ValueError):
    """An action's values break a rule, or name nothing; the message says which and why."""


class NoSuchRecord(ActionError):
    """The action (or the person) named does not exist."""


class VersionConflict(Exception):
    """The action changed since the version the change was made on: who changed it, when."""

    def __init__(self, action_id: int, expected: int, current: int, changed_by: str,
                 changed_at: datetime) -> None:
        super().__init__(
            f"{changed_by} changed this action at {from_utc_naive(changed_at):%H:%M on %d %b} "
            f"(version {current}) after you opened it (version {expected}). Nothing was saved: "
            "read their change, then make yours again.")
        self.action_id, self.expected, self.current = action_id, expected, current
        self.changed_by, self.changed_at = changed_by, from_utc_naive(changed_at)


@dataclass(frozen=True)
class Author:
    """Who reads or writes, as the action's history and the audit log name them: a user (their
    username and role) or a feed source (its name, role ``feed``); ``client``: their address."""

    name: str
    role: str | None
    client: str | None = None


# Raises (an ``ActionError``, or the caller's own refusal) unless the author may act on the
# person (the episode's id); runs inside the transaction that reads or writes.
PersonCheck = Callable[[Connection, str], None]


def checked_values(values: dict[str, Any]) -> dict[str, Any]:
    """The action's fields, checked: ``ActionError`` names the first that breaks a rule. Text
    is kept as given (never cut or completed); times without an offset are London time."""
    kind, status = values.get("kind"), values.get("status") or "open"
    if not isinstance(kind, str) or kind not in ACTION_KINDS:
        raise ActionError(f"the kind of step must be one of {', '.join(ACTION_KINDS)}")
    if not isinstance(status, str) or status not in ACTION_STATUSES:
        raise ActionError(f"the status must be one of {', '.join(ACTION_STATUSES)}")
    texts = {}
    for name, limit in TEXT_LIMITS.items():
        text = values.get(name) or ""
        if not isinstance(text, str):
            raise ActionError(f"{name} must be text")
        if len(text) > limit:
            raise ActionError(f"{name} is longer than {limit} characters")
        if storable(text) != text:
            raise ActionError(f"{name} holds a character text cannot hold")
        texts[name] = text.strip()
    if not texts["owner_team"]:
        raise ActionError("an action needs an owner (a team or organisation)")
    if status == "blocked" and not texts["blocked_reason"]:
        raise ActionError("a blocked action needs the reason it is blocked")
    due = values.get("due_at")
    if isinstance(due, datetime):
        due_at = to_utc_naive(due)
    elif isinstance(due, str) and due.strip():
        try:
            due_at = parse_timestamp(due.strip())
        except ValueError as error:
            raise ActionError(f"due_at: {error}") from None
    elif due not in (None, ""):
        raise ActionError("due_at must be a timestamp written as text (ISO 8601)")
    else:
        raise ActionError("an action needs a due time")
    return {"kind": kind, "status": status, "due_at": due_at, **texts}


def record(engine: Engine, author: Author, episode_id: str, values: dict[str, Any],
           now: datetime, may_act: PersonCheck) -> int:
    """A new action (version 1) on the person; its id."""
    fields = checked_values(values)
    at = to_utc_naive(now)
    with engine.begin() as connection:
        may_act(connection, episode_id)
        action_id = connection.execute(insert(PersonAction).returning(PersonAction.id), {
            "episode_id": episode_id, **fields, "version": 1, "created_at": at,
            "created_by": author.name, "changed_at": at, "changed_by": author.name,
        }).scalar_one()
        _keep(connection, action_id, 1, at, author.name, None, fields)
        audit.record_in(connection, now, "action_recorded", f"episode {episode_id}",
                        username=author.name, role=author.role, rows=1,
                        detail=f"action {action_id}: {fields['kind']}, {fields['status']}",
                        client=author.client)
    return int(action_id)


def change(engine: Engine, author: Author, action_id: int, version: int,
           values: dict[str, Any], now: datetime, may_act: PersonCheck) -> int:
    """Change an action made on ``version``; its new version. ``VersionConflict`` (nothing
    written) when someone changed it since."""
    fields = checked_values(values)
    at = to_utc_naive(now)
    with engine.begin() as connection:
        stored = connection.execute(select(PersonAction).where(PersonAction.id == action_id)) \
            .mappings().first()
        if stored is None:
            raise NoSuchRecord(f"there is no action {action_id}")
        may_act(connection, stored["episode_id"])
        changed = connection.execute(
            update(PersonAction)
            .where(PersonAction.id == action_id, PersonAction.version == version)
            .values(**fields, version=version + 1, changed_at=at, changed_by=author.name))
        if changed.rowcount != 1:
            raise VersionConflict(action_id, version, stored["version"], stored["changed_by"],
                                  stored["changed_at"])
        _keep(connection, action_id, version + 1, at, author.name,
              {name: stored[name] for name in FIELDS}, fields)
        audit.record_in(connection, now, "action_changed", f"episode {stored['episode_id']}",
                        username=author.name, role=author.role, rows=1,
                        detail=f"action {action_id} to version {version + 1}: "
                               f"{fields['kind']}, {fields['status']}", client=author.client)
    return version + 1


def read(engine: Engine, author: Author, people: Any, scope: str,
         now: datetime) -> pd.DataFrame:
    """Every action on the people ``people`` selects (a condition on episodes), due first
    (London times); recorded as a view of people (the number of actions) over ``scope``."""
    statement = (select(*(getattr(PersonAction, c) for c in ACTION_COLUMNS))
                 .join(Episode, Episode.episode_id == PersonAction.episode_id)
                 .where(people)
                 .order_by(PersonAction.due_at, PersonAction.id))
    with engine.connect() as connection:
        actions = london_times(pd.read_sql_query(statement, connection))
    audit.record(engine, now, "view_people", scope, username=author.name, role=author.role,
                 rows=len(actions), client=author.client)
    return actions.reindex(columns=ACTION_COLUMNS)


def history(engine: Engine, author: Author, action_id: int, now: datetime,
            may_act: PersonCheck) -> pd.DataFrame:
    """Every version of an action, oldest first: when (London time), by whom, and the values
    before and after (their due times in London local time, as kept)."""
    with engine.connect() as connection:
        episode_id = connection.scalar(select(PersonAction.episode_id)
                                       .where(PersonAction.id == action_id))
        if episode_id is None:
            raise NoSuchRecord(f"there is no action {action_id}")
        may_act(connection, episode_id)
        kept = pd.read_sql_query(
            select(*(getattr(PersonActionChange, c) for c in HISTORY_COLUMNS))
            .where(PersonActionChange.action_id == action_id)
            .order_by(PersonActionChange.version), connection)
    kept = london_times(kept)
    audit.record(engine, now, "view_people", f"history of action {action_id}",
                 username=author.name, role=author.role, rows=len(kept), client=author.client)
    for column in ("before", "after"):
        kept[column] = [json.loads(text) if isinstance(text, str) else None
                        for text in kept[column]]
    return kept


def _keep(connection: Connection, action_id: int, version: int, at: datetime, who: str,
          before: dict[str, Any] | None, after: dict[str, Any]) -> None:
    def as_json(values: dict[str, Any] | None) -> str | None:
        return None if values is None else json.dumps(
            {k: (f"{from_utc_naive(v):%Y-%m-%dT%H:%M}" if isinstance(v, datetime) else v)
             for k, v in values.items()}, ensure_ascii=False)

    connection.execute(insert(PersonActionChange), {
        "action_id": action_id, "version": version, "changed_at": at, "changed_by": who,
        "before": as_json(before), "after": as_json(after)})


def london_times(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame's stored (naive UTC) times as London times."""
    for column in frame.columns:
        if column.endswith("_at"):
            frame[column] = pd.to_datetime(frame[column]).dt.tz_localize("UTC") \
                .dt.tz_convert(LONDON)
    return frame
