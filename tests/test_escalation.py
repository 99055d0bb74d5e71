"""Escalation rules: known answers worked by hand at the boundaries. Now is 25 Nov 08:30."""

from __future__ import annotations

from datetime import datetime, timedelta

from dashboard.escalation import (
    NO_ACTION,
    NO_REASON,
    OVERDUE,
    WAITED,
    ActionState,
    Flag,
    flags_for,
    level_of,
)

NOW = datetime(2026, 11, 25, 8, 30)


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


def test_over_24_hours_with_no_action_is_raised_a_moment_after_24_hours():
    assert flags_for(ago(hours=24), True, [], NOW) == []  # exactly 24 h is not over
    assert flags_for(ago(hours=24, minutes=1), True, [], NOW) == [
        Flag(NO_ACTION, 1, ago(minutes=1))]
    # Any action, even one done, means the person has one.
    assert flags_for(ago(hours=30), True, [ActionState("done", ago(hours=1))], NOW) == []


def test_no_reason_is_raised_from_nctr():
    assert flags_for(ago(hours=2), False, [], NOW) == [Flag(NO_REASON, 1, ago(hours=2))]


def test_an_overdue_action_from_its_due_time_unless_done():
    late = ActionState("open", ago(minutes=1))
    blocked = ActionState("blocked", ago(hours=3))
    assert flags_for(ago(hours=5), True, [late, blocked], NOW) == [
        Flag(OVERDUE, 2, ago(hours=3))]  # the oldest overdue
    assert flags_for(ago(hours=5), True, [ActionState("open", NOW)], NOW) == []  # due now
    assert flags_for(ago(hours=5), True, [ActionState("done", ago(hours=3))], NOW) == []


def test_only_the_longest_wait_counts_at_whole_days():
    open_step = [ActionState("open", NOW + timedelta(hours=1))]
    assert flags_for(ago(days=7, minutes=-1), True, open_step, NOW) == []  # a minute short
    assert flags_for(ago(days=7), True, open_step, NOW) == [Flag(WAITED[7], 1, NOW)]
    assert flags_for(ago(days=14), True, open_step, NOW) == [Flag(WAITED[14], 2, NOW)]
    assert flags_for(ago(days=30), True, open_step, NOW) == [
        Flag(WAITED[21], 3, ago(days=9))]


def test_flags_highest_level_first_and_the_persons_level_is_the_highest():
    flags = flags_for(ago(days=22), False, [ActionState("blocked", ago(days=2))], NOW)
    assert [(f.rule, f.level) for f in flags] == [(WAITED[21], 3), (OVERDUE, 2),
                                                  (NO_REASON, 1)]
    assert level_of(flags) == 3 and level_of([]) == 0
