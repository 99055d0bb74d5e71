"""Statistical process control (XmR charts) by the NHS "Making Data Count" rules.

- **Limits**: the mean and the process limits, mean ± 2.66 × the average moving range (moving
  ranges of at least 3.267 × the average are screened out first), come from the first 20 points
  and are then fixed; they are re-based only at dates of a known change (`?rebase=YYYY-MM-DD` in
  the address), never automatically. A baseline of fewer than 12 points gives trial limits.
- **Special cause** when any of four rules fires: a point outside the process limits; 7 or more
  points in a row on one side of the mean; 7 or more points in a row all rising or all falling;
  2 of 3 points in a row (all on one side of the mean) close to a process limit. Otherwise common
  cause. By the measure's improvement direction a signal is improvement (blue) or concern
  (orange); on a measure with no better direction, neither (purple); common cause is grey.
- **Weekly figures** (Monday to Sunday) are charted over whole weeks only, at both ends of the
  period: a part week would be read as a signal when it only has fewer days.
- The **variation icon** describes the latest point. The **assurance icon**, for a measure with a
  target, says whether the process will consistently pass the target, consistently fail it, or
  hit and miss.

Behaviour mirrors the NHS-R package NHSRplotthedots (`ptd_spc`); every point where it leaves a
choice, or where we differ, is listed in `docs/spc.md`.
"""

# Pure numpy/pandas. The module docstring is the "SPC charts" definition on screen and in
# docs/metrics.md (dashboard/definitions.py).

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Literal, get_args

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

Direction = Literal["up", "down", "neutral"]

LIMIT_FACTOR = 2.66
"""Process limits = mean +/- 2.66 x mean moving range (3 sigma, sigma = MR-bar / 1.128)."""
CLOSE_FACTOR = 2 * LIMIT_FACTOR / 3
"""The "close to a limit" lines sit two-thirds of the way from the mean to each limit (2 sigma)."""
OUTLIER_MR_FACTOR = 3.267
"""Moving ranges of at least 3.267 x MR-bar are screened out of the limits (NHSRplotthedots)."""
RUN_POINTS = 7
TREND_POINTS = 7
TWO_OF_THREE_WINDOW = 3
MIN_BASELINE_POINTS = 12
"""A baseline of fewer points gives trial limits."""
ON_LINE_TOLERANCE = 1e-9
DEFAULT_BASELINE_POINTS = 20
"""Limits are fixed on the first 20 points of each segment unless the caller says otherwise."""


class Rule(StrEnum):
    """Special-cause rules, in the order that decides a point's class when several fire."""

    OUTSIDE_LIMITS = "outside_limits"
    TREND = "trend"
    TWO_OF_THREE = "two_of_three"
    SHIFT = "shift"


class PointClass(StrEnum):
    COMMON_CAUSE = "common_cause"
    IMPROVEMENT = "special_cause_improvement"
    CONCERN = "special_cause_concern"
    NEITHER = "special_cause_neither"


class VariationIcon(StrEnum):
    COMMON_CAUSE = "common_cause"
    IMPROVEMENT_HIGH = "special_cause_improvement_high"
    IMPROVEMENT_LOW = "special_cause_improvement_low"
    CONCERN_HIGH = "special_cause_concern_high"
    CONCERN_LOW = "special_cause_concern_low"
    NEITHER_HIGH = "special_cause_neither_high"
    NEITHER_LOW = "special_cause_neither_low"


class Assurance(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    HIT_OR_MISS = "hit_or_miss"


RULE_LABELS: dict[Rule, str] = {
    Rule.OUTSIDE_LIMITS: "a point outside the process limits",
    Rule.TREND: "7 or more points in a row all rising or all falling",
    Rule.TWO_OF_THREE: "2 of 3 points in a row close to a process limit",
    Rule.SHIFT: "7 or more points in a row on one side of the mean",
}
POINT_CLASS_LABELS: dict[PointClass, str] = {
    PointClass.COMMON_CAUSE: "Common cause variation",
    PointClass.IMPROVEMENT: "Special cause variation: improvement",
    PointClass.CONCERN: "Special cause variation: concern",
    PointClass.NEITHER: "Special cause variation: neither improvement nor concern",
}
VARIATION_ICON_LABELS: dict[VariationIcon, str] = {
    VariationIcon.COMMON_CAUSE: "Common cause variation",
    VariationIcon.IMPROVEMENT_HIGH: "Special cause variation: improvement (high)",
    VariationIcon.IMPROVEMENT_LOW: "Special cause variation: improvement (low)",
    VariationIcon.CONCERN_HIGH: "Special cause variation: concern (high)",
    VariationIcon.CONCERN_LOW: "Special cause variation: concern (low)",
    VariationIcon.NEITHER_HIGH: "Special cause variation: neither improvement nor concern (high)",
    VariationIcon.NEITHER_LOW: "Special cause variation: neither improvement nor concern (low)",
}
ASSURANCE_LABELS: dict[Assurance, str] = {
    Assurance.PASS: "Consistently passes the target",
    Assurance.FAIL: "Consistently fails the target",
    Assurance.HIT_OR_MISS: "Hit and miss: the target may or may not be met",
}


@dataclass(frozen=True)
class Segment:
    """One stretch of points between re-basing dates, with the limits from its baseline."""

    start: pd.Timestamp
    end: pd.Timestamp
    points: int
    baseline_points: int
    mean: float
    mean_moving_range: float
    """NaN when the baseline has a single point (no moving range): the limits are then NaN."""

    @property
    def upper(self) -> float:
        return self.mean + LIMIT_FACTOR * self.mean_moving_range

    @property
    def lower(self) -> float:
        return self.mean - LIMIT_FACTOR * self.mean_moving_range

    @property
    def upper_two_sigma(self) -> float:
        return self.mean + CLOSE_FACTOR * self.mean_moving_range

    @property
    def lower_two_sigma(self) -> float:
        return self.mean - CLOSE_FACTOR * self.mean_moving_range

    @property
    def trial(self) -> bool:
        return self.baseline_points < MIN_BASELINE_POINTS


@dataclass(frozen=True)
class SpcResult:
    """An XmR chart: one row per point in ``points`` plus the summary icons.

    ``points`` columns: ``date``, ``value``, ``segment`` (0, 1, ... from each re-basing),
    ``baseline`` (the point is in its segment's baseline), ``mean``, ``upper``, ``lower``,
    ``upper_two_sigma``, ``lower_two_sigma``, ``special_cause`` (bool), ``rule`` (the rules that
    fired, comma-separated ``Rule`` values in precedence order, or None), ``signal`` (+1 high or
    rising, -1 low or falling, 0 none) and ``point_class`` (a ``PointClass`` value).
    """

    points: pd.DataFrame
    direction: Direction
    target: float | None
    variation_icon: VariationIcon | None
    assurance: Assurance | None
    segments: tuple[Segment, ...]
    dropped_points: int
    """How many NaN (or infinite) values were dropped before the calculation."""

    @property
    def trial_limits(self) -> bool:
        """True when any segment's limits rest on fewer than 12 baseline points."""
        return any(segment.trial for segment in self.segments)


def series(dates: Iterable[object], values: Iterable[float]) -> pd.Series:
    """A figure over time as ``spc`` takes it: float values indexed by date."""
    return pd.Series(np.asarray(list(values), dtype=float), index=pd.to_datetime(list(dates)))


def whole_weeks(first_day: date, last_day: date) -> tuple[date, date]:
    """The whole weeks within ``first_day`` to ``last_day``: from the first Monday on or after
    the first day to the last Sunday on or before the last (the Monday is after the Sunday when
    there is no whole week)."""
    return (first_day + timedelta(days=-first_day.weekday() % 7),
            last_day - timedelta(days=(last_day.weekday() + 1) % 7))


def whole_months_to(day: date, months: int) -> tuple[date, date]:
    """``months`` whole calendar months ending with ``day``'s month if ``day`` is its last day,
    else with the month before: (first day, last day)."""
    end = day if (day + timedelta(days=1)).month != day.month else day.replace(day=1) \
        - timedelta(days=1)
    start = end.replace(day=1)
    for _ in range(months - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    return start, end


def weekly_series(weeks: pd.DataFrame, column: str, first_day: date,
                  last_day: date) -> pd.Series:
    """A weekly figure (``weeks[column]`` by ``weeks.week_start``, each a Monday) as ``spc``
    takes it, over the whole weeks of the period only."""
    monday, sunday = whole_weeks(first_day, last_day)
    whole = weeks[(weeks.week_start >= monday) & (weeks.week_start + timedelta(days=6) <= sunday)]
    return series(whole.week_start, whole[column])


def spc(
    values: pd.Series,
    *,
    direction: Direction = "neutral",
    target: float | None = None,
    baseline_points: int | None = DEFAULT_BASELINE_POINTS,
    rebase_at: Sequence[date] = (),
    screen_outliers: bool = True,
) -> SpcResult:
    """XmR chart of ``values`` (a series indexed by date) by the Making Data Count rules.

    ``baseline_points``: the limits of each segment come from its first this-many points (None:
    all its points). ``rebase_at``: each date starts a new segment at the first point on or after
    it; there is never any automatic re-basing. NaN values are dropped before anything else.
    """
    if direction not in get_args(Direction):
        raise ValueError(f"direction must be one of {get_args(Direction)}, not {direction!r}")
    if baseline_points is not None and baseline_points < 2:
        raise ValueError("baseline_points must be at least 2 (a moving range needs two points)")
    series, dropped = _clean(values)
    segment_of = segment_numbers(series.index, rebase_at)
    parts = [series[segment_of == number] for number in range(_count(segment_of))]
    segments = tuple(fit_segment(part, baseline_points, screen_outliers) for part in parts)
    points = _points(series, segment_of, segments, direction)
    return SpcResult(
        points=points,
        direction=direction,
        target=target,
        variation_icon=_latest_icon(points),
        assurance=assurance(segments[-1] if segments else None, direction, target),
        segments=segments,
        dropped_points=dropped,
    )


def mean_moving_range(values: np.ndarray, *, screen_outliers: bool = True) -> float:
    """Mean of |x_i - x_(i-1)|; with screening, ranges >= 3.267 x that mean are left out and the
    mean taken again (a constant series keeps its mean of 0). NaN for fewer than two values."""
    ranges = np.abs(np.diff(values))
    if ranges.size == 0:
        return float("nan")
    average = float(ranges.mean())
    if screen_outliers and average > 0:
        average = float(ranges[ranges < OUTLIER_MR_FACTOR * average].mean())
    return average


def fit_segment(part: pd.Series, baseline_points: int | None, screen_outliers: bool) -> Segment:
    """Mean and MR-bar of a segment from its first ``baseline_points`` values (None: all)."""
    baseline = part.to_numpy()[:baseline_points]
    return Segment(
        start=part.index[0],
        end=part.index[-1],
        points=len(part),
        baseline_points=len(baseline),
        mean=float(baseline.mean()),
        mean_moving_range=mean_moving_range(baseline, screen_outliers=screen_outliers),
    )


def segment_numbers(dates: pd.DatetimeIndex, rebase_at: Sequence[date]) -> np.ndarray:
    """0, 1, 2, ... for each date: a new segment starts at the first date on or after each
    re-basing date. Dates before the first point or after the last one start nothing."""
    if not rebase_at:
        return np.zeros(len(dates), dtype=int)
    cuts = pd.DatetimeIndex(sorted({_timestamp(moment, dates.tz) for moment in rebase_at}))
    cuts_passed = cuts.searchsorted(dates, side="right")
    return np.unique(cuts_passed, return_inverse=True)[1].astype(int)


def beyond(values: np.ndarray, line: float) -> np.ndarray:
    """+1 above the line, -1 below, 0 on it. A value within floating-point rounding of the line
    (1e-9 relative) is on it, so 10.5 is on a mean computed as 10.500000000000002. NaN for a NaN
    line (no limits), which is neither above nor below."""
    on_line = np.isclose(values, line, rtol=ON_LINE_TOLERANCE, atol=ON_LINE_TOLERANCE)
    return np.where(on_line, 0.0, np.sign(values - line))


def in_long_run(values: np.ndarray, length: int) -> np.ndarray:
    """True for elements in a run of at least ``length`` equal, non-zero consecutive values."""
    if values.size == 0:
        return np.zeros(0, dtype=bool)
    starts = np.r_[0, np.flatnonzero(np.diff(values) != 0) + 1]
    lengths = np.diff(np.r_[starts, values.size])
    long_run = (lengths >= length) & (values[starts] != 0)
    return np.repeat(long_run, lengths)


def shift_points(side: np.ndarray) -> np.ndarray:
    """Rule 2: points in a run of 7+ on one side of the mean (``side`` = sign of value - mean;
    a point exactly on the mean, side 0, breaks a run)."""
    return in_long_run(side, RUN_POINTS)


def trend_direction(values: np.ndarray) -> np.ndarray:
    """Rule 3: +1/-1 for points in a run of 7+ points each higher/lower than the one before, 0
    otherwise. A repeated value (a tie) breaks a trend. A point shared by two trends (a peak or
    trough) takes the direction of the later one, as NHSRplotthedots does."""
    steps = np.sign(np.diff(values)).astype(int)
    trend_steps = np.where(in_long_run(steps, TREND_POINTS - 1), steps, 0)
    after, before = np.r_[trend_steps, 0], np.r_[0, trend_steps]
    return np.where(after != 0, after, before)[: values.size]


def two_of_three_points(close: np.ndarray, side: np.ndarray) -> np.ndarray:
    """Rule 4: in 3 consecutive points all on the same side of the mean, at least 2 are close to
    a limit (beyond two-thirds of the way to it, but not outside it). Flags those close points."""
    flags = np.zeros(close.size, dtype=bool)
    if close.size < TWO_OF_THREE_WINDOW:
        return flags
    close_count = sliding_window_view(close.astype(int), TWO_OF_THREE_WINDOW).sum(axis=1)
    side_sum = sliding_window_view(side, TWO_OF_THREE_WINDOW).sum(axis=1)
    window_fires = (close_count >= 2) & (np.abs(side_sum) == TWO_OF_THREE_WINDOW)
    in_firing_window = np.convolve(window_fires.astype(int), np.ones(TWO_OF_THREE_WINDOW)) > 0
    return in_firing_window & close


def assurance(segment: Segment | None, direction: Direction, target: float | None
              ) -> Assurance | None:
    """Target against the latest limits: outside on the good side = pass, on the bad side = fail,
    on or inside them = hit or miss. None with no target, a neutral direction or no limits."""
    if segment is None or target is None or direction == "neutral" or np.isnan(target):
        return None
    if np.isnan(segment.mean_moving_range):
        return None
    higher_is_better = direction == "up"
    if target > segment.upper:
        return Assurance.FAIL if higher_is_better else Assurance.PASS
    if target < segment.lower:
        return Assurance.PASS if higher_is_better else Assurance.FAIL
    return Assurance.HIT_OR_MISS


def point_class(signal: int, direction: Direction) -> PointClass:
    """Improvement when the signal (+1 high/rising, -1 low/falling) is the good direction."""
    if signal == 0:
        return PointClass.COMMON_CAUSE
    if direction == "neutral":
        return PointClass.NEITHER
    good = 1 if direction == "up" else -1
    return PointClass.IMPROVEMENT if signal == good else PointClass.CONCERN


def variation_icon(cls: PointClass, signal: int) -> VariationIcon:
    """The icon for a point: its class, and high or low by the side its signal points to."""
    if cls is PointClass.COMMON_CAUSE:
        return VariationIcon.COMMON_CAUSE
    return VariationIcon(f"{cls}_{'high' if signal > 0 else 'low'}")


def _assess(values: np.ndarray, segment: Segment) -> tuple[dict[Rule, np.ndarray], np.ndarray]:
    """Which rules fire at each point of one segment, and each point's signal."""
    side = beyond(values, segment.mean).astype(int)
    outside = (beyond(values, segment.upper) > 0) | (beyond(values, segment.lower) < 0)
    close = ~outside & ((beyond(values, segment.upper_two_sigma) > 0)
                        | (beyond(values, segment.lower_two_sigma) < 0))
    trend = trend_direction(values)
    fired = {
        Rule.OUTSIDE_LIMITS: outside,
        Rule.TREND: trend != 0,
        Rule.TWO_OF_THREE: two_of_three_points(close, side),
        Rule.SHIFT: shift_points(side),
    }
    points_to = {Rule.OUTSIDE_LIMITS: side, Rule.TREND: trend, Rule.TWO_OF_THREE: side,
                 Rule.SHIFT: side}
    # The first rule that fires, in Rule order, says which way the point signals.
    signal = np.select([fired[rule] for rule in Rule], [points_to[rule] for rule in Rule], 0)
    return fired, signal.astype(int)


def _points(series: pd.Series, segment_of: np.ndarray, segments: tuple[Segment, ...],
            direction: Direction) -> pd.DataFrame:
    """The per-point table: limits of each point's segment, rules fired and class."""
    values = series.to_numpy()
    assessed = [_assess(values[segment_of == number], segment)
                for number, segment in enumerate(segments)]
    fired = {rule: _concat([rules[rule] for rules, _ in assessed], bool) for rule in Rule}
    signal = _concat([signal for _, signal in assessed], int)
    rules = [", ".join(rule for rule in Rule if fired[rule][i]) or None for i in range(signal.size)]
    position = _concat([np.arange(segment.points) for segment in segments], int)
    baseline_size = np.array([segment.baseline_points for segment in segments], dtype=int)

    def per_point(attribute: str) -> np.ndarray:
        by_segment = np.array([getattr(segment, attribute) for segment in segments], dtype=float)
        return by_segment[segment_of]

    return pd.DataFrame({
        "date": series.index,
        "value": values,
        "segment": segment_of,
        "baseline": position < baseline_size[segment_of],
        "mean": per_point("mean"),
        "upper": per_point("upper"),
        "lower": per_point("lower"),
        "upper_two_sigma": per_point("upper_two_sigma"),
        "lower_two_sigma": per_point("lower_two_sigma"),
        "special_cause": signal != 0,
        "rule": pd.Series(rules, dtype=object),
        "signal": signal,
        "point_class": pd.Series([str(point_class(s, direction)) for s in signal], dtype=object),
    })


def _latest_icon(points: pd.DataFrame) -> VariationIcon | None:
    if points.empty:
        return None
    latest = points.iloc[-1]
    return variation_icon(PointClass(latest["point_class"]), int(latest["signal"]))


def _clean(values: pd.Series) -> tuple[pd.Series, int]:
    """Float values on a sorted DatetimeIndex, NaN and infinite values dropped."""
    if len(values) and pd.api.types.is_numeric_dtype(values.index):
        raise TypeError("values must be indexed by date, not by number")
    dates = pd.DatetimeIndex(pd.to_datetime(values.index))
    if dates.has_duplicates:
        raise ValueError("values has more than one value for the same date")
    numbers = pd.Series(pd.to_numeric(values, errors="raise").astype(float).to_numpy(),
                        index=dates)
    finite = np.isfinite(numbers.to_numpy())
    return numbers[finite].sort_index(), int((~finite).sum())


def _timestamp(moment: date, tz: object) -> pd.Timestamp:
    stamp = pd.Timestamp(moment)
    return stamp.tz_localize(tz) if tz is not None and stamp.tz is None else stamp


def _count(segment_of: np.ndarray) -> int:
    return int(segment_of.max()) + 1 if segment_of.size else 0


def _concat(arrays: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(arrays).astype(dtype) if arrays else np.zeros(0, dtype=dtype)
