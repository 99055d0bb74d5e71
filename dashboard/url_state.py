"""View state in the query string (``?area=CODE``), so a link reproduces the view."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

MAX_CODE_LENGTH = 32


def area_from_search(search: str | None) -> str | None:
    """The ``area`` value of a query string, or None if absent or not a plausible code."""
    values = parse_qs((search or "").lstrip("?")).get("area", [])
    code = values[0].strip() if values else ""
    if not code or len(code) > MAX_CODE_LENGTH:
        return None
    return code


def search_with_area(search: str | None, area_code: str) -> str:
    """The query string with ``area`` set, other parameters kept."""
    params = parse_qs((search or "").lstrip("?"))
    params["area"] = [area_code]
    return "?" + urlencode(params, doseq=True)


def href(path: str, area_code: str | None) -> str:
    return path if not area_code else f"{path}?{urlencode({'area': area_code})}"
