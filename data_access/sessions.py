"""Sessions kept on the server, and device cookies.

A session's id is 256 random bits, new at every sign-in. The browser keeps it in the signed
session cookie; the database keeps only its SHA-256, so a copy of the table signs no one in.
Every request looks its session up (``data_access.access.session_scope``) and is refused if the
session was ended, has been idle too long or is too old. A change to a user (password, role,
areas, disabled) ends all their sessions in the same transaction (``end_sessions_of``); an
administrator can end them from the Administration page (``revoke_user``).

A device cookie (OWASP, "Slow Down Online Guessing Attacks with Device Cookies") marks a browser
its user has signed in from before: sign-in attempts carrying it are limited on their own, so
that someone guessing a username's password cannot lock its owner out. It is a random nonce
bound to one username; only its SHA-256 is stored, so that it can be revoked and its failures
counted per cookie (dashboard/sign_in.py).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select, update

from dashboard.clock import from_utc_naive, to_utc_naive
from data_access import audit
from data_access.models import DeviceCookie, UserSession

SECRET_BYTES = 32  # 256 bits, for session ids and device cookie nonces
# A session's last-seen time is written at most this often (not on every request); the idle
# limit is counted from it, so a session may end up to this much early.
SEEN_EVERY = timedelta(minutes=1)
# Ended and expired sessions are deleted this long after sign-in (the audit log keeps sign-ins).
SESSIONS_KEPT = timedelta(days=30)
DEVICE_COOKIE_LIFETIME = timedelta(days=180)

# Why a session ended (user_sessions.end_reason; the Administration page shows it).
SIGNED_OUT = "signed out"
REPLACED = "replaced by a new sign-in in the same browser"
PASSWORD_CHANGED = "password changed"
ROLE_CHANGED = "role changed"
AREAS_CHANGED = "areas changed"
DISABLED = "user disabled"


def revoked_by(administrator: str) -> str:
    return f"revoked by {administrator}"[:100]


def new_secret() -> str:
    """A random secret for a browser to hold: a session id or a device cookie nonce."""
    return secrets.token_urlsafe(SECRET_BYTES)


def digest(secret: str) -> str:
    """What the database stores of a secret: its SHA-256, in hex."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class SessionLimits:
    idle: timedelta
    longest: timedelta

    def why_over(self, signed_in_at: datetime, last_seen_at: datetime,
                 now: datetime) -> str | None:
        """Why a session nobody ended is over at ``now``; None while it is live. (Any three
        times of one kind: stored naive UTC, or aware.)"""
        if now - signed_in_at > self.longest:
            return f"maximum age ({_duration(self.longest)} since sign-in)"
        if now - last_seen_at > self.idle:
            return f"idle ({_duration(self.idle)} without a request)"
        return None


def _duration(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes % 60:
        return f"{minutes} minutes"
    return f"{minutes // 60} hour{'s' if minutes != 60 else ''}"


# --- sessions ---------------------------------------------------------------------------------

def start_session(engine: Engine, username: str, now: datetime, client: str | None) -> str:
    """A new session for a user who has just signed in; its id (the browser's to keep)."""
    session_id, at = new_secret(), to_utc_naive(now)
    with engine.begin() as connection:
        connection.execute(delete(UserSession).where(
            UserSession.signed_in_at < at - SESSIONS_KEPT))
        connection.execute(insert(UserSession), {
            "id_hash": digest(session_id), "username": username, "signed_in_at": at,
            "last_seen_at": at, "client": client[:64] if client else None})
    return session_id


def note_seen(engine: Engine, id_hash: str, last_seen_at: datetime, now: datetime) -> None:
    """Move a live session's last-seen time (stored form) to ``now``, at most once a minute."""
    at = to_utc_naive(now)
    if at - last_seen_at < SEEN_EVERY:
        return
    with engine.begin() as connection:
        connection.execute(update(UserSession).where(UserSession.id_hash == id_hash,
                                                     UserSession.ended_at.is_(None))
                           .values(last_seen_at=at))


def end_session(engine: Engine, id_hash: str, now: datetime, reason: str) -> bool:
    """End one session (sign-out, or found idle or too old); whether it was live."""
    with engine.begin() as connection:
        done = connection.execute(update(UserSession).where(UserSession.id_hash == id_hash,
                                                            UserSession.ended_at.is_(None))
                                  .values(ended_at=to_utc_naive(now), end_reason=reason[:100]))
    return done.rowcount == 1


def end_sessions_of(connection: Connection, username: str, now: datetime, reason: str) -> int:
    """End every live session of a user, inside the caller's transaction (the one that makes
    the change that ends them); how many were live."""
    done = connection.execute(update(UserSession).where(UserSession.username == username,
                                                        UserSession.ended_at.is_(None))
                              .values(ended_at=to_utc_naive(now), end_reason=reason[:100]))
    return int(done.rowcount)


def revoke_user(engine: Engine, username: str, now: datetime, administrator: str,
                role: str | None = None, client: str | None = None) -> int:
    """An administrator ends all of a user's sessions at once and forgets the browsers they
    signed in from (their device cookies), recorded in the audit log (who, whose, how many);
    how many sessions were live."""
    with engine.begin() as connection:
        ended = end_sessions_of(connection, username, now, revoked_by(administrator))
        forget_device_cookies(connection, username)
    audit.record(engine, now, "sessions_revoked", f"sessions of {username}",
                 username=administrator, role=role, rows=ended,
                 detail=f"every session of {username} ended and their device cookies forgotten",
                 client=client)
    return ended


SESSION_COLUMNS = ["username", "signed_in_at", "last_seen_at", "client", "state", "why_ended"]


def list_sessions(engine: Engine, now: datetime, limits: SessionLimits,
                  limit: int = 100) -> pd.DataFrame:
    """The newest sessions first, live or not; times in London time. ``state`` is "active" or
    "ended"; ``why_ended`` says why (an idle or too old session may not be marked yet)."""
    query = select(UserSession.username, UserSession.signed_in_at, UserSession.last_seen_at,
                   UserSession.client, UserSession.ended_at, UserSession.end_reason) \
        .order_by(UserSession.signed_in_at.desc(), UserSession.username).limit(limit)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    at = to_utc_naive(now)
    listed = []
    for row in rows:
        why = row.end_reason if row.ended_at is not None else \
            limits.why_over(row.signed_in_at, row.last_seen_at, at)
        listed.append((row.username, from_utc_naive(row.signed_in_at),
                       from_utc_naive(row.last_seen_at), row.client,
                       "active" if why is None else "ended", why or ""))
    return pd.DataFrame(listed, columns=SESSION_COLUMNS)


# --- device cookies ---------------------------------------------------------------------------

@dataclass(frozen=True)
class TrustedDevice:
    """A valid device cookie, presented for the username it was issued to."""

    nonce_hash: str

    @property
    def label(self) -> str:
        """Names the cookie in the audit log (a prefix of the hash: it reveals nothing)."""
        return self.nonce_hash[:12]


def trusted_device(engine: Engine, nonce: str | None, username: str,
                   now: datetime) -> TrustedDevice | None:
    """The device cookie ``nonce`` if it is valid for ``username`` (issued to that user, not
    revoked, not expired); else None."""
    if not nonce or len(nonce) > 100:
        return None
    nonce_hash = digest(nonce)
    with engine.connect() as connection:
        issued_at = connection.scalar(select(DeviceCookie.issued_at).where(
            DeviceCookie.nonce_hash == nonce_hash, DeviceCookie.username == username[:64]))
    if issued_at is None or to_utc_naive(now) - issued_at > DEVICE_COOKIE_LIFETIME:
        return None
    return TrustedDevice(nonce_hash)


def issue_device_cookie(engine: Engine, username: str, now: datetime,
                        replacing: TrustedDevice | None) -> str:
    """A new device cookie for a user who has just signed in (the nonce, for the browser); the
    one the browser presented is replaced, and the user's expired ones are deleted."""
    nonce, at = new_secret(), to_utc_naive(now)
    with engine.begin() as connection:
        connection.execute(delete(DeviceCookie).where(
            DeviceCookie.username == username,
            DeviceCookie.issued_at < at - DEVICE_COOKIE_LIFETIME))
        if replacing is not None:
            connection.execute(delete(DeviceCookie).where(
                DeviceCookie.nonce_hash == replacing.nonce_hash))
        connection.execute(insert(DeviceCookie), {"nonce_hash": digest(nonce),
                                                  "username": username, "issued_at": at})
    return nonce


def forget_device_cookies(connection: Connection, username: str) -> None:
    """Revoke every device cookie of a user (inside the caller's transaction)."""
    connection.execute(delete(DeviceCookie).where(DeviceCookie.username == username))
