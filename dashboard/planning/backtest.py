"""The back-test: the model started at a past day from that day's state, with inputs from the
data before it only, against what happened over the next 4 and 8 weeks (docs/planning.md,
"Back-test")."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from dashboard.planning.outputs import BAND, Daily

PERIOD_WEEKS = (4, 8)
COLUMNS = ("origin", "pathway", "weeks", "measure", "predicted", "low", "high", "actual",
           "error", "inside_band")


@dataclass(frozen=True)
class Actual:
    """What happened over the first ``weeks`` weeks from an origin: people in service and
    waiting at the end, and the share of the services started in it that started within 24 h of
    NCTR (None: none started)."""

    weeks: int
    occupancy: int
    waiting: int
    within_24h: float | None


def compare(origin: date, pathway: int, runs: Daily, actuals: list[Actual]) -> pd.DataFrame:
    """One row per period and measure: the runs' mean, their band, what happened, the error
    (predicted - actual) and whether it fell inside the band."""
    rows = []
    for actual in actuals:
        last = 7 * actual.weeks - 1  # the period's last day
        predicted = {"occupancy": runs.occupancy[:, last].astype(float),
                     "waiting": runs.waiting[:, last].astype(float),
                     "within_24h": _share_within(runs, 7 * actual.weeks)}
        happened = {"occupancy": actual.occupancy, "waiting": actual.waiting,
                    "within_24h": actual.within_24h}
        for measure, values in predicted.items():
            observed = happened[measure]
            with warnings.catch_warnings():  # no run started anyone: no share
                warnings.simplefilter("ignore", RuntimeWarning)
                mean = float(np.nanmean(values))
                low, high = (float(v) for v in np.nanpercentile(values, BAND))
            known = observed is not None and not np.isnan(mean)
            rows.append({"origin": origin, "pathway": pathway, "weeks": actual.weeks,
                         "measure": measure, "predicted": mean, "low": low, "high": high,
                         "actual": observed,
                         "error": mean - observed if known else None,
                         "inside_band": (low <= observed <= high) if known else None})
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _share_within(runs: Daily, days: int) -> np.ndarray:
    """Per run, the share of the services started in the first ``days`` days that started
    within 24 h (NaN for a run where none started)."""
    starts = runs.starts[:, :days].astype(float)
    within = np.nansum(starts * np.nan_to_num(runs.within_24h[:, :days]), axis=1)
    total = starts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, within / total, np.nan)


def summary(rows: pd.DataFrame) -> pd.DataFrame:
    """Per pathway, period and measure: origins compared, mean absolute error, bias (mean of
    predicted - actual) and the share of actuals inside the band."""
    known = rows.dropna(subset=["error"]).copy()
    known["absolute"] = known.error.abs()
    known["inside"] = known.inside_band.astype(float)
    grouped = known.groupby(["pathway", "weeks", "measure"], sort=True)
    return pd.DataFrame({"origins": grouped.size(),
                         "mean_absolute_error": grouped.absolute.mean(),
                         "bias": grouped.error.mean(),
                         "inside_band": grouped.inside.mean()}).reset_index()
