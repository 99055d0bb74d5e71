"""A page is declared once (dashboard/pages.py): everything else that needs to know the pages
iterates the registry, so adding a page is its query, its layout, its page module and one entry
(docs/architecture.md, "Adding a page")."""

from __future__ import annotations

import ast
import inspect
import json
from pathlib import Path

import pytest

import dashboard.pages
from callbacks.shell import code_named, renderer
from dashboard.app_factory import create_app
from dashboard.clock import FixedClock
from dashboard.config import Settings
from dashboard.pages import PAGES, PAGES_BY_PATH
from tests.accounts import add_user, sign_in_client
from tests.builders import GEOGRAPHY, TODAY_AT, TODAY_EPISODES, load_files
from tests.example_page import EXAMPLE
from tests.test_security import route

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("page", PAGES, ids=[page.slug for page in PAGES])
def test_every_page_names_code_that_exists(page) -> None:
    assert len(inspect.signature(renderer(page)).parameters) == 4  # context, area, state, link
    if page.callbacks is not None:
        assert len(inspect.signature(code_named(page.callbacks)).parameters) == 2  # app, context


def test_no_other_module_keeps_a_table_of_the_pages() -> None:
    """A dict or set keyed by two or more page paths outside the registry is a second list of
    the pages, which a new page would have to be added to as well."""
    paths = {page.path for page in PAGES}
    found = []
    for folder in ("callbacks", "layouts", "dashboard", "data_access", "benchmarks", "scripts"):
        for module in (ROOT / folder).rglob("*.py"):
            if module == ROOT / "dashboard" / "pages.py":
                continue
            for node in ast.walk(ast.parse(module.read_text())):
                keys = node.keys if isinstance(node, ast.Dict) else \
                    node.elts if isinstance(node, ast.Set) else []
                named = {key.value for key in keys
                         if isinstance(key, ast.Constant) and key.value in paths}
                if len(named) >= 2:
                    found.append((str(module.relative_to(ROOT)), node.lineno, sorted(named)))
    assert found == []


@pytest.fixture
def with_example_page(monkeypatch):  # type: ignore[no-untyped-def]
    """The registry with tests/example_page.py's page added: one entry, nothing else."""
    monkeypatch.setattr(dashboard.pages, "PAGES", (*PAGES, EXAMPLE))
    monkeypatch.setattr(dashboard.pages, "NAV_PAGES", (*dashboard.pages.NAV_PAGES, EXAMPLE))
    monkeypatch.setitem(PAGES_BY_PATH, EXAMPLE.path, EXAMPLE)
    return EXAMPLE


def test_a_page_added_to_the_registry_is_routed_navigated_and_explained(
        with_example_page, engine, database_url, tmp_path) -> None:
    assert load_files(engine, tmp_path / "batch", {**GEOGRAPHY,
                                                   "episodes.csv": TODAY_EPISODES}).loaded
    app = create_app(Settings(database_url=database_url, clock=FixedClock(TODAY_AT),
                              cache_type="null"), engine)
    client = app.server.test_client()
    headers = sign_in_client(client, add_user(engine, "executive"))
    answer = route(client, headers, "/example", "?area=D1")
    assert answer.status_code == 200
    sent = json.loads(answer.get_data(as_text=True))["response"]
    content, navigation = json.dumps(sent["page-content"]), json.dumps(sent["main-nav"])
    assert "Example page: " in content  # the router drew it, for the area in the address
    assert with_example_page.how_to_read[0] in content  # with its own "How to read"
    assert '"href": "/example?area=D1"' in navigation and '"Example"' in navigation
