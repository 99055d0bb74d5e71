"""Reading view state from a URL: defaults, and clear corrections for anything invalid."""

from __future__ import annotations

from datetime import date, datetime

from dashboard.url_state import href, read_view_state, region_key, search_with

TODAY = date(2026, 11, 25)


def test_defaults_are_the_twelve_weeks_ending_yesterday_all_pathways():
    state = read_view_state("", TODAY)
    assert (state.area, state.pathway, state.messages) == (None, None, ())
    assert state.last_day == date(2026, 11, 24)
    assert state.first_day == date(2026, 9, 2)  # 84 days including both ends


def test_valid_state_is_read_as_given():
    state = read_view_state("?area=E54000018&from=2026-01-01&to=2026-03-31&pathway=2", TODAY)
    assert (state.area, state.first_day, state.last_day, state.pathway) == (
        "E54000018", date(2026, 1, 1), date(2026, 3, 31), 2)


def test_reversed_dates_are_swapped_and_said():
    state = read_view_state("?from=2026-03-31&to=2026-01-01", TODAY)
    assert (state.first_day, state.last_day) == (date(2026, 1, 1), date(2026, 3, 31))
    assert state.messages == (
        "The period's dates were the wrong way round; they have been swapped.",)


def test_hostile_values_are_corrected_with_a_message():
    state = read_view_state("?from=<script>&pathway=9&area=" + "X" * 500, TODAY)
    assert state.area is None and state.pathway is None
    assert state.first_day == date(2026, 9, 2)
    assert len(state.messages) == 3


def test_huge_periods_are_cut_to_three_years_and_the_future_to_today():
    state = read_view_state("?from=1900-01-01&to=2999-01-01", TODAY)
    assert state.last_day == TODAY
    assert (state.last_day - state.first_day).days == 3 * 366 - 1


def test_links_keep_the_view_state_and_nothing_else():
    assert href("/delays", "?area=D1&from=2026-01-01&junk=1") == "/delays?area=D1&from=2026-01-01"
    assert search_with("?area=D1&pathway=2", pathway=None) == "?area=D1"


def test_target_is_a_percentage():
    assert read_view_state("?target=85", TODAY).target == 85.0
    bad = read_view_state("?target=nan%", TODAY)
    assert bad.target is None and len(bad.messages) == 1
    assert read_view_state("?target=150", TODAY).target is None


def test_rebase_dates_are_read_sorted_and_bad_ones_reported():
    state = read_view_state("?rebase=2026-06-01,2026-01-05", TODAY)
    assert state.rebase == (date(2026, 1, 5), date(2026, 6, 1))
    bad = read_view_state("?rebase=2026-06-01,soon", TODAY)
    assert bad.rebase == (date(2026, 6, 1),) and len(bad.messages) == 1


def test_periods_at_the_ends_of_the_calendar_and_values_that_are_not_text():
    """Found by tests/test_properties_callbacks.py: these raised (OverflowError, a period ending
    in 9999, AttributeError, UnicodeEncodeError), so the callbacks answered 500."""
    state = read_view_state("?to=0001-01-01", TODAY)
    assert (state.first_day, state.last_day) == (date(1900, 1, 1), date(1900, 1, 1))
    assert state.messages == ("Periods start in 1900 at the earliest; the dates have been moved.",)
    state = read_view_state("?from=9999-12-30&to=9999-12-31", TODAY)
    assert (state.first_day, state.last_day) == (TODAY, TODAY)
    for not_text in (1, True, [None], {"area": "D1"}):
        assert read_view_state(not_text, TODAY) == read_view_state("", TODAY)
        assert search_with(not_text, area="D1") == "?area=D1"
        assert href("/delays", not_text) == "/delays"
    assert search_with("", pathway="\ud800") == "?pathway=%3F"


def test_the_benchmark_choice_is_read_as_written_and_stays_on_its_page():
    assert read_view_state("?benchmark=E54000018", TODAY).benchmark == "E54000018"
    assert read_view_state("?benchmark=north-east-and-yorkshire", TODAY).benchmark == (
        "north-east-and-yorkshire")
    for hostile in ("<script>", "a" * 61, "x y"):
        bad = read_view_state(f"?benchmark={hostile}", TODAY)
        assert bad.benchmark is None and bad.messages == (
            "The benchmark's choice in the address is not England, a region or an ICB code; "
            "showing the default.",)
    assert region_key("North East and Yorkshire") == "north-east-and-yorkshire"
    assert region_key("East of England") == "east-of-england"
    assert href("/delays", "?area=D1&benchmark=london") == "/delays?area=D1"


def test_the_huddle_lists_wait_filter_is_7_14_or_21_days_and_stays_on_its_page():
    today = date(2026, 11, 25)
    assert read_view_state("?area=D1&waited=21", today).waited == 21
    wrong = read_view_state("?area=D1&waited=10", today)
    assert wrong.waited is None
    assert wrong.messages == ("'10' is not a wait of 7, 14 or 21 days; showing everyone waiting.",)
    assert read_view_state("?waited=%3Cscript%3E", today).waited is None
    assert "waited" not in href("/delays", "?area=D1&waited=21")


def test_the_huddles_since_time_is_a_clock_time_to_the_minute_no_later_than_today():
    assert read_view_state("?since=2026-11-24T08:30", TODAY).since == datetime(2026, 11, 24, 8, 30)
    assert read_view_state("?since=2026-11-25T23:59", TODAY).since == datetime(2026, 11, 25, 23, 59)
    for wrong in ("2026-11-26T00:00", "2026-11-24", "2026-11-24T25:00", "1899-12-31T08:00",
                  "%3Cscript%3E", "2026-11-24T08:30:00"):
        state = read_view_state(f"?since={wrong}", TODAY)
        assert state.since is None, wrong
        assert state.messages == ("The time to show changes since is not a time from 1900 to "
                                  "today (YYYY-MM-DDTHH:MM); showing those since the same time "
                                  "yesterday.",), wrong
    assert read_view_state("?area=D1", TODAY).since is None
    assert "since" not in href("/delays", "?area=D1&since=2026-11-24T08:30")
