"""Progress of long first-run work (building the demo): what is being done and how long is left,
in the terminal and, while the app is not yet serving, on a page at the app's own address.

Each stage has an expected duration (measured on a 2-core machine); the estimate of what is left
is the expected time of the stages to come plus the rest of the current one, scaled by how fast
the work has gone so far. Within a stage that reports no steps, progress is estimated from the
time spent, never beyond 95% of the stage until it ends.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response


@dataclass(frozen=True)
class Stage:
    label: str
    expected_seconds: float


@dataclass(frozen=True)
class Snapshot:
    stage: str
    fraction: float  # 0..1 of all the work
    seconds_left: float | None


class Progress:
    def __init__(self, stages: Sequence[Stage], clock: Callable[[], float] = time.monotonic,
                 out: TextIO | None = None) -> None:
        self._stages = list(stages)
        self._clock, self._out = clock, out
        self._index, self._within = -1, 0.0
        self._started = self._stage_started = clock()
        self._lock = threading.Lock()

    @property
    def _total(self) -> float:
        return sum(stage.expected_seconds for stage in self._stages)

    def start(self, label: str) -> None:
        """Begin the stage named ``label`` (stages run in the order given)."""
        with self._lock:
            self._index = next(i for i, s in enumerate(self._stages) if s.label == label)
            self._within, self._stage_started = 0.0, self._clock()
        self.report()

    def step(self, fraction: float) -> None:
        """The current stage is ``fraction`` (0..1) done."""
        with self._lock:
            self._within = min(max(fraction, 0.0), 1.0)
        self.report()

    def snapshot(self) -> Snapshot:
        with self._lock:
            if self._index < 0:
                return Snapshot("Starting", 0.0, None)
            stage = self._stages[self._index]
            elapsed_in_stage = self._clock() - self._stage_started
            by_time = min(elapsed_in_stage / stage.expected_seconds, 0.95)
            within = max(self._within, by_time)
            done = sum(s.expected_seconds for s in self._stages[:self._index]) \
                + within * stage.expected_seconds
            fraction = done / self._total
            elapsed = self._clock() - self._started
            # Scale the expected rest by how fast the work has gone so far (once there is enough
            # done to judge by).
            pace = elapsed / done if done >= 0.05 * self._total else 1.0
            left = max(self._total - done, 0.0) * pace
            return Snapshot(stage.label, fraction, left)

    def report(self) -> None:
        if self._out is not None:
            print(render_line(self.snapshot()), file=self._out, flush=True)


def render_line(snapshot: Snapshot, width: int = 30) -> str:
    """``[#########.....................]  31% Generating ... (about 14 s left)``"""
    filled = round(snapshot.fraction * width)
    left = "" if snapshot.seconds_left is None \
        else f" (about {round(snapshot.seconds_left)} s left)"
    return f"[{'#' * filled}{'.' * (width - filled)}] {snapshot.fraction:4.0%} " \
           f"{snapshot.stage}{left}"


def render_page(snapshot: Snapshot) -> str:
    """The page a browser sees while the app is being prepared; it reloads itself every 2 s and
    becomes the dashboard once it is ready."""
    percent = round(snapshot.fraction * 100)
    left = "" if snapshot.seconds_left is None else \
        f"About {round(snapshot.seconds_left)} seconds left."
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Preparing the dashboard ({percent}%)</title>
<style>body{{font-family:Arial,sans-serif;margin:3rem auto;max-width:40rem;padding:0 1rem;
color:#212b32}}progress{{width:100%;height:1.5rem}}</style></head>
<body><main><h1>Preparing the intermediate care dashboard</h1>
<p>First run: building the synthetic demonstration system (real place names, invented people).
This page moves on by itself when it is ready.</p>
<label for="progress">{html.escape(snapshot.stage)}: {percent}%</label>
<progress id="progress" max="100" value="{percent}">{percent}%</progress>
<p id="time-left" role="status">{html.escape(left)}</p></main></body></html>"""


@contextmanager
def progress_page(progress: Progress, host: str, port: int) -> Iterator[None]:
    """Serve the progress page at the app's address until the work is done."""
    def app(environ, start_response):  # type: ignore[no-untyped-def]
        Request(environ)
        response = Response(render_page(progress.snapshot()), mimetype="text/html",
                            headers={"Cache-Control": "no-store"})
        return response(environ, start_response)

    server: BaseWSGIServer | None
    try:
        server = make_server(host, port, app, threaded=True)
    except OSError:
        server = None  # the port is taken: the terminal still shows progress
    thread = threading.Thread(target=server.serve_forever, daemon=True) if server else None
    if thread:
        thread.start()
    try:
        yield
    finally:
        if server and thread:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)


@contextmanager
def ticking(progress: Progress, every: float = 2.0) -> Iterator[None]:
    """Report the estimate every ``every`` seconds while a stage without steps runs."""
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(every):
            progress.report()

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)
