"""The huddle's actions on each person: the next step, who owns it, by when, and its status.

Person-level, so every function checks the caller first: the role (only hub leads hold
``people``) and an area checked for this very user (``require_checked_for``); the person must
live in that area. Reading and writing the actions themselves (versions, history, audit) is
``data_access.action_store``'s, shared with the feed API's way in (``data_access.feed_actions``):
every view and change is recorded in the audit log, in the same transaction as a change; a
change on an old version raises ``VersionConflict`` and writes nothing; every version is kept
in ``person_action_changes``, with the values before and after.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, select

from dashboard.clock import as_london, from_utc_naive, to_utc_naive
from dashboard.escalation import ActionState, flags_for, level_of
from dashboard.results import SinceThen, UserScope
from dashboard.vocabulary import DELAY_REASONS, INTERMEDIATE_CARE_PATHWAYS
from data_access import action_store as store
from data_access import audit
from data_access.access import AreaInScope, area_inside, require, require_checked_for
from data_access.action_store import ActionError, Author, london_times
from data_access.action_store import VersionConflict as VersionConflict  # the huddle's callbacks
from data_access.areas import episodes_in_area
from data_access.contract import storable
from data_access.huddle import huddle_list
from data_access.metrics.capacity import capacity_at
from data_access.models import DelayReasonChange, Episode, PersonAction, Service

WHAT = "actions on people"


def record_action(engine: Engine, scope: UserScope, area: AreaInScope, episode_id: str,
                  values: dict[str, Any], now: datetime, client: str | None = None) -> int:
    """A new action (version 1) on a person waiting in the area; its id."""
    _check(engine, scope, area, now, client)
    return store.record(engine, _author(scope, client), episode_id, values, now,
                        _in_area(area))


def change_action(engine: Engine, scope: UserScope, area: AreaInScope, action_id: int,
                  version: int, values: dict[str, Any], now: datetime,
                  client: str | None = None) -> int:
    """Change an action made on ``version``; its new version. ``VersionConflict`` (nothing
    written) when someone changed it since."""
    _check(engine, scope, area, now, client)
    return store.change(engine, _author(scope, client), action_id, version, values, now,
                        _in_area(area))


def actions_in_area(engine: Engine, scope: UserScope, area: AreaInScope, now: datetime,
                    client: str | None = None) -> pd.DataFrame:
    """Every action on a person whose home is in the area, due first (London times); recorded
    as a view of people (the number of actions)."""
    _check(engine, scope, area, now, client)
    return store.read(engine, _author(scope, client), episodes_in_area(area),
                      f"{WHAT} in {area.code}", now)


def action_history(engine: Engine, scope: UserScope, area: AreaInScope, action_id: int,
                   now: datetime, client: str | None = None) -> pd.DataFrame:
    """Every version of an action, oldest first, with the values before and after."""
    _check(engine, scope, area, now, client)
    return store.history(engine, _author(scope, client), action_id, now, _in_area(area))


def _check(engine: Engine, scope: UserScope, area: AreaInScope, now: datetime,
           client: str | None) -> None:
    require(engine, scope, "people", now, WHAT, client)
    require_checked_for(engine, scope, area, now, WHAT, client)


def _author(scope: UserScope, client: str | None) -> Author:
    return Author(scope.username, scope.role, client)


def _in_area(area: AreaInScope) -> store.PersonCheck:
    """The check of a hub lead's way in: the person's home is inside the checked area."""
    return lambda connection, episode_id: _require_person_in_area(connection, area, episode_id)


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
    frames = [london_times(frame) for frame in (new, left, changed, done, overdue)]
    audit.record(engine, now, "view_people", f"changes since {as_london(since):%d %b %H:%M} in "
                 f"{area.code}", username=scope.username, role=scope.role,
                 rows=sum(len(f) for f in frames), client=client)
    return SinceThen(as_london(since), *frames)
