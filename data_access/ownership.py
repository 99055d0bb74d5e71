"""What a feed source may write: the kinds it is granted, its scope, and the records it owns.

An administrator grants a source the kinds of record it may send and the sites, services and
areas it may write for (``python -m dashboard source grant``); a source without grants can send
nothing. A source owns the records it created (``owner`` on every contract table; NULL = loaded
by the administrator). A delivery with any record outside these rules is refused as a whole,
each such record named with its reason. The rules, per kind (``everywhere`` puts every site,
service and area in scope; an area covers everything inside it):

- **every kind**: the kind is granted; a record already stored is the source's own (one created
  by another source, or by the administrator's load, is never changed by a feed);
- **areas**: the area is inside a granted area (where it is now; a new area where its parent
  puts it) and, when it is new or its parent changes, so is the new parent. A top-level area (no
  parent) needs ``everywhere``;
- **sites, services**: the code is granted, or the area it gives is inside a granted area;
- **episodes**: the site is granted, or the site's area is inside a granted area;
- **delays, nctr_periods**: the episode is writable by the source (the source's own, at a site in
  its scope);
- **actions** (the huddle's actions on a person, read and written through ``/api/v1/actions``,
  not a contract file): the same rule as delays, for every action on the episode, whoever
  recorded it (``episode_refusal``);
- **capacity**: the service is granted, or its area is inside a granted area;
- **goals, trigger_levels**: the goal's (trigger level's) area is inside a granted area.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select

from dashboard.clock import from_utc_naive
from data_access.contract import FILE_SPECS, SPECS_BY_KIND, parse_code
from data_access.feeds import FeedSourceError
from data_access.models import (
    AreaLink,
    Episode,
    FeedSource,
    Service,
    Site,
    SourceGrant,
    SourceScope,
)

# The kinds a source may be granted: the contract's files, and the actions on people (written
# through their own routes of the API, data_access/feed_actions.py, not as a file).
ACTIONS_KIND = "actions"
KINDS = (*SPECS_BY_KIND, ACTIONS_KIND)
# Files of records that belong to an episode: writable where the episode is.
EPISODE_DETAILS = ("delays.csv", "nctr_periods.csv")
SCOPES = ("site", "service", "area")
EVERYWHERE = "every"  # the scope row of a system-wide feed (its code is empty)
GRANT_COMMAND = "python -m dashboard source grant"

Key = tuple[Any, ...]
Rows = list[tuple[int, dict[str, Any]]]  # (position, parsed values) of a file's accepted rows


@dataclass(frozen=True)
class Grants:
    """The kinds a source may send and what it may write for."""

    source: str
    kinds: frozenset[str] = frozenset()
    sites: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()
    areas: frozenset[str] = frozenset()
    everywhere: bool = False

    @property
    def kinds_in_words(self) -> str:
        return ", ".join(kind for kind in KINDS if kind in self.kinds)

    def where(self, areas: str = "areas") -> str:
        """What it may write for, in words ("" if nothing)."""
        if self.everywhere:
            return "every site, service and area"
        return "; ".join(f"{label} {', '.join(sorted(codes))}" for label, codes in
                         (("sites", self.sites), ("services", self.services), (areas, self.areas))
                         if codes)

    def describe(self) -> str:
        """In words, for the command line."""
        if not self.kinds:
            return (f"{self.source}: no grants; it can send nothing until an administrator runs "
                    f"{GRANT_COMMAND} {self.source!r} --kinds ... --site/--service/--area ...")
        where = self.where("areas (each with everything inside it)")
        return (f"{self.source}: may send {self.kinds_in_words}; "
                f"for {where or 'nothing yet (no site, service or area granted)'}")


# --- administration -------------------------------------------------------------------------------

@dataclass(frozen=True)
class GrantChange:
    """Kinds and scope to grant or revoke."""

    kinds: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    everywhere: bool = False

    def __post_init__(self) -> None:
        unknown = sorted(set(self.kinds) - set(KINDS))
        if unknown:
            raise FeedSourceError(f"unknown kind(s) {', '.join(unknown)}; kinds are "
                                  f"{', '.join(KINDS)}")
        for code in (*self.sites, *self.services, *self.areas):
            try:
                parse_code(code)
            except ValueError as error:
                raise FeedSourceError(f"{code!r} is not a code: {error}") from None


def grant(engine: Engine, source: str, change: GrantChange) -> Grants:
    """Add kinds and scope to a registered source's grants (granting twice changes nothing)."""
    with engine.begin() as connection:
        _require_source(connection, source)
        held = grants_of(connection, source)
        kinds = [{"source_name": source, "kind": k} for k in dict.fromkeys(change.kinds)
                 if k not in held.kinds]
        if kinds:
            connection.execute(insert(SourceGrant), kinds)
        already = set(_scope_rows(held))
        scopes = [{"source_name": source, "scope": scope, "code": code}
                  for scope, code in dict.fromkeys(_scope_rows(change))
                  if (scope, code) not in already]
        if scopes:
            connection.execute(insert(SourceScope), scopes)
        return grants_of(connection, source)


def revoke(engine: Engine, source: str, change: GrantChange | None) -> Grants:
    """Remove kinds and scope from a source's grants; ``None`` removes every grant."""
    with engine.begin() as connection:
        _require_source(connection, source)
        if change is None:
            connection.execute(delete(SourceGrant).where(SourceGrant.source_name == source))
            connection.execute(delete(SourceScope).where(SourceScope.source_name == source))
        else:
            if change.kinds:
                connection.execute(delete(SourceGrant).where(
                    SourceGrant.source_name == source, SourceGrant.kind.in_(change.kinds)))
            for scope, code in _scope_rows(change):
                connection.execute(delete(SourceScope).where(
                    SourceScope.source_name == source, SourceScope.scope == scope,
                    SourceScope.code == code))
        return grants_of(connection, source)


def _scope_rows(grants: GrantChange | Grants) -> list[tuple[str, str]]:
    rows = [(scope, code) for scope, codes in
            (("site", grants.sites), ("service", grants.services), ("area", grants.areas))
            for code in sorted(codes)]
    return rows + ([(EVERYWHERE, "")] if grants.everywhere else [])


def _require_source(connection: Connection, source: str) -> None:
    if connection.scalar(select(FeedSource.name).where(FeedSource.name == source)) is None:
        raise FeedSourceError(f"there is no source {source!r}; make it with "
                              f"python -m dashboard token create {source!r}")


def grants_of(connection: Connection, source: str) -> Grants:
    kinds = frozenset(connection.scalars(select(SourceGrant.kind)
                                         .where(SourceGrant.source_name == source)))
    scoped: dict[str, set[str]] = {scope: set() for scope in (*SCOPES, EVERYWHERE)}
    for scope, code in connection.execute(select(SourceScope.scope, SourceScope.code)
                                          .where(SourceScope.source_name == source)):
        scoped.setdefault(scope, set()).add(code)
    return Grants(source, kinds, frozenset(scoped["site"]), frozenset(scoped["service"]),
                  frozenset(scoped["area"]), bool(scoped[EVERYWHERE]))


def all_grants(engine: Engine, source: str | None = None) -> list[Grants]:
    """Every registered source's grants (or one source's), by name."""
    with engine.connect() as connection:
        if source is not None:
            _require_source(connection, source)
            names = [source]
        else:
            names = list(connection.scalars(select(FeedSource.name).order_by(FeedSource.name)))
        return [grants_of(connection, name) for name in names]


def grants_table(grants: Iterable[Grants]) -> pd.DataFrame:
    """One row per source: the kinds it may send and what it may write for."""
    return pd.DataFrame([(g.source, g.kinds_in_words or "none", g.where() or "nothing")
                         for g in grants], columns=["source", "kinds", "writes for"])


def writable_places(engine: Engine, source: str) -> dict[str, Any]:
    """The kinds the source may send and the sites and services it may write for (by the
    rules above), for the feed API's reference."""
    with engine.connect() as connection:
        grants = grants_of(connection, source)
        scope = _Scope(connection, grants, {}, {})
        scope.site_area = dict(connection.execute(select(Site.code, Site.area_code)).all())
        scope.service_area = dict(connection.execute(select(Service.code,
                                                            Service.area_code)).all())
        scope.know_ancestors([*scope.site_area.values(), *scope.service_area.values()])
        return {"name": source, "kinds": [kind for kind in KINDS if kind in grants.kinds],
                "sites": [code for code in sorted(scope.site_area) if scope.site(code) is None],
                "services": [code for code in sorted(scope.service_area)
                             if scope.service(code) is None]}


# --- checking a delivery --------------------------------------------------------------------------

def refusals(connection: Connection, grants: Grants, batch: dict[str, Rows],
             stored: dict[str, dict[Key, Any]],
             whole_file_position: int) -> dict[str, list[tuple[int, str]]]:
    """Per contract file of the batch, the rows the source may not write, with the reason.

    ``batch`` holds each file's accepted rows; ``stored`` the rows of the same keys as stored
    now (with their ``owner``, and an area's ``parent_code``). A kind not granted refuses its
    whole file, named at ``whole_file_position`` (the CSV header, or the first record)."""
    scope = _Scope(connection, grants, batch, stored)
    found: dict[str, list[tuple[int, str]]] = {}
    for spec in FILE_SPECS:
        if spec.name not in batch:
            continue
        kind = spec.name.removesuffix(".csv")
        not_granted = kind_refusal(grants, kind)
        if not_granted:
            found[spec.name] = [(whole_file_position,
                                 f"{not_granted}; nothing of the delivery is written")]
            continue
        for position, row in batch[spec.name]:
            key = tuple(row[name] for name in spec.key)
            before = stored[spec.name].get(key)
            reason = (before is not None and scope.owned_elsewhere(kind, key, before.owner)) \
                or RULES[kind](scope, row, before)
            if reason:
                found.setdefault(spec.name, []).append((position, reason))
    return found


def kind_refusal(grants: Grants, kind: str) -> str | None:
    """Why the source may not send this kind (None if it may)."""
    if kind in grants.kinds:
        return None
    return (f"the kind {kind} is not granted to source {grants.source!r} (an administrator "
            f"grants it: {GRANT_COMMAND})")


def episode_refusal(connection: Connection, grants: Grants, episode_id: str) -> str | None:
    """Why the source may not write what belongs to a stored episode (its delay reasons, NCTR
    periods and actions): the episode is not its own, or its site is outside the source's
    scope. None if it may."""
    return _Scope(connection, grants, {}, {}, episode_ids={episode_id}).episode(episode_id)


def describe(kind: str, key: Key) -> str:
    """A record named for people: "episode E1", "capacity report of P1H at ..."."""
    if kind == "delays":
        return f"delay reason of episode {key[0]} from {from_utc_naive(key[1]):%Y-%m-%d %H:%M}"
    if kind == "nctr_periods":
        return f"NCTR period of episode {key[0]} from {from_utc_naive(key[1]):%Y-%m-%d %H:%M}"
    if kind == "goals":
        return f"goal for {key[1]} in area {key[0]} from {key[2]}"
    if kind == "trigger_levels":
        return f"trigger level {key[2]} of {key[1]} in area {key[0]}"
    if kind == "capacity":
        return f"capacity report of service {key[0]} at {from_utc_naive(key[1]):%Y-%m-%d %H:%M}"
    return f"{kind.removesuffix('s')} {key[0]}"


class _Scope:
    """Where the batch's records lie, looked up once per delivery: the areas above each area
    (stored, or given by the batch for a new one), the area of each site and service, and the
    owner and site of each episode delays refer to."""

    def __init__(self, connection: Connection, grants: Grants, batch: dict[str, Rows],
                 stored: dict[str, dict[Key, Any]], episode_ids: set[str] | None = None) -> None:
        self.connection, self.grants = connection, grants
        self.batch = {name: {tuple(row[k] for k in _spec(name).key): row for _, row in rows}
                      for name, rows in batch.items()}
        new_areas = {code: row for (code,), row in self.batch.get("areas.csv", {}).items()
                     if (code,) not in stored.get("areas.csv", {})}
        self.new_parent = {code: row["parent_code"] for code, row in new_areas.items()}
        self.ancestors: dict[str, set[str]] = {}
        self.episodes = self._episodes(episode_ids or set())
        self.site_area = self._area_of("sites.csv", Site, {site for _, site in
                                                            self.episodes.values()})
        self.service_area = self._area_of("services.csv", Service, set())
        self.know_ancestors([*self.new_parent.values(), *self.site_area.values(),
                             *self.service_area.values(),
                             *(code for (code,) in self.batch.get("areas.csv", {}))])

    def _area_of(self, file_name: str, table: Any, also: set[str]) -> dict[str, str]:
        """The area of every site (or service) the batch names, and of those ``also`` names:
        as the batch gives it, else as stored."""
        given = {code: row["area_code"] for (code,), row in self.batch.get(file_name, {}).items()}
        column = {"sites.csv": "site_code", "services.csv": "service_code"}[file_name]
        wanted = {row.get(column) for rows in self.batch.values() for row in rows.values()}
        wanted = ({code for code in wanted if code is not None} | also) - set(given)
        stored = _rows_where_in(self.connection, select(table.code, table.area_code),
                                table.code, wanted)
        return {**dict(stored), **given}

    def _episodes(self, also: set[str]) -> dict[str, tuple[str | None, str]]:
        """Owner and site of each episode delays and NCTR periods refer to (and of those
        ``also`` names), as stored (the batch's episodes are checked as episodes; a detail of
        one refused with it is refused too)."""
        wanted = {row["episode_id"] for name in EPISODE_DETAILS
                  for row in self.batch.get(name, {}).values()} | also
        found = {episode_id: (owner, site_code) for episode_id, owner, site_code in
                 _rows_where_in(self.connection, select(Episode.episode_id, Episode.owner,
                                                        Episode.site_code),
                                Episode.episode_id, wanted)}
        for (episode_id,), row in self.batch.get("episodes.csv", {}).items():
            if episode_id in wanted:
                found[episode_id] = (found.get(episode_id, (self.grants.source,))[0],
                                     row["site_code"])
        return found

    def inside(self, area_code: str | None, seen: frozenset[str] = frozenset()) -> bool:
        """The area is a granted one or inside one (a new area: where its parent puts it)."""
        if self.grants.everywhere:
            return True
        if area_code is None or area_code in seen:
            return False
        if area_code in self.new_parent:
            return area_code in self.grants.areas or \
                self.inside(self.new_parent[area_code], seen | {area_code})
        self.know_ancestors([area_code])
        return bool(self.ancestors[area_code] & self.grants.areas)

    def know_ancestors(self, codes: Iterable[str | None]) -> None:
        """Read the areas each stored area of ``codes`` lies in (itself included), those not
        read yet, in as few statements as may be."""
        wanted = {code for code in codes if code is not None} - set(self.ancestors) \
            - set(self.new_parent)
        if self.grants.everywhere or not wanted:
            return
        for code in wanted:
            self.ancestors[code] = set()
        for descendant, ancestor in _rows_where_in(
                self.connection, select(AreaLink.descendant_code, AreaLink.ancestor_code),
                AreaLink.descendant_code, wanted):
            self.ancestors[descendant].add(ancestor)

    def owned_elsewhere(self, kind: str, key: Key, owner: str | None) -> str | None:
        """Why a stored record is not the source's to change (None if it is)."""
        if owner == self.grants.source:
            return None
        if owner is None:
            return (f"{describe(kind, key)} was loaded by the administrator "
                    "(python -m dashboard load); no feed may change it")
        return f"{describe(kind, key)} belongs to source {owner!r}"

    def episode(self, episode_id: str) -> str | None:
        """Why what belongs to the episode is not the source's to write (None if it is): the
        episode is another's, or at a site outside the source's scope."""
        owner, site_code = self.episodes[episode_id]
        return self.owned_elsewhere("episodes", (episode_id,), owner) or self.site(site_code)

    def site(self, code: str) -> str | None:
        if code in self.grants.sites or self.inside(self.site_area.get(code)):
            return None
        return (f"site {code} is not among the sites granted to {self.grants.source!r}, nor "
                "inside its areas")

    def service(self, code: str) -> str | None:
        if code in self.grants.services or self.inside(self.service_area.get(code)):
            return None
        return (f"service {code} is not among the services granted to "
                f"{self.grants.source!r}, nor inside its areas")


def _area_rule(scope: _Scope, row: dict[str, Any], before: Any) -> str | None:
    code, parent, upper = row["code"], row["parent_code"], row["upper_tier_code"]
    source = scope.grants.source
    if before is not None and not scope.inside(code):  # a new area is where its parent is
        return f"area {code} is not inside the areas granted to {source!r}"
    if upper is not None and (before is None or before.upper_tier_code != upper) \
            and not scope.inside(upper):
        return (f"the upper-tier local authority {upper} of area {code} is not inside the areas "
                f"granted to {source!r}")
    if before is not None and before.parent_code == parent:
        return None
    if parent is None and not scope.grants.everywhere:
        return (f"area {code} would have no parent: only a source granted every area may add "
                "a top-level area")
    if not scope.inside(parent):
        return (f"the new parent {parent} of area {code} is not inside the areas granted to "
                f"{source!r}")
    return None


def _place_rule(kind: str) -> Callable[[_Scope, dict[str, Any], Any], str | None]:
    """Sites and services: their own code granted, or the area they give inside the scope."""
    def rule(scope: _Scope, row: dict[str, Any], before: Any) -> str | None:
        granted = scope.grants.sites if kind == "site" else scope.grants.services
        if row["code"] in granted or scope.inside(row["area_code"]):
            return None
        return (f"{kind} {row['code']} is not among the {kind}s granted to "
                f"{scope.grants.source!r}, and its area {row['area_code']} is not inside its "
                "areas")

    return rule


def _delay_rule(scope: _Scope, row: dict[str, Any], before: Any) -> str | None:
    """A record of an episode's (a delay reason, an NCTR period): the episode's rule."""
    return scope.episode(row["episode_id"])


def _area_record_rule(what: str) -> Callable[[_Scope, dict[str, Any], Any], str | None]:
    """A record set for an area (a goal, a trigger level): the area is inside a granted area."""
    def rule(scope: _Scope, row: dict[str, Any], before: Any) -> str | None:
        if scope.inside(row["area_code"]):
            return None
        return (f"area {row['area_code']} of the {what} is not inside the areas granted to "
                f"{scope.grants.source!r}")

    return rule


RULES: dict[str, Callable[[_Scope, dict[str, Any], Any], str | None]] = {
    "areas": _area_rule,
    "sites": _place_rule("site"),
    "services": _place_rule("service"),
    "episodes": lambda scope, row, before: scope.site(row["site_code"]),
    "delays": _delay_rule,
    "nctr_periods": _delay_rule,
    "capacity": lambda scope, row, before: scope.service(row["service_code"]),
    "goals": _area_record_rule("goal"),
    "trigger_levels": _area_record_rule("trigger level"),
}


def _spec(file_name: str) -> Any:
    return SPECS_BY_KIND[file_name.removesuffix(".csv")]


def _rows_where_in(connection: Connection, query: Any, column: Any,
                   wanted: set[str]) -> Iterator[Any]:
    """``query``'s rows whose ``column`` is one of ``wanted``, asked 500 at a time."""
    values = sorted(wanted)
    for start in range(0, len(values), 500):
        yield from connection.execute(query.where(column.in_(values[start:start + 500])))
