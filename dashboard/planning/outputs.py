"""What a run shows, per day and over the horizon, with bands across replications.

Per replication and day d (from 00:00 of day d to 00:00 of day d+1):

- **occupancy**: people in service at the end of the day;
- **waiting**: people NCTR and not yet in service at the end of the day;
- **delayed bed days**: acute bed days lost to waiting during the day (the time each waiting
  person spent waiting in it);
- **service days**: days of intermediate care given during the day (bed days, or person-days of
  home care);
- **NCTR to service**, over the people whose service started that day: median, 90th percentile
  (days) and the share within 24 hours (at most 1.0 day), as the dashboard counts it;
- **cost**: service days × cost per service day + delayed bed days × cost per delayed day.

Bands: the mean across replications and the 5th and 95th percentiles (90% of runs fall inside).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.planning.model import Run

BAND = (5.0, 95.0)
WITHIN = 1.0  # 24 hours, in days


@dataclass(frozen=True)
class UnitCosts:
    """Pounds per day of intermediate care (a bed day, or a person-day of home care: visits a day
    × cost per visit) and per acute bed day lost to waiting."""

    service_day: float
    delayed_bed_day: float


@dataclass(frozen=True, eq=False)
class Daily:
    """Per replication (rows) and day (columns)."""

    occupancy: np.ndarray
    waiting: np.ndarray
    delayed_bed_days: np.ndarray
    service_days: np.ndarray
    starts: np.ndarray
    median_wait: np.ndarray
    p90_wait: np.ndarray
    within_24h: np.ndarray


def daily(run: Run) -> Daily:
    arrived = _Counter(run.arrival, run.horizon)
    started = _Counter(run.start, run.horizon)
    ended = _Counter(run.end, run.horizon)
    waits = _waits_by_start_day(run)
    return Daily(
        occupancy=(started.before - ended.before)[:, 1:],
        waiting=(arrived.before - started.before)[:, 1:],
        delayed_bed_days=np.diff(arrived.integral - started.integral, axis=1),
        service_days=np.diff(started.integral - ended.integral, axis=1),
        starts=waits[0], median_wait=waits[1], p90_wait=waits[2], within_24h=waits[3])


class _Counter:
    """For moments t_i per replication: how many are before T, and Σ (T - max(t_i, 0)) over them
    (the area under their count from 0 to T), for T = 0, 1, ..., horizon."""

    def __init__(self, times: np.ndarray, horizon: int) -> None:
        replications = times.shape[0]
        clipped = np.clip(times, -1.0, horizon + 1.0)
        # t < T for whole T exactly when T ≥ floor(t) + 1.
        slot = np.clip(np.floor(clipped).astype(int) + 1, 0, horizon + 1)
        index = (np.arange(replications)[:, None] * (horizon + 2) + slot).ravel()
        size = replications * (horizon + 2)
        counts = np.bincount(index, minlength=size).reshape(replications, horizon + 2)
        sums = np.bincount(index, weights=np.maximum(clipped, 0.0).ravel(),
                           minlength=size).reshape(replications, horizon + 2)
        self.before = np.cumsum(counts, axis=1)[:, : horizon + 1]
        self.integral = (self.before * np.arange(horizon + 1)
                         - np.cumsum(sums, axis=1)[:, : horizon + 1])


def _waits_by_start_day(run: Run) -> tuple[np.ndarray, ...]:
    """Per replication and day: starts, median and 90th percentile of NCTR to service (days), and
    the share within 24 h, over the people (NCTR known) whose service started that day."""
    replications, horizon = run.replications, run.horizon
    counted = np.isfinite(run.arrival) & (run.start >= 0) & (run.start < horizon)
    rep, _ = np.nonzero(counted)
    day = np.floor(run.start[counted]).astype(int)
    wait = run.start[counted] - run.arrival[counted]
    group = rep * horizon + day
    order = np.lexsort((wait, group))
    group, wait = group[order], wait[order]
    size = replications * horizon
    starts = np.bincount(group, minlength=size)
    first = np.cumsum(starts) - starts
    within = np.bincount(group, weights=(wait <= WITHIN).astype(float), minlength=size)
    shape = (replications, horizon)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(starts > 0, within / starts, np.nan)
    return (starts.reshape(shape), _quantile(wait, first, starts, 0.5).reshape(shape),
            _quantile(wait, first, starts, 0.9).reshape(shape), share.reshape(shape))


def _quantile(ordered: np.ndarray, first: np.ndarray, count: np.ndarray, q: float) -> np.ndarray:
    """The q-quantile of each group of sorted values (linear interpolation, as numpy's default);
    NaN for an empty group."""
    position = (np.maximum(count, 1) - 1) * q
    low = first + np.floor(position).astype(int)
    high = first + np.ceil(position).astype(int)
    value = np.full(len(count), np.nan)
    if len(ordered):
        low_v = ordered[np.minimum(low, len(ordered) - 1)]
        high_v = ordered[np.minimum(high, len(ordered) - 1)]
        value = low_v + (high_v - low_v) * (position - np.floor(position))
    return np.where(count > 0, value, np.nan)


MEASURES = ("occupancy", "waiting", "delayed_bed_days", "service_days", "starts", "median_wait",
            "p90_wait", "within_24h")


def bands(days: Daily, first_day: pd.Timestamp, costs: UnitCosts | None = None) -> pd.DataFrame:
    """One row per day: each measure's mean, low and high across replications."""
    columns: dict[str, object] = {"date": pd.date_range(first_day, periods=days.occupancy.shape[1],
                                                        freq="D").date}
    series = {name: getattr(days, name) for name in MEASURES}
    if costs is not None:
        series["cost"] = (days.service_days * costs.service_day
                          + days.delayed_bed_days * costs.delayed_bed_day)
    for name, values in series.items():
        columns.update(_band(name, values))
    return pd.DataFrame(columns)


def _band(name: str, values: np.ndarray) -> dict[str, np.ndarray]:
    with warnings.catch_warnings():  # a day no one started in any run has no wait figures
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanpercentile(values, BAND, axis=0)
        return {f"{name}_mean": np.nanmean(values, axis=0), f"{name}_low": low,
                f"{name}_high": high}


def totals(run: Run, days: Daily, costs: UnitCosts | None = None) -> pd.DataFrame:
    """Over the whole horizon, per replication then banded: delayed bed days, service days,
    people started, NCTR to service (median, 90th percentile, share within 24 h) and cost."""
    counted = np.isfinite(run.arrival) & (run.start >= 0) & (run.start < run.horizon)
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        wait = np.where(counted, run.start - run.arrival, np.nan)
        per_run = {
            "delayed_bed_days": days.delayed_bed_days.sum(axis=1),
            "service_days": days.service_days.sum(axis=1),
            "starts": counted.sum(axis=1).astype(float),
            "median_wait": np.nanmedian(wait, axis=1),
            "p90_wait": np.nanpercentile(wait, 90, axis=1),
            "within_24h": np.nansum(wait <= WITHIN, axis=1) / np.maximum(counted.sum(axis=1), 1),
            "waiting_at_end": days.waiting[:, -1].astype(float),
        }
    if costs is not None:
        per_run["cost"] = (per_run["service_days"] * costs.service_day
                           + per_run["delayed_bed_days"] * costs.delayed_bed_day)
    rows = []
    for name, values in per_run.items():
        band = _band(name, values[:, None])
        rows.append({"measure": name, "mean": float(band[f"{name}_mean"][0]),
                     "low": float(band[f"{name}_low"][0]), "high": float(band[f"{name}_high"][0])})
    return pd.DataFrame(rows)
