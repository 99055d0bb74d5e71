"""The national benchmark, from NHS England's published daily discharge sitreps (Source: NHS
England, Open Government Licence v3.0): every ICB, and every acute trust, on NCTR patients,
discharges the same day and people remaining; the reason mix."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, func, select

from dashboard.statistics import PER
from dashboard.vocabulary import DELAY_REASONS
from data_access.metrics import week_start
from data_access.models import (
    Area as LocalArea,
)
from data_access.models import (
    AreaLink,
    PublishedDaily,
    PublishedOrganisation,
    PublishedReason,
)

BENCHMARK_DAYS = 84  # the latest twelve weeks of published figures


def latest_published_day(engine: Engine) -> date | None:
    with engine.connect() as connection:
        return connection.scalar(select(func.max(PublishedDaily.day))
                                 .where(PublishedDaily.level == "icb"))


def benchmark_period(engine: Engine) -> tuple[date, date] | None:
    """Over the latest twelve published weeks (the 84 days ending on the latest day with
    published ICB figures)."""
    last = latest_published_day(engine)
    return None if last is None else (last - timedelta(days=BENCHMARK_DAYS - 1), last)


def _measures(frame: pd.DataFrame) -> pd.DataFrame:
    """Per-day means to the three measures (days not submitted are left out of every mean)."""
    frame["nctr_per_100k"] = PER * frame.nctr / frame.days / frame.population_65_plus
    frame["remaining_per_100k"] = PER * (frame.nctr - frame.discharged) / frame.days \
        / frame.population_65_plus
    frame["same_day_percent"] = (100 * frame.discharged / frame.nctr).where(frame.nctr > 0)
    return frame


def _organisation_sums(engine: Engine, level: str, first_day: date, last_day: date,
                       *columns: Any) -> pd.DataFrame:
    """Per organisation of ``level``: the given columns, then days (with both figures
    submitted), nctr and discharged summed over those days. ICBs are kept even with nothing
    submitted (outer join); trusts only with something."""
    submitted = and_(PublishedDaily.nctr_patients.is_not(None),
                     PublishedDaily.discharged_total.is_not(None))
    joined = and_(PublishedDaily.org_code == PublishedOrganisation.code,
                  PublishedDaily.level == level,
                  PublishedDaily.day.between(first_day, last_day), submitted)
    statement = (
        select(PublishedOrganisation.code, PublishedOrganisation.name, *columns,
               func.count(PublishedDaily.day).label("days"),
               func.sum(PublishedDaily.nctr_patients).label("nctr"),
               func.sum(PublishedDaily.discharged_total).label("discharged"))
        .select_from(PublishedOrganisation)
        .join(PublishedDaily, joined, isouter=level == "icb")
        .where(PublishedOrganisation.level == level)
        .group_by(PublishedOrganisation.code, PublishedOrganisation.name, *columns)
        .order_by(PublishedOrganisation.name)
    )
    with engine.connect() as connection:
        return pd.read_sql_query(statement, connection)


def icb_benchmark(engine: Engine, first_day: date, last_day: date) -> pd.DataFrame:
    """Per ICB: the daily mean of NCTR patients per 100,000 aged 65+, the share discharged the
    same day (discharged / NCTR patients, over days with both submitted), and people remaining
    (NCTR - discharged) per 100,000. An ICB with nothing submitted is listed with blank
    figures."""
    # Columns: code, name, region, population_65_plus, days (submitted), nctr, discharged (sums),
    # nctr_per_100k, remaining_per_100k (daily means), same_day_percent.
    return _measures(_organisation_sums(engine, "icb", first_day, last_day,
                                        PublishedOrganisation.region,
                                        PublishedOrganisation.population_65_plus))


def england_total(icbs: pd.DataFrame) -> dict[str, float]:
    """**England** is the sum of every ICB's figures (a test checks it equals the sums of the
    file), on the same three measures (per-day means of the sums). Its rates use the population
    of the ICBs that submitted figures in the period (an ICB with none would otherwise dilute
    them)."""
    population = icbs.loc[icbs.days > 0, "population_65_plus"].sum()
    days = icbs.days.max() if len(icbs) else 0
    nctr, discharged = icbs.nctr.sum(), icbs.discharged.sum()
    return {
        "population_65_plus": float(population),
        "nctr_per_day": nctr / days if days else float("nan"),
        "nctr_per_100k": PER * (nctr / days) / population if days and population else float("nan"),
        "remaining_per_100k": (PER * ((nctr - discharged) / days) / population
                               if days and population else float("nan")),
        "same_day_percent": 100 * discharged / nctr if nctr else float("nan"),
    }


def icb_weekly(engine: Engine, icb_code: str, first_day: date, last_day: date) -> pd.DataFrame:
    """Your system's weekly means (Monday to Sunday) of NCTR patients per 100,000 aged 65+, on an
    SPC chart, improvement direction down (see SPC charts)."""
    # Columns: week_start, nctr_per_100k.
    statement = (select(PublishedDaily.day.label("day"), PublishedDaily.nctr_patients,
                        PublishedOrganisation.population_65_plus)
                 .join(PublishedOrganisation,
                       PublishedOrganisation.code == PublishedDaily.org_code)
                 .where(PublishedDaily.level == "icb", PublishedDaily.org_code == icb_code,
                        PublishedDaily.day.between(first_day, last_day),
                        PublishedDaily.nctr_patients.is_not(None)))
    with engine.connect() as connection:
        frame = pd.read_sql_query(statement, connection)
    frame["week_start"] = week_start(frame.day)
    weekly = frame.groupby("week_start", as_index=False).agg(
        nctr=("nctr_patients", "mean"), population=("population_65_plus", "first"))
    weekly["nctr_per_100k"] = PER * weekly.nctr / weekly.population
    return weekly[["week_start", "nctr_per_100k"]]


def reason_mix(engine: Engine, month_start: date, icb_code: str | None) -> pd.DataFrame:
    """The month's patients remaining by reason group, for the ICB's trusts and for England:
    each group's share of the month's patients remaining."""
    # England when ``icb_code`` is None. Columns: reason_group, patients, share (%).
    statement = (select(PublishedReason.reason_code, func.sum(PublishedReason.patients))
                 .where(PublishedReason.month_start == month_start)
                 .group_by(PublishedReason.reason_code))
    if icb_code is not None:
        trusts = select(PublishedOrganisation.code).where(
            PublishedOrganisation.icb_code == icb_code)
        statement = statement.where(PublishedReason.trust_code.in_(trusts))
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    frame = pd.DataFrame(rows, columns=["reason_code", "patients"]).fillna(0)
    frame["reason_group"] = [DELAY_REASONS[c].group for c in frame.reason_code]
    groups = frame.groupby("reason_group", as_index=False).patients.sum()
    total = groups.patients.sum()
    groups["share"] = (100 * groups.patients / total) if total else 0.0
    return groups


def latest_reason_month(engine: Engine) -> date | None:
    """The month shown is the latest month with published reasons."""
    with engine.connect() as connection:
        return connection.scalar(select(func.max(PublishedReason.month_start)))


def icb_of_area(engine: Engine, area_code: str) -> str | None:
    """**Your system** is the ICB the chosen area lies in (itself, if it is one)."""
    with engine.connect() as connection:
        return connection.scalar(
            select(LocalArea.code).join(AreaLink, AreaLink.ancestor_code == LocalArea.code)
            .where(AreaLink.descendant_code == area_code, LocalArea.level == "icb"))


def trust_benchmark(engine: Engine, first_day: date, last_day: date) -> pd.DataFrame:
    """**Acute trusts**: every trust with published figures in the period, on the same measures
    per day, not per 100,000 (a trust has no resident population)."""
    # Columns: code, name, icb_code, region, days (submitted), nctr_per_day, same_day_percent,
    # remaining_per_day.
    frame = _organisation_sums(engine, "trust", first_day, last_day,
                               PublishedOrganisation.icb_code, PublishedOrganisation.region)
    frame["nctr_per_day"] = frame.nctr / frame.days
    frame["remaining_per_day"] = (frame.nctr - frame.discharged) / frame.days
    frame["same_day_percent"] = (100 * frame.discharged / frame.nctr).where(frame.nctr > 0)
    return frame
