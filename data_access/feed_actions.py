"""The actions on people through the push API, for source systems that already record tasks.

A feed source is not a user and has no area: what it may reach is what it may write
(``data_access.ownership``). It reads and writes actions only with the ``actions`` kind granted,
and only on an episode whose details it may write, by the same rule as its delay reasons
(``episode_refusal``: the episode is the source's own, at a site in its scope). On such a
person it reads and changes every action, a hub lead's too: an action belongs to the person,
not to whoever typed it, and the version rule means neither side silently overwrites the
other (a change on an old version is refused, naming who changed it and when). Anything else is
refused (``SourceRefused``) and recorded in the audit log as ``refused``; every read is recorded
as a view of people and every write as ``action_recorded``/``action_changed``, with the source's
name as the user and ``feed`` as the role. Reading and writing is ``data_access.action_store``'s,
the same code as the huddle page's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, select

from data_access import action_store as store
from data_access import audit
from data_access.action_store import ActionError, Author, NoSuchRecord
from data_access.contract import quoted, storable
from data_access.models import Episode, PersonAction
from data_access.ownership import ACTIONS_KIND, Grants, episode_refusal, grants_of, kind_refusal

FEED_ROLE = "feed"  # the role a source acts in, in the audit log


class SourceRefused(Exception):
    """What the source asked is outside its grants or its records; the message says why."""


def actions_for_source(engine: Engine, source: str, episode_id: Any, now: datetime,
                       client: str | None = None) -> pd.DataFrame:
    """Every action on the person (an episode the source may write), due first (London
    times); recorded as a view of people."""
    author = Author(source, FEED_ROLE, client)
    what = f"actions on episode {episode_id}"
    with _refusals_recorded(engine, author, what, now):
        check = _may_act(_granted(engine, source))
        with engine.connect() as connection:
            check(connection, episode_id)
    return store.read(engine, author, PersonAction.episode_id == episode_id, what, now)


def action_history_for_source(engine: Engine, source: str, action_id: int, now: datetime,
                              client: str | None = None) -> pd.DataFrame:
    """Every version of an action on a person the source may write, oldest first, with the
    values before and after."""
    author = Author(source, FEED_ROLE, client)
    with _refusals_recorded(engine, author, f"history of action {action_id}", now):
        return store.history(engine, author, action_id, now,
                             _may_act(_granted(engine, source)))


def record_for_source(engine: Engine, source: str, episode_id: Any, values: dict[str, Any],
                      now: datetime, client: str | None = None) -> int:
    """A new action (version 1) on a person the source may write; its id."""
    author = Author(source, FEED_ROLE, client)
    with _refusals_recorded(engine, author, f"actions on episode {episode_id}", now):
        return store.record(engine, author, episode_id, values, now,
                            _may_act(_granted(engine, source)))


def change_for_source(engine: Engine, source: str, action_id: int, version: int,
                      values: dict[str, Any], now: datetime, client: str | None = None) -> int:
    """Change an action on a person the source may write, made on ``version``; its new
    version. ``VersionConflict`` (nothing written) when someone changed it since."""
    author = Author(source, FEED_ROLE, client)
    with _refusals_recorded(engine, author, f"action {action_id}", now):
        return store.change(engine, author, action_id, version, values, now,
                            _may_act(_granted(engine, source)))


def _granted(engine: Engine, source: str) -> Grants:
    with engine.connect() as connection:
        grants = grants_of(connection, source)
    refusal = kind_refusal(grants, ACTIONS_KIND)
    if refusal:
        raise SourceRefused(refusal)
    return grants


def _may_act(grants: Grants) -> store.PersonCheck:
    """The check of a source's way in: the episode exists and its details are the source's to
    write."""
    def check(connection: Connection, episode_id: Any) -> None:
        if not isinstance(episode_id, str):
            raise ActionError("episode_id must be text: the identifier of the person's episode")
        # PostgreSQL cannot compare text holding NUL or half a UTF-16 pair: it names nobody.
        if storable(episode_id) != episode_id or connection.scalar(
                select(Episode.episode_id).where(Episode.episode_id == episode_id)) is None:
            raise NoSuchRecord(f"there is no episode {quoted(storable(episode_id))}")
        refusal = episode_refusal(connection, grants, episode_id)
        if refusal:
            raise SourceRefused(f"{refusal}: a source reads and writes the actions only of "
                                "its own episodes, at sites in its scope")
    return check


@contextmanager
def _refusals_recorded(engine: Engine, author: Author, what: str,
                       now: datetime) -> Iterator[None]:
    """Record a refusal in the audit log (in its own transaction: nothing else is written)."""
    try:
        yield
    except SourceRefused as refusal:
        audit.record(engine, now, "refused", what, username=author.name, role=author.role,
                     detail=str(refusal), client=author.client)
        raise
