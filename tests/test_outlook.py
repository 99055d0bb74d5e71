"""Known-answer tests for the 14-day outlook (``dashboard.outlook``).

Every expected value is worked by hand in the comments, never by calling the code.

Calendar used throughout: 2024-01-08, 2024-03-04 and 2024-01-01 are Mondays. The default origin
2024-03-04 is a Monday; the 8 whole weeks before it are 2024-01-08 .. 2024-03-03 (56 days).

Normal quantile for an 80% band: z = 1.28155 (table value of the 90th percentile).

Completed stays used for the places tests: L = [2, 4, 6, 8] days, so
  S(t) = share of L > t: S(0..1) = 1, S(2..3) = 3/4, S(4..5) = 1/2, S(6..7) = 1/4, S(8+) = 0.
Occupants with e = 0, 3, 7 days in service at the origin, p_i(d) = S(e_i + d) / S(e_i):
  e = 0: S(1)/1, S(2)/1, S(3)/1        = 1,   3/4, 3/4
  e = 3: S(4)/S(3), S(5)/S(3), S(6)/S(3) = 2/3, 2/3, 1/3   ((1/2)/(3/4), (1/2)/(3/4), (1/4)/(3/4))
  e = 7: S(8)/S(7), S(9)/S(7), S(10)/S(7) = 0,  0,   0
Beyond the longest stay (S(e) = 0): the longest 10% of 4 stays = ceil(0.4) = 1 stay, 8 days; the
longest stay shorter than it is 6, so the tail lasted 8 - 6 = 2 days beyond it: daily chance of
leaving h = 1/2, p(d) = (1 - 1/2)^d = 1/2, 1/4, 1/8.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from dashboard.outlook import (
    DEMAND_COLUMNS,
    METHOD_TEXT,
    PLACES_COLUMNS,
    BacktestResult,
    PlacesCase,
    backtest_demand,
    backtest_places,
    backtest_summary,
    demand_forecast,
    method_text,
    outlook,
    places_freed,
    poisson_interval,
    still_in_service,
    tail_leaving_probability,
)

ORIGIN = date(2024, 3, 4)  # a Monday
Z80 = 1.28155
LOS = [2, 4, 6, 8]


def daily(start: date, values: list[float]) -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="D"),
                     dtype=float)


def busy_monday_series() -> pd.Series:
    """8 weeks from Monday 2024-01-08: Mondays 3, other days 1, the third Monday 5."""
    values = [3.0 if i % 7 == 0 else 1.0 for i in range(56)]
    values[14] = 5.0  # Monday 2024-01-22
    return daily(date(2024, 1, 8), values)


# --- new demand -------------------------------------------------------------------------------

def test_same_weekday_mean_with_one_busy_monday():
    forecast = demand_forecast(busy_monday_series(), ORIGIN)
    # Mondays: (7 x 3 + 5) / 8 = 26 / 8 = 3.25; every other weekday 8 x 1 / 8 = 1.
    # Forecast days 2024-03-05 (Tue) .. 2024-03-18 (Mon): days 7 and 14 are Mondays.
    assert list(forecast.columns) == list(DEMAND_COLUMNS)
    assert len(forecast) == 14
    assert forecast["date"].iloc[0] == pd.Timestamp("2024-03-05")
    assert forecast["date"].iloc[-1] == pd.Timestamp("2024-03-18")
    assert forecast["weekday"].iloc[0] == "Tuesday"
    expected = [1.0] * 6 + [3.25] + [1.0] * 6 + [3.25]
    assert forecast["expected_new_demand"].tolist() == pytest.approx(expected)
    assert (forecast["weeks_used"] == 8).all()
    # Cumulative: 6 x 1 = 6 by day 6, + 3.25 = 9.25 on day 7; 12 x 1 + 2 x 3.25 = 18.5 on day 14.
    assert forecast["cumulative_demand"].iloc[5] == pytest.approx(6.0)
    assert forecast["cumulative_demand"].iloc[6] == pytest.approx(9.25)
    assert forecast["cumulative_demand"].iloc[-1] == pytest.approx(18.5)


def test_daily_band_is_the_poisson_interval_of_the_mean():
    forecast = demand_forecast(busy_monday_series(), ORIGIN)
    # Tuesday, mean 1: P(0) = e^-1 = 0.3679 >= 0.1, so low = 0;
    # P(<=1) = 2e^-1 = 0.7358 < 0.9, P(<=2) = 2.5e^-1 = 0.9197 >= 0.9, so high = 2.
    first = forecast.iloc[0]
    assert (first["expected_new_demand_low"], first["expected_new_demand_high"]) == (0, 2)
    # Day 1 cumulative = day 1 itself.
    assert (first["cumulative_demand_low"], first["cumulative_demand_high"]) == (0, 2)


def test_forecast_days_follow_the_weekday_of_the_origin():
    # 10 weeks from Monday 2024-01-01: Mondays 3, other days 1; origin Thursday 2024-03-07.
    values = [3.0 if i % 7 == 0 else 1.0 for i in range(70)]
    forecast = demand_forecast(daily(date(2024, 1, 1), values), date(2024, 3, 7))
    # Day 1 = Friday 03-08, day 4 = Monday 03-11, day 11 = Monday 03-18.
    assert forecast["weekday"].tolist()[:4] == ["Friday", "Saturday", "Sunday", "Monday"]
    expected = [1.0, 1.0, 1.0, 3.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 3.0, 1.0, 1.0, 1.0]
    assert forecast["expected_new_demand"].tolist() == pytest.approx(expected)


def test_missing_days_and_nan_count_as_zero():
    # Only the 8 Mondays 2024-01-08 .. 2024-02-26 are given, 3 each, except one NaN.
    mondays = pd.date_range("2024-01-08", periods=8, freq="7D")
    values = [3.0, 3.0, np.nan, 3.0, 3.0, 3.0, 3.0, 3.0]
    forecast = demand_forecast(pd.Series(values, index=mondays), ORIGIN)
    # Monday: (7 x 3 + 0) / 8 = 21/8 = 2.625. Tuesday to Sunday are all missing: 0.
    # The series ends on 02-26; 02-27 .. 03-03 before the origin count as 0 too.
    assert forecast["expected_new_demand"].iloc[6] == pytest.approx(2.625)
    assert forecast["expected_new_demand"].iloc[0] == 0.0
    assert (forecast["weeks_used"] == 8).all()
    # Mean 0: the band is [0, 0].
    assert (forecast["expected_new_demand_high"].iloc[0]) == 0.0


def test_arrivals_on_or_after_the_origin_are_ignored():
    series = busy_monday_series()
    later = daily(ORIGIN, [100.0] * 20)  # 2024-03-04 onward
    forecast = demand_forecast(pd.concat([series, later]), ORIGIN)
    assert forecast["expected_new_demand"].iloc[6] == pytest.approx(3.25)  # as without them
    assert forecast["expected_new_demand"].iloc[0] == pytest.approx(1.0)


def test_dates_given_as_timestamps_with_times_and_date_objects():
    # The same 8 weeks indexed by datetime.date objects, and an origin given as a datetime.
    series = busy_monday_series()
    as_dates = pd.Series(series.to_numpy(), index=[d.date() for d in series.index])
    forecast = demand_forecast(as_dates, pd.Timestamp("2024-03-04 08:30"))
    assert forecast["expected_new_demand"].iloc[6] == pytest.approx(3.25)
    assert forecast["date"].iloc[0] == pd.Timestamp("2024-03-05")


def test_fewer_weeks_than_asked_uses_what_there_is():
    # History starts Monday 2024-02-12: 3 weeks (02-12 .. 03-03). Mondays 3, 5, 3; others 1.
    values = [3.0 if i % 7 == 0 else 1.0 for i in range(21)]
    values[7] = 5.0
    forecast = demand_forecast(daily(date(2024, 2, 12), values), ORIGIN)
    # Monday: (3 + 5 + 3) / 3 = 11/3 = 3.6667 from 3 weeks; Tuesday 1.
    assert forecast["expected_new_demand"].iloc[6] == pytest.approx(11 / 3)
    assert forecast["expected_new_demand"].iloc[0] == pytest.approx(1.0)
    assert (forecast["weeks_used"] == 3).all()


def test_only_the_last_weeks_are_used():
    # 9 weeks from Monday 2024-01-01 to 03-03: 9 a day on 01-01 .. 01-14 (2 weeks), then 1.
    # weeks = 8: the window 01-08 .. 03-03 holds one week of 9s and seven of 1s, so every
    # weekday's mean is (9 + 7 x 1) / 8 = 2; 01-01 .. 01-07 is left out.
    values = [9.0] * 14 + [1.0] * 49
    forecast = demand_forecast(daily(date(2024, 1, 1), values), ORIGIN)
    assert forecast["expected_new_demand"].tolist() == pytest.approx([2.0] * 14)
    # weeks = 7: window 01-15 .. 03-03, all 1.
    seven = demand_forecast(daily(date(2024, 1, 1), values), ORIGIN, weeks=7)
    assert seven["expected_new_demand"].tolist() == pytest.approx([1.0] * 14)


def test_less_than_a_week_falls_back_to_the_mean_of_all_days():
    # Fri 03-01 = 2, Sat 03-02 = 4, Sun 03-03 = 6; origin Monday 03-04.
    forecast = demand_forecast(daily(date(2024, 3, 1), [2.0, 4.0, 6.0]), ORIGIN)
    # Tue, Wed, Thu (days 1-3) and Mon (day 7) have no history: (2 + 4 + 6) / 3 = 4, weeks_used 0.
    # Fri, Sat, Sun (days 4-6): their own single values 2, 4, 6.
    assert forecast["expected_new_demand"].tolist()[:7] == pytest.approx([4, 4, 4, 2, 4, 6, 4])
    assert forecast["weeks_used"].tolist()[:7] == [0, 0, 0, 1, 1, 1, 0]


def test_empty_history_gives_no_forecast():
    empty = demand_forecast(pd.Series(dtype=float), ORIGIN)
    assert len(empty) == 14
    assert empty["expected_new_demand"].isna().all()
    assert empty["cumulative_demand_high"].isna().all()
    assert (empty["weeks_used"] == 0).all()
    only_later = demand_forecast(daily(ORIGIN, [1.0, 2.0]), ORIGIN)
    assert only_later["expected_new_demand"].isna().all()


def test_bad_arrivals_are_refused():
    with pytest.raises(ValueError):
        demand_forecast(daily(date(2024, 1, 1), [1.0, -1.0]), ORIGIN)
    with pytest.raises(ValueError):  # the same day twice
        demand_forecast(pd.Series([1.0, 2.0], index=pd.to_datetime(["2024-01-01"] * 2)), ORIGIN)
    with pytest.raises(TypeError):
        demand_forecast(pd.Series([1.0, 2.0]), ORIGIN)
    with pytest.raises(ValueError):
        demand_forecast(busy_monday_series(), ORIGIN, level=1.0)
    with pytest.raises(ValueError):
        demand_forecast(busy_monday_series(), ORIGIN, horizon=0)


# --- Poisson band -----------------------------------------------------------------------------

def test_poisson_interval_for_mean_two():
    # e^-2 = 0.135335. P(k) = e^-2 2^k / k!: 0.1353, 0.2707, 0.2707, 0.1804, 0.0902, 0.0361.
    # CDF: 0.1353, 0.4060, 0.6767, 0.8571, 0.9473, 0.9834.
    # 80%: low = first k with CDF >= 0.1 -> 0; high = first k with CDF >= 0.9 -> 4.
    low, high = poisson_interval(2.0, 0.8)
    assert (low[0], high[0]) == (0, 4)
    # 90%: CDF >= 0.05 -> 0; CDF >= 0.95 -> 5 (0.9473 < 0.95 <= 0.9834).
    low, high = poisson_interval(2.0, 0.9)
    assert (low[0], high[0]) == (0, 5)


def test_poisson_interval_for_mean_five_and_edge_means():
    # e^-5 = 0.0067379; CDF(k) for k = 0..8: 0.0067, 0.0404, 0.1247, 0.2650, 0.4405, 0.6160,
    # 0.7622, 0.8666, 0.9319. 80%: CDF >= 0.1 first at 2; CDF >= 0.9 first at 8.
    low, high = poisson_interval([5.0, 0.0, np.nan], 0.8)
    assert low[:2].tolist() == [2, 0]
    assert high[:2].tolist() == [8, 0]  # mean 0: always 0
    assert np.isnan(low[2]) and np.isnan(high[2])


def test_poisson_interval_for_a_large_mean_matches_the_normal_approximation():
    # Mean 10,000: sd 100, the 80% band is about 10,000 +/- 1.28 x 100 = 9,872 .. 10,128;
    # the probabilities are summed in log space, so e^-10000 does not underflow to nothing.
    low, high = poisson_interval(10_000.0, 0.8)
    assert 9_865 <= low[0] <= 9_875
    assert 10_125 <= high[0] <= 10_135


# --- places becoming free ---------------------------------------------------------------------

def test_probability_still_in_service_by_hand():
    p = still_in_service(np.array([0.0, 3.0, 7.0]), np.array(LOS, dtype=float), 3)
    # See the module docstring.
    assert p[0].tolist() == pytest.approx([1.0, 0.75, 0.75])
    assert p[1].tolist() == pytest.approx([2 / 3, 2 / 3, 1 / 3])
    assert p[2].tolist() == pytest.approx([0.0, 0.0, 0.0])


def test_places_freed_mean_and_band_by_hand():
    table = places_freed(np.array([0, 3, 7]), np.array(LOS), horizon=3)
    # Remaining = sum of p: d1 1 + 2/3 + 0 = 5/3; d2 3/4 + 2/3 = 17/12; d3 3/4 + 1/3 = 13/12.
    assert table["expected_remaining"].tolist() == pytest.approx([5 / 3, 17 / 12, 13 / 12])
    # Freed = 3 - remaining: 4/3, 19/12, 23/12.
    assert table["expected_places_freed"].tolist() == pytest.approx([4 / 3, 19 / 12, 23 / 12])
    # Variance sum p(1-p): d1 0 + 2/9 + 0 = 0.22222; d3 3/16 + 2/9 = 0.40972.
    # d1: sd 0.47140, half-width 1.28155 x 0.47140 = 0.60413; remaining 1.06254 .. 2.27080,
    #     freed 3 - 2.27080 = 0.72920 .. 3 - 1.06254 = 1.93746.
    # d3: sd 0.64009, half-width 0.82031; remaining 0.26302 .. 1.90364; freed 1.09636 .. 2.73698.
    first, last = table.iloc[0], table.iloc[2]
    assert first["expected_remaining_low"] == pytest.approx(1.06254, abs=1e-4)
    assert first["expected_remaining_high"] == pytest.approx(2.27080, abs=1e-4)
    assert first["expected_places_freed_low"] == pytest.approx(0.72920, abs=1e-4)
    assert first["expected_places_freed_high"] == pytest.approx(1.93746, abs=1e-4)
    assert last["expected_places_freed_low"] == pytest.approx(1.09636, abs=1e-4)
    assert last["expected_places_freed_high"] == pytest.approx(2.73698, abs=1e-4)
    assert table["occupants"].tolist() == [3, 3, 3]
    assert table["occupants_beyond_longest_stay"].tolist() == [0, 0, 0]
    assert table["day"].tolist() == [1, 2, 3]
    assert list(table.columns) == list(PLACES_COLUMNS)


def test_band_is_clipped_to_the_number_of_occupants():
    table = places_freed([3], LOS, horizon=3)
    # e = 3 alone on day 3: p = 1/3, variance 2/9, half-width 0.60413;
    # remaining 1/3 - 0.60413 < 0 -> 0 .. 0.93746, so freed 1 - 0.93746 = 0.06254 .. 1 - 0 = 1.
    last = table.iloc[2]
    assert last["expected_remaining_low"] == 0.0
    assert last["expected_places_freed_high"] == 1.0
    assert last["expected_places_freed_low"] == pytest.approx(0.06254, abs=1e-4)


def test_occupants_beyond_the_longest_stay_leave_at_the_tail_rate():
    # e = 8 (S(8) = 0: as long as the longest stay) and e = 12: p(d) = 1/2, 1/4, 1/8 each.
    p = still_in_service(np.array([8.0, 12.0]), np.array(LOS, dtype=float), 3)
    assert p[0].tolist() == pytest.approx([0.5, 0.25, 0.125])
    assert p[1].tolist() == pytest.approx([0.5, 0.25, 0.125])
    table = places_freed([0, 8, 12], LOS, horizon=3)
    # Remaining: d1 1 + 1/2 + 1/2 = 2; d2 3/4 + 1/4 + 1/4 = 1.25; d3 3/4 + 1/8 + 1/8 = 1.
    assert table["expected_remaining"].tolist() == pytest.approx([2.0, 1.25, 1.0])
    assert table["occupants_beyond_longest_stay"].iloc[0] == 2
    assert np.isfinite(table.to_numpy(dtype=float)).all()


def test_tail_leaving_probability_by_hand():
    # L = 1..20: the longest 10% = 2 stays (19, 20); the longest shorter stay is 18; they lasted
    # 1 and 2 days beyond it, mean 1.5: h = 1/1.5 = 2/3.
    assert tail_leaving_probability(np.arange(1.0, 21.0)) == pytest.approx(2 / 3)
    # L = 5, 5, 5, 5: no shorter stay, so measured from 0: mean 5, h = 1/5.
    assert tail_leaving_probability(np.array([5.0] * 4)) == pytest.approx(0.2)
    # L = 0.5 alone: mean excess 0.5 days <= 1, so h is capped at 1 (leaves within the day).
    assert tail_leaving_probability(np.array([0.5])) == 1.0


def test_places_freed_with_no_occupants_or_no_completed_stays():
    none = places_freed([], LOS, horizon=2)
    assert none["expected_places_freed"].tolist() == [0.0, 0.0]
    assert none["expected_places_freed_high"].tolist() == [0.0, 0.0]
    unknown = places_freed([1, 2], [], horizon=2)
    assert unknown["expected_places_freed"].isna().all()
    assert unknown["occupants"].tolist() == [2, 2]
    with pytest.raises(ValueError):
        places_freed([-1], LOS)


# --- the outlook ------------------------------------------------------------------------------

def test_outlook_shortfall_arithmetic():
    table = outlook(busy_monday_series(), ORIGIN, [0, 3, 7], LOS, open_places_now=1,
                    waiting_now=2, horizon=3)
    # Demand Tue, Wed, Thu = 1 each: cumulative 1, 2, 3. Freed 4/3, 19/12, 23/12 (above).
    # Free without new admissions = 1 + freed = 7/3, 31/12, 35/12.
    assert table["expected_free_without_new_admissions"].tolist() == pytest.approx(
        [7 / 3, 31 / 12, 35 / 12])
    # Shortfall = cumulative + 2 waiting - free: 3 - 7/3 = 2/3; 4 - 31/12 = 17/12;
    # 5 - 35/12 = 25/12.
    assert table["expected_shortfall"].tolist() == pytest.approx([2 / 3, 17 / 12, 25 / 12])
    # Band on day 3: variance 3 (demand) + 0.40972 (places) = 3.40972, sd 1.84654,
    # half-width 1.28155 x 1.84654 = 2.36644: 25/12 -/+ 2.36644 = -0.28311 .. 4.44977.
    assert table["expected_shortfall_low"].iloc[2] == pytest.approx(-0.28311, abs=1e-4)
    assert table["expected_shortfall_high"].iloc[2] == pytest.approx(4.44977, abs=1e-4)
    # Free-without band = 1 + freed band (day 3: 1 + 1.09636 .. 1 + 2.73698).
    assert table["expected_free_without_new_admissions_low"].iloc[2] == pytest.approx(
        2.09636, abs=1e-4)
    assert table["open_places_now"].tolist() == [1.0, 1.0, 1.0]
    assert table["date"].iloc[0] == pd.Timestamp("2024-03-05")
    assert {"expected_new_demand", "cumulative_demand_high", "expected_places_freed_low"} <= set(
        table.columns)


def test_outlook_refuses_negative_free_places():
    with pytest.raises(ValueError):
        outlook(busy_monday_series(), ORIGIN, [0], LOS, open_places_now=-1)


# --- back-tests -------------------------------------------------------------------------------

def test_backtest_on_a_periodic_series_has_no_error():
    # 20 weeks from Monday 2024-01-01 repeating Mon..Sun = 3, 1, 2, 0, 4, 1, 1 (12 a week).
    pattern = [3.0, 1.0, 2.0, 0.0, 4.0, 1.0, 1.0]
    start = date(2024, 1, 1)
    series = daily(start, pattern * 20)  # last day 2024-05-19 = start + 139
    origins = [start + timedelta(days=56 + 7 * k) for k in range(10)]  # start+56 .. start+119
    origins.append(start + timedelta(days=60))  # a Friday origin
    too_late = start + timedelta(days=130)  # 130 + 14 = 144 > 139: outcome not known yet
    no_history = start - timedelta(days=1)
    result = backtest_demand(series, [*origins, too_late, no_history])
    assert isinstance(result, BacktestResult)
    # Any 14 days are 2 whole weeks: 2 x 12 = 24 expected and 24 arrived.
    assert result.origins == 11
    assert result.per_origin["expected"].tolist() == pytest.approx([24.0] * 11)
    assert result.per_origin["actual"].tolist() == [24.0] * 11
    assert result.mean_absolute_error == 0.0
    assert result.mean_error == 0.0
    assert result.weighted_mape == 0.0
    assert result.coverage == 1.0
    assert result.skipped == (too_late, no_history)


def test_backtest_on_a_series_with_a_jump():
    # 2 a day from Monday 2024-01-01 (start) until J = start + 84, then 4 a day to J + 20.
    start = date(2024, 1, 1)
    jump = start + timedelta(days=84)
    series = daily(start, [2.0] * 84 + [4.0] * 21)
    origins = [jump - timedelta(days=21), jump - timedelta(days=7), jump]
    result = backtest_demand(series, origins)
    # Every origin's 8-week window is before J: expected 14 x 2 = 28.
    # J-21: days J-20 .. J-7 all 2: actual 28, error 0.
    # J-7:  days J-6 .. J-1 (6 x 2 = 12) and J .. J+7 (8 x 4 = 32): actual 44, error -16.
    # J:    days J+1 .. J+14 all 4: actual 56, error -28.
    assert result.per_origin["expected"].tolist() == pytest.approx([28.0, 28.0, 28.0])
    assert result.per_origin["actual"].tolist() == [28.0, 44.0, 56.0]
    assert result.per_origin["error"].tolist() == pytest.approx([0.0, -16.0, -28.0])
    # MAE (0 + 16 + 28) / 3 = 44/3; bias -44/3; weighted MAPE 44 / (28 + 44 + 56) = 44/128.
    assert result.mean_absolute_error == pytest.approx(44 / 3)
    assert result.mean_error == pytest.approx(-44 / 3)
    assert result.weighted_mape == pytest.approx(0.34375)
    # The Poisson(28) 80% band lies between its 10th and 90th percentiles, about
    # 28 -/+ 1.28 x sqrt(28) = 21.2 .. 34.8: it holds 28 but not 44 or 56.
    assert result.per_origin["inside_band"].tolist() == [True, False, False]
    assert result.coverage == pytest.approx(1 / 3)


def test_backtest_places_by_hand():
    seen: list[date] = []

    def stays_before(origin: date) -> list[int]:
        seen.append(origin)
        return LOS

    cases = [
        # Occupants e = 0, 3, 7; on day 3 one of them is left: 2 places freed.
        PlacesCase(date(2024, 3, 4), np.array([0, 3, 7]), [2, 1, 1]),
        # One occupant, e = 0, gone by day 3: 1 place freed.
        (date(2024, 3, 11), [0], [1, 1, 0]),
        # Too few days of outcome: skipped.
        (date(2024, 3, 18), [0], [1]),
    ]
    result = backtest_places(cases, stays_before, horizon=3)
    assert seen == [date(2024, 3, 4), date(2024, 3, 11), date(2024, 3, 18)]
    # Case 1: expected freed 23/12 (above), band 1.09636 .. 2.73698: actual 2 inside,
    #         error 23/12 - 2 = -1/12.
    # Case 2: p(3) = 3/4, expected freed 1/4; variance 3/16, sd 0.43301, half-width 0.55493:
    #         remaining 0.19507 .. 1.30493 -> clipped to 1, freed 0 .. 0.80493: actual 1 outside;
    #         error 1/4 - 1 = -3/4.
    assert result.per_origin["expected"].tolist() == pytest.approx([23 / 12, 0.25])
    assert result.per_origin["actual"].tolist() == [2.0, 1.0]
    assert result.per_origin["occupants"].tolist() == [3, 1]
    assert result.per_origin["inside_band"].tolist() == [True, False]
    # MAE (1/12 + 9/12) / 2 = 5/12; bias -5/12; weighted MAPE (10/12) / (2 + 1) = 5/18.
    assert result.mean_absolute_error == pytest.approx(5 / 12)
    assert result.mean_error == pytest.approx(-5 / 12)
    assert result.weighted_mape == pytest.approx(5 / 18)
    assert result.coverage == 0.5
    assert result.skipped == (date(2024, 3, 18),)
    # A fixed array of stays gives the same numbers.
    fixed = backtest_places(cases[:2], np.array(LOS), horizon=3)
    assert fixed.mean_absolute_error == pytest.approx(5 / 12)


def test_weighted_mape_when_nothing_arrived():
    # Errors 1 and -1 against actuals 0 and 0: MAE 1, bias 0, weighted MAPE undefined (NaN).
    mae, bias, wmape, coverage = backtest_summary(
        np.array([1.0, -1.0]), np.array([0.0, 0.0]), np.array([True, False]))
    assert (mae, bias, coverage) == (1.0, 0.0, 0.5)
    assert math.isnan(wmape)
    empty = backtest_demand(pd.Series(dtype=float), [ORIGIN])
    assert empty.origins == 0
    assert math.isnan(empty.mean_absolute_error)
    assert empty.skipped == (ORIGIN,)


# --- method text ------------------------------------------------------------------------------

def test_method_text_is_short_plain_and_follows_the_settings():
    sentences = [part for part in METHOD_TEXT.split(". ") if part.strip()]
    assert 5 <= len(sentences) <= 8
    assert "same weekday over the last 8 weeks" in METHOD_TEXT
    assert "8 days in 10" in METHOD_TEXT
    other = method_text(weeks=6, level=0.9)
    assert "last 6 weeks" in other
    assert "9 days in 10" in other
