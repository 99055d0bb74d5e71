"""``python app.py``, as the README runs it: migrates, serves with debug off, answers callbacks."""

from __future__ import annotations

import urllib.request

from tests.accounts import SignedIn, add_user
from tests.builders import GEOGRAPHY, TODAY_CAPACITY, TODAY_EPISODES, load_files
from tests.running_app import page_json, started_app


def test_python_app_py_serves_the_today_page(engine, database_url, tmp_path):
    load_files(engine, tmp_path / "batch", {**GEOGRAPHY, "episodes.csv": TODAY_EPISODES,
                                            "capacity.csv": TODAY_CAPACITY})
    with started_app({"DATABASE_URL": database_url, "DASHBOARD_NOW": "2026-11-25T08:30"}) \
            as (base_url, output):
        assert any("Debug mode: off" in line for line in output), output
        with urllib.request.urlopen(f"{base_url}/", timeout=30) as response:
            assert 'lang="en-GB"' in response.read().decode()
        page = page_json(SignedIn(base_url, add_user(engine, "executive")), "/", "?area=ICB1")
        assert '"id": "waiting-now-value"' in page
        assert '"children": "5", "id": "waiting-now-value"' in page
