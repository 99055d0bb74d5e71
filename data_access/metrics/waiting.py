"""People waiting in hospital after they no longer meet the criteria to reside (NCTR)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import ColumnElement, Engine, and_, case, func, literal_column, or_, select

from dashboard.clock import day_start, to_utc_naive
from dashboard.results import WaitingSnapshot
from dashboard.vocabulary import AMBITION_HOURS, DELAY_BANDS
from data_access.access import AreaInScope
from data_access.areas import episodes_in_area
from data_access.models import Episode, Site

DAY = timedelta(days=1)


def waiting_condition(at_utc: datetime) -> ColumnElement[bool]:
    """Waiting at T: nctr_at <= T and not yet discharged at T (discharged_at null or > T)."""
    return and_(Episode.nctr_at <= at_utc, in_hospital_after(at_utc))


# Pathway 1-3 journeys with no end outcome yet, in the words of the partial index on them
# (data_access.models.OPEN_JOURNEY): a bound parameter in their place would not match it.
OPEN_JOURNEY_TERMS = (Episode.end_outcome.is_(None), Episode.pathway > literal_column("0"))


def not_started_by(at_utc: datetime) -> ColumnElement[bool]:
    """No intermediate care started by T (none yet, or a start after T)."""
    return or_(Episode.service_start_at.is_(None), Episode.service_start_at > at_utc)


def in_hospital_after(at_utc: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """Not discharged at T: discharged_at null or later than T (one indexed range)."""
    return Episode.in_hospital_until > at_utc


def _band_of_delay(at_utc: datetime) -> ColumnElement[str]:
    """Delay band by whole days completed, as a SQL CASE on nctr_at (portable: no date maths).

    A delay of d whole days completed means T - (d+1) days < nctr_at <= T - d days.
    """
    whens = []
    for band in DELAY_BANDS:
        if band.max_days is None:
            whens.append((Episode.nctr_at <= at_utc - band.min_days * DAY, band.label))
        else:
            whens.append((Episode.nctr_at > at_utc - (band.max_days + 1) * DAY, band.label))
    return case(*whens)


def waiting_at(engine: Engine, area: AreaInScope, at: datetime) -> WaitingSnapshot:
    """People waiting (NCTR, not discharged) at T, by delay band, and how many over 24 hours.

    - **Waiting at T**: episodes with `nctr_at <= T` and not discharged at T (`discharged_at` blank
      or later than T). Someone discharged exactly at T is no longer waiting.
    - **Delay** at T = T - `nctr_at`. **Delay bands** (national DRD bands) by whole days
      completed: 0 days (< 24 h), 1, 2-3, 4-6, 7-13, 14-20, 21+ days. A delay of exactly 24.0 h is
      in band "1 day".
    - **Waiting over 24 hours**: delay of more than 24.0 h (exactly 24.0 h is not over).
    - **Change since this time yesterday** (Today page): waiting at T minus waiting at the same
      local clock time the day before (23 or 25 hours earlier across a clock change).
    """
    at_utc = to_utc_naive(at)
    band = _band_of_delay(at_utc).label("band")
    statement = (
        select(band, func.count().label("people"),
               func.sum(case((Episode.nctr_at < at_utc - timedelta(hours=AMBITION_HOURS), 1),
                             else_=0)).label("over_24"))
        .where(waiting_condition(at_utc), episodes_in_area(area))
        .group_by(band)
    )
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    counts = {label: people for label, people, _ in rows}
    return WaitingSnapshot(
        at=at,
        total=sum(counts.values()),
        over_24_hours=int(sum(over or 0 for _, _, over in rows)),
        by_band={b.label: int(counts.get(b.label, 0)) for b in DELAY_BANDS},
    )


def sitrep_daily(engine: Engine, area: AreaInScope, first_day: date, last_day: date,
                 trust_code: str | None = None) -> pd.DataFrame:
    """The discharge sitrep's daily counts, for each local calendar day of the period.

    For a local calendar day D, as the acute discharge sitrep counts it: `nctr_patients` = waiting
    at 00:00 plus those who became NCTR during D; `discharged` = of those, discharged during D;
    `remaining` = still waiting at the end of D (`nctr_patients - discharged`). Computed from
    grouped counts by the load-time local dates (`nctr_date`, `discharge_date`).

    - **New NCTR per day** (Flow page): those who became NCTR during D (`new_nctr`).
    - **Daily remaining** (Delays page, and each area's icon on the Places page): `remaining` for
      each day of the period on an SPC chart, improvement direction down (see SPC charts).
    """
    # Two grouped counts and one baseline count, then running sums.
    scope = [episodes_in_area(area), Episode.nctr_date.is_not(None)]
    if trust_code is not None:
        scope.append(Episode.site_code.in_(select(Site.code).where(Site.trust_code == trust_code)))
    in_range = lambda column: column.between(first_day, last_day)  # noqa: E731
    with engine.connect() as connection:
        waiting_at_start = connection.scalar(
            select(func.count()).where(
                *scope, Episode.nctr_at < to_utc_naive(day_start(first_day)),
                in_hospital_after(to_utc_naive(day_start(first_day)) - timedelta(microseconds=1)))
        ) or 0
        new = dict(connection.execute(
            select(Episode.nctr_date, func.count()).where(*scope, in_range(Episode.nctr_date))
            .group_by(Episode.nctr_date)).all())
        discharged = dict(connection.execute(
            select(Episode.discharge_date, func.count())
            .where(*scope, in_range(Episode.discharge_date)).group_by(Episode.discharge_date)
        ).all())
    days = pd.date_range(first_day, last_day, freq="D").date
    frame = pd.DataFrame({
        "date": days,
        "new_nctr": [int(new.get(day, 0)) for day in days],
        "discharged": [int(discharged.get(day, 0)) for day in days],
    })
    frame["remaining"] = waiting_at_start + (frame.new_nctr - frame.discharged).cumsum()
    frame["nctr_patients"] = frame.remaining + frame.discharged
    return frame[["date", "nctr_patients", "new_nctr", "discharged", "remaining"]]
