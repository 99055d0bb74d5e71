"""The daily facts of waiting: known answers worked by hand, the same figures as the episodes
themselves give, days after the facts' reach, and refreshes when data changes."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import delete, select, update

from dashboard.clock import LONDON, FixedClock, day_start
from data_access.facts import facts_until, rebuild_daily_waits, split_period
from data_access.loader import load_folder
from data_access.metrics.delays import (
    bed_days_lost,
    waiting_by_reason_group_at,
    waiting_hours_by_reason,
)
from data_access.models import DailyWait, FactsState
from demo.synthetic import generate_system
from tests.builders import EPISODE_HEADER, GEOGRAPHY, load_files, system_area
from tests.test_delay_metrics import DAY_END, DAY_START, DELAYS, EPISODES, NOW

LOADED_AT = FixedClock(NOW)  # 25 Nov 08:30: the facts cover every day before 25 Nov


def facts(engine) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return pd.DataFrame(connection.execute(select(
            DailyWait.home_area_code, DailyWait.day, DailyWait.reason_code,
            DailyWait.waiting_seconds, DailyWait.waiting_at_start)).all(),
            columns=["area", "day", "reason", "seconds", "at_start"])


def by_reason(frame: pd.DataFrame) -> dict[str, float]:
    return dict(zip(frame.reason_code, frame.hours, strict=True))


@pytest.fixture
def loaded(engine, tmp_path):  # type: ignore[no-untyped-def]
    report = load_files(engine, tmp_path / "b", {**GEOGRAPHY, "episodes.csv": EPISODES,
                                                 "delays.csv": DELAYS}, clock=LOADED_AT)
    assert report.loaded, report.summary()
    return engine


def test_the_facts_of_the_hand_worked_day(loaded):
    frame = facts(loaded)
    day = frame[frame.day == date(2026, 11, 24)]
    hours = day.groupby("reason").seconds.sum() / 3600
    # As in test_delay_metrics: T1 10 h (A 8, B 2), C1 14 h, H3 10 h, none 26 h (B 2, E 24).
    assert hours.to_dict() == pytest.approx({"T1": 10.0, "C1": 14.0, "H3": 10.0, "": 26.0})
    # Waiting at 24 Nov 00:00: A (T1 since 23 Nov 22:00, in N1) and E (no reason, N2).
    at_start = day[day.at_start > 0]
    assert sorted(zip(at_start.area, at_start.reason, at_start.at_start, strict=True)) == [
        ("N1", "T1", 1), ("N2", "", 1)]
    with loaded.connect() as connection:
        assert facts_until(connection) == date(2026, 11, 25)
    assert frame.day.max() == date(2026, 11, 24)  # 25 Nov is still going on


def test_a_period_is_read_from_the_facts_and_the_rest_from_the_episodes():
    start, now = day_start(date(2026, 11, 20)), datetime(2026, 11, 25, 8, 30, tzinfo=LONDON)
    split = split_period(start, now, date(2026, 11, 25))
    assert split.fact_days == (date(2026, 11, 20), date(2026, 11, 24))
    assert split.direct == ((day_start(date(2026, 11, 25)), now),)
    # Facts reaching only 23 Nov: the 23rd and 24th come from the episodes.
    late = split_period(start, day_start(date(2026, 11, 25)), date(2026, 11, 23))
    assert late.fact_days == (date(2026, 11, 20), date(2026, 11, 22))
    assert late.direct == ((day_start(date(2026, 11, 23)), day_start(date(2026, 11, 25))),)
    # A period starting mid-day: its first part day from the episodes.
    noon = datetime(2026, 11, 20, 12, 0, tzinfo=LONDON)
    assert split_period(noon, now, date(2026, 11, 25)).direct[0] == (
        noon, day_start(date(2026, 11, 21)))
    assert split_period(start, start, date(2026, 11, 25)) == split_period(start, start, None)


def test_days_after_the_facts_reach_give_the_same_known_answers(loaded):
    # The facts as a load on 24 Nov would leave them, up to 23 Nov (the records hold later times
    # of 24 Nov, which no load that day could take): 24 Nov comes from the episodes.
    with loaded.begin() as connection:
        connection.execute(delete(DailyWait).where(DailyWait.day >= date(2026, 11, 24)))
        connection.execute(update(FactsState).values(up_to=date(2026, 11, 24)))
        assert facts_until(connection) == date(2026, 11, 24)
    engine = loaded
    assert date(2026, 11, 24) not in set(facts(engine).day)
    assert by_reason(waiting_hours_by_reason(engine, system_area(engine, "ICB1"),
                                             DAY_START, DAY_END)) == \
        pytest.approx({"T1": 10.0, "C1": 14.0, "H3": 10.0, "not recorded": 26.0})
    assert bed_days_lost(waiting_hours_by_reason(engine, system_area(engine, "ICB1"),
                                                 DAY_START, DAY_END)) == \
        pytest.approx(2.5)


def test_midnight_snapshots_from_the_facts_equal_those_from_the_episodes(loaded):
    midnights = [day_start(date(2026, 11, day)) for day in range(19, 25)]
    from_facts = waiting_by_reason_group_at(loaded, system_area(loaded, "ICB1"), midnights)
    with loaded.begin() as connection:
        connection.execute(delete(FactsState))  # no facts: every moment from the episodes
    direct = waiting_by_reason_group_at(loaded, system_area(loaded, "ICB1"), midnights)
    assert len(from_facts) > 0
    pd.testing.assert_frame_equal(from_facts, direct)


def test_an_update_refreshes_the_facts_of_both_home_areas(loaded, tmp_path):
    # E moves from N2 to N1 and is discharged at 24 Nov 06:00; A gains a reason on 24 Nov.
    moved = EPISODE_HEADER + \
        "E,e,S1,N1,80,F,2026-11-10T10:00,2026-11-22T00:00,,0,2026-11-24T06:00,,,,,,\n"
    delays = "episode_id,effective_at,reason_code\nA,2026-11-24T12:00,C5\n"
    report = load_files(loaded, tmp_path / "v2", {"episodes.csv": moved, "delays.csv": delays},
                        clock=LOADED_AT)
    assert report.loaded, report.summary()
    maintained = facts(loaded).sort_values(["area", "day", "reason"], ignore_index=True)
    assert "N2" not in set(maintained.area)  # E's days left N2
    with loaded.begin() as connection:
        rebuild_daily_waits(connection, NOW.date())
    rebuilt = facts(loaded).sort_values(["area", "day", "reason"], ignore_index=True)
    pd.testing.assert_frame_equal(maintained, rebuilt)
    assert by_reason(waiting_hours_by_reason(loaded, system_area(loaded, "ICB1"),
                                             DAY_START, DAY_END)) == \
        pytest.approx({"T1": 10.0, "C1": 4.0, "C5": 10.0, "H3": 10.0, "not recorded": 8.0})


@pytest.fixture(scope="module")
def synthetic_folder(tmp_path_factory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("synthetic")
    generate_system(folder, now=NOW, months=2, seed=11)
    return folder


def test_facts_give_the_figures_of_the_episodes_on_a_synthetic_system(engine, synthetic_folder):
    assert load_folder(engine, synthetic_folder, synthetic=True, clock=LOADED_AT).loaded
    periods = [(day_start(date(2026, 10, 1)), day_start(date(2026, 11, 1))),
               (day_start(date(2026, 9, 28)), NOW),
               (datetime(2026, 11, 2, 13, 0, tzinfo=LONDON), NOW)]
    areas = ["E54000018", "E08000026", "E08000026-N1"]
    mondays = [day_start(date(2026, 10, 5) + timedelta(weeks=k)) for k in range(7)]
    with_facts = {(a, p): waiting_hours_by_reason(engine, system_area(engine, a),
                                                  *p) for a in areas for p in periods}
    snapshots = {a: waiting_by_reason_group_at(engine, system_area(engine, a),
                                               mondays) for a in areas}
    with engine.begin() as connection:
        connection.execute(delete(FactsState))
    for (area, period), frame in with_facts.items():
        direct = waiting_hours_by_reason(engine, system_area(engine, area), *period)
        assert frame.hours.sum() > 0
        assert by_reason(frame) == pytest.approx(by_reason(direct), rel=1e-9), (area, period)
    for area, frame in snapshots.items():
        again = waiting_by_reason_group_at(engine, system_area(engine, area), mondays)
        pd.testing.assert_frame_equal(frame, again)
