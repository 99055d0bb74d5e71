"""Calling a Dash callback over HTTP as the browser does: the callback found by its output in
the app's own map (``/_dash-dependencies``), its inputs and state given by "id.property"."""

from __future__ import annotations

import json
from typing import Any


def call_callback(client: Any, csrf: str, output: str, values: dict[str, Any],
                  changed: str, query: str = "") -> Any:
    """POST the callback whose output names ``output``, with ``values`` for its inputs and
    state (others None), ``changed`` the input that fired it; the response. ``query``: a
    background callback's poll names its job there (``cacheKey=...&job=...``)."""
    callback = next(c for c in json.loads(client.get("/_dash-dependencies").data)
                    if output in c["output"])
    parts = callback["output"].strip(".").split("...")
    outputs = [dict(zip(("id", "property"), p.rsplit(".", 1), strict=True)) for p in parts]

    def listed(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**item, "value": values.get(f"{item['id']}.{item['property']}")}
                for item in items]

    endpoint = "/_dash-update-component" + (f"?{query}" if query else "")
    return client.post(endpoint, headers={"X-CSRFToken": csrf}, json={
        "output": callback["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": listed(callback["inputs"]), "state": listed(callback["state"]),
        "changedPropIds": [changed]})
