"""View state in the query string (``?area=CODE&from=DATE&to=DATE&pathway=N``, on the huddle
list ``&reasons=GROUP&site=CODE&waited=7|14|21&since=YYYY-MM-DDTHH:MM``, on the benchmark
``&benchmark=england|REGION|ICB``), so a link reproduces the view and the back button works.
Everything read from a URL is validated here: the callback endpoint is public, so any value may
arrive."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode

from dashboard.clock import as_london, day_start, same_time_yesterday
from dashboard.vocabulary import (
    INTERMEDIATE_CARE_PATHWAYS,
    NOT_RECORDED,
    REASON_GROUPS,
    WAITED_AT_LEAST_DAYS,
)

MAX_CODE_LENGTH = 32
DEFAULT_PERIOD_DAYS = 84  # twelve weeks: enough points for an SPC baseline of weekly figures
MAX_PERIOD_DAYS = 3 * 366
EARLIEST_DAY = date(1900, 1, 1)  # far enough back; date arithmetic near the year 1 overflows
SITE_CODE = re.compile(rf"[A-Za-z0-9._-]{{1,{MAX_CODE_LENGTH}}}")  # as the data contract's codes
ENGLAND_KEY = "england"  # the benchmark's choice of England
# The benchmark's choice as the address may write it: england, a region's key or an ICB's code.
BENCHMARK_KEY = re.compile(r"[A-Za-z0-9-]{1,60}")


def reason_group_key(group: str) -> str:
    """How a reason group is written in the address: ``Care transfer hub process`` ->
    ``care-transfer-hub-process``."""
    return group.lower().replace(" ", "-")


def region_key(region: str) -> str:
    """How an NHS region is written in the address: ``North East and Yorkshire`` ->
    ``north-east-and-yorkshire``."""
    return re.sub(r"[^a-z0-9]+", "-", region.lower()).strip("-")


# The ``reasons`` filter's keys and the group each stands for.
REASON_GROUP_KEYS: dict[str, str] = {
    reason_group_key(group): group for group in (*REASON_GROUPS, NOT_RECORDED)}


@dataclass(frozen=True)
class ViewState:
    area: str | None
    first_day: date
    last_day: date
    pathway: int | None
    target: float | None = None  # a target percentage the user set, 0 to 100
    rebase: tuple[date, ...] = ()  # dates of known changes: SPC limits are re-based there only
    messages: tuple[str, ...] = ()  # what was wrong with the URL and how it was read instead
    reasons: str | None = None  # a key of REASON_GROUP_KEYS: one reason group (huddle list)
    site: str | None = None  # a hospital site code (huddle list)
    waited: int | None = None  # whole days waited at least, of WAITED_AT_LEAST_DAYS (huddle list)
    benchmark: str | None = None  # england, a region's key or an ICB's code (benchmark)
    since: datetime | None = None  # London clock time, to the minute (huddle's "since when")

    @property
    def reason_group(self) -> str | None:
        """The reason group the ``reasons`` key stands for."""
        return REASON_GROUP_KEYS[self.reasons] if self.reasons else None

    def since_shown(self, now: datetime) -> datetime:
        """The huddle's "since when": the time asked for if it is before now, else the same
        clock time yesterday."""
        if self.since is not None and as_london(self.since) < now:
            return as_london(self.since)
        return same_time_yesterday(now)

    def bounds(self, now: datetime) -> tuple[datetime, datetime]:
        """The period as London times: from 00:00 on the first day to 24:00 on the last day,
        or to ``now`` if that is earlier."""
        start = day_start(self.first_day)
        end = day_start(self.last_day + timedelta(days=1))
        return start, min(end, now)


def as_search(value: Any) -> str:
    """The query string the browser sent; anything but text (any value may arrive) as none."""
    return _utf8(value) if isinstance(value, str) else ""


def as_path(value: Any) -> str:
    """The path the browser sent; anything but text, or nothing, as the home page."""
    return _utf8(value) if isinstance(value, str) and value else "/"


def _utf8(text: str) -> str:
    # Half of a UTF-16 pair (JSON can carry one, a real address cannot) becomes "?".
    return text.encode("utf-8", "replace").decode("utf-8")


def _params(search: Any) -> dict[str, list[str]]:
    return parse_qs(as_search(search).lstrip("?"))


def _first(params: dict[str, list[str]], name: str) -> str:
    values = params.get(name, [])
    return values[0].strip() if values else ""


def _date(text: str) -> date | None:
    if not text or len(text) > 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def read_view_state(search: Any, today: date) -> ViewState:
    """The view a query string asks for, with defaults and corrections for anything invalid.

    The period defaults to the twelve weeks ending yesterday (the last whole day), is never
    later than today nor earlier than 1900, is swapped if reversed, and is cut to three years.
    """
    params = _params(search)
    messages: list[str] = []
    area = _first(params, "area")
    if len(area) > MAX_CODE_LENGTH:
        messages.append("The area code in the address is too long; showing the default area.")
        area = ""
    last_default = today - timedelta(days=1)
    raw_from, raw_to = _first(params, "from"), _first(params, "to")
    first_day, last_day = _date(raw_from), _date(raw_to)
    if (raw_from and first_day is None) or (raw_to and last_day is None):
        messages.append("A date in the address is not a date (YYYY-MM-DD); using the default.")
    if any(day is not None and day < EARLIEST_DAY for day in (first_day, last_day)):
        messages.append("Periods start in 1900 at the earliest; the dates have been moved.")
    last_day = max(min(last_day or last_default, today), EARLIEST_DAY)
    first_day = max(min(first_day or last_day - timedelta(days=DEFAULT_PERIOD_DAYS - 1), today),
                    EARLIEST_DAY)
    if first_day > last_day:
        first_day, last_day = last_day, first_day
        messages.append("The period's dates were the wrong way round; they have been swapped.")
    if (last_day - first_day).days >= MAX_PERIOD_DAYS:
        first_day = last_day - timedelta(days=MAX_PERIOD_DAYS - 1)
        messages.append("Periods are limited to three years; showing the last three.")
    raw_pathway = _first(params, "pathway")
    pathway = int(raw_pathway) if raw_pathway in {str(p) for p in INTERMEDIATE_CARE_PATHWAYS} \
        else None
    if raw_pathway and pathway is None:
        messages.append(f"There is no pathway {raw_pathway[:10]!r}; showing all pathways.")
    raw_target = _first(params, "target")
    target = _percent(raw_target)
    if raw_target and target is None:
        messages.append("The target in the address is not a percentage from 0 to 100; "
                        "using the default.")
    raw_rebase = _first(params, "rebase")
    rebase = tuple(sorted({d for d in map(_date, raw_rebase.split(",")[:10]) if d}))
    if raw_rebase and len(rebase) != len({t for t in raw_rebase.split(",") if t}):
        messages.append("A re-basing date in the address is not a date (YYYY-MM-DD); "
                        "it is ignored.")
    reasons, site = _reasons(params, messages), _site(params, messages)
    waited, benchmark = _waited(params, messages), _benchmark(params, messages)
    since = _since(params, messages, today)
    return ViewState(area or None, first_day, last_day, pathway, target, rebase,
                     tuple(messages), reasons=reasons, site=site, waited=waited,
                     benchmark=benchmark, since=since)


def _since(params: dict[str, list[str]], messages: list[str], today: date) -> datetime | None:
    """The huddle's "since when" as a London clock time (naive, to the minute), no later than
    today and no earlier than 1900; whether it is before now is for the page to say."""
    raw = _first(params, "since")
    if not raw:
        return None
    try:
        since = datetime.strptime(raw[:16], "%Y-%m-%dT%H:%M") if len(raw) == 16 else None
    except ValueError:
        since = None
    if since is None or not EARLIEST_DAY <= since.date() <= today:
        messages.append("The time to show changes since is not a time from 1900 to today "
                        "(YYYY-MM-DDTHH:MM); showing those since the same time yesterday.")
        return None
    return since


def _waited(params: dict[str, list[str]], messages: list[str]) -> int | None:
    raw = _first(params, "waited")
    if raw in {str(days) for days in WAITED_AT_LEAST_DAYS}:
        return int(raw)
    if raw:
        *others, last = map(str, WAITED_AT_LEAST_DAYS)
        messages.append(f"{raw[:10]!r} is not a wait of {', '.join(others)} or {last} days; "
                        "showing everyone waiting.")
    return None


def _benchmark(params: dict[str, list[str]], messages: list[str]) -> str | None:
    """The benchmark's choice as written; whether such a region or ICB exists is for the page
    to say (the list is in the data)."""
    raw = _first(params, "benchmark")
    if raw and not BENCHMARK_KEY.fullmatch(raw):
        messages.append("The benchmark's choice in the address is not England, a region or an "
                        "ICB code; showing the default.")
        return None
    return raw or None


def _reasons(params: dict[str, list[str]], messages: list[str]) -> str | None:
    raw = _first(params, "reasons").lower()
    if raw and raw not in REASON_GROUP_KEYS:
        messages.append(f"There is no reason group {raw[:40]!r}; showing every reason.")
    return raw if raw in REASON_GROUP_KEYS else None


def _site(params: dict[str, list[str]], messages: list[str]) -> str | None:
    raw = _first(params, "site")
    if raw and not SITE_CODE.fullmatch(raw):
        messages.append("The site code in the address is not a site code; showing every site.")
        return None
    return raw or None


def _percent(text: str) -> float | None:
    try:
        value = float(text[:12])
    except ValueError:
        return None
    return value if 0 <= value <= 100 else None


def area_from_search(search: Any) -> str | None:
    """The ``area`` value of a query string, or None if absent or not a plausible code."""
    code = _first(_params(search), "area")
    if not code or len(code) > MAX_CODE_LENGTH:
        return None
    return code


def search_with(search: Any, **changes: str | None) -> str:
    """The query string with the given parameters set (or removed when None), others kept."""
    params = _params(search)
    for name, value in changes.items():
        if value is None or value == "":
            params.pop(name, None)
        else:
            params[name] = [value]
    return "?" + _query(params) if params else ""


def search_with_area(search: Any, area_code: str) -> str:
    return search_with(search, area=area_code)


# Kept by links to other pages. The huddle list's ``reasons``, ``site`` and ``waited`` filter its
# people only, and the benchmark's choice is of published figures only, so they stay on their
# page.
VIEW_KEYS = ("area", "from", "to", "pathway", "target", "rebase")


def href(path: str, search: Any) -> str:
    """A link to another page keeping the view state (area, period, pathway) and nothing else."""
    params = _params(search)
    kept = {key: params[key][0] for key in VIEW_KEYS if params.get(key)}
    return path + ("?" + _query(kept) if kept else "")


def _query(params: dict[str, Any]) -> str:
    return urlencode(params, doseq=True, errors="replace")  # as _utf8
