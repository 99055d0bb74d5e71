"""The national benchmark, from NHS England's published daily discharge sitreps (Source: NHS
England, Open Government Licence v3.0): every ICB, and every acute trust, on NCTR patients,
discharges the same day and people remaining; the reason mix. It needs no local data: it shows
England, any NHS region or any ICB, and anyone who may see aggregate figures may choose any of
them (the figures are published)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, func, select

from dashboard.rates import PER
from dashboard.results import ENGLAND, Choice
from dashboard.spc import whole_weeks
from dashboard.url_state import ENGLAND_KEY, region_key
from dashboard.vocabulary import DELAY_REASONS
from data_access.access import AreaInScope, require_in_scope
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
from data_access.sql import rows_frame

BENCHMARK_DAYS = 84  # the latest twelve weeks of published figures
TREND_WEEKS = 39  # the trend chart's span: enough weeks for SPC limits


def published_days(engine: Engine) -> tuple[date, date] | None:
    """The published days run from the first to the last day with published ICB figures; the
    period and the trend below are taken from them."""
    with engine.connect() as connection:
        first, last = connection.execute(
            select(func.min(PublishedDaily.day), func.max(PublishedDaily.day))
            .where(PublishedDaily.level == "icb")).one()
    return None if last is None else (first, last)


def benchmark_period(last_published: date) -> tuple[date, date]:
    """Over the latest twelve published weeks (the 84 days ending on the latest day with
    published ICB figures)."""
    return last_published - timedelta(days=BENCHMARK_DAYS - 1), last_published


def trend_span(first_published: date, last_published: date) -> tuple[date, date]:
    """The trend covers whole weeks only, Monday to Sunday: the 39 weeks up to the last
    Sunday on or before the latest published day, none starting before the first published day
    (a part week at either end would be read as a signal when it only has fewer days)."""
    last_sunday = whole_weeks(first_published, last_published)[1]
    first_monday = last_sunday - timedelta(weeks=TREND_WEEKS) + timedelta(days=1)
    return whole_weeks(max(first_published, first_monday), last_sunday)


def choices(icbs: pd.DataFrame) -> dict[str, Choice]:
    """The page offers **England**, each **NHS region** and each **ICB** of the published
    organisations (in the address: `?benchmark=england`, a region such as
    `?benchmark=north-west`, or an ICB's code)."""
    # ``icbs``: code, name, region of every ICB (as icb_benchmark). Keyed as the address writes
    # them, England first, then each region followed by its ICBs, by name.
    found = {ENGLAND_KEY: Choice(ENGLAND_KEY, "england", ENGLAND, None, None)}
    for region, members in icbs.sort_values("name").groupby("region", sort=True):
        found[region_key(region)] = Choice(region_key(region), "region", region, region,
                                           tuple(members.code))
        found.update({code: Choice(code, "icb", name, region, (code,))
                      for code, name in zip(members.code, members.name, strict=True)})
    return found


# A day counts for an organisation when both its figures were submitted.
_SUBMITTED = and_(PublishedDaily.nctr_patients.is_not(None),
                  PublishedDaily.discharged_total.is_not(None))


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
    joined = and_(PublishedDaily.org_code == PublishedOrganisation.code,
                  PublishedDaily.level == level,
                  PublishedDaily.day.between(first_day, last_day), _SUBMITTED)
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


def sum_of_icbs(icbs: pd.DataFrame) -> dict[str, float]:
    """**England** is the sum of every ICB's figures (a test checks it equals the sums of the
    file), and **a region** the sum of its ICBs' figures, on the same three measures (per-day
    means of the sums). Their rates use the population of the ICBs that submitted figures in the
    period (an ICB with none would otherwise dilute them). Of one ICB, these are its own
    figures."""
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


def weekly_trend(engine: Engine, icb_codes: Sequence[str] | None, first_day: date,
                 last_day: date) -> pd.DataFrame:
    """Week by week, for the chosen ICB, region or England: the mean of NCTR patients per
    100,000 aged 65+ over each week (Monday to Sunday), by the same definitions as over the
    period (for a region and England, the sums of their ICBs per 100,000 of the population of
    the ICBs that submitted figures that week), on an SPC chart, improvement direction down (see
    SPC charts)."""
    # Every ICB when ``icb_codes`` is None. Columns: week_start, nctr_per_100k.
    statement = (select(PublishedDaily.org_code.label("code"), PublishedDaily.day.label("day"),
                        PublishedDaily.nctr_patients, PublishedDaily.discharged_total,
                        PublishedOrganisation.population_65_plus)
                 .join(PublishedOrganisation,
                       PublishedOrganisation.code == PublishedDaily.org_code)
                 .where(PublishedDaily.level == "icb", PublishedOrganisation.level == "icb",
                        PublishedDaily.day.between(first_day, last_day), _SUBMITTED))
    if icb_codes is not None:
        statement = statement.where(PublishedDaily.org_code.in_(icb_codes))
    with engine.connect() as connection:
        frame = pd.read_sql_query(statement, connection)
    frame["week_start"] = week_start(frame.day)
    per_icb = frame.groupby(["week_start", "code"], as_index=False).agg(
        days=("day", "count"), nctr=("nctr_patients", "sum"),
        discharged=("discharged_total", "sum"),
        population_65_plus=("population_65_plus", "first"))
    return pd.DataFrame(
        [{"week_start": week, "nctr_per_100k": sum_of_icbs(icbs)["nctr_per_100k"]}
         for week, icbs in per_icb.groupby("week_start")],
        columns=["week_start", "nctr_per_100k"])


def reason_mix(engine: Engine, month_start: date,
               icb_codes: Sequence[str] | None) -> pd.DataFrame:
    """The month's patients remaining by reason group, for the trusts of the chosen ICB or
    region (a trust counts with the ICB most of its patients come from) and for England (every
    trust): each group's share of the month's patients remaining."""
    # England when ``icb_codes`` is None. Columns: reason_group, patients, share (%).
    statement = (select(PublishedReason.reason_code, func.sum(PublishedReason.patients))
                 .where(PublishedReason.month_start == month_start)
                 .group_by(PublishedReason.reason_code))
    if icb_codes is not None:
        trusts = select(PublishedOrganisation.code).where(
            PublishedOrganisation.icb_code.in_(icb_codes))
        statement = statement.where(PublishedReason.trust_code.in_(trusts))
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    frame = rows_frame(rows, ["reason_code", "patients"]).fillna(0)
    frame["reason_group"] = [DELAY_REASONS[c].group for c in frame.reason_code]
    groups = frame.groupby("reason_group", as_index=False).patients.sum()
    total = groups.patients.sum()
    groups["share"] = (100 * groups.patients / total) if total else 0.0
    return groups


def latest_reason_month(engine: Engine) -> date | None:
    """The month shown is the latest month with published reasons."""
    with engine.connect() as connection:
        return connection.scalar(select(func.max(PublishedReason.month_start)))


def icb_of_area(engine: Engine, area: AreaInScope) -> str | None:
    """**Shown** unless another is chosen: with local data, the ICB the chosen area lies in
    (itself, if it is one) when it is a published ICB; else England."""
    with engine.connect() as connection:
        return connection.scalar(
            select(LocalArea.code).join(AreaLink, AreaLink.ancestor_code == LocalArea.code)
            .where(AreaLink.descendant_code == require_in_scope(area).code,
                   LocalArea.level == "icb"))


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
