"""ASCOF 2D, the adult social care outcome for reablement after hospital from 2024/25 (it
replaces ASCOF 2B, the 91-day measure used up to 2023/24), computed from the episodes as DHSC's
published method counts it from client-level data linked to hospital data."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Engine, case, func, or_, select

from dashboard.clock import from_utc_naive
from dashboard.results import Ascof2D
from dashboard.vocabulary import LONG_TERM_CARE_SETTINGS, REABLEMENT
from data_access.access import AreaInScope
from data_access.areas import episodes_in_area
from data_access.models import Episode, Service
from data_access.sql import rows_frame

AGE = 65
FOLLOW_UP_DAYS = 84  # 12 weeks
# Reablement counts if it starts from 3 days before to 7 days after the discharge (by dates).
STARTS_FROM, STARTS_UNTIL = -3, 7
IN_LONG_TERM_CARE, AGE_NOT_RECORDED = "in long-term care at admission", "age not recorded"
# When two events fall on the same day, the first of these is the one counted.
EVENTS = (("died", "died_at"), ("entered_care", "permanent_care_at"),
          ("readmitted", "readmitted_at"))


def ascof_2d(engine: Engine, area: AreaInScope, first_day: date, last_day: date,
             now: datetime) -> Ascof2D:
    """**ASCOF 2D** (source: DHSC, Adult Social Care Outcomes Framework 2024/25, measure 2D),
    over people aged **65 or over** discharged from hospital on a local day of the period whose
    home is in the area, leaving out those who lived in **long-term residential, nursing or
    prison care** when admitted (``setting_at_admission``):

    - **Part 2**: of the people discharged in the period, the share discharged **into
      reablement**: a service of type reablement that started from **3 days before to 7 days
      after** the discharge, by local dates (the discharge falls from 7 days before to 3 days
      after the reablement start).
    - **Part 1**: of the people discharged into reablement whose **84th day** after discharge
      fell in the period (as the 91-day measure counts its 91st), the share who stayed in the
      community for **12 weeks (84 days)**: no death, no emergency readmission and no new
      permanent residential or nursing care within 84 days of the discharge (an event on day
      84, by local dates, counts against; on day 85 it does not). Counted once day 84 has
      passed by now; those whose day 84 is in the period but still to come are counted apart,
      never guessed.

    The three ways of not counting are shown apart (died, readmitted, entered care), each
    person by their first event (on the same day: died, then entered care, then readmitted).
    We define: a person whose age is not recorded is left out and counted apart.
    """
    discharged = Episode.discharge_date.between(first_day, last_day)
    # Part 1's people were discharged up to 84 days before the period.
    candidates = Episode.discharge_date.between(first_day - timedelta(days=FOLLOW_UP_DAYS),
                                                last_day)
    conditions = [episodes_in_area(area), discharged]
    left_out = case((Episode.age.is_(None), AGE_NOT_RECORDED),
                    (Episode.setting_at_admission.in_(LONG_TERM_CARE_SETTINGS),
                     IN_LONG_TERM_CARE), else_=None)
    counted = [Episode.age >= AGE,
               or_(Episode.setting_at_admission.is_(None),
                   Episode.setting_at_admission.not_in(LONG_TERM_CARE_SETTINGS))]
    reablement = (select(Episode.discharge_date, Episode.service_start_at, Episode.died_at,
                         Episode.permanent_care_at, Episode.readmitted_at)
                  .join(Service, Service.code == Episode.service_code)
                  .where(episodes_in_area(area), candidates, *counted,
                         Service.service_type == REABLEMENT,
                         Episode.service_start_at.is_not(None)))
    with engine.connect() as connection:
        discharges = int(connection.scalar(
            select(func.count()).where(*conditions, *counted)) or 0)
        why = dict(connection.execute(
            select(left_out, func.count()).where(*conditions, Episode.age.is_(None) |
                                                 (Episode.age >= AGE))
            .group_by(left_out)).all())
        people = rows_frame(connection.execute(reablement).all(),
                            ["discharge_date", "service_start_at", "died_at",
                             "permanent_care_at", "readmitted_at"])
    return _count(people, discharges, (first_day, last_day), now,
                  {reason: int(why.get(reason, 0))
                   for reason in (IN_LONG_TERM_CARE, AGE_NOT_RECORDED)})


def _count(people: pd.DataFrame, discharges: int, period: tuple[date, date], now: datetime,
           left_out: dict[str, int]) -> Ascof2D:
    """Part 1 and 2 from the candidates discharged with a reablement service."""
    first_day, last_day = period
    into = [row for row in people.itertuples() if _starts_in_window(row)]
    discharged = [row for row in into
                  if first_day <= _as_date(row.discharge_date) <= last_day]
    due = [row for row in into if first_day <= _day_84(row) <= last_day]
    followed = [row for row in due if _day_84(row) < now.date()]
    outcomes = [_first_event(row) for row in followed]
    return Ascof2D(discharges=discharges, into_reablement=len(discharged),
                   followed_up=len(followed), at_home=outcomes.count(None),
                   died=outcomes.count("died"), readmitted=outcomes.count("readmitted"),
                   entered_care=outcomes.count("entered_care"),
                   not_yet_followed_up=len(due) - len(followed), left_out=left_out)


def _day_84(row: Any) -> date:
    return _as_date(row.discharge_date) + timedelta(days=FOLLOW_UP_DAYS)


def _starts_in_window(row: Any) -> bool:
    days = (_local_date(row.service_start_at) - _as_date(row.discharge_date)).days
    return STARTS_FROM <= days <= STARTS_UNTIL


def _first_event(row: Any) -> str | None:
    """The first of death, permanent care and readmission within 84 days of the discharge."""
    discharged = _as_date(row.discharge_date)
    within = [((_local_date(getattr(row, column)) - discharged).days, order, name)
              for order, (name, column) in enumerate(EVENTS)
              if not pd.isna(getattr(row, column))]
    within = [event for event in within if event[0] <= FOLLOW_UP_DAYS]
    return min(within)[2] if within else None


def _local_date(stored: Any) -> date:
    return from_utc_naive(pd.Timestamp(stored).to_pydatetime()).date()


def _as_date(value: Any) -> date:
    return pd.Timestamp(value).date()
