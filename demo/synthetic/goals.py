"""Local goals for a demonstration system, one set per financial year (April to March) of its
history: what a system's plan might say. They are invented (the demo is labelled so), set at
levels a plan might choose, not fitted to the simulation."""

from __future__ import annotations

from datetime import date, timedelta

from demo.synthetic.system import System
from demo.synthetic.timeaxis import EPOCH, Calendar

# The local 24-hour ambition, as a goal: 80% of people receive a service within 24 hours.
WITHIN_24H_PERCENT = 80
# Better Care Fund discharge goals of a kind plans set: most discharges on the ready date, and
# an average delay of about a day counting everyone.
ON_DRD_PERCENT = 85
MEAN_DELAY_DAYS = 1.0
# A Health and Wellbeing Board's Better Care Fund goal on the average delay.
BOARD_MEAN_DELAY_DAYS = 0.9
# The longest delays: at most one person waiting 21+ days per 10,000 people aged 65+.
LONGEST_PER_10_000 = 1


def goal_rows(system: System, calendar: Calendar) -> list[tuple[str, ...]]:
    """Rows of goals.csv (area_code, measure, first_day, last_day, goal, better) for the system
    and its Health and Wellbeing Boards, for every financial year of the history up to now's."""
    first = (EPOCH + timedelta(days=calendar.window_start)).date()
    last = (EPOCH + timedelta(days=calendar.now)).date()
    system_area = next(area for area in system.areas if area.code == system.icb_code)
    longest = max(1, round(system_area.population_65_plus / 10_000 * LONGEST_PER_10_000))
    rows = []
    for year in range(first.year - 1, last.year + 1):
        start, end = date(year, 4, 1), date(year + 1, 3, 31)
        if end < first:
            continue
        for measure, goal, better in (("within_24h_percent", WITHIN_24H_PERCENT, "up"),
                                      ("discharged_on_drd_percent", ON_DRD_PERCENT, "up"),
                                      ("mean_delay_days", MEAN_DELAY_DAYS, "down"),
                                      ("waiting_21_days_plus", longest, "down")):
            rows.append((system.icb_code, measure, start.isoformat(), end.isoformat(),
                         f"{goal:g}", better))
        rows.extend((area.code, "mean_delay_days", start.isoformat(), end.isoformat(),
                     f"{BOARD_MEAN_DELAY_DAYS:g}", "down")
                    for area in system.areas if area.level == "utla")
    return rows
