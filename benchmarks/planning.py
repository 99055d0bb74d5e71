"""The planning model's speed target (issue 19): one area and pathway, 26 weeks, 100
replications within 2 s on one core; a demo-sized pathway (Coventry and Warwickshire's pathway 1:
15 arrivals a day, 207 places, 175 in service and 124 waiting at the start, log-normal stays
of mean 12.7 days, a process time of median 4.4 days), simulation and daily outputs with bands.
Best of 5.

    python -m benchmarks.planning
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from dashboard.planning.model import Queue, simulate
from dashboard.planning.outputs import bands, daily, totals
from dashboard.planning.stays import LogNormal

HORIZON, REPLICATIONS = 26 * 7, 100


def one_pathway(seed: int) -> float:
    rng = np.random.default_rng(0)
    queue = Queue(np.full(HORIZON, 15.0), LogNormal(1.91, 1.126), np.full(HORIZON, 207),
                  rng.uniform(0, 30, 175), rng.uniform(0, 6, 124),
                  process=LogNormal(np.log(4.4), 1.0))
    began = time.perf_counter()
    run = simulate(queue, REPLICATIONS, seed)
    days = daily(run)
    bands(days, pd.Timestamp("2026-12-07"))
    totals(run, days)
    return time.perf_counter() - began


def main() -> None:
    times = [one_pathway(seed) for seed in range(5)]
    print(f"one pathway, {HORIZON} days, {REPLICATIONS} replications: best {min(times):.2f} s, "
          f"worst {max(times):.2f} s (target 2 s)")


if __name__ == "__main__":
    main()
