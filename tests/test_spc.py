"""Known-answer tests for the Making Data Count XmR chart (``dashboard.spc``) and its figure.

Every expected value is worked by hand in the comments, never by calling the code.

Most series start with a "calm" baseline of 12 points alternating 11 and 9 (CALM, ending on 9)
or 9 and 11 (CALM_HIGH_END, ending on 11). For both, with the limits fixed on those 12 points:
  mean = 10; 11 moving ranges all 2, so MR-bar = 2 (none >= 3.267 x 2 = 6.53, none screened);
  process limits 10 +/- 2.66 x 2 = 4.68 and 15.32;
  "close to a limit" lines 10 +/- (2/3 x 2.66) x 2 = 10 +/- 3.5467 = 6.4533 and 13.5467.
Alternation means no run (sides -,+,-,...) and no trend (steps +2,-2,...) inside the baseline.
"""

from __future__ import annotations

import colorsys
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.spc import (
    Assurance,
    PointClass,
    SpcResult,
    VariationIcon,
    spc,
    trend_direction,
    weekly_series,
    whole_weeks,
)
from layouts.spc_figure import CLASS_STYLES, spc_figure


def drawn(result: SpcResult, **options: Any) -> go.Figure:
    """The chart as Plotly reads what is sent (so a test can use its attribute names)."""
    return go.Figure(spc_figure(result, **options))

START = date(2025, 4, 1)
CALM = [11.0, 9.0] * 6
CALM_HIGH_END = [9.0, 11.0] * 6
IMPROVEMENT = str(PointClass.IMPROVEMENT)
CONCERN = str(PointClass.CONCERN)
COMMON = str(PointClass.COMMON_CAUSE)
NEITHER = str(PointClass.NEITHER)


def daily(values: list[float], start: date = START, step_days: int = 1) -> pd.Series:
    dates = [start + timedelta(days=step_days * i) for i in range(len(values))]
    return pd.Series(values, index=pd.to_datetime(dates))


def special_positions(result: SpcResult) -> list[int]:
    return [int(i) for i in np.flatnonzero(result.points["special_cause"].to_numpy())]


def classes(result: SpcResult) -> list[str]:
    return result.points["point_class"].tolist()


# --- a flat series --------------------------------------------------------------------------------

def test_constant_series_has_limits_equal_to_the_mean_and_no_signal():
    # 15 x 5: mean 5; every moving range 0, so MR-bar = 0 and both limits equal the mean.
    # No point is above or below the mean (so no run), no step rises or falls (so no trend),
    # nothing is beyond a limit or close to one: all 15 points are common cause.
    result = spc(daily([5.0] * 15), direction="up")
    points = result.points
    assert (points["mean"] == 5).all() and (points["upper"] == 5).all()
    assert (points["lower"] == 5).all()
    assert not points["special_cause"].any()
    assert classes(result) == [COMMON] * 15
    assert result.points["rule"].isna().all()
    assert result.variation_icon is VariationIcon.COMMON_CAUSE
    assert result.trial_limits is False  # 15 baseline points >= 12


def test_a_value_off_a_constant_baseline_is_outside_the_zero_width_limits():
    # Baseline 12 x 5 fixed (baseline_points=12): limits 5 and 5. Then 6: 6 > 5 = upper limit.
    result = spc(daily([5.0] * 12 + [6.0]), direction="up", baseline_points=12)
    assert special_positions(result) == [12]
    assert result.points["rule"].iloc[12] == "outside_limits"


# --- the series 1..20 (must show) -----------------------------------------------------------------

ONE_TO_TWENTY = [float(v) for v in range(1, 21)]
# By hand, baseline = all 20 points (default first 20):
#   mean = (1 + 20) / 2 = 10.5; the 19 moving ranges are all 1, so MR-bar = 1 (1 < 3.267: kept).
#   Limits 10.5 +/- 2.66 = 7.84 and 13.16. Close lines 10.5 +/- 1.7733 = 8.7267 and 12.2733.
# Rule 1 (outside): 1..7 are below 7.84; 14..20 are above 13.16.
# Rule 3 (trend): every step rises by 1, so all 20 points form one rising trend (>= 7).
# Rule 2 (run): 1..10 are below 10.5 (10 in a row), 11..20 above (10 in a row): all 20 flagged.
# Rule 4 (2 of 3): only 8 (7.84 <= 8 < 8.7267) and 13 (12.2733 < 13 <= 13.16) are "close"; 6 and 7
#   are outside (not "close"), 9 and 10 are inside the close lines, so no 3 consecutive points
#   hold 2 close ones (likewise around 13): rule 4 fires nowhere.
# Every point is special cause. Its class comes from the first rule that fires in the order
# outside limits > trend > 2 of 3 > run (NHSRplotthedots): 1..7 are low points outside the
# limits -> concern when up is good; 8..13 take the direction of the trend, rising -> improvement
# (8, 9 and 10 too, though below the mean); 14..20 are high points outside -> improvement.
OUTSIDE_TREND_RUN = "outside_limits, trend, shift"
ONE_TO_TWENTY_RULES = [OUTSIDE_TREND_RUN] * 7 + ["trend, shift"] * 6 + [OUTSIDE_TREND_RUN] * 7


def test_one_to_twenty_direction_up_full_classification():
    result = spc(daily(ONE_TO_TWENTY), direction="up")
    points = result.points
    assert result.segments[0].mean == 10.5
    assert result.segments[0].mean_moving_range == 1.0
    assert points["upper"].iloc[0] == pytest.approx(13.16)
    assert points["lower"].iloc[0] == pytest.approx(7.84)
    assert points["upper_two_sigma"].iloc[0] == pytest.approx(10.5 + 2 * 2.66 / 3)
    assert points["lower_two_sigma"].iloc[0] == pytest.approx(10.5 - 2 * 2.66 / 3)
    assert points["special_cause"].all()
    assert points["rule"].tolist() == ONE_TO_TWENTY_RULES
    assert classes(result) == [CONCERN] * 7 + [IMPROVEMENT] * 13
    assert result.variation_icon is VariationIcon.IMPROVEMENT_HIGH  # 20: improvement, high
    assert result.trial_limits is False


def test_one_to_twenty_direction_down_swaps_improvement_and_concern():
    # Same rules and signals; now low is good: 1..7 improvement, 8..20 concern (rising trend and
    # high points). The latest point, 20, is a high point of concern.
    result = spc(daily(ONE_TO_TWENTY), direction="down")
    assert classes(result) == [IMPROVEMENT] * 7 + [CONCERN] * 13
    assert result.variation_icon is VariationIcon.CONCERN_HIGH


def test_one_to_twenty_neutral_is_special_cause_neither():
    result = spc(daily(ONE_TO_TWENTY), direction="neutral", target=5.0)
    assert classes(result) == [NEITHER] * 20
    assert result.variation_icon is VariationIcon.NEITHER_HIGH
    assert result.assurance is None  # no assurance for a neutral metric, target or not


@pytest.mark.parametrize(("values", "direction", "icon"), [
    # 20..1: mean 10.5, MR-bar 1, limits 7.84-13.16 as above. 20..14 outside high, 13..8 falling
    # trend, 7..1 outside low: the latest point (1) signals low.
    (ONE_TO_TWENTY[::-1], "up", VariationIcon.CONCERN_LOW),
    (ONE_TO_TWENTY[::-1], "down", VariationIcon.IMPROVEMENT_LOW),
    (ONE_TO_TWENTY[::-1], "neutral", VariationIcon.NEITHER_LOW),
    (ONE_TO_TWENTY, "up", VariationIcon.IMPROVEMENT_HIGH),
    (ONE_TO_TWENTY, "down", VariationIcon.CONCERN_HIGH),
    (ONE_TO_TWENTY, "neutral", VariationIcon.NEITHER_HIGH),
    (CALM, "up", VariationIcon.COMMON_CAUSE),
])
def test_variation_icon_of_the_latest_point(values, direction, icon):
    assert spc(daily(values), direction=direction).variation_icon is icon


# --- rule 2: a run on one side of the mean --------------------------------------------------------

def test_run_of_seven_on_one_side_flags_all_seven():
    # CALM (ends 9, below) then 11, 12, 11, 12, 11, 12, 11 (positions 12-18): 7 in a row above 10,
    # then 9 (below) ends the run. None is close (12 < 13.5467) or outside; the steps alternate, so
    # no trend. Exactly positions 12-18 are special cause: a high shift, improvement when up.
    result = spc(daily(CALM + [11, 12, 11, 12, 11, 12, 11] + [9, 11, 9]), direction="up",
                 baseline_points=12)
    assert special_positions(result) == list(range(12, 19))
    assert set(result.points["rule"].iloc[12:19]) == {"shift"}
    assert set(classes(result)[12:19]) == {IMPROVEMENT}


def test_run_of_six_is_not_enough():
    result = spc(daily(CALM + [11, 12, 11, 12, 11, 12] + [9, 11, 9]), direction="up",
                 baseline_points=12)
    assert special_positions(result) == []


def test_a_point_on_the_mean_breaks_a_run():
    # 11, 12, 11 above; 10 exactly on the mean (neither side); 12, 11, 12 above: two runs of 3.
    result = spc(daily(CALM + [11, 12, 11, 10, 12, 11, 12] + [9]), direction="up",
                 baseline_points=12)
    assert special_positions(result) == []


# --- rule 3: a trend ------------------------------------------------------------------------------

def test_rising_trend_of_seven_is_improvement_even_below_the_mean():
    # CALM_HIGH_END (ends 11) then 8.5, 9, 9.5, 10.5, 11, 11.5, 12 (positions 12-18): 11 -> 8.5
    # falls, then 6 rising steps = 7 rising points; 12 -> 11 falls and ends it.
    # Sides: 8.5, 9, 9.5 below; 10.5 .. 12 and the 11 after above (5): no run of 7. Nothing is
    # outside or close (8.5 > 6.4533, 12 < 13.5467). So exactly positions 12-18, all improvement
    # when up is good: a rising trend signals "higher" wherever the points sit.
    values = CALM_HIGH_END + [8.5, 9, 9.5, 10.5, 11, 11.5, 12] + [11, 9]
    result = spc(daily(values), direction="up", baseline_points=12)
    assert special_positions(result) == list(range(12, 19))
    assert set(result.points["rule"].iloc[12:19]) == {"trend"}
    assert set(classes(result)[12:19]) == {IMPROVEMENT}


def test_falling_trend_of_seven_is_concern_when_up_is_good():
    # CALM (ends 9) then 11.5, 11, 10.5, 9.5, 9, 8.5, 8 (positions 12-18): 9 -> 11.5 rises, then
    # 6 falling steps; 8 -> 9 rises. Sides: 3 above then 9.5, 9, 8.5, 8, 9 below (5), 11 above.
    # 8 > 6.4533: not close. Exactly positions 12-18, concern.
    values = CALM + [11.5, 11, 10.5, 9.5, 9, 8.5, 8] + [9, 11]
    result = spc(daily(values), direction="up", baseline_points=12)
    assert special_positions(result) == list(range(12, 19))
    assert set(classes(result)[12:19]) == {CONCERN}


def test_a_tie_breaks_a_trend():
    # 8.5, 9, 9, 9.5, 10.5, 11, 11.5, 12: the repeated 9 is not a rise, so the longest rising
    # stretch is 9, 9.5, 10.5, 11, 11.5, 12 = 6 points. Sides: 4 below, then 5 above. Nothing fires.
    values = CALM_HIGH_END + [8.5, 9, 9, 9.5, 10.5, 11, 11.5, 12] + [11, 9]
    result = spc(daily(values), direction="up", baseline_points=12)
    assert special_positions(result) == []


@pytest.mark.parametrize(("values", "expected"), [
    # Rise 1..7 then fall 7..1 with a tie (7, 7) between: two separate trends of 7 points. Each
    # 7 keeps its own trend's direction (NHSRplotthedots would read the tie as "falling").
    ([1, 2, 3, 4, 5, 6, 7, 7, 6, 5, 4, 3, 2, 1], [1] * 7 + [-1] * 7),
    # Rise 1..7 then fall to 1: the peak 7 ends the rising trend and starts the falling one; it
    # takes the later trend's direction, as in NHSRplotthedots.
    ([1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1], [1] * 6 + [-1] * 7),
    # Six rising points only.
    ([1, 2, 3, 4, 5, 6], [0] * 6),
])
def test_trend_direction_of_each_point(values, expected):
    assert trend_direction(np.array(values, dtype=float)).tolist() == expected


# --- rule 1: a point outside the limits -----------------------------------------------------------

@pytest.mark.parametrize(("direction", "expected"), [("up", IMPROVEMENT), ("down", CONCERN),
                                                      ("neutral", NEITHER)])
def test_single_point_outside_the_limits(direction, expected):
    # 16 > 15.32 (position 12); 9 before and after it are below the mean: no run, no trend; 16 is
    # outside, so it is not "close" and rule 4 cannot fire. Only position 12 is special.
    result = spc(daily(CALM + [16, 9, 11]), direction=direction, baseline_points=12)
    assert special_positions(result) == [12]
    assert result.points["rule"].iloc[12] == "outside_limits"
    assert classes(result)[12] == expected


# --- rule 4: two of three close to a limit --------------------------------------------------------

@pytest.mark.parametrize(("tail", "expected"), [
    # 14 close (13.5467 < 14 <= 15.32), 12 not close, 14 close; 14, 12, 14 all above the mean.
    # Window (14, 12, 14) holds 2 close points, all on one side: it fires and flags the two 14s
    # (positions 12 and 14), not the 12 between them. (9, 14, 12) and (12, 14, 9) cross the mean.
    ([14, 12, 14, 9, 11], IMPROVEMENT),
    # Mirror image below: 6 close (4.68 <= 6 < 6.4533), 8 not close. The window before,
    # (9, 6, 8), holds only one close point. Flags the two 6s: low, so concern when up is good.
    ([6, 8, 6, 11, 9], CONCERN),
])
def test_two_of_three_close_to_a_limit_on_the_same_side(tail, expected):
    result = spc(daily(CALM + tail), direction="up", baseline_points=12)
    assert special_positions(result) == [12, 14]
    assert result.points["rule"].iloc[12] == "two_of_three"
    assert result.points["rule"].iloc[14] == "two_of_three"
    assert classes(result)[12] == classes(result)[14] == expected


@pytest.mark.parametrize("tail", [
    # 14 close to the upper limit, 6 close to the lower one: 2 close points on opposite sides.
    [14, 11, 6, 11, 9],
    # 14 and 14 both close to the upper limit, but the 9 between them is below the mean: the three
    # points are not all on one side (NHSRplotthedots asks that of the whole window).
    [14, 9, 14, 9, 11],
])
def test_two_of_three_does_not_fire_across_the_mean(tail):
    result = spc(daily(CALM + tail), direction="up", baseline_points=12)
    assert special_positions(result) == []


def test_a_point_outside_the_limits_does_not_count_as_close():
    # 16 (outside) then 14 (close) then 11, all above: one close point only, so rule 4 does not
    # fire; 16 is special by rule 1 and 14 stays common cause (as in NHSRplotthedots).
    result = spc(daily(CALM + [16, 14, 11, 9]), direction="up", baseline_points=12)
    assert special_positions(result) == [12]
    assert classes(result)[13] == COMMON


# --- baselines, trial limits and re-basing --------------------------------------------------------

def test_fewer_than_twelve_baseline_points_gives_trial_limits():
    assert spc(daily(CALM[:11])).trial_limits is True
    assert spc(daily(CALM)).trial_limits is False
    assert spc(daily(CALM * 2), baseline_points=5).trial_limits is True  # 5 < 12, by choice
    assert spc(daily([4.0])).trial_limits is True


def test_limits_are_fixed_on_the_baseline_points():
    # CALM then 20, 20, 20. Fixed on 12 points: mean 10, MR-bar 2, limits 4.68-15.32 on every row.
    fixed = spc(daily(CALM + [20, 20, 20]), baseline_points=12)
    assert set(fixed.points["mean"]) == {10.0}
    assert fixed.points["upper"].iloc[-1] == pytest.approx(15.32)
    assert fixed.points["baseline"].tolist() == [True] * 12 + [False] * 3
    # With the default (first 20 points) all 15 are the baseline: mean (120 + 60) / 15 = 12.
    # Moving ranges: eleven 2s, then 9 -> 20 = 11, then 0, 0; mean 33 / 14 = 2.357; 11 is at
    # least 3.267 x 2.357 = 7.70, so it is screened out: MR-bar = 22 / 13.
    growing = spc(daily(CALM + [20, 20, 20]))
    assert growing.segments[0].mean == 12.0
    assert growing.segments[0].mean_moving_range == pytest.approx(22 / 13)


STEP_UP = CALM_HIGH_END + [19.0, 21.0] * 6  # 12 points around 10, then 12 around 20


def test_rebasing_at_a_date_gives_each_segment_its_own_limits():
    # Segment 0: positions 0-11, mean 10, MR-bar 2, limits 4.68-15.32. Segment 1: positions 12-23
    # (19, 21, ...): mean 20, MR-bar 2, limits 14.68-25.32. Each alternates about its own mean:
    # nothing fires. Rules never look across a re-basing.
    series = daily(STEP_UP)
    result = spc(series, direction="up", rebase_at=[series.index[12].date()])
    points = result.points
    assert points["segment"].tolist() == [0] * 12 + [1] * 12
    assert set(points["mean"].iloc[:12]) == {10.0} and set(points["mean"].iloc[12:]) == {20.0}
    assert points["upper"].iloc[0] == pytest.approx(15.32)
    assert points["upper"].iloc[12] == pytest.approx(25.32)
    assert points["lower"].iloc[12] == pytest.approx(14.68)
    assert special_positions(result) == []
    assert [s.trial for s in result.segments] == [False, False]


def test_no_rebasing_without_a_date():
    # One segment; the baseline is the first 20 points: 12 around 10 (sum 120) and 8 around 20
    # (sum 160): mean 280 / 20 = 14. Moving ranges: eleven 2s, 11 -> 19 = 8, seven 2s: 44 / 19 =
    # 2.316; 8 >= 3.267 x 2.316 = 7.57 is screened out: MR-bar = 36 / 18 = 2. Limits 8.68-19.32.
    # The first 12 points are all below 14 (a run of 12) and the last 12 all above (a run of 12):
    # all 24 are special; low ones are concern and high ones improvement when up is good.
    result = spc(daily(STEP_UP), direction="up")
    assert len(result.segments) == 1
    assert result.segments[0].mean == 14.0
    assert result.segments[0].mean_moving_range == pytest.approx(2.0)
    assert result.points["upper"].iloc[0] == pytest.approx(19.32)
    assert result.points["special_cause"].all()
    assert classes(result) == [CONCERN] * 12 + [IMPROVEMENT] * 12


def test_a_rebasing_date_between_points_starts_at_the_next_point():
    # Weekly points; re-basing 3 days before the 13th point starts segment 1 at that point.
    # A date before the first point or after the last starts nothing.
    series = daily(STEP_UP, step_days=7)
    between = (series.index[12] - pd.Timedelta(days=3)).date()
    result = spc(series, rebase_at=[between, START - timedelta(days=30), date(2030, 1, 1)])
    assert result.points["segment"].tolist() == [0] * 12 + [1] * 12


def test_a_short_segment_after_rebasing_has_trial_limits():
    series = daily(STEP_UP)
    result = spc(series, rebase_at=[series.index[18].date()])
    assert [s.points for s in result.segments] == [18, 6]
    assert [s.trial for s in result.segments] == [False, True]
    assert result.trial_limits is True


# --- assurance ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("direction", "target", "expected"), [
    ("up", 4.0, Assurance.PASS),           # target below the lower limit 4.68, higher is better
    ("up", 16.0, Assurance.FAIL),          # target above the upper limit 15.32
    ("up", 10.0, Assurance.HIT_OR_MISS),   # target inside the limits
    ("down", 16.0, Assurance.PASS),
    ("down", 4.0, Assurance.FAIL),
    ("down", 15.0, Assurance.HIT_OR_MISS),
    ("neutral", 16.0, None),
    ("up", None, None),
])
def test_assurance_against_the_target(direction, target, expected):
    assert spc(daily(CALM), direction=direction, target=target).assurance is expected


def test_assurance_uses_the_latest_segment():
    # Latest segment around 20 (limits 14.68-25.32): a target of 12 is below it -> pass when up.
    series = daily(STEP_UP)
    result = spc(series, direction="up", target=12.0, rebase_at=[series.index[12].date()])
    assert result.assurance is Assurance.PASS


def test_target_on_zero_width_limits_is_hit_or_miss():
    assert spc(daily([5.0] * 12), direction="up", target=5.0).assurance is Assurance.HIT_OR_MISS


# --- edge cases -----------------------------------------------------------------------------------

def test_nan_values_are_dropped_and_the_moving_range_spans_the_gap():
    # 1, NaN, 3, 5 -> 1, 3, 5: mean 3; moving ranges 2 (1 -> 3 across the gap) and 2: MR-bar 2.
    result = spc(daily([1.0, float("nan"), 3.0, 5.0]))
    assert result.points["value"].tolist() == [1.0, 3.0, 5.0]
    assert result.dropped_points == 1
    assert result.segments[0].mean == 3.0
    assert result.segments[0].mean_moving_range == 2.0


def test_empty_series():
    result = spc(pd.Series([], dtype=float), direction="up", target=3.0)
    assert result.points.empty
    assert "point_class" in result.points.columns
    assert result.variation_icon is None and result.assurance is None
    assert result.segments == ()


def test_single_point_has_no_limits_and_is_common_cause():
    result = spc(daily([4.0]), direction="up", target=3.0)
    assert result.points["mean"].tolist() == [4.0]
    assert result.points["upper"].isna().all() and result.points["lower"].isna().all()
    assert classes(result) == [COMMON]
    assert result.variation_icon is VariationIcon.COMMON_CAUSE
    assert result.assurance is None  # no limits to compare the target with
    assert result.trial_limits is True


def test_a_value_on_the_mean_up_to_rounding_counts_as_on_the_mean():
    # Baseline 0.1, 0.2: mean 0.15 (in floating point 0.15000000000000002). Then 0.15 seven
    # times: on the mean, not below it, so no run; ties, so no trend.
    result = spc(daily([0.1, 0.2] + [0.15] * 7), baseline_points=2)
    assert special_positions(result) == []


def test_unsorted_dates_are_sorted():
    series = daily([1.0, 2.0, 3.0]).iloc[::-1]
    assert spc(series).points["value"].tolist() == [1.0, 2.0, 3.0]


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="same date"):
        spc(pd.Series([1.0, 2.0], index=pd.to_datetime(["2025-01-01", "2025-01-01"])))
    with pytest.raises(ValueError, match="direction"):
        spc(daily([1.0]), direction="increase")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="date"):
        spc(pd.Series([1.0, 2.0]))


# --- the figure -----------------------------------------------------------------------------------

def colours_in(node: Any) -> Iterator[str]:
    """Every colour string in a figure's JSON, leaving out Plotly's template defaults."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "template":
                yield from colours_in(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from colours_in(value)
    elif isinstance(node, str) and node.startswith("#") and len(node) == 7:
        yield node


def is_red_amber_or_green(colour: str) -> bool:
    """Saturated hues of red (<= 20 or >= 340 degrees), amber/yellow (36-65) or green (75-165)."""
    red, green, blue = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    hue, saturation, value = colorsys.rgb_to_hsv(red, green, blue)
    degrees = hue * 360
    if saturation < 0.25 or value < 0.2:
        return False  # greys, near-black
    return degrees <= 20 or degrees >= 340 or 36 <= degrees <= 65 or 75 <= degrees <= 165


def test_rag_check_itself_recognises_rag_colours():
    for rag in ("#FF0000", "#DA291C", "#FFBF00", "#FFB81C", "#00FF00", "#009639"):
        assert is_red_amber_or_green(rag)


def test_figure_uses_no_red_amber_or_green():
    result = spc(daily(ONE_TO_TWENTY + [10.0]), direction="up", target=12.0)
    colours = set(colours_in(spc_figure(result, title_y="People")))
    assert colours  # the check looked at something
    assert not [c for c in colours if is_red_amber_or_green(c)]
    assert {"#00B0F0", "#E46C0A", "#A6A6A6"} <= colours  # Making Data Count blue, orange, grey


def test_figure_labels_mean_and_limits_at_the_right_end():
    figure = drawn(spc(daily(CALM), direction="up"), title_y="People")
    labels = {a.text: a for a in figure.layout.annotations}
    for text, height in (("Mean", 10.0), ("Upper process limit", 15.32),
                         ("Lower process limit", 4.68)):
        assert labels[text].x == 1 and labels[text].xanchor == "left"
        assert labels[text].y == pytest.approx(height)
    lines = {trace.name: trace.line.dash for trace in figure.data}
    assert lines["Mean"] == "solid"
    assert lines["Upper process limit"] == lines["Lower process limit"] == "dash"
    assert figure.layout.yaxis.title.text == "People"


def test_figure_shows_target_and_trial_limits():
    figure = drawn(spc(daily(CALM[:8]), direction="up"), title_y="People", target=12.0)
    texts = [a.text for a in figure.layout.annotations]
    assert "Trial limits" in texts and "Target" in texts
    assert "Target" in [trace.name for trace in figure.data]
    settled = drawn(spc(daily(CALM)), title_y="People")
    assert "Trial limits" not in [a.text for a in settled.layout.annotations]


def test_marker_symbols_and_colours_differ_by_class():
    assert len({style.symbol for style in CLASS_STYLES.values()}) == len(CLASS_STYLES)
    assert len({style.colour for style in CLASS_STYLES.values()}) == len(CLASS_STYLES)
    figure = drawn(spc(daily(ONE_TO_TWENTY), direction="up"), title_y="People")
    markers = {t.name: t.marker.symbol for t in figure.data if t.mode == "markers"}
    assert markers["Special cause variation: improvement"] == "diamond"
    assert markers["Special cause variation: concern"] == "square"


def test_figure_of_an_empty_result():
    figure = drawn(spc(pd.Series([], dtype=float)), title_y="People")
    assert [a.text for a in figure.layout.annotations] == ["No data to chart"]



def test_weekly_figures_are_charted_over_whole_weeks_only_at_both_ends():
    # Sunday 2 June to Wednesday 26 June 2024: the weeks of 3, 10 and 17 June are whole.
    assert whole_weeks(date(2024, 6, 2), date(2024, 6, 26)) == (date(2024, 6, 3),
                                                                date(2024, 6, 23))
    assert whole_weeks(date(2024, 6, 3), date(2024, 6, 9)) == (date(2024, 6, 3),
                                                               date(2024, 6, 9))
    first, last = whole_weeks(date(2024, 6, 4), date(2024, 6, 9))  # no whole week
    assert first > last
    weeks = pd.DataFrame({"week_start": [date(2024, 5, 27) + timedelta(weeks=n)
                                         for n in range(5)],
                          "value": [1.0, 2.0, 3.0, 4.0, 5.0]})
    chosen = weekly_series(weeks, "value", date(2024, 6, 2), date(2024, 6, 26))
    assert list(chosen.index.date) == [date(2024, 6, 3), date(2024, 6, 10), date(2024, 6, 17)]
    assert list(chosen) == [2.0, 3.0, 4.0]
