"""The load test's report: its "when in the run" table, worked by hand from a small timeline."""

from __future__ import annotations

from dataclasses import astuple

import pytest

from benchmarks.load_test import REDRAW, SIGN_IN, Kind, LoadReport


def _report(timeline: tuple[tuple[float, float, str], ...]) -> LoadReport:
    total = Kind("all", len(timeline), 0, 0.0, 0.0, 0.0)
    return LoadReport(users=2, seconds=90, think_seconds=10, refresh_seconds=60, kinds=(total,),
                      total=total, failures=(), exceptions=(), timeline=timeline,
                      arrivals_per_second=1)


def test_each_thirty_seconds_counts_its_requests_sign_ins_and_redraws() -> None:
    report = _report((
        (0.5, 100.0, SIGN_IN), (1.0, 300.0, SIGN_IN), (2.0, 20.0, "area sync"),
        (29.9, 40.0, "route /"),
        # 30-60 s: nothing started. 60-90 s: a redraw after a new data version, and a page.
        (61.0, 510.0, REDRAW), (75.0, 10.0, "route /flow"),
    ))
    # 0-30 s: times 20, 40, 100, 300 ms: median (40 + 100) / 2; p95 by linear interpolation
    # between the 3rd and 4th of the sorted four, at 0.95 * 3 = 2.85: 100 + 0.85 * 200.
    # 60-90 s: times 10 and 510 ms: median 260; p95 10 + 0.95 * 500.
    # (start, requests, median ms, p95 ms, sign-ins, redraws)
    assert [astuple(part) for part in report.slices()] == [
        pytest.approx((0, 4, 70.0, 270.0, 2, 0)), pytest.approx((60, 2, 260.0, 485.0, 0, 1))]
    text = report.markdown("setup", "command")
    assert "| seconds | requests | median ms | p95 ms | sign-ins | redraws |" in text
    assert "| 0-30 | 4 | 70 | 270 | 2 | 0 |" in text
    assert "| 60-90 | 2 | 260 | 485 | 0 | 1 |" in text
