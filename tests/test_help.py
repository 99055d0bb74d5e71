"""Help where it is needed: "How to read this page" on every page and the glossary, one click
away from every page, generated from the vocabulary and the SPC labels."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from dash import dcc, html
from sqlalchemy import Engine

from dashboard.app_factory import create_app
from dashboard.clock import FixedClock
from dashboard.config import Settings
from dashboard.pages import GLOSSARY_PATH, PAGES, PAGES_BY_PATH
from dashboard.spc import ASSURANCE_LABELS, VARIATION_ICON_LABELS, VariationIcon
from dashboard.vocabulary import DELAY_REASONS, PATHWAYS, REASON_GROUPS
from layouts.components import spc_badges
from layouts.glossary_terms import GLOSSARY, SUMMARY, glossary_terms, term_href
from layouts.help import glossary, how_to_read
from tests.accounts import add_user, sign_in_client
from tests.builders import GEOGRAPHY, TODAY_AT, TODAY_EPISODES, load_files
from tests.test_security import route

SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
ALL_PAGES = list(PAGES)
# The class word the app draws beside each variation symbol (layouts/components.py spc_badges).
CLASS_WORDS = ("improvement", "concern", "neither", "common cause")


def _walk(node: Any) -> Iterator[Any]:
    """A Dash component tree (objects, or the JSON Dash sends), every node and string in it."""
    yield node
    if isinstance(node, dict):
        children = node.get("props", {}).get("children")
    elif isinstance(node, (list, tuple)):
        children = node
    else:
        children = getattr(node, "children", None)
    if isinstance(children, (list, tuple)):
        for child in children:
            yield from _walk(child)
    elif children is not None and not isinstance(children, str):
        yield from _walk(children)
    elif isinstance(children, str):
        yield children


def _text(node: Any) -> str:
    return " ".join(part for part in _walk(node) if isinstance(part, str))


def _symbols() -> dict[str, str]:
    """Each variation icon's symbol, as spc_badges draws it, and the class it stands for."""
    symbols = {}
    for icon in VariationIcon:
        badge = spc_badges(icon.value, None, trial=False).children[0]
        symbol = badge.children.split(" ", 1)[0]
        symbols[symbol] = next(word for word in CLASS_WORDS
                               if word.replace(" ", "_") in icon.value)
    return symbols


# --- How to read this page --------------------------------------------------------------------

@pytest.mark.parametrize("page", ALL_PAGES, ids=[page.path for page in ALL_PAGES])
def test_every_built_page_has_three_to_six_short_points(page) -> None:
    bullets = page.how_to_read
    assert 3 <= len(bullets) <= 6, page.path
    assert all(isinstance(b, str) and 40 <= len(b) <= 300 for b in bullets), page.path
    assert len(set(bullets)) == len(bullets)


def test_the_glossary_page_is_for_everyone_and_not_in_the_navigation() -> None:
    page = PAGES_BY_PATH[GLOSSARY_PATH]
    assert page.permission is None and not page.in_nav and page.purpose


def test_an_spc_symbol_in_the_help_names_the_class_the_app_draws_it_for() -> None:
    symbols = _symbols()
    assert set(symbols) == {"▲", "▼", "◆", "●"}
    for page in PAGES:
        for bullet in page.how_to_read:
            for symbol, word in symbols.items():
                for found in re.finditer(re.escape(symbol), bullet):
                    assert bullet[found.end():].startswith(f" {word}"), (page.path, bullet)


def test_how_to_read_is_a_disclosure_with_its_points_and_the_glossary() -> None:
    details = how_to_read(PAGES_BY_PATH["/delays"].how_to_read, "/glossary?area=D1")
    assert isinstance(details, html.Details)
    summary = details.children[0]
    assert isinstance(summary, html.Summary) and summary.children == SUMMARY
    items = [node for node in _walk(details) if isinstance(node, html.Li)]
    assert [item.children for item in items] == list(PAGES_BY_PATH["/delays"].how_to_read)
    links = [node for node in _walk(details) if isinstance(node, dcc.Link)]
    assert [(link.children, link.href) for link in links] == [("Glossary", "/glossary?area=D1")]


# --- The glossary -----------------------------------------------------------------------------

def test_glossary_ids_are_unique_slugs() -> None:
    ids = [term.id for term in glossary_terms()] + [group.id for group in GLOSSARY]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert all(SLUG.fullmatch(i) for i in ids), [i for i in ids if not SLUG.fullmatch(i)]
    assert term_href("nctr") == "/glossary#nctr"


def test_glossary_ids_are_stable() -> None:
    ids = {term.id for term in glossary_terms()}
    assert {"nctr", "criteria-to-reside", "pathway-0", "pathway-3", "care-transfer-hub",
            "intermediate-care", "step-down", "reablement", "d2a", "bed-days-lost",
            "ambition-24-hours", "sitrep", "reason-groups", "reason-h1", "reason-c11",
            "reason-group-capacity", "spc-common-cause", "special-cause",
            "spc-special-cause-concern-low", "spc-assurance-fail", "funnel-plot",
            "per-100000-aged-65", "small-number-rule", "synthetic-data"} <= ids


def test_every_delay_reason_and_group_is_in_the_glossary() -> None:
    terms = {term.id: term for term in glossary_terms()}
    for code, reason in DELAY_REASONS.items():
        term = terms[f"reason-{code.lower()}"]
        assert term.term == f"{code}: {reason.text}"
        assert reason.group.lower() in term.meaning
    for group in REASON_GROUPS:
        section = next(g for g in GLOSSARY if g.title == f"Delay reasons: {group}")
        codes = [t.term.split(":")[0] for t in section.terms[1:]]
        assert codes == [c for c, r in DELAY_REASONS.items() if r.group == group]
    assert len(DELAY_REASONS) == 37
    assert [terms[f"pathway-{p}"].term for p in PATHWAYS] == list(PATHWAYS.values())


def test_the_glossary_page_shows_every_code_and_every_spc_icon_as_the_charts_do() -> None:
    page = glossary(lambda path: f"{path}?area=X")
    text = _text(page)
    for code, reason in DELAY_REASONS.items():
        assert f"{code}: {reason.text}" in text
    symbols = {word: symbol for symbol, word in _symbols().items()}
    for icon, label in VARIATION_ICON_LABELS.items():
        word = next(w for w in CLASS_WORDS if w.replace(" ", "_") in icon.value)
        assert f"{symbols[word]} {label}" in text, label
    for label in ASSURANCE_LABELS.values():
        assert label in text
    badges = [node for node in _walk(page) if isinstance(node, html.Span)
              and "spc-badge" in (getattr(node, "className", None) or "")]
    assert len(badges) == len(VARIATION_ICON_LABELS) + len(ASSURANCE_LABELS) + 1  # + trial


def test_the_glossary_page_is_a_definition_list_per_section() -> None:
    page = glossary(lambda path: path)
    title = next(node for node in _walk(page) if isinstance(node, html.H1))
    assert (title.children, title.id) == ("Glossary", "page-title")
    sections = [node for node in _walk(page) if isinstance(node, html.Section)]
    assert [s.id for s in sections] == [g.id for g in GLOSSARY]
    for section, group in zip(sections, GLOSSARY, strict=True):
        terms = [node for node in _walk(section) if isinstance(node, html.Dt)]
        meanings = [node for node in _walk(section) if isinstance(node, html.Dd)]
        assert [t.id for t in terms] == [t.id for t in group.terms]
        assert [m.children for m in meanings] == [t.meaning for t in group.terms]
    contents = [node.href for node in _walk(page) if isinstance(node, html.A)]
    assert contents == [f"#{g.id}" for g in GLOSSARY]


# --- Over HTTP: every page, the header and the footer -----------------------------------------

@pytest.fixture
def client(engine: Engine, database_url: str, tmp_path) -> Any:  # type: ignore[no-untyped-def]
    assert load_files(engine, tmp_path / "batch", {**GEOGRAPHY,
                                                  "episodes.csv": TODAY_EPISODES}).loaded
    app = create_app(Settings(database_url=database_url, clock=FixedClock(TODAY_AT)), engine)
    return app.server.test_client()


def _content(answer: Any) -> Any:
    assert answer.status_code == 200
    return json.loads(answer.get_data(as_text=True))["response"]["page-content"]["children"]


@pytest.mark.parametrize("path", ["/", "/delays"])
def test_a_page_opens_with_how_to_read_and_links_the_glossary(client, engine, path) -> None:
    headers = sign_in_client(client, add_user(engine, "executive"))
    content = _content(route(client, headers, path, "?area=ICB1"))
    first = content["props"]["children"][0]
    assert first["type"] == "Details" and first["props"]["id"] == "how-to-read"
    summary = first["props"]["children"][0]
    assert summary["type"] == "Summary" and summary["props"]["children"] == SUMMARY
    assert all(bullet in _text(first) for bullet in PAGES_BY_PATH[path].how_to_read)
    links = [node["props"]["href"] for node in _walk(first)
             if isinstance(node, dict) and node.get("type") == "Link"]
    assert links == ["/glossary?area=ICB1"]


def test_the_glossary_renders_for_an_administrator(client, engine) -> None:
    headers = sign_in_client(client, add_user(engine, "administrator"))
    content = _content(route(client, headers, GLOSSARY_PATH, ""))
    text = _text(content)
    assert "access-denied" not in json.dumps(content)
    assert SUMMARY in text and "Glossary" in text
    assert all(f"{code}: {reason.text}" in text for code, reason in DELAY_REASONS.items())
    # Their own page has its help too.
    assert SUMMARY in _text(_content(route(client, headers, "/admin", "")))


def test_the_glossary_is_one_click_away_in_the_header_and_the_footer(client, engine) -> None:
    sign_in_client(client, add_user(engine, "hub_lead", ("D1",)))
    layout = json.loads(client.get("/_dash-layout").get_data(as_text=True))
    links = {node["props"].get("id"): node["props"]["href"] for node in _walk(layout)
             if isinstance(node, dict) and node.get("type") == "Link"}
    assert links["header-glossary"] == links["footer-glossary"] == GLOSSARY_PATH
    ids = {node["props"]["id"] for node in _walk(layout)
           if isinstance(node, dict) and isinstance(node.get("props", {}).get("id"), str)}
    assert not ids & ({term.id for term in glossary_terms()} | {g.id for g in GLOSSARY})
