"""Time every page's callbacks against the bare SQL of the same figures: median and 95th
percentile over repeated calls with varied areas and periods, through Dash's real callback
endpoint (HTTP, JSON in and out), with the view cache off so every call computes.

    python -m benchmarks.callbacks --scale system [--write docs/performance.md]
    python -m benchmarks.callbacks --scale national --database-url URL [--write ...]

``--scale system`` builds the synthetic Coventry and Warwickshire demo (18 months) and NHS
England's published extracts into a temporary SQLite file unless ``--database-url`` is given.
``--scale national`` measures a database that already holds all 42 systems (built with
``python -m dashboard demo --scale 42 --months 36``, see docs/performance.md).

**Bare SQL**: every statement a call sent to the database is recorded at the engine and run again,
one after another on one raw driver connection, fetching every row: the database's own time for
the same figures, without SQLAlchemy, pandas, figures, layout or Dash. Not part of the test
suite: speed is measured here, not asserted.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from benchmarks.common import NOW, database_url, replace_between_markers
from benchmarks.payloads import area_sync_payload, backtest_payload, route_payload, version_payload
from dashboard.app_factory import create_app, settle_for_serving
from dashboard.clock import FixedClock
from dashboard.config import Settings
from dashboard.pages import PAGES
from data_access.access import area_for_system_use, list_users
from data_access.areas import picker_areas
from data_access.db import make_engine
from tests.accounts import add_user, sign_in_client

# Who opens each kind of page in the benchmark (a role that holds its permission).
ROLE_FOR = {None: "data_manager", "aggregates": "data_manager", "data": "data_manager",
            "people": "hub_lead", "admin": "administrator", "planning": "data_manager"}
PERIODS = ("", "&from=2026-08-01&to=2026-11-24", "&from=2025-12-01&to=2026-02-28",
           "&from=2026-10-26&to=2026-11-22&pathway=1")
TARGETS_MS = {"system": 300.0, "national": 1000.0}
WITHIN_BARE = 1.5  # a callback's p95 within this many times its bare SQL's p95
# A callback whose SQL takes less than this reads (almost) no figures: nothing to compare with.
NOTHING_TO_COMPARE_MS = 1.0


@dataclass(frozen=True)
class Timing:
    page: str
    callback: str
    area: str
    calls: int
    median_ms: float
    p95_ms: float
    bare_median_ms: float
    bare_p95_ms: float
    served_median_ms: float
    served_p95_ms: float
    statements: int  # per call, at most


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


@contextmanager
def recording(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every statement the engine sends while inside, with its parameters (any thread)."""
    sent: list[tuple[str, Any]] = []
    lock = threading.Lock()

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
               executemany: bool) -> None:
        if not executemany:
            with lock:
                sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def bare_seconds(engine: Engine, statements: list[tuple[str, Any]]) -> float:
    """The statements run one after another on one raw driver connection, every row fetched."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        started = time.perf_counter()
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            if cursor.description is not None:
                cursor.fetchall()
        elapsed = time.perf_counter() - started
        raw.rollback()
        return elapsed
    finally:
        raw.close()


def _population(engine: Engine, code: str) -> int:
    area = area_for_system_use(engine, code, "benchmark")
    return (area.population_65_plus or 0) if area is not None else 0


def areas_to_vary(engine: Engine, systems: int) -> dict[str, list[str]]:
    """``systems`` systems from the largest to the smallest by people aged 65+, and two places
    and two neighbourhoods of each, so that calls vary in area and in size."""
    areas = picker_areas(engine)
    icbs = sorted(areas[areas.level == "icb"].code,
                  key=lambda code: -(_population(engine, code)))
    chosen = [icbs[round(i * (len(icbs) - 1) / max(systems - 1, 1))] for i in range(systems)]
    samples: dict[str, list[str]] = {"system": chosen, "place": [], "neighbourhood": []}
    for icb in chosen:
        # In tree order, an ICB's areas follow it until the next area at its depth or above.
        at = int(areas.index[areas.code == icb][0])
        after = areas.iloc[at + 1:]
        leaves = after.index[after.depth <= areas.depth.iloc[at]]
        inside = after.loc[:leaves[0] - 1] if len(leaves) else after
        samples["place"] += list(inside[inside.level == "district"].code[:2])
        samples["neighbourhood"] += list(inside[inside.level == "neighbourhood"].code[:2])
    return samples


def signed_in(app: Any, engine: Engine, role: str, systems: list[str]) -> Any:
    """A test client signed in as a benchmark user of ``role`` (a hub lead's hub: ``systems``)."""
    username = f"benchmark-{role}"
    if username not in set(list_users(engine).username):
        add_user(engine, role, tuple(systems) if role == "hub_lead" else (), username=username)
    client = app.server.test_client()
    client.environ_base["HTTP_X_CSRFTOKEN"] = sign_in_client(client, username)["X-CSRFToken"]
    return client


def measure(database_url: str, repeats: int, systems: int) -> list[Timing]:
    engine = make_engine(database_url)
    samples = areas_to_vary(engine, systems)
    # Cold: no view cache, every call computes its figures, as the first browser to ask would.
    # Served: the shared view cache as deployed, once the view has been computed.
    # (Room for every view measured: none is dropped before it is asked for again.)
    apps = {cache: create_app(Settings(database_url=database_url, clock=FixedClock(NOW),
                                       cache_type=cache, cache_entries=100_000), engine)
            for cache in ("null", "simple")}
    clients = {(cache, role): signed_in(app, engine, role, samples["system"])
               for cache, app in apps.items() for role in set(ROLE_FOR.values())}
    callbacks = json.loads(clients["null", "data_manager"].get("/_dash-dependencies").data)
    settle_for_serving()  # as app.py and gunicorn do before serving

    def post(cache: str, role: str, body: dict) -> float:
        started = time.perf_counter()
        response = clients[cache, role].post("/_dash-update-component", json=body)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code in (200, 204), response.data[:500]
        return elapsed

    def timed(page: str, name: str, kind: str, bodies: Callable[[int], dict],
              role: str = "data_manager") -> Timing:
        cold, bare, served, most = [], [], [], 0
        for i in range(repeats):
            with recording(engine) as sent:
                cold.append(post("null", role, bodies(i)))
            bare.append(bare_seconds(engine, sent) * 1000)
            most = max(most, len(sent))
            post("simple", role, bodies(i))  # the view computed once...
            served.append(post("simple", role, bodies(i)))  # ...then served from the cache
        return Timing(page, name, kind, repeats, statistics.median(cold), p95(cold),
                      statistics.median(bare), p95(bare), statistics.median(served),
                      p95(served), most)

    def search(kind: str, i: int, periods: bool = True) -> str:
        codes = samples[kind]
        return f"?area={codes[i % len(codes)]}" + (PERIODS[i % len(PERIODS)] if periods else "")

    results = []
    for kind in samples:
        for page in PAGES:
            results.append(timed(page.path, "page", kind, lambda i, path=page.path, kind=kind:
                                 route_payload(callbacks, path, search(kind, i)),
                                 ROLE_FOR[page.permission]))
        results.append(timed("/capacity", "back-test", kind, lambda i, kind=kind:
                             backtest_payload(search(kind, i, False))))
        results.append(timed("every page", "area picker", kind, lambda i, kind=kind:
                             area_sync_payload(search(kind, i), None)))
    results.append(timed("every page", "new-data check", "-", lambda i: version_payload("0.0")))
    engine.dispose()
    return results


def markdown(results: list[Timing], scale: str, url: str, described: str) -> str:
    target = TARGETS_MS[scale]

    def verdict(met: bool) -> str:
        return "yes" if met else "**no**"

    def against_bare(ms: float, bare: float) -> str:
        if bare < NOTHING_TO_COMPARE_MS:
            return "n/a"
        return f"{ms / bare:.2f} {verdict(ms / bare <= WITHIN_BARE)}"

    compared = [r for r in results if r.bare_p95_ms >= NOTHING_TO_COMPARE_MS]
    under = sum(r.p95_ms < target for r in results)
    cold_within = sum(r.p95_ms <= WITHIN_BARE * r.bare_p95_ms for r in compared)
    served_within = sum(r.served_p95_ms <= WITHIN_BARE * r.bare_p95_ms for r in compared)
    lines = [
        f"Measured {datetime.now():%Y-%m-%d} on {platform.machine()}, {platform.system()}, "
        f"Python {platform.python_version()}, 2 cores; {url.split(':', 1)[0]}; {described}",
        "",
        f"Command: `python -m benchmarks.callbacks --scale {scale}"
        + (" --database-url URL" if scale == "national" else "") + " --write docs/performance.md`",
        "",
        f"Targets: p95 under {target:.0f} ms, and within {WITHIN_BARE} times the bare SQL's p95. "
        f"Met: p95 under target (cold) {under} of {len(results)}; within {WITHIN_BARE} times "
        f"the bare SQL, of the {len(compared)} whose SQL takes {NOTHING_TO_COMPARE_MS:.0f} ms "
        f"or more: cold {cold_within}, served {served_within}.",
        "",
        "| page | callback | area | calls | cold median ms | cold p95 ms | bare SQL median ms | "
        "bare SQL p95 ms | served median ms | served p95 ms | statements | "
        f"cold p95 under {target:.0f} ms | cold p95 / bare | served p95 / bare |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| `{r.page}` | {r.callback} | {r.area} | {r.calls} | {r.median_ms:.0f} | "
            f"{r.p95_ms:.0f} | {r.bare_median_ms:.1f} | {r.bare_p95_ms:.1f} | "
            f"{r.served_median_ms:.1f} | {r.served_p95_ms:.1f} | {r.statements} | "
            f"{verdict(r.p95_ms < target)} | {against_bare(r.p95_ms, r.bare_p95_ms)} | "
            f"{against_bare(r.served_p95_ms, r.bare_p95_ms)} |")
    return "\n".join(lines)


DESCRIBED = {
    "system": "the synthetic Coventry and Warwickshire demo (18 months, about 98,000 "
              "episodes) plus NHS England's published discharge extracts.",
    "national": "all 42 synthetic systems, 36 months (about 11 million episodes, 10 million "
                "delay reason changes, 1.6 million capacity reports) plus NHS England's "
                "published discharge extracts.",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(TARGETS_MS), default="system")
    parser.add_argument("--database-url")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--systems", type=int, default=3,
                        help="how many systems the areas are drawn from (national scale)")
    parser.add_argument("--write", type=Path, help="write the table into this Markdown file")
    args = parser.parse_args()
    if args.scale == "national" and not args.database_url:
        parser.error("--scale national measures a database you built: give --database-url")
    with tempfile.TemporaryDirectory() as scratch:
        url = database_url(args.database_url, Path(scratch))
        results = measure(url, args.repeats, args.systems if args.scale == "national" else 1)
    for r in results:
        print(f"{r.page:<17} {r.callback:<15} {r.area:<13} median {r.median_ms:6.0f} ms  "
              f"p95 {r.p95_ms:6.0f} ms  bare p95 {r.bare_p95_ms:6.0f} ms  "
              f"served p95 {r.served_p95_ms:5.1f} ms  ({r.statements})")
    if args.write:
        replace_between_markers(args.write, f"callbacks-{args.scale}",
                                markdown(results, args.scale, url, DESCRIBED[args.scale]))


if __name__ == "__main__":
    main()
