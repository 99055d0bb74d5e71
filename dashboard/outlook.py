"""The 14-day outlook of an intermediate-care pathway: new demand against places becoming free.

Pure numpy/pandas. Demand is the same-weekday mean of recent arrivals with a Poisson band; places
becoming free come from the current occupants and the empirical survival of completed stays; a
back-test re-runs both from past origins. The method, its assumptions and the back-test are in
``docs/outlook.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from dashboard.rates import poisson_quantile

DEFAULT_HORIZON = 14
DEFAULT_WEEKS = 8
DEFAULT_LEVEL = 0.8
TAIL_SHARE_DENOMINATOR = 10
"""The tail for occupants beyond the longest completed stay: the longest 1 in 10 stays (ceil)."""
"""A cumulative probability within this of the target counts as reaching it (rounding)."""

DEMAND_COLUMNS = (
    "date", "day", "weekday", "weeks_used",
    "expected_new_demand", "expected_new_demand_low", "expected_new_demand_high",
    "cumulative_demand", "cumulative_demand_low", "cumulative_demand_high",
)
PLACES_COLUMNS = (
    "day", "occupants", "occupants_beyond_longest_stay",
    "expected_remaining", "expected_remaining_low", "expected_remaining_high",
    "expected_places_freed", "expected_places_freed_low", "expected_places_freed_high",
)
BACKTEST_COLUMNS = (
    "origin", "expected", "low", "high", "actual", "error", "absolute_error", "inside_band",
)

LosSource = np.ndarray | Sequence[float] | Callable[[Any], np.ndarray | Sequence[float]]
"""Completed lengths of stay in days, or a function of the origin that returns them."""


@dataclass(frozen=True, eq=False)
class PlacesCase:
    """One past origin for the places back-test.

    ``elapsed_days``: days each person in the service at ``origin`` had already been in it.
    ``actual_remaining``: how many of *those same people* were still in the service on day
    1, 2, ... after the origin (at least ``horizon`` values; people admitted later not counted).
    """

    origin: date
    elapsed_days: np.ndarray | Sequence[float]
    actual_remaining: Sequence[float]


@dataclass(frozen=True)
class BacktestResult:
    """Forecasts made at past origins against what happened, over the whole horizon.

    ``per_origin`` columns: ``origin``, ``expected``, ``low``, ``high`` (the band), ``actual``,
    ``error`` (expected - actual: positive = over-forecast), ``absolute_error``, ``inside_band``;
    the places back-test adds ``occupants``. Origins that could not be scored (no history, no
    completed stays, or the actual outcome not yet known) are listed in ``skipped``.
    """

    measure: str
    horizon: int
    level: float
    per_origin: pd.DataFrame
    skipped: tuple[date, ...]
    mean_absolute_error: float
    mean_error: float
    """Bias: mean of expected - actual. Negative = the forecast runs low."""
    weighted_mape: float
    """sum |error| / sum actual (NaN when every actual is 0): the error as a share of the actual."""
    coverage: float
    """Share of origins whose actual lies inside the band; compare with ``level``."""

    @property
    def origins(self) -> int:
        return len(self.per_origin)


def method_text(weeks: int = DEFAULT_WEEKS, level: float = DEFAULT_LEVEL,
                horizon: int = DEFAULT_HORIZON) -> str:
    """The method in plain words for the page."""
    in_ten = round(level * 10)
    return (
        f"New demand for each of the next {horizon} days is the average number of people who "
        f"newly needed this pathway on the same weekday over the last {weeks} weeks. "
        f"The range shown is where about {in_ten} days in 10 would fall if people arrive at "
        "random around that average; trends, seasons and bank holidays are not allowed for. "
        "Places becoming free come from the people in the service now: from how long the stays "
        "that ended in the last 12 months lasted, we work out each person's chance of still "
        "being in the service on each day, given how long they have been in it already. "
        "Someone who has already stayed longer than every completed stay is given the leaving "
        "rate of the longest stays. "
        "The expected shortfall is the new demand so far plus the people already waiting, "
        "minus the places free now and the places expected to become free: above zero means "
        "not enough places. "
        "People admitted during the outlook are not counted as leaving again, so the shortfall "
        "is on the cautious side, most of all for pathway 1 where stays are short. "
        "The back-test repeats the forecast from past dates and shows how far off it was."
    )


METHOD_TEXT = method_text()


# --- new demand -------------------------------------------------------------------------------

def demand_forecast(arrivals: pd.Series, origin: date, *, horizon: int = DEFAULT_HORIZON,
                    weeks: int = DEFAULT_WEEKS, level: float = DEFAULT_LEVEL) -> pd.DataFrame:
    """Expected new demand on each day origin+1 .. origin+horizon, with its Poisson band.

    ``arrivals``: people newly needing the pathway, per date. History runs from the series' first
    date to the day before ``origin``; days missing in it (and NaN) count as 0; values on or after
    the origin are ignored. Each day's mean is the mean of the same weekday over the last
    ``weeks`` whole weeks (origin-7*weeks .. origin-1), or over what there is of them
    (``weeks_used`` says how many). A weekday with no day in that window takes the mean of all
    days in it (``weeks_used`` 0); with no history at all every figure is NaN.
    Columns: ``DEMAND_COLUMNS``; cumulative figures run from day 1 to each day.
    """
    _check_horizon(horizon)
    _check_level(level)
    start = _day(origin)
    dates, mean, used = _expected_daily(daily_arrivals(arrivals), start, horizon, weeks)
    cumulative = np.cumsum(mean)
    low, high = poisson_interval(mean, level)
    cumulative_low, cumulative_high = poisson_interval(cumulative, level)
    return pd.DataFrame({
        "date": dates,
        "day": np.arange(1, horizon + 1),
        "weekday": dates.day_name(),
        "weeks_used": used,
        "expected_new_demand": mean,
        "expected_new_demand_low": low,
        "expected_new_demand_high": high,
        "cumulative_demand": cumulative,
        "cumulative_demand_low": cumulative_low,
        "cumulative_demand_high": cumulative_high,
    })


def _expected_daily(daily: pd.Series, start: pd.Timestamp, horizon: int,
                    weeks: int) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
    """``demand_forecast``'s days, expected arrivals per day and weeks used, from ``daily``
    (``daily_arrivals``)."""
    # In numpy, not a pandas group-by: the back-test calls this for every origin and pathway.
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    dates = pd.date_range(start + pd.Timedelta(days=1), periods=horizon, freq="D")
    values, first_weekday = _window(daily, start, weeks)
    weekdays = (first_weekday + np.arange(values.size)) % 7
    sums = np.bincount(weekdays, weights=values, minlength=7)
    sizes = np.bincount(weekdays, minlength=7)
    # A weekday with no day in the window takes the mean of all days in it.
    fallback = float(values.mean()) if values.size else float("nan")
    means = np.divide(sums, sizes, out=np.full(7, fallback), where=sizes > 0)
    weekday = dates.day_of_week.to_numpy()
    return dates, means[weekday], sizes[weekday]


def daily_arrivals(arrivals: pd.Series) -> pd.Series:
    """Float counts on a gap-free daily DatetimeIndex from the first to the last date, missing
    days and NaN as 0. Times of day are dropped (a time zone too: the local calendar date)."""
    if len(arrivals) == 0:
        return pd.Series(dtype=float, index=pd.DatetimeIndex([]))
    if pd.api.types.is_numeric_dtype(arrivals.index):
        raise TypeError("arrivals must be indexed by date, not by number")
    dates = pd.DatetimeIndex(pd.to_datetime(arrivals.index))
    if dates.tz is not None:
        dates = dates.tz_localize(None)
    dates = dates.normalize()
    if dates.has_duplicates:
        raise ValueError("arrivals has more than one value for the same date")
    counts = pd.Series(pd.to_numeric(arrivals, errors="raise").astype(float).to_numpy(),
                       index=dates).sort_index().fillna(0.0)
    if (counts < 0).any():
        raise ValueError("arrivals cannot be negative")
    full = pd.date_range(counts.index[0], counts.index[-1], freq="D")
    return counts.reindex(full, fill_value=0.0)


def poisson_interval(mean: float | np.ndarray | Sequence[float], level: float = DEFAULT_LEVEL
                     ) -> tuple[np.ndarray, np.ndarray]:
    """The central ``level`` interval of a Poisson count with each ``mean``: low = the smallest
    k with P(X <= k) >= (1 - level)/2, high = the smallest k with P(X <= k) >= (1 + level)/2.
    It holds at least ``level`` of the probability. Exact (summed probabilities); NaN for NaN."""
    _check_level(level)
    means = np.atleast_1d(np.asarray(mean, dtype=float))
    low = np.array([poisson_quantile(m, (1 - level) / 2) for m in means], dtype=float)
    high = np.array([poisson_quantile(m, (1 + level) / 2) for m in means], dtype=float)
    return low, high


# --- places becoming free ---------------------------------------------------------------------

def places_freed(elapsed_days: np.ndarray | Sequence[float],
                 completed_los_days: np.ndarray | Sequence[float], *,
                 horizon: int = DEFAULT_HORIZON, level: float = DEFAULT_LEVEL) -> pd.DataFrame:
    """Expected places freed by the current occupants by day 1 .. horizon after the origin.

    Occupant i, in service for e_i days at the origin, is still in it on day d with probability
    S(e_i + d) / S(e_i), S the empirical survival of ``completed_los_days`` (share of stays
    longer than t); see ``still_in_service``. Remaining occupants: mean sum p_i, variance
    sum p_i (1 - p_i), band from the normal approximation clipped to [0, n]; places freed =
    n - remaining. With no completed stays every figure but ``occupants`` is NaN.
    Columns: ``PLACES_COLUMNS``.
    """
    _check_horizon(horizon)
    _check_level(level)
    elapsed = _elapsed(elapsed_days)
    los = _los(completed_los_days)
    mean, variance = remaining_moments(elapsed, los, horizon)
    return _places_table(mean, variance, elapsed, los, level)


def still_in_service(elapsed: np.ndarray, los: np.ndarray, horizon: int) -> np.ndarray:
    """p_i(d), occupants by days 1 .. horizon: S(e_i + d) / S(e_i). When S(e_i) = 0 (longer than
    every completed stay) p_i(d) = (1 - h)^d, h = ``tail_leaving_probability(los)``."""
    if los.size == 0:
        raise ValueError("at least one completed stay is needed")
    days = np.arange(1, horizon + 1, dtype=float)
    at_origin = survival(los, elapsed)[:, None]
    later = survival(los, elapsed[:, None] + days[None, :])
    beyond = (1 - tail_leaving_probability(los)) ** days[None, :]
    ratio = np.divide(later, at_origin, out=np.zeros_like(later), where=at_origin > 0)
    return np.where(at_origin > 0, ratio, beyond)


def survival(los: np.ndarray, t: np.ndarray | float) -> np.ndarray:
    """S(t) = share of completed stays longer than t days (strictly)."""
    ordered = np.sort(np.asarray(los, dtype=float))
    at_most = np.searchsorted(ordered, np.asarray(t, dtype=float), side="right")
    return (ordered.size - at_most) / ordered.size


def tail_leaving_probability(los: np.ndarray) -> float:
    """Daily chance of leaving given to someone beyond the longest completed stay: 1 / the mean
    days the longest 10% of stays (ceil, at least one) lasted beyond the longest stay shorter
    than all of them (0 if none), capped at 1. The leaving rate of the long tail, assumed to
    carry on unchanged (a geometric remaining stay)."""
    ordered = np.sort(np.asarray(los, dtype=float))
    tail_size = max(1, -(-ordered.size // TAIL_SHARE_DENOMINATOR))
    tail = ordered[-tail_size:]
    shorter = ordered[ordered < tail[0]]
    start = float(shorter[-1]) if shorter.size else 0.0
    mean_excess = float((tail - start).mean())
    return 1.0 if mean_excess <= 1 else 1.0 / mean_excess


def remaining_moments(elapsed: np.ndarray, los: np.ndarray, horizon: int
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of the occupants still in service on each day 1 .. horizon."""
    if los.size == 0:
        nan = np.full(horizon, np.nan)
        return nan, nan.copy()
    p = still_in_service(elapsed, los, horizon)
    return p.sum(axis=0), (p * (1 - p)).sum(axis=0)


# --- the outlook ------------------------------------------------------------------------------

def outlook(arrivals: pd.Series, origin: date, elapsed_days: np.ndarray | Sequence[float],
            completed_los_days: np.ndarray | Sequence[float], *, open_places_now: float,
            waiting_now: float = 0, horizon: int = DEFAULT_HORIZON, weeks: int = DEFAULT_WEEKS,
            level: float = DEFAULT_LEVEL) -> pd.DataFrame:
    """The outlook table of one pathway: ``demand_forecast`` and ``places_freed`` side by side.

    ``open_places_now``: places - occupied - unavailable at the origin (free now);
    ``waiting_now``: people already waiting for the pathway at the origin. Adds
    ``expected_free_without_new_admissions`` = open_places_now + places freed (and band) and
    ``expected_shortfall`` = cumulative demand + waiting_now - that (positive = not enough
    places), with a band from the normal approximation of demand (variance = its mean) plus
    places freed (variance sum p(1-p)), taken as independent.
    """
    if open_places_now < 0 or waiting_now < 0:
        raise ValueError("open_places_now and waiting_now cannot be negative")
    demand = demand_forecast(arrivals, origin, horizon=horizon, weeks=weeks, level=level)
    elapsed = _elapsed(elapsed_days)
    los = _los(completed_los_days)
    mean, variance = remaining_moments(elapsed, los, horizon)
    places = _places_table(mean, variance, elapsed, los, level)
    table = pd.concat([demand, places.drop(columns="day")], axis=1)
    table["open_places_now"] = float(open_places_now)
    table["waiting_now"] = float(waiting_now)
    for suffix in ("", "_low", "_high"):
        table[f"expected_free_without_new_admissions{suffix}"] = (
            open_places_now + table[f"expected_places_freed{suffix}"])
    shortfall = (table["cumulative_demand"] + waiting_now
                 - table["expected_free_without_new_admissions"])
    spread = _z(level) * np.sqrt(table["cumulative_demand"] + variance)
    table["expected_shortfall"] = shortfall
    table["expected_shortfall_low"] = shortfall - spread
    table["expected_shortfall_high"] = shortfall + spread
    return table


# --- back-tests -------------------------------------------------------------------------------

def backtest_demand(arrivals: pd.Series, origins: Sequence[date], *,
                    horizon: int = DEFAULT_HORIZON, weeks: int = DEFAULT_WEEKS,
                    level: float = DEFAULT_LEVEL) -> BacktestResult:
    """Re-forecast the new demand over the horizon as of each origin (only arrivals before it)
    and compare it with what arrived on origin+1 .. origin+horizon. An origin whose horizon ends
    after the series' last date, or with no history before it, is skipped."""
    _check_horizon(horizon)
    _check_level(level)
    daily = daily_arrivals(arrivals)
    rows, skipped = [], []
    for origin in origins:
        # demand_forecast's last cumulative figure and its band, without the rest of its table
        # (the back-test compares only that: a twentieth of the work).
        start = _day(origin)
        _dates, mean, _used = _expected_daily(daily, start, horizon, weeks)
        expected = float(np.cumsum(mean)[-1])
        end = start + pd.Timedelta(days=horizon)
        if not len(daily) or end > daily.index[-1] or not np.isfinite(expected):
            skipped.append(origin)
            continue
        low, high = poisson_interval(expected, level)
        # origin+1 .. origin+horizon by position (the series is gap-free)
        after = (start - daily.index[0]).days + 1
        actual = float(daily.to_numpy()[max(after, 0):max(after + horizon, 0)].sum())
        rows.append(_row(origin, expected, low[0], high[0], actual))
    return _result(f"new demand over {horizon} days", horizon, level, rows, skipped)


def backtest_places(cases: Sequence[PlacesCase | tuple[date, Any, Sequence[float]]],
                    completed_los_days: LosSource, *, horizon: int = DEFAULT_HORIZON,
                    level: float = DEFAULT_LEVEL) -> BacktestResult:
    """Re-forecast the places freed by day ``horizon`` for each past case and compare with the
    places its occupants actually freed (occupants - actual_remaining on day ``horizon``).

    ``cases``: ``PlacesCase`` or (origin, elapsed_days, actual_remaining_by_day) tuples.
    ``completed_los_days``: the stays to use, or a function origin -> stays, so that each origin
    sees only stays that had ended before it (a fixed array lets the future leak in). A case
    with fewer than ``horizon`` actual values or no completed stays is skipped.
    """
    _check_horizon(horizon)
    _check_level(level)
    rows, skipped = [], []
    for case in cases:
        origin, elapsed_days, actual_remaining = (
            (case.origin, case.elapsed_days, case.actual_remaining)
            if isinstance(case, PlacesCase) else case)
        stays = completed_los_days(origin) if callable(completed_los_days) else completed_los_days
        elapsed = _elapsed(elapsed_days)
        los = _los(stays)
        actual_by_day = np.asarray(actual_remaining, dtype=float)
        if actual_by_day.size < horizon or los.size == 0:
            skipped.append(origin)
            continue
        mean, variance = remaining_moments(elapsed, los, horizon)
        n = elapsed.size  # places freed by the last day: n - remaining, as in _places_table
        low, high = _remaining_band(mean[-1:], variance[-1:], n, level)
        actual = n - actual_by_day[horizon - 1]
        row = _row(origin, n - mean[-1], n - high[0], n - low[0], actual)
        rows.append(row | {"occupants": elapsed.size})
    return _result(f"places freed over {horizon} days", horizon, level, rows, skipped)


def backtest_summary(errors: np.ndarray, actual: np.ndarray, inside: np.ndarray
                     ) -> tuple[float, float, float, float]:
    """(MAE, mean error, weighted MAPE = sum|error| / sum actual, coverage); NaN when empty,
    weighted MAPE NaN when the actuals sum to 0."""
    if errors.size == 0:
        return (float("nan"),) * 4
    total = float(actual.sum())
    absolute = float(np.abs(errors).sum())
    return (absolute / errors.size, float(errors.mean()),
            absolute / total if total > 0 else float("nan"), float(inside.mean()))


# --- helpers ----------------------------------------------------------------------------------

def _remaining_band(mean: np.ndarray, variance: np.ndarray, n: int, level: float
                    ) -> tuple[np.ndarray, np.ndarray]:
    """The band of the occupants remaining: normal approximation, clipped to [0, n]."""
    spread = _z(level) * np.sqrt(variance)
    return np.clip(mean - spread, 0, n), np.clip(mean + spread, 0, n)


def _places_table(mean: np.ndarray, variance: np.ndarray, elapsed: np.ndarray, los: np.ndarray,
                  level: float) -> pd.DataFrame:
    n = elapsed.size
    low, high = _remaining_band(mean, variance, n, level)
    beyond = int((survival(los, elapsed) == 0).sum()) if los.size else 0
    return pd.DataFrame({
        "day": np.arange(1, mean.size + 1),
        "occupants": n,
        "occupants_beyond_longest_stay": beyond,
        "expected_remaining": mean,
        "expected_remaining_low": low,
        "expected_remaining_high": high,
        "expected_places_freed": n - mean,
        "expected_places_freed_low": n - high,
        "expected_places_freed_high": n - low,
    })


def _row(origin: date, expected: float, low: float, high: float, actual: float
         ) -> dict[str, Any]:
    error = float(expected) - float(actual)
    return {"origin": origin, "expected": float(expected), "low": float(low),
            "high": float(high), "actual": float(actual), "error": error,
            "absolute_error": abs(error), "inside_band": bool(low <= actual <= high)}


def _result(measure: str, horizon: int, level: float, rows: list[dict[str, Any]],
            skipped: list[date]) -> BacktestResult:
    columns = list(BACKTEST_COLUMNS) + (["occupants"] if rows and "occupants" in rows[0] else [])
    table = pd.DataFrame(rows, columns=columns)
    mae, bias, wmape, coverage = backtest_summary(
        table["error"].to_numpy(dtype=float), table["actual"].to_numpy(dtype=float),
        table["inside_band"].to_numpy(dtype=bool))
    return BacktestResult(measure=measure, horizon=horizon, level=level, per_origin=table,
                          skipped=tuple(skipped), mean_absolute_error=mae, mean_error=bias,
                          weighted_mape=wmape, coverage=coverage)


def _window(daily: pd.Series, origin: pd.Timestamp, weeks: int) -> tuple[np.ndarray, int]:
    """Arrivals on origin-7*weeks .. origin-1, and the weekday (Monday 0) of the first of those
    days; days after the series' last date, up to the day before the origin, count as 0 (no
    arrivals recorded). ``daily`` is gap-free (``daily_arrivals``), so days are positions."""
    if daily.empty or daily.index[0] >= origin:
        return np.empty(0, dtype=float), 0
    first = max(daily.index[0], origin - pd.Timedelta(days=7 * weeks))
    offset = (first - daily.index[0]).days
    length = (origin - first).days
    values = np.zeros(length, dtype=float)
    recorded = daily.to_numpy(dtype=float)[offset:offset + length]
    values[:recorded.size] = recorded
    return values, first.day_of_week


def _elapsed(elapsed_days: np.ndarray | Sequence[float]) -> np.ndarray:
    elapsed = np.asarray(elapsed_days, dtype=float).ravel()
    if not np.isfinite(elapsed).all() or (elapsed < 0).any():
        raise ValueError("elapsed_days must be finite and not negative")
    return elapsed


def _los(completed_los_days: np.ndarray | Sequence[float]) -> np.ndarray:
    """Completed stays with NaN dropped; negative stays are an error."""
    los = np.asarray(completed_los_days, dtype=float).ravel()
    los = los[~np.isnan(los)]
    if (los < 0).any() or not np.isfinite(los).all():
        raise ValueError("completed_los_days must be finite and not negative")
    return los


def _day(moment: date) -> pd.Timestamp:
    stamp = pd.Timestamp(moment)
    return (stamp.tz_localize(None) if stamp.tz is not None else stamp).normalize()


def _z(level: float) -> float:
    return NormalDist().inv_cdf((1 + level) / 2)


def _check_horizon(horizon: int) -> None:
    if horizon < 1:
        raise ValueError("horizon must be at least 1 day")


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise ValueError("level must be between 0 and 1 (for example 0.8)")
