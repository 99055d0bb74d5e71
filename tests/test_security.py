"""Access control over HTTP (Flask's test client): anonymous users, scope, CSRF, sign-in limits,
session expiry, security headers, demonstration accounts, and what is recorded."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from benchmarks.payloads import backtest_payload, route_payload
from dashboard.app_factory import create_app
from dashboard.clock import FixedClock
from dashboard.config import Settings
from dashboard.sign_in import MAX_FAILED_PER_CLIENT
from data_access.access import DEMO_PASSWORD, create_demo_users
from data_access.audit import recent_events
from tests.accounts import PASSWORD, add_user, sign_in_client
from tests.builders import GEOGRAPHY, TODAY_AT, TODAY_EPISODES, load_files, today_app

OPEN = ("/login", "/assets/", "/_dash-component-suites/", "/api/v1/", "/_favicon.ico",
        "/health")


@pytest.fixture
def site(engine: Engine, database_url: str, tmp_path) -> Any:  # type: ignore[no-untyped-def]
    return today_app(engine, database_url, tmp_path / "batch")


def route(client: Any, headers: dict[str, str], path: str, search: str) -> Any:
    callbacks = json.loads(client.get("/_dash-dependencies").data)
    return client.post("/_dash-update-component", json=route_payload(callbacks, path, search),
                       headers=headers)


def test_every_route_refuses_anonymous_users(site) -> None:
    app, _ = site
    client = app.server.test_client()
    rules = [rule for rule in app.server.url_map.iter_rules()
             if not str(rule).startswith(OPEN) and "<" not in str(rule)]
    assert {"/", "/_dash-layout", "/_dash-dependencies", "/_dash-update-component",
            "/logout"} <= {str(rule) for rule in rules}
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            answer = client.open(str(rule), method=method)
            assert answer.status_code in (302, 401), (str(rule), method, answer.status_code)
            if answer.status_code == 302:
                assert answer.headers["Location"].startswith("/login"), str(rule)
    # Any page address, including Dash's catch-all, sends an anonymous browser to sign in.
    for path in ("/delays?area=ICB1", "/huddle", "/data", "/anything"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    assert client.post("/_dash-update-component", json={}).status_code == 401
    # The health check is open to load balancers, and says nothing but that the app answers.
    health = client.get("/health")
    assert health.status_code == 200 and health.data == b"OK"


def test_a_hub_lead_gets_nothing_for_another_hubs_area(site, engine) -> None:
    app, _ = site
    client = app.server.test_client()
    headers = sign_in_client(client, add_user(engine, "hub_lead", ("D1",)))
    own = route(client, headers, "/", "?area=D1")
    assert '"waiting-now-value"' in own.get_data(as_text=True)
    for area in ("D2", "N2", "ICB1"):
        answer = route(client, headers, "/", f"?area={area}").get_data(as_text=True)
        assert "waiting-now-value" not in answer and "access-denied" in answer
        assert "outside the areas you may see" in answer
    # The outlook's back-test callback applies the same check.
    answer = client.post("/_dash-update-component", headers=headers,
                         json=backtest_payload("?area=D2"))
    assert answer.status_code == 200 and "Back-test" not in answer.get_data(as_text=True)
    assert "outside the areas you may see" in answer.get_data(as_text=True)
    refusals = recent_events(engine, action="refused")
    assert len(refusals) >= 4 and set(refusals.username) == {"test-hub_lead"}
    assert refusals.scope.str.contains("D2").any()


def test_the_layout_offers_a_hub_lead_only_their_areas(site, engine) -> None:
    app, _ = site
    client = app.server.test_client()
    sign_in_client(client, add_user(engine, "hub_lead", ("D1",)))
    layout = client.get("/_dash-layout").get_data(as_text=True)
    offered = set(re.findall(r'"value": ?"([A-Z0-9]+)"', layout))
    assert {"D1", "N1"} <= offered and not offered & {"D2", "N2", "ICB1"}
    assert "Huddle" in layout and '"Data"' not in layout


def test_an_executive_reaches_no_person_level_rows(site, engine) -> None:
    app, _ = site
    client = app.server.test_client()
    headers = sign_in_client(client, add_user(engine, "executive"))
    answer = route(client, headers, "/huddle", "?area=ICB1").get_data(as_text=True)
    assert "access-denied" in answer and "p1" not in re.sub(r"[^a-z0-9 ]", " ", answer).split()
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert "/huddle" not in layout  # not offered
    assert recent_events(engine, action="refused").scope.tolist() == ["the Huddle list page"]


def test_an_administrator_sees_no_figures(site, engine) -> None:
    app, _ = site
    client = app.server.test_client()
    headers = sign_in_client(client, add_user(engine, "administrator"))
    answer = route(client, headers, "/", "?area=ICB1").get_data(as_text=True)
    assert "access-denied" in answer and "waiting-now-value" not in answer


def test_state_changes_without_the_csrf_token_are_refused(site, engine) -> None:
    app, _ = site
    client = app.server.test_client()
    headers = sign_in_client(client, add_user(engine, "executive"))
    callbacks = json.loads(client.get("/_dash-dependencies").data)
    body = route_payload(callbacks, "/", "?area=ICB1")
    assert client.post("/_dash-update-component", json=body).status_code == 403
    wrong = {"X-CSRFToken": "forged"}
    assert client.post("/_dash-update-component", json=body, headers=wrong).status_code == 403
    assert client.post("/_dash-update-component", json=body, headers=headers).status_code == 200
    assert client.post("/logout").status_code == 403  # no token in the form
    answer = client.post("/login", data={"username": "test-executive", "password": PASSWORD})
    assert answer.status_code == 400  # the sign-in form needs its token too


def test_sign_in_is_rate_limited_and_failures_recorded(site, engine) -> None:
    app, _ = site
    add_user(engine, "executive")
    client = app.server.test_client()
    for _ in range(5):
        with pytest.raises(AssertionError):
            sign_in_client(client, "test-executive", "wrong password")
    # Now even the right password is refused for a while.
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    answer = client.post("/login", data={"username": "test-executive", "password": PASSWORD,
                                         "csrf_token": token})
    assert answer.status_code == 429 and "Too many failed sign-ins" in answer.get_data(True)
    failed = recent_events(engine, action="sign_in_failed")
    assert len(failed) == 6 and set(failed.username) == {"test-executive"}


def test_successful_sign_ins_do_not_count_towards_the_limit_per_address(site, engine) -> None:
    app, _ = site
    add_user(engine, "executive")
    client = app.server.test_client()
    # Many people behind one address (a proxy, a load test) sign in many times.
    for _ in range(MAX_FAILED_PER_CLIENT + 1):
        sign_in_client(client, "test-executive")
    assert recent_events(engine, action="sign_in_failed").empty


def test_the_client_address_is_forwarded_only_by_a_trusted_proxy(engine, database_url) -> None:
    """Behind nginx every request comes from the proxy: the audit log and the limits per address
    need the address it forwards, and must not believe one a client sends directly."""
    app = create_app(Settings(database_url=database_url, clock=FixedClock(TODAY_AT),
                              trusted_proxies=("10.0.0.5",)), engine)
    for peer, forwarded in (("10.0.0.5", "198.51.100.7"), ("203.0.113.9", "192.0.2.1")):
        client = app.server.test_client()
        client.environ_base.update(REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
        with pytest.raises(AssertionError):
            sign_in_client(client, "nobody", "wrong password")
    failed = recent_events(engine, action="sign_in_failed")
    assert sorted(failed.client) == ["198.51.100.7", "203.0.113.9"]


def test_sessions_expire_when_idle_and_after_their_maximum(site, engine) -> None:
    app, clock = site
    client = app.server.test_client()
    sign_in_client(client, add_user(engine, "executive"))
    assert client.get("/_dash-layout").status_code == 200
    clock.at += timedelta(minutes=29)
    assert client.get("/_dash-layout").status_code == 200
    clock.at += timedelta(minutes=31)  # idle for more than 30 minutes
    assert client.get("/_dash-layout").status_code == 401
    sign_in_client(client, "test-executive")
    for _ in range(12 * 3 + 1):  # active every 20 minutes, but 12 hours is the most
        clock.at += timedelta(minutes=20)
        status = client.get("/_dash-layout").status_code
    assert status == 401


def test_security_headers_and_cookie_flags(site, engine) -> None:
    app, _ = site
    client = app.server.test_client()
    sign_in_client(client, add_user(engine, "executive"))
    answer = client.get("/")
    policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-" in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Cache-Control"] == "no-store"
    cookie = client.get_cookie("icd_session")
    assert cookie.http_only and cookie.same_site == "Lax"
    assert client.get_cookie("_csrf_token").same_site == "Strict"


def test_secure_cookies_outside_loopback(engine, database_url) -> None:
    app = create_app(Settings(database_url=database_url, host="0.0.0.0"), engine)
    client = app.server.test_client()
    answer = client.get("/login")
    assert "Secure" in answer.headers["Set-Cookie"]
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_open_redirect_after_sign_in(site, engine) -> None:
    app, _ = site
    client = app.server.test_client()
    add_user(engine, "executive")
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    answer = client.post("/login", data={"username": "test-executive", "password": PASSWORD,
                                         "csrf_token": token, "next": "//evil.example/x"})
    assert answer.headers["Location"] == "/"


def test_demo_accounts_are_offered_only_while_every_person_is_synthetic(
        engine, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert load_files(engine, tmp_path / "demo", {**GEOGRAPHY, "episodes.csv": TODAY_EPISODES},
                      synthetic=True).loaded
    create_demo_users(engine, TODAY_AT, "D1", DEMO_PASSWORD)
    app = create_app(Settings(database_url=database_url, clock=FixedClock(TODAY_AT)), engine)
    client = app.server.test_client()
    page = client.get("/login").get_data(as_text=True)
    assert "Demonstration accounts" in page and "demo-hub-lead" in page
    sign_in_client(client, "demo-hub-lead", DEMO_PASSWORD)
    # Real (non-synthetic) person-level data arrives: the public demo password stops working.
    real = TODAY_EPISODES.replace("E1,p1,", "R1,r1,")
    assert load_files(engine, tmp_path / "real", {"episodes.csv": real}).loaded
    fresh = app.server.test_client()
    assert "Demonstration accounts" not in fresh.get("/login").get_data(as_text=True)
    with pytest.raises(AssertionError):
        sign_in_client(fresh, "demo-hub-lead", DEMO_PASSWORD)


def test_an_administrator_reads_users_and_the_audit(site, engine) -> None:
    app, _ = site
    client = app.server.test_client()
    add_user(engine, "hub_lead", ("D1",))
    headers = sign_in_client(client, add_user(engine, "administrator"))
    answer = route(client, headers, "/admin", "").get_data(as_text=True)
    assert "users-table" in answer and "test-hub_lead" in answer and "D1" in answer
    assert "audit-table" in answer and "sign_in" in answer
    # Nobody else may read them.
    other = app.server.test_client()
    headers = sign_in_client(other, add_user(engine, "executive"))
    answer = route(other, headers, "/admin", "").get_data(as_text=True)
    assert "access-denied" in answer and "users-table" not in answer


def test_fingerprinted_static_files_are_long_cached_and_carry_no_cookie(site, engine) -> None:
    app, _ = site
    client = app.server.test_client()
    sign_in_client(client, add_user(engine, "executive"))
    index = client.get("/").get_data(as_text=True)
    asset = re.search(r'href="(/assets/app\.css\?m=[^"]+)"', index).group(1)
    bundle = re.search(r'src="(/_dash-component-suites/dash/[^"]+)"', index).group(1)
    for path in (asset, bundle):
        answer = client.get(path)
        assert answer.status_code == 200 and "max-age=31536000" in answer.headers["Cache-Control"]
        assert "_csrf_token" not in answer.headers.get("Set-Cookie", "")
    # Without its fingerprint an asset may change under the same address: checked each time.
    assert "max-age" not in client.get("/assets/app.css").headers["Cache-Control"]
    assert client.get("/").headers["Cache-Control"] == "no-store"
