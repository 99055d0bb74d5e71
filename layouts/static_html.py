"""StaticHtml: a part of a page that never changes once drawn (a table's rows), sent as one
Dash component and drawn by React straight (assets/static_html.js).

Dash's renderer works per component it is sent, and from a few thousand components that work
is most of a page's time in the browser (docs/performance.md, "One component for rows").
``content`` is the JSON Dash sends for html components (``layouts.components.element``);
``rows`` is a table's body rows as lists of strings, the first of each the row's header (drawn as
``<tr><th scope="row">…</th><td>…</td>…</tr>``): a tenth of the bytes and of the objects the
server builds, copies and caches for each row. What reads a page's tables (the exports, the
tests) reads both as html components (``layouts.components.component_nodes``). The browser
draws only table and text elements with inert attributes: no links, styles or handlers.
"""

from __future__ import annotations

from typing import Any

from dash.development.base_component import Component

# What assets/static_html.js draws; anything else is refused here, before it is sent.
TAGS = frozenset({"Table", "Caption", "Thead", "Tbody", "Tfoot", "Tr", "Th", "Td", "Div",
                  "Span", "Strong", "Em", "B", "Small", "Abbr", "P", "Br", "Time"})
ATTRIBUTES = frozenset({"children", "id", "className", "scope", "colSpan", "rowSpan", "headers",
                        "title", "role", "abbr", "dateTime"})


class StaticHtml(Component):
    """``content``: html elements as JSON (``element`` dicts), strings and lists of them;
    ``rows``: a table's body rows, each a list of strings (``body_row``'s cells)."""

    _children_props: list[str] = []
    _base_nodes = ["children"]
    _namespace = "dashboard_static"
    _type = "StaticHtml"

    def __init__(self, content: Any = None, id: str | None = None,
                 rows: list[list[str]] | None = None, **kwargs: Any) -> None:
        self._prop_names = ["content", "rows", "id"]
        self._valid_wildcard_attributes: list[str] = []
        self.available_properties = ["content", "rows", "id"]
        self.available_wildcard_properties: list[str] = []
        _check(content)
        _check_rows(rows)
        given = {"content": content, "rows": rows, "id": id}
        super().__init__(**{name: value for name, value in given.items() if value is not None},
                         **kwargs)


def _check_rows(rows: Any) -> None:
    if rows is None:
        return
    if not isinstance(rows, list) or not all(
            isinstance(row, list) and row and all(isinstance(cell, str) for cell in row)
            for row in rows):
        raise ValueError("StaticHtml rows are lists of strings, one list a row")


def _check(content: Any) -> None:
    if content is None or isinstance(content, (str, int, float)):
        return
    if isinstance(content, list):
        for part in content:
            _check(part)
        return
    if (not isinstance(content, dict) or content.get("type") not in TAGS
            or content.get("namespace") != "dash_html_components"):
        raise ValueError(f"StaticHtml draws table and text elements only, not {content!r:.80}")
    props = content.get("props", {})
    unknown = [name for name in props
               if name not in ATTRIBUTES and not name.startswith(("data-", "aria-"))]
    if unknown:
        raise ValueError(f"StaticHtml does not draw the attributes {unknown}")
    _check(props.get("children"))
