"""Signing in, sessions, CSRF and security headers, for every route of the server.

One ``before_request`` guard covers everything the server answers: pages, Dash's layout,
dependencies and callback endpoint, and exports. Only the sign-in page, static files, the feed
API (which has its own tokens) and the health check (which says "OK" and nothing else) are open.
The user's scope is read from the database on every request and kept in ``flask.g`` for the
callbacks; nothing the browser sends can change it.
While the database does not answer, the last scope read for the user stands in (see
``dashboard.cache``); without one, pages get the outage page and an open page's callbacks run
without a scope, so that they answer with the banner alone.
"""

from __future__ import annotations

import html
import logging
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

from flask import Flask, Response, current_app, g, jsonify, redirect, request, session
from werkzeug.wrappers import Response as BaseResponse

from dashboard.cache import DatabaseDown
from dashboard.config import PROJECT_ROOT, Settings
from dashboard.context import AppContext
from data_access import audit
from data_access.access import (
    DEMO_PASSWORD,
    ROLES,
    UserScope,
    list_users,
    load_scope,
    verify_password,
)
from data_access.db import UNREACHABLE_ERRORS
from data_access.status import holds_real_person_data

log = logging.getLogger(__name__)

OPEN_PREFIXES = ("/assets/", "/_dash-component-suites/", "/api/v1/")
HEALTH_PATH = "/health"  # answers "OK" and nothing else (Dash's health endpoint)
OPEN_PATHS = ("/login", "/_favicon.ico", "/favicon.ico", HEALTH_PATH)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CSRF_COOKIE, CSRF_HEADER, CSRF_FIELD = "_csrf_token", "X-CSRFToken", "csrf_token"
# Failed sign-ins tolerated in the window, per username and per client address.
SIGN_IN_WINDOW = timedelta(minutes=15)
MAX_FAILED_PER_USER, MAX_FAILED_PER_CLIENT = 5, 20
# A user's role and areas are read again at least this often (a disabled account stops within it).
SCOPE_SECONDS = 30
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


def install(server: Flask, context: AppContext, settings: Settings,
            script_hashes: list[str]) -> None:
    secure = settings.secure_cookies
    if secure is None:
        secure = settings.host not in ("127.0.0.1", "localhost", "::1")
    server.secret_key = settings.secret_key or _stored_secret_key(PROJECT_ROOT / "instance")
    server.config.update(
        SESSION_COOKIE_NAME="icd_session", SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=secure, SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_max_hours),
        DASHBOARD_TRUSTED_PROXIES=settings.trusted_proxies)
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
            scope = _signed_in(context, settings)
        except DatabaseDown as outage:
            if path != CALLBACK_PATH or not session.get("user"):
                raise  # the outage page (dashboard.outage)
            g.outage = outage  # a signed-in page whose role cannot be read now
        else:
            if scope is None:
                if request.method == "GET" and not path.startswith("/_dash"):
                    return redirect(f"/login?next={_safe_next(request.full_path)}")
                return _json_error(401, "Sign in first.")
            g.scope = scope
        if request.method not in SAFE_METHODS and not _csrf_ok():
            return _json_error(403, "The request lacks a valid CSRF token; reload the page.")
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
        if not request.path.startswith(("/assets/", "/_dash-component-suites/")):
            response.headers["Cache-Control"] = "no-store"  # figures and people: never cached
        if CSRF_FIELD in session:
            response.set_cookie(CSRF_COOKIE, session[CSRF_FIELD], secure=secure,
                                samesite="Strict", httponly=False)  # Dash reads it to send it
        return response

    @server.get("/login")
    def login_form() -> Response:
        return _login_page(context, csrf_token(), next_path=request.args.get("next", "/"))

    @server.post("/login")
    def login() -> BaseResponse:
        return _login(context)

    @server.post("/logout")
    def logout() -> BaseResponse:
        scope = current_scope()
        session.clear()  # signing out works even while the database does not answer
        try:
            audit.record(context.engine, context.clock.now(), "sign_out", "session",
                         username=scope.username, role=scope.role, client=client_address())
        except UNREACHABLE_ERRORS:
            log.warning("sign-out of %s not recorded: the database is not answering",
                        scope.username)
        response = redirect("/login")
        response.delete_cookie(CSRF_COOKIE)
        return response


def _signed_in(context: AppContext, settings: Settings) -> UserScope | None:
    """The user of this request: from the trusted proxy's header, or from a live session."""
    if settings.sso_header and request.remote_addr in settings.trusted_proxies:
        username = request.headers.get(settings.sso_header, "").strip()
        if username:
            scope = _scope(context, username)
            if scope is not None:
                csrf_token()
            return scope
    username = session.get("user")
    if not username:
        return None
    now = context.clock.now().timestamp()
    idle_limit = settings.session_idle_minutes * 60
    if now - session.get("seen_at", 0) > idle_limit or \
            now - session.get("signed_in_at", 0) > settings.session_max_hours * 3600:
        session.clear()
        return None
    session["seen_at"] = now
    return _scope(context, username)


def _scope(context: AppContext, username: str) -> UserScope | None:
    return context.views.remember(("scope", username),
                                  lambda: load_scope(context.engine, username), SCOPE_SECONDS)


def _login(context: AppContext) -> BaseResponse:
    now, client = context.clock.now(), client_address()
    username = request.form.get("username", "").strip()[:64]
    password = request.form.get("password", "")
    next_path = _safe_next(request.form.get("next", "/"))
    if not _csrf_ok():
        return _login_page(context, csrf_token(), next_path, "The form had expired; try again.",
                           status=400)
    since = now - SIGN_IN_WINDOW
    if audit.failed_sign_ins_since(context.engine, since, username=username) \
            >= MAX_FAILED_PER_USER or \
            audit.failed_sign_ins_since(context.engine, since, client=client) \
            >= MAX_FAILED_PER_CLIENT:
        audit.record(context.engine, now, "sign_in_failed", "sign-in", username=username,
                     detail="refused: too many failed attempts", client=client)
        return _login_page(context, csrf_token(), next_path, "Too many failed sign-ins. Wait "
                           "15 minutes, then try again.", status=429)
    scope = verify_password(context.engine, username, password)
    if scope is not None and scope.demo and holds_real_person_data(context.engine):
        scope, why = None, "demonstration accounts are off: this database holds real data"
    else:
        why = "wrong username or password"
    if scope is None:
        audit.record(context.engine, now, "sign_in_failed", "sign-in", username=username,
                     detail=why, client=client)
        message = "Demonstration accounts are switched off because this database holds real " \
                  "data." if why.startswith("demo") else "The username or password is wrong."
        return _login_page(context, csrf_token(), next_path, message, status=401)
    session.clear()  # a new session on sign-in: no fixation
    session.permanent = True
    session.update(user=scope.username, signed_in_at=now.timestamp(), seen_at=now.timestamp())
    csrf_token()
    audit.record(context.engine, now, "sign_in", "session", username=scope.username,
                 role=scope.role, client=client)
    return redirect(next_path)


def csrf_token() -> str:
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return str(session[CSRF_FIELD])


def _csrf_ok() -> bool:
    """Double submit: the token in the session must come back in a header or form field."""
    expected = session.get(CSRF_FIELD)
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD)
    return bool(expected) and bool(sent) and secrets.compare_digest(str(expected), str(sent))


def _safe_next(target: str) -> str:
    """Only a path on this site (no scheme, no host): no open redirect."""
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target.rstrip("?") or "/"


def _json_error(status: int, message: str) -> Response:
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


def _login_page(context: AppContext, csrf: str, next_path: str, message: str = "",
                status: int = 200) -> Response:
    demo = _demo_accounts(context)
    body = f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in: Intermediate care dashboard</title>
<link rel="stylesheet" href="/assets/bootstrap.min.css">
<link rel="stylesheet" href="/assets/app.css">
</head><body><main class="container login-page" id="main-content">
<h1>Intermediate care dashboard</h1>
{f'<div class="alert alert-danger" role="alert" id="login-error">{html.escape(message)}</div>'
 if message else ''}
<form method="post" action="/login" class="login-form">
<input type="hidden" name="{CSRF_FIELD}" value="{html.escape(csrf)}">
<input type="hidden" name="next" value="{html.escape(_safe_next(next_path))}">
<div class="mb-3"><label for="username" class="form-label">Username</label>
<input id="username" name="username" class="form-control" autocomplete="username" required></div>
<div class="mb-3"><label for="password" class="form-label">Password</label>
<input id="password" name="password" type="password" class="form-control"
 autocomplete="current-password" required></div>
<button type="submit" class="btn btn-primary" id="sign-in">Sign in</button>
</form>{demo}</main></body></html>"""
    return Response(body, status=status, mimetype="text/html")


def _demo_accounts(context: AppContext) -> str:
    """Demonstration accounts, offered (and labelled) only while every person is invented."""
    users = list_users(context.engine)
    users = users[users.demo & users.disabled_at.isna()]
    if users.empty or holds_real_person_data(context.engine):
        return ""
    rows = "".join(
        f"<tr><td>{html.escape(ROLES.get(u.role, u.role))}</td><td><code>{html.escape(u.username)}"
        f"</code></td><td>{html.escape(u.areas or 'every area')}</td></tr>"
        for u in users.itertuples())
    return f"""<section class="demo-accounts" id="demo-accounts" aria-labelledby="demo-heading">
<h2 id="demo-heading">Demonstration accounts</h2>
<p><strong>Demonstration only:</strong> these accounts see synthetic data (real place names,
invented people). Their password is <code>{DEMO_PASSWORD}</code>. They are switched off as soon
as real data is loaded.</p>
<table class="table table-sm"><caption>One account per role</caption>
<thead><tr><th scope="col">role</th><th scope="col">username</th><th scope="col">areas</th></tr>
</thead><tbody>{rows}</tbody></table></section>"""
