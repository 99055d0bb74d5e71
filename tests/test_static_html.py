"""StaticHtml (layouts/static_html.py, assets/static_html.js): rows sent as one component are
drawn as the same table elements, their text only ever text, and nothing but table and text
elements with inert attributes is sent or drawn."""

from __future__ import annotations

import json

import dash
import pytest
from dash import html
from plotly.io.json import to_json_plotly

from dashboard.app_factory import PROJECT_ROOT
from layouts.components import body_row, component_nodes, element, plain_table
from layouts.static_html import StaticHtml
from tests.browser import browsing
from tests.properties import SCRIPTS


@pytest.mark.parametrize("content", [
    element("A", "open", href="javascript:alert(1)"),
    element("Script", "alert(1)"),
    element("Td", "x", style={"background": "url(javascript:alert(1))"}),
    element("Td", "x", onClick="alert(1)"),
    element("Td", "x", dangerouslySetInnerHTML={"__html": "<img src=x onerror=alert(1)>"}),
    [element("Tr", [element("Td", element("Div", element("Iframe", "", src="x")))])],
    {"type": "Td", "namespace": "dash_core_components", "props": {"children": "x"}},
], ids=["link", "script", "style", "handler", "raw-html", "nested-iframe", "other-library"])
def test_anything_but_table_and_text_elements_with_inert_attributes_is_refused(content):
    with pytest.raises(ValueError, match="StaticHtml"):
        StaticHtml(content)


@pytest.mark.parametrize("rows", [
    [["ok"], "not a list"], [[]], [["ok", 3]], [["ok", {"type": "Td"}]], "ok",
], ids=["row-not-a-list", "empty-row", "number", "element", "not-a-list"])
def test_rows_are_lists_of_strings_only(rows):
    with pytest.raises(ValueError, match="StaticHtml rows"):
        StaticHtml(rows=rows)


def test_a_tables_rows_are_read_through_it_as_through_html_components():
    table = plain_table(["Area", "People"], [("Place one", 3), ("Place two", 12)], "t", "Two")
    sent = json.loads(to_json_plotly(table))  # as Dash sends it
    rows = [node for node in component_nodes(sent) if node["type"] == "Tr"]
    assert [[cell["props"]["children"] for cell in row["props"]["children"]]
            for row in rows] == [["Area", "People"], ["Place one", "3"], ["Place two", "12"]]


@pytest.mark.browser
def test_the_browser_draws_the_elements_and_their_text_only_as_text():
    from playwright.sync_api import expect

    hostile = [body_row((text, text)) for text in SCRIPTS]
    # Past the server's check (as a changed build might send): the browser still draws no
    # handler, style or raw HTML.
    smuggled = StaticHtml([element("Tr", [element("Th", "smuggled", scope="row")])])
    smuggled.content[0]["props"].update(onClick="alert(1)", style={"color": "red"},
                                        dangerouslySetInnerHTML={"__html": "<img src=x>"})
    app = dash.Dash(__name__, assets_folder=str(PROJECT_ROOT / "assets"))
    as_rows = StaticHtml(rows=[[text, text, "2"] for text in SCRIPTS])
    app.layout = html.Div([html.Table(html.Tbody([StaticHtml(hostile), smuggled]), id="drawn"),
                           html.Table(html.Tbody(as_rows), id="rows")])
    with browsing(app.server, None) as (page, base_url):
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(base_url)
        expect(page.locator("#drawn tbody > tr")).to_have_count(len(SCRIPTS) + 1)
        assert page.locator("#drawn tbody > tr > th[scope=row]").all_inner_texts() == [
            *SCRIPTS, "smuggled"]
        assert page.locator("#drawn td").all_inner_texts() == list(SCRIPTS)
        # Rows of strings: the same elements, a row header then cells, text only as text.
        expect(page.locator("#rows tbody > tr")).to_have_count(len(SCRIPTS))
        assert page.locator("#rows tbody > tr > th[scope=row]").all_inner_texts() == list(SCRIPTS)
        assert page.locator("#rows tbody > tr > td").all_inner_texts() == [
            cell for text in SCRIPTS for cell in (text, "2")]
        assert page.locator("#drawn img, #drawn script, #drawn [onclick], #drawn [style], "
                            "#rows img, #rows script, #rows [onclick], #rows [style]"
                            ).count() == 0
        assert dialogs == []
