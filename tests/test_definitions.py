"""The "How we count" definitions: one source (the metric docstrings) for the screen and
docs/metrics.md, covering every metric a page uses and every chart."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

from dash import dcc, html

from dashboard.definitions import (
    BY_ID,
    COMMAND,
    DEFINITIONS,
    DOCUMENT,
    definition_href,
    definition_markdown,
    introduction,
    metrics_document,
    source_name,
)
from layouts import how_we_count
from layouts.components import chart_card, data_table, kpi_card
from layouts.figures import horizontal_bars
from layouts.flow import spc_definition

ROOT = Path(__file__).resolve().parent.parent
# Page code: the callbacks, and the Today page's assembly (it has no metric of its own).
PAGE_CODE = [*sorted((ROOT / "callbacks").glob("*.py")), ROOT / "data_access/metrics/today.py"]
LAYOUTS = sorted((ROOT / "layouts").glob("*.py"))
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def _calls(path: Path, name: str) -> Iterator[ast.Call]:
    """Calls of ``name`` (``name(...)`` or ``x.name(...)``) in a file."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if called == name:
                yield node


def _metric_functions_used(path: Path) -> set[Callable[..., object]]:
    """Functions of data_access.metrics that a file calls: imported by name, or through an
    imported metrics module (``delays.waiting_by_reason``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules: dict[str, ModuleType] = {}
    used: set[Callable[..., object]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "data_access.metrics"):
            package = importlib.import_module(node.module)
            for alias in node.names:
                value = getattr(package, alias.name, None) or importlib.import_module(
                    f"{node.module}.{alias.name}")
                if inspect.ismodule(value):
                    modules[alias.asname or alias.name] = value
                elif inspect.isfunction(value):
                    used.add(value)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in modules):
            value = getattr(modules[node.value.id], node.attr, None)
            if inspect.isfunction(value):
                used.add(value)
    return used


def _markdown_texts(component: object) -> list[str]:
    return [c.children for c in component._traverse()  # type: ignore[attr-defined]
            if isinstance(c, dcc.Markdown)]


def test_docs_metrics_md_is_generated_from_the_docstrings():
    assert DOCUMENT.read_text(encoding="utf-8") == metrics_document(), \
        f"docs/metrics.md is out of date: run {COMMAND}"


def test_the_document_says_it_is_generated_and_how():
    top = metrics_document().split("\n\n", 2)[:2]
    assert top[0] == "# Metric definitions"
    assert "Generated" in top[1] and f"`{COMMAND}`" in top[1] and "docstrings" in top[1]


def test_definition_ids_are_unique_slugs_and_every_source_has_a_docstring():
    ids = [d.id for d in DEFINITIONS]
    assert len(ids) == len(set(ids))
    assert all(SLUG.fullmatch(i) for i in ids), ids
    sources = [s for d in DEFINITIONS for s in d.sources]
    assert len(sources) == len(set(sources)), "a docstring is used twice: the text would repeat"
    for source in sources:
        assert (inspect.getdoc(source) or "").strip(), f"{source_name(source)} has no docstring"
    assert introduction().strip()


def test_every_metric_function_a_page_uses_has_a_definition():
    used = set().union(*(_metric_functions_used(path) for path in PAGE_CODE))
    used = {f for f in used if f.__module__ != "data_access.metrics.today"}
    assert {"waiting_at", "waiting_by_reason", "icb_benchmark", "capacity_outlook"} <= {
        f.__name__ for f in used}, "the search for page code's metric calls missed some"
    covered = {s for d in DEFINITIONS for s in d.sources}
    assert not sorted(source_name(f) for f in used - covered)


def test_every_chart_card_passes_a_definition_and_every_id_named_exists():
    for path in LAYOUTS:
        for call in _calls(path, "chart_card"):
            keywords = {k.arg: k.value for k in call.keywords}
            assert "definition" in keywords, f"{path.name}:{call.lineno}: no definition="
            assert not (isinstance(keywords["definition"], ast.Constant)
                        and keywords["definition"].value is None), f"{path.name}:{call.lineno}"
        named = [k.value for name in ("chart_card", "kpi_card", "pathway_counts_card")
                 for call in _calls(path, name) for k in call.keywords if k.arg == "definition"]
        named += [call.args[0] for call in _calls(path, "how_we_count") if call.args]
        for value in named:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                assert value.value in BY_ID, f"{path.name}:{value.lineno}: {value.value!r}"


def test_every_chart_built_by_hand_shows_its_definition():
    """A layout function that draws a dcc.Graph itself (not through chart_card) adds the
    disclosure too."""
    for path in LAYOUTS:
        if path.name == "components.py":
            continue  # chart_card: checked at every call above
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(function, ast.FunctionDef):
                continue
            called = {getattr(n.func, "attr", getattr(n.func, "id", None))
                      for n in ast.walk(function) if isinstance(n, ast.Call)}
            if "Graph" in called:
                assert called & {"how_we_count", "optional_how_we_count"}, \
                    f"{path.name}: {function.name} draws a chart without its definition"


def test_every_flow_spc_chart_has_a_definition():
    """The Flow page's SPC titles come from callbacks/flow.py; each maps to a definition."""
    tree = ast.parse((ROOT / "callbacks/flow.py").read_text(encoding="utf-8"))
    charts = [node.value for node in ast.walk(tree) if isinstance(node, ast.Assign)
              and any(isinstance(t, ast.Name) and t.id == "charts" for t in node.targets)]
    assert len(charts) == 1 and isinstance(charts[0], ast.Dict) and charts[0].keys
    for key in charts[0].keys:
        while isinstance(key, ast.BinOp):
            key = key.left
        assert isinstance(key, ast.Constant) and isinstance(key.value, str)
        assert spc_definition(key.value) in BY_ID, key.value


def test_a_cards_definition_on_screen_is_its_markdown():
    table = data_table(["Day", "People"], [("2026-11-24", 3)], "figures-table", "Figures")
    chart = horizontal_bars(["Monday"], [3], axis_title="people")
    card = chart_card("Title", chart, "graph", "Summary", table, definition="waiting")
    assert _markdown_texts(card) == [definition_markdown("waiting")]
    links = [c for c in card._traverse() if isinstance(c, dcc.Link)]
    assert [link.href for link in links] == [definition_href("waiting")]
    assert definition_href("waiting") == "/how-we-count#waiting"
    kpi = kpi_card("Title", "1", "value", definition="nctr-to-service")
    assert _markdown_texts(kpi) == [definition_markdown("nctr-to-service")]
    assert _markdown_texts(chart_card("Title", chart, "graph", "Summary", table)) == []


def test_how_we_count_page_has_every_definition_under_its_anchor():
    page = how_we_count.render(lambda path: f"{path}?area=X")
    sections = [c for c in page._traverse() if isinstance(c, html.Section)]
    assert [s.id for s in sections] == [d.id for d in DEFINITIONS]
    for section, definition in zip(sections, DEFINITIONS, strict=True):
        assert _markdown_texts(section)[0] == definition_markdown(definition.id)
    assert _markdown_texts(page)[0] == introduction()
    document = metrics_document()
    assert all(f'<a id="{d.id}"></a>\n\n## {d.title}' in document for d in DEFINITIONS)
