"""Feed sources and their API tokens, each source's freshness, and the data version.

A token is shown once, when it is made, and stored only as its SHA-256 hash. Tokens are 256 random
bits, so a fast hash is enough (a slow password hash guards guessable secrets; these are not).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, func, select, update

from dashboard.clock import from_utc_naive, to_utc_naive
from dashboard.results import SourceFreshness
from data_access.models import (
    ApiToken,
    Area,
    FeedSource,
    Load,
    PersonActionChange,
    Service,
    Site,
)

TOKEN_PREFIX = "icd_"
ACCEPTED_OUTCOMES = ("loaded", "partial")


class FeedSourceError(ValueError):
    """A token or source request that cannot be met; the message says why."""


@dataclass(frozen=True)
class NewToken:
    token_id: int
    source: str
    token: str  # the only time the token itself exists outside the caller's hands


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(engine: Engine, source: str, now: datetime,
                 expected_every_minutes: int | None = None) -> NewToken:
    """A new token for ``source`` (made on first use); sets its expected interval if given."""
    source = source.strip()
    if not source or len(source) > 100:
        raise FeedSourceError("a source name is 1 to 100 characters")
    if expected_every_minutes is not None and expected_every_minutes < 1:
        raise FeedSourceError("the expected interval is at least 1 minute")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    stamp = to_utc_naive(now)
    with engine.begin() as connection:
        known = connection.scalar(select(FeedSource.name).where(FeedSource.name == source))
        if known is None:
            connection.execute(FeedSource.__table__.insert(), {
                "name": source, "created_at": stamp,
                "expected_every_minutes": expected_every_minutes})
        elif expected_every_minutes is not None:
            connection.execute(update(FeedSource).where(FeedSource.name == source)
                               .values(expected_every_minutes=expected_every_minutes))
        token_id = connection.execute(ApiToken.__table__.insert().returning(ApiToken.id), {
            "source_name": source, "token_hash": hash_token(token),
            "prefix": token[:12], "created_at": stamp}).scalar_one()
    return NewToken(token_id, source, token)


def revoke_token(engine: Engine, token_id: int, now: datetime) -> bool:
    """Revoke a token by its id; False if there is no such live token."""
    with engine.begin() as connection:
        result = connection.execute(
            update(ApiToken).where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=to_utc_naive(now)))
    return result.rowcount == 1


def list_tokens(engine: Engine) -> pd.DataFrame:
    """Every token (never the token itself): id, source, prefix, made, last used, revoked."""
    query = select(ApiToken.id, ApiToken.source_name.label("source"), ApiToken.prefix,
                   ApiToken.created_at, ApiToken.last_used_at, ApiToken.revoked_at,
                   FeedSource.expected_every_minutes) \
        .join(FeedSource, FeedSource.name == ApiToken.source_name).order_by(ApiToken.id)
    with engine.connect() as connection:
        return pd.DataFrame(connection.execute(query).mappings().all(),
                            columns=["id", "source", "prefix", "created_at", "last_used_at",
                                     "revoked_at", "expected_every_minutes"])


def authenticate(engine: Engine, token: str, now: datetime) -> str | None:
    """The source a live token belongs to (and note its use), or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    with engine.begin() as connection:
        row = connection.execute(
            select(ApiToken.id, ApiToken.source_name)
            .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
        ).first()
        if row is None:
            return None
        connection.execute(update(ApiToken).where(ApiToken.id == row.id)
                           .values(last_used_at=to_utc_naive(now)))
    return str(row.source_name)


def source_freshness(engine: Engine, now: datetime) -> list[SourceFreshness]:
    """Each registered feed source: when it last delivered, what, and whether it has gone quiet.

    A source is quiet when its last accepted delivery is more than its expected interval before
    ``now`` (exactly the interval is still on time), or when it has never delivered. A source
    with no expected interval is never flagged.
    """
    delivered = (select(Load.source, Load.file_name, func.max(Load.finished_at).label("last"))
                 .where(Load.channel == "feed", Load.outcome.in_(ACCEPTED_OUTCOMES))
                 .group_by(Load.source, Load.file_name).subquery())
    query = (select(FeedSource.name, FeedSource.expected_every_minutes, delivered.c.file_name,
                    delivered.c.last)
             .outerjoin(delivered, delivered.c.source == FeedSource.name)
             .order_by(FeedSource.name))
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    by_source: dict[str, tuple[int | None, list[str], list[datetime]]] = {}
    for name, every, file_name, last in rows:
        _, kinds, lasts = by_source.setdefault(name, (every, [], []))
        if file_name is not None:
            kinds.append(file_name)
            lasts.append(last)
    stamp = to_utc_naive(now)
    result = []
    for name, (every, kinds, lasts) in by_source.items():
        last = max(lasts) if lasts else None
        quiet = every is not None and (last is None or stamp - last > timedelta(minutes=every))
        result.append(SourceFreshness(name, every, from_utc_naive(last) if last else None,
                                      frozenset(kinds), quiet))
    return result


def data_version(engine: Engine) -> int:
    """Grows with every load or delivery (accepted or not) and every change to an action on a
    person (their history only grows): a key for caches, and what makes open pages redraw."""
    loads = func.coalesce(select(func.max(Load.id)).scalar_subquery(), 0)
    changes = select(func.count()).select_from(PersonActionChange).scalar_subquery()
    with engine.connect() as connection:  # one statement: a thousand browsers ask for it
        return int(connection.scalar(select((loads + changes).label("version"))) or 0)


def reference_lists(engine: Engine) -> dict[str, list[dict[str, object]]]:
    """The areas, sites and services a source may refer to (the feed API's reference)."""
    queries = {
        "areas": select(Area.code, Area.name, Area.level, Area.parent_code).order_by(Area.code),
        "sites": select(Site.code, Site.name, Site.trust_code, Site.area_code)
        .order_by(Site.code),
        "services": select(Service.code, Service.name, Service.pathway, Service.setting,
                           Service.area_code, Service.places).order_by(Service.code),
    }
    with engine.connect() as connection:
        return {name: [dict(row) for row in connection.execute(query).mappings()]
                for name, query in queries.items()}
