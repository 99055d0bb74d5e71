"""The huddle's actions on each person: the next step, who owns it, by when, and its status.

Person-level, so every function checks the caller first: the role (only hub leads hold
``people``) and an area checked for this very user (``require_checked_for``); the person must
live in that area. Every view and change is recorded in the audit log, in the same transaction
as a change. A change names the version it was made on: if someone changed the action since,
``VersionConflict`` says who and when, and nothing is written (optimistic versioning). Every
version is kept in ``person_action_changes``, with the values before and after.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select, update

from dashboard.clock import LONDON, as_london, from_utc_naive, to_utc_naive
from dashboard.escalation import ActionState, flags_for, level_of
from dashboard.results import SinceThen, UserScope
from dashboard.vocabulary import (
    ACTION_KINDS,
    ACTION_STATUSES,
    ACTION_TEXT_LIMIT,
    DELAY_REASONS,
    INTERMEDIATE_CARE_PATHWAYS,
)
from data_access import audit
from data_access.access import AreaInScope, area_inside, require, require_checked_for
from data_access.areas import episodes_in_area
from data_access.contract import parse_timestamp, storable
from data_access.huddle import huddle_list
from data_access.metrics.capacity import capacity_at
from data_access.models import (
    DelayReasonChange,
    Episode,
    PersonAction,
    PersonActionChange,
    Service,
)

WHAT = "actions on people"
FIELDS = ("kind", "detail", "owner_team", "due_at", "status", "blocked_reason")
ACTION_COLUMNS = ["id", "episode_id", *FIELDS, "version", "created_at", "created_by",
                  "changed_at", "changed_by"]


class ActionError(ValueError):
    """An action's values break a rule; the message says which and why."""


class VersionConflict(Exception):
    """The action changed since the version the change was made on: who changed it, when."""

    def __init__(self, action_id: int, expected: int, current: int, changed_by: str,
                 changed_at: datetime) -> None:
        super().__init__(
            f"{changed_by} changed this action at {from_utc_naive(changed_at):%H:%M on %d %b} "
            f"(version {current}) after you opened it (version {expected}). Nothing was saved: "
            "read their change, then make yours again.")
        self.action_id, self.expected, self.current = action_id, expected, current


def checked_values(values: dict[str, Any]) -> dict[str, Any]:
    """The action's fields, checked: ``ActionError`` names the first that breaks a rule. Text
    is kept as given (never cut or completed); times without an offset are London time."""
    kind, status = values.get("kind"), values.get("status") or "open"
    if kind not in ACTION_KINDS:
        raise ActionError(f"the kind of step must be one of {', '.join(ACTION_KINDS)}")
    if status not in ACTION_STATUSES:
        raise ActionError(f"the status must be one of {', '.join(ACTION_STATUSES)}")
    texts = {}
    for name, limit in (("detail", ACTION_TEXT_LIMIT), ("owner_team", 200),
                        ("blocked_reason", ACTION_TEXT_LIMIT)):
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
    else:
        raise ActionError("an action needs a due time")
    return {"kind": kind, "status": status, "due_at": due_at, **texts}


def record_action(engine: Engine, scope: UserScope, area: AreaInScope, episode_id: str,
                  values: dict[str, Any], now: datetime, client: str | None = None) -> int:
    """A new action (version 1) on a person waiting in the area; its id."""
    _check(engine, scope, area, now, client)
    fields = checked_values(values)
    at = to_utc_naive(now)
    with engine.begin() as connection:
        _require_person_in_area(connection, area, episode_id)
        action_id = connection.execute(insert(PersonAction).returning(PersonAction.id), {
            "episode_id": episode_id, **fields, "version": 1, "created_at": at,
            "created_by": scope.username, "changed_at": at, "changed_by": scope.username,
        }).scalar_one()
        _keep(connection, action_id, 1, at, scope.username, None, fields)
        audit.record_in(connection, now, "action_recorded", f"episode {episode_id}",
                        username=scope.username, role=scope.role, rows=1,
                        detail=f"action {action_id}: {fields['kind']}, {fields['status']}",
                        client=client)
    return int(action_id)


def change_action(engine: Engine, scope: UserScope, area: AreaInScope, action_id: int,
                  version: int, values: dict[str, Any], now: datetime,
                  client: str | None = None) -> int:
    """Change an action made on ``version``; its new version. ``VersionConflict`` (nothing
    written) when someone changed it since."""
    _check(engine, scope, area, now, client)
    fields = checked_values(values)
    at = to_utc_naive(now)
    with engine.begin() as connection:
        stored = connection.execute(select(PersonAction).where(PersonAction.id == action_id)) \
            .mappings().first()
        if stored is None:
            raise ActionError(f"there is no action {action_id}")
        _require_person_in_area(connection, area, stored["episode_id"])
        changed = connection.execute(
            update(PersonAction)
            .where(PersonAction.id == action_id, PersonAction.version == version)
            .values(**fields, version=version + 1, changed_at=at, changed_by=scope.username))
        if changed.rowcount != 1:
            raise VersionConflict(action_id, version, stored["version"], stored["changed_by"],
                                  stored["changed_at"])
        _keep(connection, action_id, version + 1, at, scope.username,
              {name: stored[name] for name in FIELDS}, fields)
        audit.record_in(connection, now, "action_changed", f"episode {stored['episode_id']}",
                        username=scope.username, role=scope.role, rows=1,
                        detail=f"action {action_id} to version {version + 1}: "
                               f"{fields['kind']}, {fields['status']}", client=client)
    return version + 1


def actions_in_area(engine: Engine, scope: UserScope, area: AreaInScope, now: datetime,
                    client: str | None = None) -> pd.DataFrame:
    """Every action on a person whose home is in the area, due first (London times); recorded
    as a view of people (the number of actions)."""
    _check(engine, scope, area, now, client)
    statement = (select(*(getattr(PersonAction, c) for c in ACTION_COLUMNS))
                 .join(Episode, Episode.episode_id == PersonAction.episode_id)
                 .where(episodes_in_area(area))
                 .order_by(PersonAction.due_at, PersonAction.id))
    with engine.connect() as connection:
        actions = _london(pd.read_sql_query(statement, connection))
    audit.record(engine, now, "view_people", f"{WHAT} in {area.code}", username=scope.username,
                 role=scope.role, rows=len(actions), client=client)
    return actions.reindex(columns=ACTION_COLUMNS)


def action_history(engine: Engine, scope: UserScope, area: AreaInScope, action_id: int,
                   now: datetime, client: str | None = None) -> pd.DataFrame:
    """Every version of an action, oldest first, with the values before and after."""
    _check(engine, scope, area, now, client)
    with engine.connect() as connection:
        episode_id = connection.scalar(select(PersonAction.episode_id)
                                       .where(PersonAction.id == action_id))
        if episode_id is None:
            raise ActionError(f"there is no action {action_id}")
        _require_person_in_area(connection, area, episode_id)
        history = pd.read_sql_query(
            select(PersonActionChange.version, PersonActionChange.changed_at,
                   PersonActionChange.changed_by, PersonActionChange.before,
                   PersonActionChange.after)
            .where(PersonActionChange.action_id == action_id)
            .order_by(PersonActionChange.version), connection)
    audit.record(engine, now, "view_people", f"history of action {action_id}",
                 username=scope.username, role=scope.role, rows=len(history), client=client)
    for column in ("before", "after"):
        history[column] = [json.loads(text) if isinstance(text, str) else None
                           for text in history[column]]
    return history


def _check(engine: Engine, scope: UserScope, area: AreaInScope, now: datetime,
           client: str | None) -> None:
    require(engine, scope, "people", now, WHAT, client)
    require_checked_for(engine, scope, area, now, WHAT, client)


def _require_person_in_area(connection: Connection, area: AreaInScope, episode_id: str) -> None:
    _require_storable(episode_id, area)
    found = connection.scalar(select(Episode.episode_id).where(
        Episode.episode_id == episode_id, episodes_in_area(area)))
    if found is None:
        raise ActionError(f"there is no person {episode_id!r} in {area.name}")


def _require_storable(episode_id: str, area: AreaInScope) -> None:
    """No stored identifier holds NUL or half a UTF-16 pair (PostgreSQL cannot even compare
    one): such an identifier names nobody."""
    if not isinstance(episode_id, str) or storable(episode_id) != episode_id:
        raise ActionError(f"there is no person {storable(str(episode_id))!r} in {area.name}")


def _keep(connection: Connection, action_id: int, version: int, at: datetime, who: str,
          before: dict[str, Any] | None, after: dict[str, Any]) -> None:
    def as_json(values: dict[str, Any] | None) -> str | None:
        return None if values is None else json.dumps(
            {k: (f"{from_utc_naive(v):%Y-%m-%dT%H:%M}" if isinstance(v, datetime) else v)
             for k, v in values.items()}, ensure_ascii=False)

    connection.execute(insert(PersonActionChange), {
        "action_id": action_id, "version": version, "changed_at": at, "changed_by": who,
        "before": as_json(before), "after": as_json(after)})


# ``raised``: the person's flags, highest level first (``flags`` would hide behind pandas').
ESCALATION_COLUMNS = ["person_ref", "episode_id", "site", "nctr_at", "hours_waiting", "level",
                      "raised"]


def escalation_list(engine: Engine, scope: UserScope, area: AreaInScope, now: datetime,
                    client: str | None = None, *,
                    waiting: pd.DataFrame | None = None) -> pd.DataFrame:
    """Everyone waiting in the area who raises a flag (``dashboard.escalation``), longest wait
    first: their level and their flags (rule, level, since when), highest first. The same
    checks as the huddle list, and recorded as a view of it; ``waiting``: the area's whole
    huddle list, already read (and recorded) for this user at ``now``, not read again."""
    _check(engine, scope, area, now, client)
    people = huddle_list(engine, scope, area, now, client=client) if waiting is None \
        else waiting
    held: dict[str, list[ActionState]] = {}
    wanted = list(people.episode_id)
    with engine.connect() as connection:
        for start in range(0, len(wanted), 500):
            for episode_id, status, due_at in connection.execute(
                    select(PersonAction.episode_id, PersonAction.status, PersonAction.due_at)
                    .where(PersonAction.episode_id.in_(wanted[start:start + 500]))):
                held.setdefault(episode_id, []).append(
                    ActionState(status, from_utc_naive(due_at)))
    rows = []
    for person in people.itertuples():
        flags = flags_for(person.nctr_at.to_pydatetime(), person.reason_code in DELAY_REASONS,
                          held.get(person.episode_id, []), as_london(now))
        if flags:
            rows.append((person.person_ref, person.episode_id, person.site, person.nctr_at,
                         person.hours_waiting, level_of(flags), flags))
    return pd.DataFrame(rows, columns=ESCALATION_COLUMNS)


# ``meets``: whether the service's places meet the person's recorded care needs: "yes", "not
# recorded" (the service has not said: check before offering) or "" (no needs recorded).
SHORTLIST_COLUMNS = ["service_code", "name", "provider", "setting", "area", "free",
                     "reported_at", "meets"]
OFFER_DUE = timedelta(hours=24)  # an offer's answer is due within a day (we define)


def places_for(engine: Engine, scope: UserScope, area: AreaInScope, episode_id: str,
               now: datetime, client: str | None = None) -> pd.DataFrame:
    """A shortlist for a person waiting for pathway 1, 2 or 3: the services of their pathway
    that serve their home area with free places in a current report (never a stale one, nor a
    service with no report), most free places first, then the freshest report. A person's
    recorded care needs leave out every service that records needs it does not meet (nursing
    needed: never a residential-only home); a service that records none is kept and marked."""
    _check(engine, scope, area, now, client)
    _require_storable(episode_id, area)
    with engine.connect() as connection:
        person = connection.execute(
            select(Episode.home_area_code, Episode.pathway, Episode.needs)
            .where(Episode.episode_id == episode_id, episodes_in_area(area))).first()
    if person is None:
        raise ActionError(f"there is no person {episode_id!r} in {area.name}")
    if person.pathway not in INTERMEDIATE_CARE_PATHWAYS:
        raise ActionError("places are matched for pathways 1, 2 and 3; this person's pathway "
                          "is " + ("not recorded" if person.pathway is None
                                   else str(person.pathway)))
    home = area_inside(engine, area, person.home_area_code)
    if home is None:  # cannot be: the person's home is inside the area
        raise ActionError(f"the home of {episode_id!r} is outside {area.name}")
    services = capacity_at(engine, home, now)
    shortlist = services[(services.pathway == person.pathway)
                         & (services.status == "current") & (services.free > 0)].copy()
    shortlist["meets"] = _meets(engine, list(shortlist.service_code), person.needs)
    return shortlist[shortlist.meets != "no"] \
        .sort_values(["free", "reported_at", "name"], ascending=[False, False, True])[
            SHORTLIST_COLUMNS].reset_index(drop=True)


def _meets(engine: Engine, codes: list[str], needs: str | None) -> list[str]:
    """For each service, whether its places meet the person's needs: "yes", "no", "not
    recorded"; all "" when the person has none recorded."""
    if not needs:
        return [""] * len(codes)
    with engine.connect() as connection:
        recorded = dict(connection.execute(select(Service.code, Service.meets_needs)
                                           .where(Service.code.in_(codes))).all())
    wanted = set(needs.split("|"))
    return ["not recorded" if recorded.get(code) is None
            else "yes" if wanted <= set(recorded[code].split("|")) else "no"
            for code in codes]


def offer_place(engine: Engine, scope: UserScope, area: AreaInScope, episode_id: str,
                service: str, now: datetime, client: str | None = None) -> int:
    """Record "offered to service X" (``service``: its code) as an action on the person, if the
    service is on their shortlist now; the action's id."""
    offered = places_for(engine, scope, area, episode_id, now, client).set_index("service_code")
    if service not in offered.index:
        raise ActionError(f"service {service!r} has no free place for this person in a "
                          "current report now")
    place = offered.loc[service]
    return record_action(engine, scope, area, episode_id, {
        "kind": "bed_offered", "detail": f"Offered to {place['name']}",
        "owner_team": place.provider, "due_at": as_london(now) + OFFER_DUE,
        "status": "open"}, now, client)


def since_then(engine: Engine, scope: UserScope, area: AreaInScope, since: datetime,
               now: datetime, client: str | None = None) -> SinceThen:
    """For the people of the area (home inside it), after ``since`` up to and including
    ``now``: who **became NCTR** (not someone whose NCTR is the moment ``since`` itself), who
    **left** (discharged) and to which pathway and service, whose **delay reason changed**
    (each change), which **actions were marked done**, and which actions not done **became
    overdue** (their due time passed). The page's ``since`` is by default the same clock time
    yesterday, or a time the hub lead chooses (``?since=``). Recorded as a view of people (the
    number of rows in all)."""
    _check(engine, scope, area, now, client)
    start, end = to_utc_naive(since), to_utc_naive(now)
    # London days holding the span: they let the area's date indexes narrow each search.
    days = (as_london(since).date(), as_london(now).date())
    people = (Episode.person_ref, Episode.episode_id)
    in_area = episodes_in_area(area)
    with engine.connect() as connection:
        def read(statement: Any) -> pd.DataFrame:
            return pd.read_sql_query(statement, connection)

        new = read(select(*people, Episode.nctr_at).where(
            in_area, Episode.nctr_date.between(*days), Episode.nctr_at > start,
            Episode.nctr_at <= end).order_by(Episode.nctr_at))
        left = read(select(*people, Episode.discharged_at, Episode.pathway,
                           Service.name.label("service"))
                    .outerjoin(Service, Service.code == Episode.service_code)
                    .where(in_area, Episode.discharge_date.between(*days),
                           Episode.nctr_at <= end, Episode.discharged_at > start,
                           Episode.discharged_at <= end).order_by(Episode.discharged_at))
        changed = read(select(*people, DelayReasonChange.effective_at,
                              DelayReasonChange.reason_code)
                       .join(DelayReasonChange,
                             DelayReasonChange.episode_id == Episode.episode_id)
                       .where(in_area, DelayReasonChange.effective_at > start,
                              DelayReasonChange.effective_at <= end)
                       .order_by(DelayReasonChange.effective_at))
        action_columns = (PersonAction.id, PersonAction.episode_id, PersonAction.kind,
                          PersonAction.owner_team, PersonAction.due_at,
                          PersonAction.changed_by, PersonAction.changed_at)
        # From the actions (few) to their people, not from the area's people to their actions.
        of_area = select(*action_columns).join(
            Episode, Episode.episode_id == PersonAction.episode_id).where(in_area)
        done = read(of_area.where(
            PersonAction.status == "done", PersonAction.changed_at > start,
            PersonAction.changed_at <= end).order_by(PersonAction.changed_at))
        overdue = read(of_area.where(
            PersonAction.status != "done", PersonAction.due_at > start,
            PersonAction.due_at < end).order_by(PersonAction.due_at))
    frames = [_london(frame) for frame in (new, left, changed, done, overdue)]
    audit.record(engine, now, "view_people", f"changes since {as_london(since):%d %b %H:%M} in "
                 f"{area.code}", username=scope.username, role=scope.role,
                 rows=sum(len(f) for f in frames), client=client)
    return SinceThen(as_london(since), *frames)


def _london(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame's stored (naive UTC) times as London times."""
    for column in frame.columns:
        if column.endswith("_at"):
            frame[column] = pd.to_datetime(frame[column]).dt.tz_localize("UTC") \
                .dt.tz_convert(LONDON)
    return frame
