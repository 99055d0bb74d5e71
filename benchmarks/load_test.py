"""Many users: simulated browsers against the served app; throughput, median and p95 latency per
request kind, and errors.

    python -m benchmarks.load_test --users 50 --minutes 3 [--write docs/load-test.md]
    python -m benchmarks.load_test --users 50 --minutes 3 --host https://dashboard.example

Without ``--host`` it starts the multi-instance stack on loopback (``deploy/stack.py``: Redis,
``--instances`` gunicorn instances, nginx in front) against ``--database-url`` (prepared: migrated
and loaded), or without one against a new SQLite file holding the demo as ``python app.py`` builds
it (Coventry and Warwickshire, 18 months up to now, and NHS England's published extracts). The
users (``benchmarks/locustfile.py``, run by locust) sign in with the demonstration accounts unless
``--usernames`` says otherwise (their password in ``LOAD_TEST_PASSWORD``). Every run is bounded:
the users stop after the given time and locust is stopped if it overruns.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

DEMO_USERS = "demo-executive,demo-place-manager,demo-hub-lead,demo-data-manager"
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
ROOT = LOCUSTFILE.parent.parent
STOP_SECONDS = 30  # users finish the request they are in when the time is up
WARM_UP_LIMIT_SECONDS = 1800  # the longest the users wait for the first warm-up to end
SLICE_SECONDS = 30  # the report's "when in the run" table
# Request names (the locustfile's) the "when in the run" table counts: what loads a stretch of it.
SIGN_IN = "POST /login (sign in)"
REDRAW = "route redraw (new data)"  # an open page redrawn after a new data version


@dataclass(frozen=True)
class Kind:
    name: str
    requests: int
    failures: int
    median_ms: float
    p95_ms: float
    per_second: float


@dataclass(frozen=True)
class Slice:
    """One ``SLICE_SECONDS`` of the run: the requests that started in it."""
    start: int  # seconds into the run
    requests: int
    median_ms: float
    p95_ms: float
    sign_ins: int
    redraws: int


@dataclass(frozen=True)
class LoadReport:
    users: int
    seconds: int
    think_seconds: float
    refresh_seconds: float
    kinds: tuple[Kind, ...]  # per request kind
    total: Kind
    failures: tuple[tuple[str, int], ...]  # (error, occurrences), most frequent first
    exceptions: tuple[tuple[str, int], ...]  # errors in the simulated browsers themselves
    # (seconds into the run, milliseconds taken, name) of every request, in order of starting
    timeline: tuple[tuple[float, float, str], ...] = ()
    arrivals_per_second: float = 0.0  # how fast the users came: all within users / this

    @property
    def errors(self) -> int:
        return self.total.failures + sum(count for _, count in self.exceptions)

    def markdown(self, setup: str, command: str) -> str:
        lines = [
            "## Many users", "",
            f"Measured {datetime.now():%Y-%m-%d} on {platform.machine()}, {platform.system()}, "
            f"{os.cpu_count()} cores, shared by every process of the run: indicative figures. "
            f"{setup}", "",
            f"Command: `{command}`", "",
            f"{self.users} simulated users for {self.seconds} s, arriving "
            f"{self.arrivals_per_second:g} a second, each with its own session: "
            "signs in, opens the app (page, layout, callbacks list), moves between pages, areas "
            f"and periods through Dash's callback endpoint (reading each page for about "
            f"{self.think_seconds:g} s), reloads now and then, and sends the refresh tick every "
            f"{self.refresh_seconds:g} s as an open page does.", "",
            f"**Throughput {self.total.per_second:.1f} requests/s; median "
            f"{self.total.median_ms:.0f} ms, p95 {self.total.p95_ms:.0f} ms over all "
            f"{self.total.requests} requests; {self.errors} errors.**", "",
            "| request | requests | failures | median ms | p95 ms | requests/s |",
            "|---|---|---|---|---|---|",
        ]
        for k in (*self.kinds, self.total):
            lines.append(f"| {k.name} | {k.requests} | {k.failures} | {k.median_ms:.0f} | "
                         f"{k.p95_ms:.0f} | {k.per_second:.2f} |")
        if slices := self.slices():
            lines += ["", f"When in the run (each {SLICE_SECONDS} s of request starts; p95 of "
                          "the times as measured, not locust's rounded ones; the sign-ins and "
                          "the redraws of open pages after a new data version in each):", "",
                      "| seconds | requests | median ms | p95 ms | sign-ins | redraws |",
                      "|---|---|---|---|---|---|"]
            lines += [f"| {part.start}-{part.start + SLICE_SECONDS} | {part.requests} | "
                      f"{part.median_ms:.0f} | {part.p95_ms:.0f} | {part.sign_ins} | "
                      f"{part.redraws} |" for part in slices]
        lines += ["", "Errors: " + ("none." if not self.errors else "the first few:"), ""]
        lines += [f"- {count} × {error}" for error, count in
                  (*self.failures, *self.exceptions)[:5]]
        return "\n".join(lines).rstrip() + "\n"


    def slices(self) -> list[Slice]:
        """Each ``SLICE_SECONDS`` of the run in which requests started, in order."""
        by_slice: dict[int, list[tuple[float, str]]] = {}
        for second, ms, name in self.timeline:
            by_slice.setdefault(int(second // SLICE_SECONDS) * SLICE_SECONDS, []).append(
                (ms, name))
        return [Slice(start, len(started), float(np.median([ms for ms, _ in started])),
                      float(np.percentile([ms for ms, _ in started], 95)),
                      sum(name == SIGN_IN for _, name in started),
                      sum(name == REDRAW for _, name in started))
                for start, started in sorted(by_slice.items())]


def run(host: str, users: int, seconds: int, folder: Path, *, spawn_rate: float | None = None,
        usernames: str = DEMO_USERS, password: str | None = None, refresh_seconds: float = 60,
        think_seconds: float = 10) -> LoadReport:
    """Run locust headless against ``host`` for ``seconds``; its statistics as a report."""
    report_path = folder / "locust-report.json"
    spawn_rate = spawn_rate or max(1.0, users / 10)
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
               "--host", host, "--users", str(users),
               "--spawn-rate", str(spawn_rate),
               "--run-time", f"{seconds}s", "--stop-timeout", str(STOP_SECONDS),
               "--only-summary", "--exit-code-on-error", "0", "--report-json", str(report_path),
               "--usernames", usernames, "--refresh-seconds", str(refresh_seconds),
               "--think-seconds", str(think_seconds)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if password is not None:
        env["LOAD_TEST_PASSWORD"] = password
    with (folder / "locust.log").open("wb") as log:
        finished = subprocess.run(command, cwd=ROOT, env=env, stdout=log,
                                  stderr=subprocess.STDOUT, timeout=seconds + STOP_SECONDS + 60,
                                  check=False)
    if finished.returncode != 0 or not report_path.exists():
        raise RuntimeError(f"locust failed (exit {finished.returncode}):\n"
                           + (folder / "locust.log").read_text(errors="replace")[-3000:])
    found = json.loads(report_path.read_text(encoding="utf-8"))
    return LoadReport(users, seconds, think_seconds, refresh_seconds,
                      tuple(Kind(**k) for k in found["kinds"]),
                      Kind(**{**found["total"], "name": "**all**"}),
                      tuple((e, n) for e, n in found["failures"]),
                      tuple((e, n) for e, n in found["exceptions"]),
                      tuple((second, ms, name) for second, ms, name in found.get("timeline", [])),
                      spawn_rate)


@dataclass(frozen=True)
class WarmUp:
    views: int
    seconds: float


def warm_up_done(logs: list[Path]) -> WarmUp | None:
    """The first warm-up one of these instance logs reports as ended (callbacks/warm.py), or
    None."""
    from callbacks.warm import WARMED

    pattern = re.compile(re.escape(WARMED).replace(r"\{count\}", r"(\d+)")
                         .replace(r"\{version\}", r"\S+")
                         .replace(r"\{seconds:\.1f\}", r"([\d.]+)"))
    for log in logs:
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        if found := pattern.search(text):
            return WarmUp(int(found.group(1)), float(found.group(2)))
    return None


def wait_for_warm_up(stack_folder: Path) -> WarmUp:
    """Until an instance has warmed the default views (it starts at its first request, the
    stack's own check that it answers): the users then come, as at 8:30 after the night's load,
    to views the warm-up has computed."""
    logs = sorted(stack_folder.glob("instance-*.log"))
    deadline = time.monotonic() + WARM_UP_LIMIT_SECONDS
    while (done := warm_up_done(logs)) is None:
        if time.monotonic() > deadline:
            raise SystemExit(f"no warm-up ended within {WARM_UP_LIMIT_SECONDS} s; see {logs}")
        time.sleep(1)  # polling a log file another process writes
    return done


@contextmanager
def served_demo(database_url: str | None, instances: int, folder: Path
                ) -> Iterator[tuple[str, WarmUp | None]]:
    """The stack on loopback against this database (or a new demo), after its first warm-up
    unless ``DASHBOARD_WARM_VIEWS`` is off; yields nginx's address and the warm-up."""
    from dashboard.bootstrap import prepare_database
    from dashboard.clock import SystemClock
    from data_access.db import make_engine
    from deploy.stack import missing_programs, stack

    if missing := missing_programs():
        raise SystemExit(f"missing: {', '.join(missing)}")
    if database_url is None:
        database_url = f"sqlite:///{folder / 'demo.db'}"
        print("Building the demo database (about half a minute)...", flush=True)
        engine = make_engine(database_url)
        prepare_database(engine, database_url, SystemClock(), demo_if_empty=True)
        engine.dispose()
    with stack(database_url, instances, folder=folder / "stack") as running:
        warmed = None
        if warm_views() != "off":
            print(f"Waiting for the warm-up ({warm_views()})...", flush=True)
            warmed = wait_for_warm_up(running.folder)
        yield running.url, warmed


def warm_views() -> str:
    from dashboard.config import settings_from_env

    return settings_from_env().warm_views


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--host", help="a running deployment's address (default: start the "
                                       "stack on loopback)")
    parser.add_argument("--database-url", help="the prepared database the stack serves")
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--usernames", default=DEMO_USERS)
    parser.add_argument("--refresh-seconds", type=float, default=60)
    parser.add_argument("--think-seconds", type=float, default=10)
    parser.add_argument("--arrival-seconds", type=float,
                        help="the users arrive evenly over this many seconds (default: a tenth "
                             "of them each second, all within 10 s)")
    parser.add_argument("--write", type=Path, help="write the report (Markdown) here")
    parser.add_argument("--logs", type=Path, help="keep the stack's and locust's logs here "
                                                  "(where nginx's workers may enter: /tmp/...)")
    args = parser.parse_args()
    seconds = round(args.minutes * 60)
    with ExitStack() as started, tempfile.TemporaryDirectory(prefix="load-test-") as scratch:
        folder = args.logs or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        if args.host:
            host = args.host
            setup = f"Against {host}."
        else:
            folder.chmod(0o711)  # nginx's workers create their temporary files below it
            host, warmed = started.enter_context(served_demo(args.database_url, args.instances,
                                                             folder))
            database = "PostgreSQL" if (args.database_url or "").startswith("postgresql") \
                else "SQLite"
            data = "as given" if args.database_url else \
                "the demo: Coventry and Warwickshire, 18 months, and the published extracts"
            setup = (f"{args.instances} gunicorn instances ({_workers()}) behind nginx on "
                     f"loopback, sharing one Redis cache and one {database} database ({data}); "
                     f"{_warming(warmed)}; the load generator on the same machine.")
        print(f"{args.users} users for {seconds} s against {host}...", flush=True)
        report = run(host, args.users, seconds, folder, usernames=args.usernames,
                     refresh_seconds=args.refresh_seconds, think_seconds=args.think_seconds,
                     spawn_rate=args.users / args.arrival_seconds if args.arrival_seconds
                     else None)
    command = " ".join(["python -m benchmarks.load_test", *sys.argv[1:]])
    text = report.markdown(setup, command)
    print(text)
    if args.write:
        args.write.write_text(text, encoding="utf-8")


def _warming(warmed: WarmUp | None) -> str:
    if warmed is None:
        return "no views warmed in the background (`DASHBOARD_WARM_VIEWS=off`)"
    return (f"default views warmed in the background (`DASHBOARD_WARM_VIEWS={warm_views()}`), "
            f"the users arriving after the first warm-up ({warmed.views} views in "
            f"{warmed.seconds:.0f} s) and while later ones run (at each new data version: a "
            "load, a delivery, or the five-minute time step)")


def _workers() -> str:
    workers = os.environ.get("GUNICORN_WORKERS") or os.cpu_count() or 2
    return f"{workers} gthread workers × {os.environ.get('GUNICORN_THREADS', '4')} threads each"


if __name__ == "__main__":
    main()
