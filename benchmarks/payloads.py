"""The JSON bodies a browser POSTs to Dash's callback endpoint (``/_dash-update-component``).

Plain data and no imports of the app but its page registry (standard library only), so the load
test's simulated browsers can use them too.
"""

from __future__ import annotations

from typing import Any

from dashboard.pages import PAGES as REGISTERED_PAGES

# The pages of aggregate figures (every role but the administrator's may open them).
PAGES = tuple(page.path for page in REGISTERED_PAGES if page.permission == "aggregates")


def route_payload(callbacks: list[dict], pathname: str, search: str,
                  version: str | None = None) -> dict[str, Any]:
    """The route callback: the whole page for an address (and the data version it shows)."""
    route = next(c for c in callbacks if "page-content.children" in c["output"])
    outputs = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
               for part in route["output"].strip(".").split("...")]
    return {"output": route["output"], "outputs": outputs, "changedPropIds": ["url.search"],
            "inputs": [{"id": "url", "property": "pathname", "value": pathname},
                       {"id": "url", "property": "search", "value": search},
                       {"id": "data-version", "property": "data", "value": version}],
            "state": [{"id": "database-status", "property": "children", "value": None}]}


def backtest_payload(search: str) -> dict[str, Any]:
    """The capacity page's outlook back-test, which the page fills in after it shows."""
    return {"output": "outlook-backtest.children",
            "outputs": {"id": "outlook-backtest", "property": "children"},
            "changedPropIds": ["url.search"],
            "inputs": [{"id": "url", "property": "search", "value": search}]}


def version_payload(shown: str | None) -> dict[str, Any]:
    """The refresh tick: is there newer data than the version this page shows?"""
    return {"output": "data-version.data", "outputs": {"id": "data-version", "property": "data"},
            "changedPropIds": ["refresh-tick.n_intervals"],
            "inputs": [{"id": "refresh-tick", "property": "n_intervals", "value": 1}],
            "state": [{"id": "data-version", "property": "data", "value": shown},
                      {"id": "database-status", "property": "children", "value": None}]}


def area_sync_payload(search: str, picked: str | None) -> dict[str, Any]:
    """The URL and the area picker kept in step, on every change of address."""
    return {"output": "..url.search...area-picker.value..",
            "outputs": [{"id": "url", "property": "search"},
                        {"id": "area-picker", "property": "value"}],
            "changedPropIds": ["url.search"],
            "inputs": [{"id": "url", "property": "search", "value": search},
                       {"id": "area-picker", "property": "value", "value": picked}]}


def figures_payload(table_id: str, pathname: str, search: str) -> dict[str, Any]:
    """A chart's figures as a table, when the person opens it (``layouts.components.on_demand``:
    the page is sent without it)."""
    return {"output": '{"table":["MATCH"],"type":"figures"}.children',
            "outputs": {"id": {"table": table_id, "type": "figures"}, "property": "children"},
            "changedPropIds": [f'{{"table":"{table_id}","type":"figures-opener"}}.n_clicks'],
            "inputs": [{"id": {"table": table_id, "type": "figures-opener"},
                        "property": "n_clicks", "value": 1}],
            "state": [{"id": "url", "property": "pathname", "value": pathname},
                      {"id": "url", "property": "search", "value": search}]}
