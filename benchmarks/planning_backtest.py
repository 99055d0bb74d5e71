"""Back-test the planning model on the demo data and write the results into docs/planning.md
(between the markers of its "Back-test" section).

    python -m benchmarks.planning_backtest [--database-url URL] [--write docs/planning.md]

Without --database-url it builds the synthetic demo (Coventry and Warwickshire, 18 months up to
25 Nov 2026) first. Origins: every 4 weeks, the latest a whole 8 weeks before that day.
"""

from __future__ import annotations

import time

from benchmarks.common import NOW, results_command
from dashboard.planning.backtest import TABLE_COLUMNS, summary, table_rows
from dashboard.planning.backtest import origins as backtest_origins
from data_access.access import area_for_system_use
from data_access.db import make_engine
from data_access.planning import backtest

ORIGINS = 6


def results_markdown(database_url: str) -> str:
    engine = make_engine(database_url)
    area = area_for_system_use(engine, "E54000018", "benchmark")
    assert area is not None, "the demo system is missing"
    origins = backtest_origins(NOW.date(), ORIGINS)
    lines = [
        f"Coventry and Warwickshire demo, {ORIGINS} origins every 4 weeks from "
        f"{origins[0]:%d %b %Y} to {origins[-1]:%d %b %Y}; the baseline (no changes), 100 runs, "
        "inputs from the 12 weeks (arrivals, process times) and the year (stays) before each "
        "origin. Written by `python -m benchmarks.planning_backtest --write docs/planning.md`."]
    for process, title in (("empirical", "With process time (the default)"),
                           ("none", "Capacity waits only (`\"process\": \"none\"`)")):
        began = time.perf_counter()
        rows = table_rows(summary(backtest(engine, area, origins, process=process).rows))
        lines += ["", f"{title}; {time.perf_counter() - began:.0f} s:", "",
                  f"| {' | '.join(TABLE_COLUMNS)} |", "|---" * len(TABLE_COLUMNS) + "|"]
        lines += [f"| {' | '.join(row)} |" for row in rows]
    engine.dispose()
    return "\n".join(lines)


def main() -> None:
    results_command(__doc__.splitlines()[0], "planning-backtest", results_markdown)


if __name__ == "__main__":
    main()
