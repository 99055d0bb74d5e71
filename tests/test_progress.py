"""First-run progress: the estimate of what is done and what is left, and the page that shows it."""

from __future__ import annotations

import io
import urllib.request

from dashboard.progress import Progress, Stage, progress_page, render_line, render_page
from tests.running_app import free_port


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


STAGES = (Stage("Generating", 10), Stage("Loading", 30))


def test_progress_by_steps_and_by_time_with_an_honest_estimate_of_what_is_left() -> None:
    ticks, out = Ticks(), io.StringIO()
    progress = Progress(STAGES, clock=ticks, out=out)
    assert progress.snapshot().stage == "Starting"
    progress.start("Generating")
    ticks.now = 5.0
    progress.step(0.5)  # 5 of 40 expected seconds done, on time
    snapshot = progress.snapshot()
    assert (snapshot.stage, snapshot.fraction, snapshot.seconds_left) == ("Generating", 0.125, 35)
    progress.start("Loading")  # generating took 10 s: on time
    ticks.now = 10.0 + 60.0  # loading reports no steps, and runs long: held at 95%
    snapshot = progress.snapshot()
    assert snapshot.fraction == (10 + 0.95 * 30) / 40
    # 38.5 expected seconds took 70: the 1.5 left are scaled by that pace.
    assert round(snapshot.seconds_left, 2) == round(1.5 * 70 / 38.5, 2)
    assert out.getvalue().splitlines()[0].startswith("[....")
    assert render_line(snapshot).endswith("Loading (about 3 s left)")


def test_the_page_shows_the_stage_and_time_left_and_reloads_itself() -> None:
    ticks = Ticks()
    progress = Progress(STAGES, clock=ticks)
    progress.start("Loading")
    page = render_page(progress.snapshot())
    assert 'http-equiv="refresh"' in page and "Loading: 25%" in page
    assert 'value="25"' in page and "seconds left" in page
    port = free_port()
    with progress_page(progress, "127.0.0.1", port):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/anything", timeout=10) as answer:
            assert "Preparing the intermediate care dashboard" in answer.read().decode()
