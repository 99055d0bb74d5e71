"""Signing in: the form, the password check, and the limits on guessing, with device cookies.

Guessing is limited per username and per client address (failures in the last 15 minutes,
counted from the audit log, so the limits hold across instances). So that someone who knows a
username cannot use those limits to keep its owner out, a browser the owner has signed in from
before carries a device cookie (OWASP, "Slow Down Online Guessing Attacks with Device Cookies";
data_access.sessions): an attempt presenting a valid device cookie for the username it signs in
as is not held by the username's or the address's limit, only by its own (5 failures in 15
minutes lock that cookie alone). Every failure is recorded in the audit log, its detail saying
which device cookie, if any, vouched for the browser.

A successful sign-in starts a new server-side session (a new random id: nothing the browser had
before is made valid) and replaces the browser's device cookie with a new one.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta

from flask import Flask, Response, current_app, redirect, request, session
from sqlalchemy import Engine
from werkzeug.wrappers import Response as BaseResponse

from dashboard.auth import (
    CSRF_FIELD,
    SESSION_ID,
    client_address,
    csrf_ok,
    csrf_token,
    end_this_session,
    safe_next,
)
from dashboard.context import AppContext
from dashboard.last_seen import LastSeenSessions
from dashboard.results import ROLES
from data_access import audit
from data_access.access import DEMO_PASSWORD, list_users, verify_password
from data_access.sessions import (
    DEVICE_COOKIE_LIFETIME,
    REPLACED,
    TrustedDevice,
    issue_device_cookie,
    start_session,
    trusted_device,
)
from data_access.status import holds_real_person_data

SIGN_IN_WINDOW = timedelta(minutes=15)
# Failed sign-ins tolerated in the window: from browsers no device cookie vouches for, per
# username and per client address; and per device cookie.
MAX_FAILED_PER_USER, MAX_FAILED_PER_CLIENT = 5, 20
MAX_FAILED_PER_DEVICE = 5
DEVICE_COOKIE = "icd_device"
LOGIN_PATH = "/login"  # the device cookie is sent only here


def install(server: Flask, context: AppContext, last_seen: LastSeenSessions) -> None:
    @server.get(LOGIN_PATH)
    def login_form() -> Response:
        return _login_page(context, csrf_token(), next_path=request.args.get("next", "/"))

    @server.post(LOGIN_PATH)
    def login() -> BaseResponse:
        return _sign_in(context, last_seen)


def _sign_in(context: AppContext, last_seen: LastSeenSessions) -> BaseResponse:
    engine, now, client = context.engine, context.clock.now(), client_address()
    username = request.form.get("username", "").strip()[:64]
    password = request.form.get("password", "")
    next_path = safe_next(request.form.get("next", "/"))
    if not csrf_ok():
        return _login_page(context, csrf_token(), next_path, "The form had expired; try again.",
                           status=400)
    device = trusted_device(engine, request.cookies.get(DEVICE_COOKIE), username, now)
    label = device.label if device else None
    if _too_many_failures(engine, now, username, client, device):
        audit.record(engine, now, "sign_in_failed", "sign-in", username=username,
                     detail=audit.sign_in_failure(label, "refused: too many failed attempts"),
                     client=client)
        where = " from this browser" if device else ""
        return _login_page(context, csrf_token(), next_path, f"Too many failed sign-ins{where}. "
                           "Wait 15 minutes, then try again.", status=429)
    scope = verify_password(engine, username, password)
    if scope is not None and scope.demo and holds_real_person_data(engine):
        scope, why = None, "demonstration accounts are off: this database holds real data"
    else:
        why = "wrong username or password"
    if scope is None:
        audit.record(engine, now, "sign_in_failed", "sign-in", username=username,
                     detail=audit.sign_in_failure(label, why), client=client)
        message = "Demonstration accounts are switched off because this database holds real " \
                  "data." if why.startswith("demo") else "The username or password is wrong."
        return _login_page(context, csrf_token(), next_path, message, status=401)
    # A new session, with a new id and CSRF token: nothing from before is kept, and a session
    # this browser had is ended.
    end_this_session(context, last_seen, REPLACED)
    session.permanent = True
    session[SESSION_ID] = start_session(engine, scope.username, now, client)
    csrf_token()
    audit.record(engine, now, "sign_in", "session", username=scope.username, role=scope.role,
                 detail="with its device cookie" if device else "", client=client)
    response = redirect(next_path)
    response.set_cookie(DEVICE_COOKIE, issue_device_cookie(engine, scope.username, now, device),
                        max_age=int(DEVICE_COOKIE_LIFETIME.total_seconds()), path=LOGIN_PATH,
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True,
                        samesite="Strict")
    return response


def _too_many_failures(engine: Engine, now: datetime, username: str, client: str | None,
                       device: TrustedDevice | None) -> bool:
    since = now - SIGN_IN_WINDOW
    if device is not None:
        return audit.failed_sign_ins_since(engine, since, device=device.label) \
            >= MAX_FAILED_PER_DEVICE
    return audit.failed_sign_ins_since(engine, since, username=username) \
        >= MAX_FAILED_PER_USER or \
        audit.failed_sign_ins_since(engine, since, client=client) >= MAX_FAILED_PER_CLIENT


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
<input type="hidden" name="next" value="{html.escape(safe_next(next_path))}">
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
