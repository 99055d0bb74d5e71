"""The huddle list: the people waiting now in a hub's areas, for the care transfer hub lead.

Person-level rows: every function here checks the caller's role and area scope first (the check
lives beside the data because any client can call any callback with any input), and every list
of people handed out is recorded in the audit log (who, when, what scope, how many rows).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import ColumnElement, Engine, ScalarSelect, func, select
from sqlalchemy.orm import aliased

from dashboard.clock import LONDON, as_london, to_utc_naive
from dashboard.results import HuddleFilterOptions, UserScope
from dashboard.vocabulary import (
    AMBITION_HOURS,
    DELAY_REASONS,
    NOT_RECORDED,
    REASON_GROUPS,
    WAITED_AT_LEAST_DAYS,
)
from data_access import audit
from data_access.access import AreaInScope, require, require_checked_for
from data_access.areas import episodes_in_area
from data_access.metrics.delays import current_reason, with_reason_names
from data_access.metrics.waiting import waiting_condition
from data_access.models import DelayReasonChange, Episode, Load, Site

WHAT = "the huddle list"
HUDDLE_COLUMNS = [
    "person_ref", "episode_id", "site_code", "site", "ward", "nctr_at", "hours_waiting",
    "over_24_hours", "pathway", "reason_code", "reason_group", "reason", "reason_since",
    "hours_on_reason", "referred_to_hub_at", "last_update"]
# Worked out in _finish; the rest come from the query.
_DERIVED = ("hours_waiting", "over_24_hours", "reason_group", "reason", "hours_on_reason")
_TIMES = ("nctr_at", "reason_since", "referred_to_hub_at", "last_update")


def huddle_list(engine: Engine, scope: UserScope, area: AreaInScope, now: datetime, *,
                pathway: int | None = None, reason_group: str | None = None,
                site_code: str | None = None, waited_days: int | None = None,
                client: str | None = None) -> pd.DataFrame:
    """Everyone **waiting** at ``now`` (NCTR at or before now, not yet discharged) whose home is
    in the area, **longest wait first**, one row per person (episode).

    - **Hours since NCTR** = now - `nctr_at`; **over 24 hours** when more than 24.0 h (exactly
      24.0 h is not over), as "waiting over 24 hours" counts it.
    - **Current reason**: the latest reason that took effect at or before now ("not recorded"
      when none has yet); **hours on reason** = now - when that reason took effect.
    - **Last update**: the episode's `updated_at` from the source, else when the load that
      wrote it finished.
    - Filters: intended `pathway`; `reason_group` (one of the five groups, or "not recorded");
      hospital `site_code`; waited at least `waited_days` whole days since NCTR (7, 14, or 21:
      the longest delays).

    Only a hub lead may call it, only for an area inside their hub (``AccessDenied`` otherwise,
    and the refusal is recorded); each call is recorded as a ``view_people`` event with the
    number of rows. Times are London times.
    """
    _check(engine, scope, area, now, client)
    at_utc = to_utc_naive(now)
    statement = (
        select(Episode.person_ref, Episode.episode_id, Episode.site_code,
               Site.name.label("site"), Episode.ward, Episode.nctr_at, Episode.pathway,
               current_reason(at_utc).label("reason_code"),
               _reason_since(at_utc).label("reason_since"), Episode.referred_to_hub_at,
               func.coalesce(Episode.updated_at, Load.finished_at).label("last_update"))
        .select_from(Episode)
        .join(Site, Site.code == Episode.site_code)
        .outerjoin(Load, Load.id == Episode.load_id)
        .where(*_people_waiting(area, at_utc, site_code))
        .order_by(Episode.nctr_at, Episode.episode_id)
    )
    if pathway is not None:
        statement = statement.where(Episode.pathway == pathway)
    if reason_group is not None:
        statement = statement.where(_in_reason_group(reason_group, at_utc))
    if waited_days is not None:
        if waited_days not in WAITED_AT_LEAST_DAYS:
            raise ValueError(f"waited_days is one of {WAITED_AT_LEAST_DAYS}")
        statement = statement.where(Episode.nctr_at <= at_utc - timedelta(days=waited_days))
    with engine.connect() as connection:
        rows = connection.execute(statement).mappings().all()
    queried = [column for column in HUDDLE_COLUMNS if column not in _DERIVED]
    frame = _finish(pd.DataFrame(rows, columns=queried), now)
    audit.record(engine, now, "view_people",
                 _scope_text(area, pathway, reason_group, site_code, waited_days),
                 username=scope.username, role=scope.role, rows=len(frame), client=client)
    return frame


def huddle_filter_options(engine: Engine, scope: UserScope, area: AreaInScope, now: datetime, *,
                          client: str | None = None) -> HuddleFilterOptions:
    """The sites and reason groups of the people waiting now in the area (the same checks as
    ``huddle_list``; no people are returned, so nothing is recorded but a refusal)."""
    _check(engine, scope, area, now, client)
    at_utc = to_utc_naive(now)
    waiting = _people_waiting(area, at_utc)
    with engine.connect() as connection:
        sites = connection.execute(
            select(Site.code, Site.name).where(Site.code.in_(
                select(Episode.site_code).where(*waiting))).order_by(Site.name, Site.code)).all()
        codes = connection.scalars(
            select(current_reason(at_utc).label("reason_code")).where(*waiting).distinct()).all()
    present = {DELAY_REASONS[c].group if c in DELAY_REASONS else NOT_RECORDED for c in codes}
    return HuddleFilterOptions(
        sites=[(code, name) for code, name in sites],
        reason_groups=[g for g in (*REASON_GROUPS, NOT_RECORDED) if g in present])


def _check(engine: Engine, scope: UserScope, area: AreaInScope, now: datetime,
           client: str | None) -> None:
    """The role, and an area checked for this user (``area_in_scope`` refused it already if it
    is outside their hub; one checked for someone else, or for system use, is refused here)."""
    require(engine, scope, "people", now, WHAT, client)
    require_checked_for(engine, scope, area, now, WHAT, client)


def _people_waiting(area: AreaInScope, at_utc: datetime,
                    site_code: str | None = None) -> list[ColumnElement[bool]]:
    conditions = [waiting_condition(at_utc), episodes_in_area(area)]
    if site_code is not None:
        conditions.append(Episode.site_code == site_code)
    return conditions


def _reason_since(at_utc: datetime) -> ScalarSelect[datetime]:
    """When the current reason (``current_reason``) took effect: the latest `effective_at` at
    or before T."""
    change = aliased(DelayReasonChange)
    return (select(func.max(change.effective_at))
            .where(change.episode_id == Episode.episode_id, change.effective_at <= at_utc)
            .scalar_subquery())


def _in_reason_group(group: str, at_utc: datetime) -> ColumnElement[bool]:
    reason = current_reason(at_utc)
    if group == NOT_RECORDED:
        return reason.is_(None)
    if group not in REASON_GROUPS:
        raise ValueError(f"unknown reason group {group!r}")
    return reason.in_([r.code for r in DELAY_REASONS.values() if r.group == group])


def _finish(frame: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """London times, durations in hours, the reason's group and text, the columns in order."""
    now = as_london(now)
    for column in _TIMES:
        frame[column] = pd.to_datetime(frame[column]).dt.tz_localize("UTC").dt.tz_convert(LONDON)
    waited = pd.Timestamp(now) - frame.nctr_at
    frame["hours_waiting"] = waited.dt.total_seconds() / 3600.0
    frame["over_24_hours"] = waited > timedelta(hours=AMBITION_HOURS)
    frame["hours_on_reason"] = (pd.Timestamp(now) - frame.reason_since).dt.total_seconds() / 3600.0
    frame["pathway"] = frame.pathway.astype("Int64")
    return with_reason_names(frame)[HUDDLE_COLUMNS]


def _scope_text(area: AreaInScope, pathway: int | None, reason_group: str | None,
                site_code: str | None, waited_days: int | None = None) -> str:
    """What was asked for, as the audit log keeps it."""
    filters = [f"pathway {pathway}" if pathway is not None else "",
               f"reason group {reason_group}" if reason_group else "",
               f"site {site_code}" if site_code else "",
               f"waited {waited_days}+ days" if waited_days else ""]
    chosen = "; ".join(f for f in filters if f)
    return f"{WHAT} for {area.code}" + (f" ({chosen})" if chosen else "")
