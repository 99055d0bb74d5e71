"""Test users, and signing in as them: through the Flask test client, over HTTP, or in Chromium."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.parse
import urllib.request
from typing import Any

from sqlalchemy import Engine

from dashboard.clock import SystemClock
from data_access.access import create_user

PASSWORD = "correct horse battery staple"
_CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_user(engine: Engine, role: str, areas: tuple[str, ...] = (),
             username: str | None = None) -> str:
    """A user of ``role`` (a hub lead needs ``areas``) with the test password; their username."""
    username = username or f"test-{role}"
    create_user(engine, username, role, SystemClock().now(), password=PASSWORD,
                display_name=f"Test {role.replace('_', ' ')}", area_codes=areas)
    return username


def is_session_check(statement: str) -> bool:
    """A statement every signed-in request runs (no cache may stand in for it): the session
    looked up with its user's role (a hub lead's areas too), or its last-seen time moved (at
    most once a minute)."""
    flat = " ".join(statement.split())
    return "user_sessions" in flat or \
        flat.startswith("SELECT user_areas.area_code FROM user_areas")


def sign_in_client(client: Any, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Sign a Flask test client in; the headers its callback requests need (the CSRF token)."""
    form = client.get("/login").get_data(as_text=True)
    answer = client.post("/login", data={"username": username, "password": password,
                                         "csrf_token": _CSRF_INPUT.search(form).group(1)})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    return {"X-CSRFToken": client.get_cookie("_csrf_token").value}


class SignedIn:
    """An HTTP client with its own cookies, signed in to a running app."""

    def __init__(self, base_url: str, username: str, password: str = PASSWORD) -> None:
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        form = self.open("/login").read().decode()
        body = urllib.parse.urlencode({"username": username, "password": password,
                                       "csrf_token": _CSRF_INPUT.search(form).group(1)})
        with self.open("/login", body.encode(),
                       {"Content-Type": "application/x-www-form-urlencoded"}) as response:
            assert "/login" not in response.geturl(), "sign-in failed"

    @property
    def csrf(self) -> str:
        return next(c.value for c in self.cookies if c.name == "_csrf_token")

    def open(self, path: str, data: bytes | None = None,
             headers: dict[str, str] | None = None) -> Any:
        request = urllib.request.Request(f"{self.base_url}{path}", data=data,
                                         headers=headers or {})
        return self.opener.open(request, timeout=60)


def sign_in_page(page: Any, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign a Playwright page in through the sign-in form."""
    page.goto(f"{base_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#sign-in")
    page.wait_for_url(lambda url: "/login" not in url)
