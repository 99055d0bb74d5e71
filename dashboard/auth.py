"""Sessions, CSRF and security headers, for every route of the server.

One ``before_request`` guard covers everything the server answers: pages, Dash's layout,
dependencies and callback endpoint, and exports. Only the sign-in page (dashboard/sign_in.py),
static files, the feed API (which has its own tokens) and the health check (which says "OK" and
nothing else) are open.

Sessions live on the server (data_access.sessions): the browser's signed cookie carries only
the session's random id (and the CSRF token). Every request looks the session up in the
database and reads the user's scope with it, so an ended session, a disabled user or a changed
role is refused at once, on every worker and instance; the scope is kept in ``flask.g`` for the
callbacks, and nothing the browser sends can change it. While the database does not answer, the
session this process last saw as valid stands in (dashboard.last_seen); without one, pages get
the outage page and an open page's callbacks run without a scope, so that they answer with the
banner alone.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

from flask import Flask, Response, current_app, g, jsonify, redirect, request, session
from werkzeug.wrappers import Response as BaseResponse

from dashboard.cache import DatabaseDown
from dashboard.config import PROJECT_ROOT, Settings
from dashboard.context import AppContext
from dashboard.last_seen import LastSeenSessions
from dashboard.results import UserScope
from data_access import audit
from data_access.access import LiveSession, load_scope, session_scope
from data_access.db import UNREACHABLE_ERRORS
from data_access.sessions import SIGNED_OUT, SessionLimits, digest, end_session

log = logging.getLogger(__name__)

STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
OPEN_PREFIXES = (*STATIC_PREFIXES, "/api/v1/")
HEALTH_PATH = "/health"  # answers "OK" and nothing else (Dash's health endpoint)
OPEN_PATHS = ("/login", "/_favicon.ico", "/favicon.ico", HEALTH_PATH)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CSRF_COOKIE, CSRF_HEADER, CSRF_FIELD = "_csrf_token", "X-CSRFToken", "csrf_token"
SESSION_ID = "sid"  # the session cookie's entry for the session id
CALLBACK_PATH = "/_dash-update-component"


def current_scope() -> UserScope:
    """The signed-in user's scope (set by the guard for every request it lets through).

    Raises ``DatabaseDown`` where the guard could not read it."""
    if "scope" not in g and "outage" in g:
        raise g.outage
    return g.scope  # type: ignore[no-any-return]


def scope_or_none() -> UserScope | None:
    """The scope, or None where no user is signed in (Dash's own first-request set-up)."""
    return g.get("scope")


def client_address() -> str | None:
    """The client's address: the peer's own, or, when the peer is a trusted reverse proxy, the
    address the proxy forwarded (its last entry in X-Forwarded-For: the one the proxy added)."""
    peer = request.remote_addr
    if peer in current_app.config.get("DASHBOARD_TRUSTED_PROXIES", ()):
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
        return forwarded[:64] or peer
    return peer


def install(server: Flask, context: AppContext, settings: Settings, script_hashes: list[str],
            last_seen: LastSeenSessions) -> None:
    secure = settings.secure_cookies
    if secure is None:
        secure = settings.host not in ("127.0.0.1", "localhost", "::1")
    server.secret_key = settings.secret_key or _stored_secret_key(PROJECT_ROOT / "instance")
    server.config.update(
        SESSION_COOKIE_NAME="icd_session", SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=secure, SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_max_hours),
        DASHBOARD_TRUSTED_PROXIES=settings.trusted_proxies)
    limits = context.session_limits
    csp = "; ".join([
        "default-src 'self'", f"script-src 'self' {' '.join(script_hashes)}",
        # Dash and Plotly set element styles inline.
        "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:", "font-src 'self' data:",
        "connect-src 'self'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'",
        "object-src 'none'"])

    @server.before_request
    def guard() -> BaseResponse | None:
        path = request.path
        if path.startswith(OPEN_PREFIXES) or path in OPEN_PATHS:
            return None
        try:
            scope = _signed_in(context, settings, limits, last_seen)
        except DatabaseDown as outage:
            if path != CALLBACK_PATH or not session.get(SESSION_ID):
                raise  # the outage page (dashboard.outage)
            g.outage = outage  # a signed-in page whose role cannot be read now
        else:
            if scope is None:
                if request.method == "GET" and not path.startswith("/_dash"):
                    return redirect(f"/login?next={safe_next(request.full_path)}")
                return json_error(401, "Sign in first.")
            g.scope = scope
        if request.method not in SAFE_METHODS and not csrf_ok():
            return json_error(403, "The request lacks a valid CSRF token; reload the page.")
        return None

    @server.after_request
    def headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = csp
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        static = request.path.startswith(STATIC_PREFIXES)
        if not static:
            response.headers["Cache-Control"] = "no-store"  # figures and people: never cached
        elif request.path.startswith("/assets/") and "m" in request.args \
                and response.status_code == 200:
            # Dash names each asset with its file's time (?m=...): a new file, a new address.
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        if not static and CSRF_FIELD in session:  # a static file is the same for everyone
            response.set_cookie(CSRF_COOKIE, session[CSRF_FIELD], secure=secure,
                                samesite="Strict", httponly=False)  # Dash reads it to send it
        return response

    @server.post("/logout")
    def logout() -> BaseResponse:
        scope, now = current_scope(), context.clock.now()
        try:
            end_this_session(context, last_seen, SIGNED_OUT)
            audit.record(context.engine, now, "sign_out", "session", username=scope.username,
                         role=scope.role, client=client_address())
        except UNREACHABLE_ERRORS:
            log.warning("sign-out of %s not recorded: the database is not answering (the "
                        "session ends when idle)", scope.username)
        response = redirect("/login")
        response.delete_cookie(CSRF_COOKIE)
        return response


def end_this_session(context: AppContext, last_seen: LastSeenSessions, reason: str) -> None:
    """End the request's session: the browser's copy at once (even while the database does not
    answer), this process's stand-in, then the session on the server."""
    session_id = session.get(SESSION_ID)
    session.clear()
    if isinstance(session_id, str):
        last_seen.forget(digest(session_id))
        end_session(context.engine, digest(session_id), context.clock.now(), reason)


def _signed_in(context: AppContext, settings: Settings, limits: SessionLimits,
               last_seen: LastSeenSessions) -> UserScope | None:
    """The user of this request, read from the database now: named by the trusted proxy's
    header, or by a live session."""
    now = context.clock.now()
    if settings.sso_header and request.remote_addr in settings.trusted_proxies:
        username = request.headers.get(settings.sso_header, "").strip()
        if username:
            def read_user() -> LiveSession | None:
                scope = load_scope(context.engine, username)
                return None if scope is None else LiveSession(scope, now)

            scope = _read_or_stand_in(context, last_seen, f"sso:{username[:64]}", read_user, now)
            if scope is not None:
                csrf_token()
            return scope
    session_id = session.get(SESSION_ID)
    if not isinstance(session_id, str):
        return None
    scope = _read_or_stand_in(context, last_seen, digest(session_id),
                              lambda: session_scope(context.engine, session_id, now, limits), now)
    if scope is None:
        session.clear()  # ended, idle, too old or unknown: the browser's copy goes too
    return scope


def _read_or_stand_in(context: AppContext, last_seen: LastSeenSessions, key: str,
                      read: Callable[[], LiveSession | None], now: datetime) -> UserScope | None:
    """``read()``'s scope, noted as last seen; only while the database does not answer (or is
    known not to: ``ViewCache.attempt``), the one this process last saw, else ``DatabaseDown``."""
    try:
        live = context.views.attempt(read)
    except DatabaseDown:
        scope = last_seen.stand_in(key, now)
        if scope is None:
            raise
        return scope
    if live is None:
        last_seen.forget(key)
        return None
    last_seen.saw(key, live, now)
    return live.scope


def csrf_token() -> str:
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return str(session[CSRF_FIELD])


def csrf_ok() -> bool:
    """Double submit: the token in the session must come back in a header or form field."""
    expected = session.get(CSRF_FIELD)
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD)
    return bool(expected) and bool(sent) and secrets.compare_digest(str(expected), str(sent))


def safe_next(target: str) -> str:
    """Only a path on this site (no scheme, no host): no open redirect."""
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target.rstrip("?") or "/"


def json_error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


def _stored_secret_key(folder: Path) -> str:
    """A random key made once per installation, readable only by its owner."""
    path = folder / "secret_key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()
