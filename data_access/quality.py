"""Data quality: completeness and plausibility checks on the records the metrics are made from.

Each check counts the records it flags in the database and names the first ``ROWS_SHOWN`` of them
by what a data lead can look up in the source system: the source's episode_id, the hospital site,
the service and the relevant timestamps; never a person's reference, age or other details. Every
check is confined to an area (episodes by the person's home area, capacity reports by the services
serving the area) and evaluated at "now": a record is judged by what had happened by then.

A check's docstring is its definition; the Data page shows it beside the count.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, DateTime, Engine, Select, and_, func, literal, or_, select

from dashboard.clock import from_utc_naive, to_utc_naive
from dashboard.results import CheckResult
from dashboard.vocabulary import INTERMEDIATE_CARE_PATHWAYS
from data_access.access import AreaInScope
from data_access.areas import episodes_in_area, services_serving_area
from data_access.metrics.capacity import capacity_at
from data_access.metrics.delays import current_reason
from data_access.metrics.flow import in_service_after
from data_access.metrics.waiting import in_hospital_after, waiting_condition
from data_access.models import CapacityReport, Episode, Service
from data_access.sql import epoch_seconds

ROWS_SHOWN = 50  # records named per check; the count is always of every flagged record
# Improbable lengths, well beyond the typical ones of docs/domain.md (see each check).
STUCK_IN_HOSPITAL_DAYS = 60
STUCK_IN_SERVICE_DAYS = 120
CAPACITY_LOOKBACK_DAYS = 30


Check = Callable[[Engine, AreaInScope, datetime], CheckResult]


def nctr_missing(engine: Engine, area: AreaInScope, now: datetime) -> CheckResult:
    """Episodes with no NCTR time although, by now, the journey has reached a step that comes
    after the NCTR decision: discharged on pathway 1, 2 or 3, a service started, or a referral
    to the care transfer hub made (each at or before now). Pathway 0 discharges are not flagged
    (most people, often home the day they are ready): time to service and the 24-hour ambition
    are for pathways 1-3 only. Newest admissions first."""
    now_utc = to_utc_naive(now)
    after_nctr = or_(
        and_(Episode.pathway.in_(INTERMEDIATE_CARE_PATHWAYS), Episode.discharged_at <= now_utc),
        Episode.service_start_at <= now_utc,
        Episode.referred_to_hub_at <= now_utc,
    )
    records = (
        select(Episode.episode_id, Episode.site_code, Episode.pathway, Episode.admitted_at,
               Episode.referred_to_hub_at, Episode.discharged_at, Episode.service_start_at)
        .where(episodes_in_area(area), Episode.nctr_at.is_(None), after_nctr)
        .order_by(Episode.admitted_at.desc(), Episode.episode_id)
    )
    return _run(engine, records, "nctr-missing", "NCTR time missing", nctr_missing,
                "Without it these journeys are missing from NCTR to service (the 24-hour "
                "ambition), from people waiting, from the sitrep counts and from bed days lost.")


def reason_missing(engine: Engine, area: AreaInScope, now: datetime) -> CheckResult:
    """People waiting now (NCTR at or before now, not discharged by now) with no delay reason
    that took effect at or before now. These are the people the Delays page counts as "not
    recorded". Longest waiting first."""
    now_utc = to_utc_naive(now)
    records = (
        select(Episode.episode_id, Episode.site_code, Episode.pathway, Episode.nctr_at,
               Episode.referred_to_hub_at)
        .where(episodes_in_area(area), waiting_condition(now_utc),
               current_reason(now_utc).is_(None))
        .order_by(Episode.nctr_at, Episode.episode_id)
    )
    return _run(engine, records, "reason-missing", "Delay reason missing for a person waiting",
                reason_missing,
                "The delay reasons say what is holding people up and so where to act; people "
                "without one are shown as \"not recorded\" and leave that picture incomplete.")


def service_before_nctr(engine: Engine, area: AreaInScope, now: datetime) -> CheckResult:
    """Episodes whose service started (at or before now) strictly before their NCTR time. A
    start at the same moment as NCTR is not flagged. Newest starts first."""
    now_utc = to_utc_naive(now)
    records = (
        select(Episode.episode_id, Episode.site_code, Episode.pathway, Episode.service_code,
               Episode.nctr_at, Episode.service_start_at, Episode.hours_nctr_to_service)
        .where(episodes_in_area(area), Episode.service_start_at <= now_utc,
               Episode.service_start_at < Episode.nctr_at)
        .order_by(Episode.service_start_at.desc(), Episode.episode_id)
    )
    return _run(engine, records, "service-before-nctr", "Service started before NCTR",
                service_before_nctr,
                "NCTR to service comes out negative: counted as within 24 hours, it flatters the "
                "median and the share within the ambition. One of the two times is wrong.")


def capacity_over_places_now(engine: Engine, area: AreaInScope, now: datetime) -> CheckResult:
    """Services serving the area whose latest capacity report at or before now (the report the
    Capacity and Today pages use, however old) has more places occupied than places. By
    service code."""
    services = capacity_at(engine, area, now)
    over = services[services.occupied > services.places].sort_values("service_code")
    columns = ("service_code", "reported_at", "places", "occupied")
    rows = tuple((row.service_code, row.reported_at, int(row.places), int(row.occupied))
                 for row in over.head(ROWS_SHOWN).itertuples())
    return CheckResult(
        "capacity-over-places-now", "Latest capacity report: more occupied than places",
        inspect.getdoc(capacity_over_places_now) or "",
        "Free places now are shown as none and occupancy above 100%: the report or the "
        "service's places are wrong, and the room available is unknown.",
        len(over), columns, rows)


def capacity_over_places_recent(engine: Engine, area: AreaInScope, now: datetime) -> CheckResult:
    """Capacity reports of services serving the area made in the last 30 days (after now minus
    30 days, at or before now) with more places occupied than places. Newest first."""
    now_utc = to_utc_naive(now)
    records = (
        select(CapacityReport.service_code, CapacityReport.reported_at, CapacityReport.places,
               CapacityReport.occupied)
        .join(Service, Service.code == CapacityReport.service_code)
        .where(services_serving_area(area),
               CapacityReport.reported_at > now_utc - timedelta(days=CAPACITY_LOOKBACK_DAYS),
               CapacityReport.reported_at <= now_utc,
               CapacityReport.occupied > CapacityReport.places)
        .order_by(CapacityReport.reported_at.desc(), CapacityReport.service_code)
    )
    return _run(engine, records, "capacity-over-places-recent",
                "Capacity reports in the last 30 days: more occupied than places",
                capacity_over_places_recent,
                "They distort occupancy and free places on the Capacity page's daily charts and "
                "the 14-day outlook built from them.")


def stuck_in_hospital(engine: Engine, area: AreaInScope, now: datetime) -> CheckResult:
    """People still in hospital now more than 60 days after their NCTR time (exactly 60 days is
    not flagged). People discharged after their ready date wait about 6 days on average and the
    longest national delay band starts at 21 days: 60 days is ten times that average and nearly
    three times 21 days, so it is more often a discharge never recorded than a real wait (worth
    confirming either way). Longest first."""
    now_utc = to_utc_naive(now)
    records = (
        select(Episode.episode_id, Episode.site_code, Episode.pathway, Episode.admitted_at,
               Episode.nctr_at, _days_since(now_utc, Episode.nctr_at).label("days_since_nctr"))
        .where(episodes_in_area(area),
               Episode.nctr_at < now_utc - timedelta(days=STUCK_IN_HOSPITAL_DAYS),
               in_hospital_after(now_utc))
        .order_by(Episode.nctr_at, Episode.episode_id)
    )
    return _run(engine, records, "stuck-in-hospital",
                f"Waiting in hospital for more than {STUCK_IN_HOSPITAL_DAYS} days",
                stuck_in_hospital,
                "A missing discharge keeps the person in people waiting, in the 21+ day band and "
                "in bed days lost, every day until it is recorded.")


def stuck_in_service(engine: Engine, area: AreaInScope, now: datetime) -> CheckResult:
    """Intermediate care that started more than 120 days before now and had not ended by now
    (no end, or an end after now; exactly 120 days is not flagged). Intermediate care is
    time-limited, usually up to 6 weeks, and the longest typical mean stay (pathway 3) is about
    59 days: 120 days is twice that and nearly three times the six weeks. Longest first."""
    now_utc = to_utc_naive(now)
    records = (
        select(Episode.episode_id, Episode.site_code, Episode.pathway, Episode.service_code,
               Episode.discharged_at, Episode.service_start_at,
               _days_since(now_utc, Episode.service_start_at).label("days_since_service_start"))
        .where(episodes_in_area(area),
               Episode.service_start_at < now_utc - timedelta(days=STUCK_IN_SERVICE_DAYS),
               in_service_after(now_utc))
        .order_by(Episode.service_start_at, Episode.episode_id)
    )
    return _run(engine, records, "stuck-in-service",
                f"In intermediate care for more than {STUCK_IN_SERVICE_DAYS} days",
                stuck_in_service,
                "A missing end keeps the person counted as receiving intermediate care on the "
                "Flow page and leaves their length of stay and end-of-service outcome out of the "
                "Flow and Outcomes pages.")


CHECKS: tuple[Check, ...] = (nctr_missing, reason_missing, service_before_nctr,
                             capacity_over_places_now, capacity_over_places_recent,
                             stuck_in_hospital, stuck_in_service)


def run_checks(engine: Engine, area: AreaInScope, now: datetime) -> list[CheckResult]:
    """Every check, in the order of ``CHECKS``."""
    return [check(engine, area, now) for check in CHECKS]


def _days_since(now_utc: datetime, column: Any) -> ColumnElement[float]:
    return (epoch_seconds(literal(now_utc, DateTime)) - epoch_seconds(column)) / 86400.0


def _run(engine: Engine, records: Select[Any], check_id: str, title: str, check: Check,
         why_it_matters: str) -> CheckResult:
    """The count of ``records`` and the first ``ROWS_SHOWN`` of them, in one query (the count
    is a window over every flagged record, taken before the limit)."""
    statement = records.add_columns(func.count().over().label("flagged")).limit(ROWS_SHOWN)
    with engine.connect() as connection:
        result = connection.execute(statement)
        columns = tuple(result.keys())[:-1]
        fetched = result.all()
    return CheckResult(
        check_id, title, inspect.getdoc(check) or "", why_it_matters,
        int(fetched[0][-1]) if fetched else 0, columns,
        tuple(tuple(_as_shown(value) for value in row[:-1]) for row in fetched))


def _as_shown(value: Any) -> Any:
    """Stored timestamps (naive UTC) as London times; anything else as it is."""
    return from_utc_naive(value) if isinstance(value, datetime) else value
