"""The huddle's actions for a demonstration hub: what a hub lead might have recorded by the
morning's huddle. Invented (the demo is labelled so): two in three people waiting over 24 hours
have a next step, some overdue, some blocked, some done; the rest have none yet, so the
escalation list has people to chase."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pandas as pd

# Each kind of step, the detail a hub lead might write and who would own it.
STEPS: tuple[tuple[str, str, str], ...] = (
    ("assessment", "Therapy assessment for the home visit", "Acute therapy team"),
    ("package_sourced", "Ask the brokerage team for a morning and evening call",
     "Council brokerage"),
    ("family_meeting", "Meet the family about the discharge plan", "Ward discharge team"),
    ("funding_decision", "Continuing healthcare checklist to the panel", "ICB funding panel"),
    ("bed_offered", "Ask the step-down unit whether a bed frees tomorrow", "Community trust"),
)
DUE_IN_HOURS = (-6, 4, 20, 30)  # some overdue by the huddle, most due soon
BLOCKED_REASON = "Waiting for the family to agree"


def demo_actions(people: pd.DataFrame, now: datetime) -> list[tuple[str, dict[str, Any]]]:
    """(episode id, action values) for the people waiting (the huddle list: ``episode_id``,
    ``hours_waiting``), in their order: every third person waiting over 24 hours has none."""
    actions = []
    waiting_long = people[people.hours_waiting > 24].reset_index(drop=True)
    for i, person in waiting_long.iterrows():
        if i % 3 == 2:
            continue
        kind, detail, owner = STEPS[i % len(STEPS)]
        status = "blocked" if i % 7 == 3 else "done" if i % 5 == 4 else "open"
        actions.append((str(person.episode_id), {
            "kind": kind, "detail": detail, "owner_team": owner,
            "due_at": now + timedelta(hours=DUE_IN_HOURS[i % len(DUE_IN_HOURS)]),
            "status": status,
            "blocked_reason": BLOCKED_REASON if status == "blocked" else ""}))
    return actions
