"""Scope is a type: every metric and person-level query takes an ``AreaInScope``, which only the
access layer makes, after checking the signed-in user's areas (or, named, for system use)."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import typing
from pathlib import Path

import pytest

import data_access.metrics
from dashboard.results import AreaInfo
from data_access.access import AreaInScope, area_for_system_use, areas_inside
from data_access.areas import episodes_in_area, home_in_area, services_serving_area
from data_access.metrics.flow import discharges_daily
from data_access.metrics.waiting import waiting_at
from data_access.models import Episode
from tests.builders import GEOGRAPHY, TODAY_AT, load_files, system_area

ROOT = Path(__file__).resolve().parent.parent
QUERY_MODULES = sorted(
    [f"data_access.metrics.{module.name}"
     for module in pkgutil.iter_modules(data_access.metrics.__path__)]
    + ["data_access.metrics", "data_access.huddle", "data_access.quality", "data_access.actions",
       "data_access.goals", "data_access.trigger_levels", "data_access.planning"])
# Queries over NHS England's published figures (open data about whole ICBs and trusts, no
# person's record), which every role may see: they take no local area.
PUBLISHED_DATA_QUERIES = {
    "data_access.metrics.benchmark": {"icb_benchmark", "latest_reason_month", "published_days",
                                      "reason_mix", "trust_benchmark", "weekly_trend"}}
# Who may issue an area for system use: the warm-up, benchmarks, scripts, tests and the command
# line (the scheduled evaluation of trigger levels, and "plan": aggregate figures only, run by
# whoever holds DATABASE_URL); never a page.
SYSTEM_USE_CALLERS = ("callbacks/warm.py", "benchmarks/", "scripts/", "tests/",
                      "dashboard/__main__.py")


def query_functions() -> list[tuple[str, str, typing.Any]]:
    """Every public function of the query modules that runs a query (it takes an engine)."""
    found = []
    for module_name in QUERY_MODULES:
        module = importlib.import_module(module_name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module_name and not name.startswith("_") \
                    and "engine" in inspect.signature(function).parameters:
                found.append((module_name, name, function))
    return found


def test_every_metric_and_person_level_query_takes_an_area_in_scope():
    queries = query_functions()
    scoped = []
    for module_name, name, function in queries:
        hints = typing.get_type_hints(function)
        parameters = inspect.signature(function).parameters
        assert not [p for p in parameters if "code" in p and hints.get(p) is str], \
            f"{module_name}.{name} takes an area as a string"
        if name in PUBLISHED_DATA_QUERIES.get(module_name, ()):
            assert "area" not in parameters
            continue
        assert hints.get("area") is AreaInScope, \
            f"{module_name}.{name} runs a query but takes no AreaInScope"
        scoped.append(f"{module_name}.{name}")
    # The enumeration found the queries: the huddle list, the quality checks, every metric.
    assert {"data_access.huddle.huddle_list", "data_access.quality.run_checks",
            "data_access.metrics.waiting.waiting_at"} <= set(scoped)
    assert len(scoped) == len(queries) - sum(map(len, PUBLISHED_DATA_QUERIES.values()))


def test_only_the_access_layer_makes_an_area_in_scope():
    with pytest.raises(TypeError, match="made only by data_access.access"):
        AreaInScope("ICB1", "Test system", "icb", 3000)
    with pytest.raises(TypeError, match="made only by data_access.access"):
        AreaInScope("ICB1", "Test system", "icb", 3000, checked_for="someone", _issuer=object())
    made_elsewhere = [
        f"{path.relative_to(ROOT)}:{node.lineno}" for path in _python_files()
        if path not in (ROOT / "data_access" / "access.py", Path(__file__).resolve())
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call) and _name(node.func) == "AreaInScope"]
    assert made_elsewhere == []


def test_only_the_warm_up_benchmarks_scripts_and_tests_issue_areas_for_system_use():
    callers = {str(path.relative_to(ROOT)) for path in _python_files()
               for node in ast.walk(ast.parse(path.read_text()))
               if isinstance(node, ast.Call) and _name(node.func) == "area_for_system_use"}
    assert "callbacks/warm.py" in callers
    assert [c for c in callers if not c.startswith(SYSTEM_USE_CALLERS)] == []
    with pytest.raises(ValueError, match="a system use is one of"):
        area_for_system_use(None, "ICB1", "a page")  # type: ignore[arg-type]


# The actions' store reads and writes for whoever its caller checked: only the two checked ways
# in reach its reading and writing functions (its errors and limits may be named anywhere).
ACTION_STORE_CALLERS = {"data_access/actions.py", "data_access/feed_actions.py"}
ACTION_STORE_WORK = {"record", "change", "read", "history"}


def test_only_the_checked_ways_in_read_and_write_actions_through_the_store():
    reaching = set()
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "data_access.action_store":
                if ACTION_STORE_WORK & {alias.name for alias in node.names}:
                    reaching.add(str(path.relative_to(ROOT)))
            elif isinstance(node, ast.ImportFrom) and node.module == "data_access" \
                    and "action_store" in {alias.name for alias in node.names}:
                reaching.add(str(path.relative_to(ROOT)))
            elif isinstance(node, ast.Import) and "data_access.action_store" in {
                    alias.name for alias in node.names}:
                reaching.add(str(path.relative_to(ROOT)))
    assert reaching == ACTION_STORE_CALLERS


def test_a_bare_code_or_a_hand_made_area_reaches_no_query(engine, tmp_path):
    load_files(engine, tmp_path / "areas", GEOGRAPHY)
    by_hand = AreaInfo("ICB1", "Test system", "icb", 3000)
    for area in ("ICB1", by_hand):
        for confine in (episodes_in_area, services_serving_area,
                        lambda a: home_in_area(Episode.home_area_code, a)):
            with pytest.raises(TypeError, match="takes an AreaInScope"):
                confine(area)
        with pytest.raises(TypeError, match="takes an AreaInScope"):
            waiting_at(engine, area, TODAY_AT)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="takes an AreaInScope"):
            discharges_daily(engine, area, TODAY_AT.date(), TODAY_AT.date())  # type: ignore
    checked = system_area(engine, "ICB1")
    assert waiting_at(engine, checked, TODAY_AT).total == 0  # no episodes loaded
    assert (checked.code, checked.name, checked.checked_for) == \
        ("ICB1", "Test system", "system: test")


def test_the_areas_inside_a_checked_area_are_checked_for_the_same_user(engine, tmp_path):
    load_files(engine, tmp_path / "areas", GEOGRAPHY)
    places = areas_inside(engine, system_area(engine, "ICB1"), "district")
    assert [(p.code, p.checked_for) for p in places] == \
        [("D1", "system: test"), ("D2", "system: test")]
    with pytest.raises(TypeError):
        areas_inside(engine, AreaInfo("ICB1", "Test system", "icb", 3000), "district")


def _python_files() -> list[Path]:
    folders = ("app.py", "dashboard", "data_access", "callbacks", "layouts", "demo",
               "benchmarks", "scripts", "tests")
    return sorted(path for folder in folders for path in
                  ((ROOT / folder,) if folder.endswith(".py") else (ROOT / folder).rglob("*.py"))
                  if "vendor" not in path.parts)


def _name(function: ast.expr) -> str | None:
    if isinstance(function, ast.Name):
        return function.id
    return function.attr if isinstance(function, ast.Attribute) else None
