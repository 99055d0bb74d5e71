"""The trends several pages chart alike: a measure against its local goal, and the longest
delays week by week."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import pandas as pd

from dashboard.goals import GOAL_MEASURES, GoalInForce, target_of
from dashboard.spc import SpcResult, series, spc
from dashboard.url_state import ViewState


def goal_spc(values: pd.Series, measure: str, goals: Mapping[str, GoalInForce],
             state: ViewState) -> SpcResult:
    """An SPC chart of a measure a goal may be set on: better lies as the measure says, and the
    goal that holds (if any) is the target the assurance icon compares with the limits."""
    return spc(values, direction=GOAL_MEASURES[measure].better,
               target=target_of(goals, measure), rebase_at=state.rebase)


def week_ends(start: datetime, end: datetime) -> list[datetime]:
    """Each Monday 00:00 (local) after ``start`` and at or before ``end``: the end of a week."""
    monday = (start + timedelta(days=7 - start.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0)
    moments = []
    while monday <= end:
        moments.append(monday)
        monday = (monday + timedelta(days=7)).replace(tzinfo=monday.tzinfo)
    return moments


def longest_delays_trend(longest: pd.DataFrame, state: ViewState,
                         goals: Mapping[str, GoalInForce]) -> SpcResult:
    """The longest delays at each Monday 00:00 (``longest_delays_at``) as an SPC chart of the
    weeks they end, each labelled by its Sunday; fewer is better, and a local goal is its
    target."""
    return goal_spc(series([at.date() - timedelta(days=1) for at in longest["at"]],
                           longest.people), "waiting_21_days_plus", goals, state)
