"""How figures are written on screen: one function per kind of value."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from dashboard.goals import GOAL_MEASURES


def text(value: object) -> str:
    """A text cell: "–" for a missing value (None, or pandas' NaN from a blank column)."""
    return "–" if value is None or value != value or value == "" else str(value)


def whole(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


def hours(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f} h"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}%"


def moment(value: datetime | None) -> str:
    """A London time as people say it: 08:30 Wed 25 Nov 2026."""
    return "never" if value is None else value.strftime("%H:%M %a %d %b %Y")


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 service``, ``2 services``."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}"


def change(value: int, noun: str = "people") -> str:
    if value == 0:
        return "no change since this time yesterday"
    direction = "more" if value > 0 else "fewer"
    return f"{abs(value):,} {direction} {noun} than at this time yesterday"


def duration_ago(elapsed: timedelta) -> str:
    """``just now``, ``12 min ago``, ``3 h 5 min ago``, ``2 days ago``."""
    minutes = int(elapsed.total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60} min ago"
    return f"{minutes // (24 * 60)} days ago"


def day(value: date) -> str:
    """A day as people say it: 1 Apr 2026."""
    return f"{value.day} {value:%b %Y}"


def goal_level(measure: str, value: float, better: str) -> str:
    """``at least 80%``, ``at most 1.5 days``, ``at most 12 people``: a goal and its side."""
    amount = {"percent": f"{value:g}%", "days": f"{value:g} day{'' if value == 1 else 's'}",
              "people": plural(int(value), "person", "people")}[GOAL_MEASURES[measure].unit]
    return f"{'at least' if better == 'up' else 'at most'} {amount}"
