"""The back-test: the model started at a past day from that day's state, with inputs from the
data before it only, against what happened over the next 4 and 8 weeks (docs/planning.md,
"Back-test")."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from dashboard.planning.outputs import BAND, Daily

PERIOD_WEEKS = (4, 8)
ORIGIN_EVERY_WEEKS = 4
# The summary table, as docs/planning.md and the Plan page show it (``table_rows``).
TABLE_COLUMNS = ("pathway", "weeks", "measure", "origins", "mean absolute error",
                 "bias (predicted - actual)", "actual inside the 5-95% band")
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


def origins(today: date, count: int) -> list[date]:
    """``count`` origins every 4 weeks, oldest first; the latest a whole 8 weeks (and a day)
    before ``today``, so what happened over the 8 weeks after each is known."""
    latest = today - timedelta(weeks=max(PERIOD_WEEKS), days=1)
    return [latest - timedelta(weeks=ORIGIN_EVERY_WEEKS * k) for k in range(count)][::-1]


@dataclass(frozen=True)
class Backtest:
    """The comparison rows (``COLUMNS``), and the (origin, pathway) pairs not run: too little
    history before the origin to draw from."""

    rows: pd.DataFrame
    too_little_history: tuple[tuple[date, int], ...]


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


def table_rows(table: pd.DataFrame) -> list[tuple[str, ...]]:
    """The ``summary`` as the table's rows (``TABLE_COLUMNS``): the share within 24 h in
    percentage points, the bias signed, the share inside the band in per cent."""
    rows = []
    for row in table.itertuples(index=False):
        scale, unit = (100, " points") if row.measure == "within_24h" else (1, "")
        rows.append((str(row.pathway), str(row.weeks), row.measure.replace("_", " "),
                     str(row.origins), f"{scale * row.mean_absolute_error:.1f}{unit}",
                     f"{scale * row.bias:+.1f}{unit}", f"{100 * row.inside_band:.0f}%"))
    return rows
