"""Escalation: the person-level rules that raise a flag at the huddle, each with its level and
the moment it was raised (we define the rules and levels; the 7-, 14- and
21-day marks are the national delay bands, 21+ the longest delays the 2025/26 urgent and
emergency care plan puts first).

| rule | raised at | level |
|---|---|---|
| no action recorded and waiting over 24 hours | NCTR + 24 h | 1 |
| no delay reason recorded | NCTR | 1 |
| waiting 7 days or more | NCTR + 7 days | 1 |
| an action overdue (open or blocked past its due time) | the due time | 2 |
| waiting 14 days or more | NCTR + 14 days | 2 |
| waiting 21 days or more | NCTR + 21 days | 3 |

A person's level is the highest of their flags; of the waiting rules only the longest applies.
A flag is raised strictly after its moment for "over 24 hours" and "overdue", and at it for the
whole days waited (as the huddle's "waited at least" filter counts them). The escalation
list shows everyone waiting in the area who raises a flag, longest wait first, each flag with
its rule, level and since when.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

NO_ACTION = "no action recorded and waiting over 24 hours"
NO_REASON = "no delay reason recorded"
OVERDUE = "an action overdue"
WAITED = {7: "waiting 7 days or more", 14: "waiting 14 days or more",
          21: "waiting 21 days or more"}
LEVEL = {NO_ACTION: 1, NO_REASON: 1, WAITED[7]: 1, OVERDUE: 2, WAITED[14]: 2, WAITED[21]: 3}


@dataclass(frozen=True)
class ActionState:
    """What escalation reads of one action: its status and due time."""

    status: str
    due_at: datetime


@dataclass(frozen=True)
class Flag:
    rule: str
    level: int
    since: datetime


def flags_for(nctr_at: datetime, reason_recorded: bool, actions: Iterable[ActionState],
              now: datetime) -> list[Flag]:
    """The flags one waiting person raises at ``now``, highest level first, then oldest."""
    actions = list(actions)
    found: list[Flag] = []
    waited = now - nctr_at
    if not actions and waited > timedelta(hours=24):
        found.append(Flag(NO_ACTION, LEVEL[NO_ACTION], nctr_at + timedelta(hours=24)))
    if not reason_recorded:
        found.append(Flag(NO_REASON, LEVEL[NO_REASON], nctr_at))
    overdue = [a.due_at for a in actions if a.status != "done" and a.due_at < now]
    if overdue:
        found.append(Flag(OVERDUE, LEVEL[OVERDUE], min(overdue)))
    days = max((d for d in WAITED if waited >= timedelta(days=d)), default=None)
    if days is not None:
        found.append(Flag(WAITED[days], LEVEL[WAITED[days]], nctr_at + timedelta(days=days)))
    return sorted(found, key=lambda flag: (-flag.level, flag.since))


def level_of(flags: Iterable[Flag]) -> int:
    """The person's escalation level: the highest of their flags (0: none)."""
    return max((flag.level for flag in flags), default=0)
