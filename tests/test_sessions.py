"""Sessions that really end, and sign-in limits that cannot lock the owner out.

Over HTTP through Flask's test client: the real routes, and Dash's callback endpoint with the
real route callback (asking for the huddle list as a hub lead) and the Administration page's
sessions callback. A "copy" is the session cookie as a browser held it, replayed later by
another client.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, select

from benchmarks.payloads import route_payload
from callbacks.export import find_table, table_contents
from dashboard.app_factory import create_app
from dashboard.cache import as_sent
from dashboard.config import Settings
from dashboard.sign_in import DEVICE_COOKIE, MAX_FAILED_PER_DEVICE, MAX_FAILED_PER_USER
from data_access import access, audit
from data_access.audit import recent_events
from data_access.models import UserSession
from data_access.sessions import list_sessions, revoke_user, start_session
from layouts import admin as admin_layout
from tests.accounts import PASSWORD, add_user, is_session_check, sign_in_client
from tests.builders import GEOGRAPHY, TODAY_AT, SteppingClock, load_files, today_app
from tests.outage import cuttable_engine, wait_until
from tests.test_cli import run_cli

SESSION_COOKIE = "icd_session"
REFRESH_SECONDS = 1  # the outage test's: the database is known down for at most this long
NEW_PASSWORD = "a brand new password"


LIMITS = Settings().session_limits


@dataclass
class Site:
    app: Any
    clock: SteppingClock
    callbacks: list[dict[str, Any]]  # Dash's callback list, for clients holding only a copy


@pytest.fixture
def site(engine: Engine, database_url: str, tmp_path) -> Site:  # type: ignore[no-untyped-def]
    app, clock = today_app(engine, database_url, tmp_path / "batch")
    reader = signed_in(app, add_user(engine, "executive", username="reader"))
    return Site(app, clock, json.loads(reader.client.get("/_dash-dependencies").data))


@dataclass
class Browser:
    client: Any
    headers: dict[str, str]

    @property
    def cookie(self) -> str:
        """The session cookie as this browser holds it (what a thief would copy)."""
        return str(self.client.get_cookie(SESSION_COOKIE).value)


def signed_in(app: Any, username: str, password: str = PASSWORD) -> Browser:
    client = app.server.test_client()
    return Browser(client, sign_in_client(client, username, password))


def huddle(site: Site, client: Any, headers: dict[str, str]) -> Any:
    """The route callback asked for the huddle list of D1, as a browser asks."""
    return client.post("/_dash-update-component", headers=headers,
                       json=route_payload(site.callbacks, "/huddle", "?area=D1"))


def people_listed(answer: Any) -> list[str]:
    return re.findall(r'"data-episode": ?"([^"]+)"', answer.get_data(as_text=True))


def replayed(site: Site, copy: str, headers: dict[str, str]) -> Any:
    """A client holding nothing but a copy of a session cookie (and the CSRF header that went
    with it)."""
    thief = site.app.server.test_client()
    thief.set_cookie(SESSION_COOKIE, copy)
    thief.environ_base["HTTP_X_CSRFTOKEN"] = headers["X-CSRFToken"]
    return thief


def assert_works(site: Site, copy: str, headers: dict[str, str]) -> None:
    thief = replayed(site, copy, headers)
    assert thief.get("/huddle").status_code == 200
    assert people_listed(huddle(site, thief, headers))


def assert_refused(site: Site, copy: str, headers: dict[str, str]) -> None:
    """The copy gets the sign-in page for a page, 401 for Dash's endpoints, and no person."""
    page = replayed(site, copy, headers).get("/huddle")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    assert replayed(site, copy, headers).get("/_dash-layout").status_code == 401
    answer = huddle(site, replayed(site, copy, headers), headers)
    assert answer.status_code == 401 and people_listed(answer) == []
    assert "data-episode" not in answer.get_data(as_text=True)


def session_id(app: Any, cookie: str) -> str | None:
    """The session id inside a session cookie (None: none)."""
    serializer = app.server.session_interface.get_signing_serializer(app.server)
    return serializer.loads(cookie).get("sid")  # type: ignore[no-any-return]


def sessions_payload(username: str | None, clicks: int | None) -> dict[str, Any]:
    """The Administration page's sessions callback: the list, and (with a click) ending every
    session of ``username``."""
    return {"output": "..sessions-list.children...revoke-message.children..",
            "outputs": [{"id": "sessions-list", "property": "children"},
                        {"id": "revoke-message", "property": "children"}],
            "changedPropIds": ["revoke-sessions.n_clicks"] if clicks else [],
            "inputs": [{"id": "revoke-sessions", "property": "n_clicks", "value": clicks}],
            "state": [{"id": "revoke-user", "property": "value", "value": username}]}


def revoke_as(site: Site, engine: Engine, username: str) -> str:
    admin = signed_in(site.app, add_user(engine, "administrator"))
    answer = admin.client.post("/_dash-update-component", headers=admin.headers,
                               json=sessions_payload(username, 1))
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


# --- sessions end when they are ended ---------------------------------------------------------

def test_a_cookie_copied_before_sign_out_is_refused_after_it(site, engine) -> None:
    app = site.app
    lead = signed_in(app, add_user(engine, "hub_lead", ("D1",)))
    copy = lead.cookie
    assert_works(site, copy, lead.headers)  # the copy is as good as the browser's own, until...
    answer = lead.client.post("/logout", data={"csrf_token": lead.headers["X-CSRFToken"]})
    assert answer.status_code == 302 and answer.headers["Location"] == "/login"
    assert_refused(site, copy, lead.headers)
    assert lead.client.get("/huddle").status_code == 302
    (ended,) = list_sessions(engine, TODAY_AT, LIMITS).query(
        "username == 'test-hub_lead'").itertuples()
    assert (ended.state, ended.why_ended) == ("ended", "signed out")


def set_password(site: Site, engine: Engine, username: str) -> str:
    access.set_password(engine, username, NEW_PASSWORD, TODAY_AT)
    return "password changed"


def change_role(site: Site, engine: Engine, username: str) -> str:
    access.change_role(engine, username, "executive", TODAY_AT)
    return "role changed"


def change_areas(site: Site, engine: Engine, username: str) -> str:
    access.change_areas(engine, username, ("D2",), TODAY_AT)
    return "areas changed"


def disable(site: Site, engine: Engine, username: str) -> str:
    access.disable_user(engine, username, TODAY_AT)
    return "user disabled"


def revoke(site: Site, engine: Engine, username: str) -> str:
    assert "revoke-done" in revoke_as(site, engine, username)
    return "revoked by test-administrator"


@pytest.mark.parametrize("change", [set_password, change_role, change_areas, disable, revoke],
                         ids=lambda change: change.__name__)
def test_a_change_to_the_user_ends_every_session_of_theirs_at_once(
        site, engine, change: Callable[[Site, Engine, str], str]) -> None:
    app = site.app
    username = add_user(engine, "hub_lead", ("D1",))
    first, second = signed_in(app, username), signed_in(app, username)  # two browsers
    copies = [(first.cookie, first.headers), (second.cookie, second.headers)]
    for copy, headers in copies:
        assert_works(site, copy, headers)
    reason = change(site, engine, username)  # elsewhere: the command line, the admin page
    for copy, headers in copies:
        assert_refused(site, copy, headers)
    listed = list_sessions(engine, TODAY_AT, LIMITS).query("username == @username")
    assert list(listed.why_ended) == [reason, reason]
    if change is revoke:
        (event_,) = recent_events(engine, action="sessions_revoked").itertuples()
        assert (event_.username, event_.scope, event_.rows) == \
            ("test-administrator", f"sessions of {username}", 2)
    else:
        (event_,) = recent_events(engine, action="sessions_ended").itertuples()
        assert (event_.username, event_.rows) == (username, 2) and reason in event_.detail


def test_the_scope_changes_with_the_role_at_the_next_sign_in(site, engine) -> None:
    app = site.app
    username = add_user(engine, "hub_lead", ("D1",))
    access.change_role(engine, username, "executive", TODAY_AT)
    again = signed_in(app, username)
    answer = huddle(site, again.client, again.headers).get_data(as_text=True)
    assert "access-denied" in answer and "data-episode" not in answer


def test_the_session_id_is_new_at_every_sign_in_and_stored_only_as_its_hash(site, engine) -> None:
    app = site.app
    username = add_user(engine, "hub_lead", ("D1",))
    client = app.server.test_client()
    client.get("/login")
    before = client.get_cookie(SESSION_COOKIE).value
    assert session_id(app, before) is None  # before sign-in: a CSRF token, no session
    headers = sign_in_client(client, username)
    after = client.get_cookie(SESSION_COOKIE).value
    first_id = session_id(app, after)
    assert after != before and first_id and len(first_id) >= 43  # 256 bits, base64
    assert_refused(site, before, headers)  # the pre-sign-in cookie is never made valid
    with engine.connect() as connection:
        stored = connection.scalars(select(UserSession.id_hash)
                                    .where(UserSession.username == username)).all()
    assert stored == [hashlib.sha256(first_id.encode()).hexdigest()]  # never the id itself

    sign_in_client(client, username)  # again, in the same browser: a new id
    second_id = session_id(app, client.get_cookie(SESSION_COOKIE).value)
    assert second_id not in (None, first_id)
    assert_refused(site, after, headers)  # the browser's previous session has ended
    assert people_listed(huddle(site, client, {"X-CSRFToken":
                                         client.get_cookie("_csrf_token").value}))


def test_each_request_costs_one_lookup_and_the_last_seen_time_moves_once_a_minute(
        site, engine) -> None:
    app, clock = site.app, site.clock
    executive = signed_in(app, add_user(engine, "executive"))
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: statements.append(statement))
    for seconds in (0, 20, 40):  # within a minute of sign-in
        clock.at = TODAY_AT + timedelta(seconds=seconds)
        assert executive.client.get("/_dash-layout").status_code == 200
    checks = [s for s in statements if is_session_check(s)]
    assert len(checks) == 3 and not [s for s in checks if s.startswith("UPDATE")]
    clock.at = TODAY_AT + timedelta(seconds=61)
    statements.clear()
    assert executive.client.get("/_dash-layout").status_code == 200
    assert [s.split()[0] for s in statements if is_session_check(s)] == ["SELECT", "UPDATE"]
    # Idle for longer than the limit: refused, and the session says why it ended.
    clock.at += timedelta(minutes=31)
    assert executive.client.get("/_dash-layout").status_code == 401
    (ended,) = list_sessions(engine, clock.at, LIMITS).query(
        "username == 'test-executive'").itertuples()
    assert ended.why_ended == "idle (30 minutes without a request)"


def test_single_sign_on_reads_the_user_afresh_on_every_request(
        engine, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app, _ = today_app(engine, database_url, tmp_path / "batch", sso_header="X-Remote-User",
                       trusted_proxies=("127.0.0.1",))
    username = add_user(engine, "hub_lead", ("D1",))
    proxy = app.server.test_client()
    proxy.environ_base["HTTP_X_REMOTE_USER"] = username
    assert '"nav-huddle"' in proxy.get("/_dash-layout").get_data(as_text=True)
    access.change_role(engine, username, "executive", TODAY_AT)
    assert '"nav-huddle"' not in proxy.get("/_dash-layout").get_data(as_text=True)  # at once
    access.disable_user(engine, username, TODAY_AT)
    assert proxy.get("/_dash-layout").status_code == 401


# --- the Administration page ------------------------------------------------------------------

def test_the_admin_page_lists_sessions(site, engine) -> None:
    app = site.app
    lead = signed_in(app, add_user(engine, "hub_lead", ("D1",)))
    lead.client.post("/logout", data={"csrf_token": lead.headers["X-CSRFToken"]})
    signed_in(app, "test-hub_lead")
    admin = signed_in(app, add_user(engine, "administrator"))
    page = admin.client.post("/_dash-update-component", headers=admin.headers,
                             json=route_payload(site.callbacks, "/admin", ""))
    assert '"revoke-user"' in page.get_data(as_text=True)  # users to choose from
    answer = admin.client.post("/_dash-update-component", headers=admin.headers,
                               json=sessions_payload(None, None))
    assert answer.status_code == 200
    listed = json.loads(answer.data)["response"]["sessions-list"]["children"]
    _caption, columns, rows = table_contents(find_table(listed, "sessions-table"))
    assert columns == ["User", "Signed in at", "Last seen", "Client address", "State",
                       "Why ended"]
    assert sorted((row[0], row[4], row[5]) for row in rows) == [
        ("reader", "active", "–"), ("test-administrator", "active", "–"),
        ("test-hub_lead", "active", "–"), ("test-hub_lead", "ended", "signed out")]
    assert {row[3] for row in rows} == {"127.0.0.1"}
    # A name that is no user's (the browser can send anything) ends nothing, and says so.
    unknown = admin.client.post("/_dash-update-component", headers=admin.headers,
                                json=sessions_payload("nobody", 1)).get_data(as_text=True)
    assert "revoke-unknown" in unknown and '"sessions-table"' in unknown
    assert recent_events(engine, action="sessions_revoked").empty


def test_only_an_administrator_may_end_sessions(site, engine) -> None:
    app = site.app
    lead = signed_in(app, add_user(engine, "hub_lead", ("D1",)))
    executive = signed_in(app, add_user(engine, "executive"))
    answer = executive.client.post("/_dash-update-component", headers=executive.headers,
                                   json=sessions_payload("test-hub_lead", 1))
    text = answer.get_data(as_text=True)
    assert answer.status_code == 403 and "sessions-table" not in text
    assert "does not give access to the callback" in text
    assert_works(site, lead.cookie, lead.headers)  # nothing was ended
    assert recent_events(engine, action="sessions_revoked").empty
    refused = recent_events(engine, action="refused")
    assert list(zip(refused.username, refused.scope, strict=True)) == \
        [("test-executive", "the callback ..sessions-list.children...revoke-message.children..")]
    anonymous = app.server.test_client()
    assert anonymous.post("/_dash-update-component",
                          json=sessions_payload("test-hub_lead", 1)).status_code == 401


# --- sign-in limits and device cookies --------------------------------------------------------

def attempt(client: Any, username: str, password: str) -> Any:
    """One sign-in attempt through the form, as a browser makes it."""
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token})


def device_cookie(client: Any) -> str | None:
    cookie = client.get_cookie(DEVICE_COOKIE, path="/login")
    return None if cookie is None else str(cookie.value)


def test_an_attacker_cannot_lock_the_owner_out_of_a_browser_they_signed_in_from(
        site, engine) -> None:
    app = site.app
    username = add_user(engine, "executive", username="owner")
    owner = app.server.test_client()
    sign_in_client(owner, username)
    issued = device_cookie(owner)
    assert issued
    cookie = owner.get_cookie(DEVICE_COOKIE, path="/login")
    assert cookie.http_only and cookie.same_site == "Strict"
    attacker = app.server.test_client()
    for _ in range(MAX_FAILED_PER_USER):
        assert attempt(attacker, username, "a wrong guess").status_code == 401
    assert attempt(attacker, username, PASSWORD).status_code == 429  # the username is locked
    assert attempt(owner, username, PASSWORD).status_code == 302  # the owner is not
    renewed = device_cookie(owner)
    assert renewed and renewed != issued  # a new device cookie at every sign-in
    # The old one no longer vouches for anyone; a browser without one is still refused.
    stale = app.server.test_client()
    stale.set_cookie(DEVICE_COOKIE, issued, path="/login")
    assert attempt(stale, username, PASSWORD).status_code == 429
    assert attempt(app.server.test_client(), username, PASSWORD).status_code == 429
    failed = recent_events(engine, action="sign_in_failed", username=username)
    assert len(failed) == MAX_FAILED_PER_USER + 3
    assert all(detail.startswith("no device cookie: ") for detail in failed.detail)


@pytest.mark.parametrize("secure", [True, False])
def test_the_device_cookie_is_secure_exactly_when_the_session_cookie_is(
        engine, database_url, tmp_path, secure: bool) -> None:  # type: ignore[no-untyped-def]
    app, _ = today_app(engine, database_url, tmp_path / "batch", secure_cookies=secure)
    client = app.server.test_client()
    answer = attempt(client, add_user(engine, "executive"), PASSWORD)
    assert answer.status_code == 302
    cookies = {header.split("=", 1)[0]: header
               for header in answer.headers.getlist("Set-Cookie")}
    device = cookies[DEVICE_COOKIE]
    assert "HttpOnly" in device and "SameSite=Strict" in device and "Path=/login" in device
    assert re.search(r"Max-Age=15552000\b", device)  # 180 days
    assert ("Secure" in device) is secure and ("Secure" in cookies[SESSION_COOKIE]) is secure


def test_a_device_cookie_guessed_with_locks_itself_alone(site, engine) -> None:
    app = site.app
    username = add_user(engine, "executive", username="owner")
    owner = app.server.test_client()
    sign_in_client(owner, username)
    other_browser = app.server.test_client()
    sign_in_client(other_browser, username)
    stolen = app.server.test_client()  # someone holding a copy of the owner's device cookie
    stolen.set_cookie(DEVICE_COOKIE, device_cookie(owner), path="/login")
    for _ in range(MAX_FAILED_PER_DEVICE):
        assert attempt(stolen, username, "a wrong guess").status_code == 401
    refused = attempt(stolen, username, PASSWORD)
    assert refused.status_code == 429 and "from this browser" in refused.get_data(as_text=True)
    assert attempt(owner, username, PASSWORD).status_code == 429  # the same cookie: locked
    # Its failures count against it alone: the owner's other browser and a new one sign in.
    assert attempt(other_browser, username, PASSWORD).status_code == 302
    assert attempt(app.server.test_client(), username, PASSWORD).status_code == 302
    failed = recent_events(engine, action="sign_in_failed", username=username)
    assert len(failed) == MAX_FAILED_PER_DEVICE + 2
    assert len(set(failed.detail.str.split(":").str[0])) == 1  # one device cookie, named
    assert failed.detail.str.startswith("device cookie ").all()


def test_revoking_a_user_forgets_their_device_cookies(site, engine) -> None:
    app = site.app
    username = add_user(engine, "executive", username="owner")
    owner = app.server.test_client()
    sign_in_client(owner, username)
    revoke_user(engine, username, TODAY_AT, "someone")
    attacker = app.server.test_client()
    for _ in range(MAX_FAILED_PER_USER):
        attempt(attacker, username, "a wrong guess")
    assert attempt(owner, username, PASSWORD).status_code == 429  # now an untrusted browser


# --- the database outage ----------------------------------------------------------------------

def test_a_session_seen_before_an_outage_stands_in_during_it_and_no_longer_than_it(
        engine, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert load_files(engine, tmp_path / "batch", GEOGRAPHY).loaded
    with cuttable_engine(database_url) as (app_engine, switch):
        clock = SteppingClock(TODAY_AT)
        app = create_app(Settings(database_url=database_url, clock=clock,
                                  refresh_seconds=REFRESH_SECONDS), app_engine)
        site = Site(app, clock, [])
        kept = signed_in(app, add_user(engine, "executive"))
        leaving = signed_in(app, add_user(engine, "place_manager"))
        for browser in (kept, leaving):
            assert browser.client.get("/").status_code == 200  # seen by this server
        kept_copy, leaving_copy = kept.cookie, leaving.cookie
        switch.cut()
        assert replayed(site, kept_copy, kept.headers).get("/").status_code == 200
        signed_out = leaving.client.post("/logout",
                                         data={"csrf_token": leaving.headers["X-CSRFToken"]})
        assert signed_out.status_code == 302  # the browser's copy is gone at once...
        # ...and this server no longer stands in for a copy kept elsewhere.
        assert replayed(site, leaving_copy, leaving.headers).get("/").status_code == 503
        switch.restore()
        revoke_user(engine, "test-executive", TODAY_AT, "someone")
        # Once the database is known to answer again (the version is read again within the
        # refresh interval), the session is looked up again: the revocation holds.
        wait_until(lambda: replayed(site, kept_copy, kept.headers).get("/").status_code == 302,
                   REFRESH_SECONDS + 2, "the revoked copy is refused once the database answers")


# --- the command line -------------------------------------------------------------------------

def test_user_role_and_areas_commands_end_the_users_sessions(engine, database_url,
                                                             tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert load_files(engine, tmp_path / "batch", GEOGRAPHY).loaded
    username = add_user(engine, "hub_lead", ("D1",))
    start_session(engine, username, TODAY_AT, None)
    moved = run_cli(database_url, "user", "areas", username, "--area", "D2", "N2")
    assert moved.returncode == 0, moved.stderr
    assert "their sessions have ended" in moved.stdout
    start_session(engine, username, TODAY_AT, None)
    promoted = run_cli(database_url, "user", "role", username, "executive")
    assert promoted.returncode == 0, promoted.stderr
    users = access.list_users(engine).set_index("username")
    assert (users.role[username], users.areas[username]) == ("executive", "")
    listed = list_sessions(engine, TODAY_AT, LIMITS)
    assert sorted(listed.why_ended) == ["areas changed", "role changed"]
    for args, message in (
            (("areas", username, "--area", "D1"), "only hub leads are limited to areas"),
            (("role", username, "hub_lead"), "a hub lead needs the areas of their hub"),
            (("role", "nobody", "executive"), "there is no user 'nobody'"),
            (("role", username, "hub_lead", "--area", "NOWHERE"), "unknown area code(s): NOWHERE"),
            (("areas", "nobody", "--area", "D1"), "there is no user 'nobody'")):
        refused = run_cli(database_url, "user", *args)
        assert refused.returncode == 2 and message in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr


def test_the_audit_log_writes_a_dash_where_an_event_has_no_role_or_client(engine) -> None:
    # A load command's events have no role and no client: blank in the database, and NaN to
    # pandas in a column that also holds text, which the page once wrote as "nan".
    audit.record(engine, TODAY_AT, "sign_in", "session", username="someone",
                 role="administrator", client="10.0.0.9")
    audit.record(engine, TODAY_AT, "area_changed", "area N9", username="load command",
                 detail="created under D1")
    page = as_sent(admin_layout.build(access.list_users(engine), recent_events(engine),
                                      TODAY_AT))
    _caption, columns, rows = table_contents(find_table(page, "audit-table"))
    assert columns[:4] == ["When", "User", "Role", "Action"]
    assert [(row[1], row[2], row[7]) for row in rows] == [
        ("load command", "–", "–"), ("someone", "administrator", "10.0.0.9")]
