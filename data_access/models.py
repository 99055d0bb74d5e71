"""SQLAlchemy 2 typed models: the schema of record (Alembic migrations are written from it).

All timestamps are stored as naive UTC (see ``dashboard.clock.to_utc_naive``) so durations are
right across clock changes and both SQLite and PostgreSQL compare them the same way. Local
(Europe/London) calendar dates that queries group by are derived once, at load time.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CODE = String(32)
STILL_IN_HOSPITAL = datetime(9999, 12, 31)
# A pathway 1-3 journey with no end outcome yet. Queries state it in these very words (as
# data_access.metrics.waiting.OPEN_JOURNEY_TERMS) so that both databases use the partial index.
OPEN_JOURNEY = text("end_outcome IS NULL AND pathway > 0")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Area(Base):
    """A node of region -> ICB -> sub-ICB location -> district -> neighbourhood; or an
    upper-tier local authority (level "utla") under its ICB, taking in the districts that name
    it."""

    __tablename__ = "areas"

    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"), index=True)
    population_65_plus: Mapped[int | None] = mapped_column(Integer)
    population_all: Mapped[int | None] = mapped_column(Integer)
    # When the source last changed this record: an older update never overwrites a newer one.
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The feed source that created the record (a feed_sources name); None = loaded by the
    # administrator (``python -m dashboard load``, the demo). Set on insert, never by an update.
    owner: Mapped[str | None] = mapped_column(String(100))
    # A district's upper-tier local authority (an area of level "utla" in the same system): it
    # takes the district in, beside the tree (area_links holds both).
    upper_tier_code: Mapped[str | None] = mapped_column(CODE)


class AreaLink(Base):
    """Closure of the area tree (each area is its own ancestor at depth 0), with each district's
    upper-tier local authority as an ancestor of the district and everything inside it.

    Rebuilt on every areas load, so "everything inside area X" is one portable join.
    """

    __tablename__ = "area_links"

    ancestor_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), primary_key=True)
    descendant_code: Mapped[str] = mapped_column(
        ForeignKey("areas.code"), primary_key=True, index=True
    )
    depth: Mapped[int] = mapped_column(SmallInteger)


class Site(Base):
    """An acute (or community) hospital site, with its NHS trust."""

    __tablename__ = "sites"

    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    trust_code: Mapped[str] = mapped_column(CODE, index=True)
    trust_name: Mapped[str] = mapped_column(String(200))
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    # When the source last changed this record: an older update never overwrites a newer one.
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The feed source that created the record (a feed_sources name); None = loaded by the
    # administrator (``python -m dashboard load``, the demo). Set on insert, never by an update.
    owner: Mapped[str | None] = mapped_column(String(100))


class Service(Base):
    """An intermediate care service: pathway 1 home-based, pathway 2/3 bed-based."""

    __tablename__ = "services"

    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    pathway: Mapped[int] = mapped_column(SmallInteger, index=True)
    setting: Mapped[str] = mapped_column(String(8))
    provider: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(24))
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    places: Mapped[int] = mapped_column(Integer)
    service_type: Mapped[str | None] = mapped_column(String(16))
    meets_needs: Mapped[str | None] = mapped_column(String(64))  # "nursing|dementia", "none"
    # When the source last changed this record: an older update never overwrites a newer one.
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The feed source that created the record (a feed_sources name); None = loaded by the
    # administrator (``python -m dashboard load``, the demo). Set on insert, never by an update.
    owner: Mapped[str | None] = mapped_column(String(100))


class Load(Base):
    """One file of one load batch, whether it was loaded or rejected."""

    __tablename__ = "loads"
    # Every page asks when data was last loaded; a feed delivering each minute makes many loads.
    __table_args__ = (Index("ix_loads_outcome_finished_at", "outcome", "finished_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(String(36), index=True)
    source: Mapped[str] = mapped_column(String(500))
    file_name: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime] = mapped_column(DateTime)
    # loaded | partial | rejected (rows break the contract) | refused (a feed source wrote
    # outside its grants)
    outcome: Mapped[str] = mapped_column(String(16))
    rows_read: Mapped[int] = mapped_column(Integer)
    rows_accepted: Mapped[int] = mapped_column(Integer)
    rows_rejected: Mapped[int] = mapped_column(Integer)
    # What the write made of the accepted rows: new, changed, already present and unchanged, or
    # ignored as stale (a newer version is stored). None: not written, or loaded before these
    # were counted.
    rows_new: Mapped[int | None] = mapped_column(Integer)
    rows_changed: Mapped[int | None] = mapped_column(Integer)
    rows_unchanged: Mapped[int | None] = mapped_column(Integer)
    rows_stale: Mapped[int | None] = mapped_column(Integer)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    # "file" (the load command, the demo) or "feed" (the push API)
    channel: Mapped[str] = mapped_column(String(8), default="file", server_default="file")
    # What a rejection's position counts: "line" of a CSV file, or "record" of a JSON delivery.
    unit: Mapped[str] = mapped_column(String(8), default="line", server_default="line")


class LoadRejection(Base):
    """Why a row of a load was rejected (the first ``MAX_REJECTIONS_KEPT`` of each load)."""

    __tablename__ = "load_rejections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    load_id: Mapped[int] = mapped_column(ForeignKey("loads.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # CSV line number, or record index in a feed
    reason: Mapped[str] = mapped_column(String(500))


class FeedSource(Base):
    """A source system that pushes data through the feed API, and how often it should."""

    __tablename__ = "feed_sources"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    # A source quiet for longer than this is flagged on every page that uses its data.
    expected_every_minutes: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ApiToken(Base):
    """A source's API token, stored only as its SHA-256 hash."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_name: Mapped[str] = mapped_column(ForeignKey("feed_sources.name"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # shown in listings to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)


class SourceGrant(Base):
    """A kind of record (areas, sites, services, episodes, delays, capacity) a feed source may
    send. A source without grants can send nothing."""

    __tablename__ = "source_grants"

    source_name: Mapped[str] = mapped_column(ForeignKey("feed_sources.name"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)


class SourceScope(Base):
    """What a feed source may write for: a site, a service, an area (with everything inside it),
    or everywhere (a system-wide feed; ``code`` is empty). See data_access/ownership.py."""

    __tablename__ = "source_scopes"

    source_name: Mapped[str] = mapped_column(ForeignKey("feed_sources.name"), primary_key=True)
    scope: Mapped[str] = mapped_column(String(8), primary_key=True)  # site | service | area | every
    code: Mapped[str] = mapped_column(CODE, primary_key=True)


class Episode(Base):
    """One person's discharge journey, from admission to the end of intermediate care."""

    __tablename__ = "episodes"
    __table_args__ = (
        # Every figure is for one area, so the home area leads and a time range follows: a query
        # reads its own system's entries (a few dozen index ranges, one per neighbourhood), never
        # the country's. Each also covers its query's other columns where it can.
        Index("ix_episodes_area_in_hospital", "home_area_code", "in_hospital_until", "nctr_at"),
        Index("ix_episodes_area_nctr_date", "home_area_code", "nctr_date", "pathway"),
        Index("ix_episodes_area_discharge_date", "home_area_code", "discharge_date", "pathway"),
        Index("ix_episodes_area_service_start_date", "home_area_code", "service_start_date",
              "pathway"),
        Index("ix_episodes_area_service_end_date", "home_area_code", "service_end_date",
              "pathway"),
        Index("ix_episodes_area_in_service", "home_area_code", "in_service_until",
              "service_start_at"),
        # Only the pathway 1-3 journeys not yet ended: those who may be waiting for a service.
        Index("ix_episodes_area_open_journeys", "home_area_code", "nctr_at",
              sqlite_where=OPEN_JOURNEY, postgresql_where=OPEN_JOURNEY),
        Index("ix_episodes_area_referred", "home_area_code", "referred_to_hub_at"),
        Index("ix_episodes_site_nctr_date", "site_code", "nctr_date"),
    )

    episode_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_ref: Mapped[str] = mapped_column(String(64))
    site_code: Mapped[str] = mapped_column(ForeignKey("sites.code"))
    ward: Mapped[str | None] = mapped_column(String(64))
    home_area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    age: Mapped[int | None] = mapped_column(SmallInteger)
    sex: Mapped[str] = mapped_column(String(1))
    admitted_at: Mapped[datetime] = mapped_column(DateTime)
    nctr_at: Mapped[datetime | None] = mapped_column(DateTime)
    referred_to_hub_at: Mapped[datetime | None] = mapped_column(DateTime)
    pathway: Mapped[int | None] = mapped_column(SmallInteger)
    discharged_at: Mapped[datetime | None] = mapped_column(DateTime)
    service_code: Mapped[str | None] = mapped_column(ForeignKey("services.code"), index=True)
    service_start_at: Mapped[datetime | None] = mapped_column(DateTime)
    service_end_at: Mapped[datetime | None] = mapped_column(DateTime)
    end_outcome: Mapped[str | None] = mapped_column(String(24))
    readmitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    died_at: Mapped[datetime | None] = mapped_column(DateTime)
    permanent_care_at: Mapped[datetime | None] = mapped_column(DateTime)
    setting_at_admission: Mapped[str | None] = mapped_column(String(16))
    needs: Mapped[str | None] = mapped_column(String(64))  # care needs: "nursing|dementia"
    at_home_91_days: Mapped[bool | None] = mapped_column(Boolean)
    ethnic_group: Mapped[str | None] = mapped_column(String(16))
    imd_decile: Mapped[int | None] = mapped_column(SmallInteger)
    barthel_start: Mapped[int | None] = mapped_column(SmallInteger)
    barthel_end: Mapped[int | None] = mapped_column(SmallInteger)
    goals_met: Mapped[bool | None] = mapped_column(Boolean)
    # Derived at load time (local calendar dates, hours as a number) so queries stay portable.
    admission_date: Mapped[date | None] = mapped_column(Date)
    nctr_date: Mapped[date | None] = mapped_column(Date)
    discharge_date: Mapped[date | None] = mapped_column(Date)
    service_start_date: Mapped[date | None] = mapped_column(Date)
    service_end_date: Mapped[date | None] = mapped_column(Date)
    hours_nctr_to_service: Mapped[float | None] = mapped_column(Float)
    # discharged_at, or the end of time while still in hospital: "in hospital at T" becomes the
    # single indexed range in_hospital_until > T (an OR with IS NULL defeats the indexes).
    in_hospital_until: Mapped[datetime] = mapped_column(DateTime, default=STILL_IN_HOSPITAL)
    # Likewise for intermediate care: service_end_at, the end of time while the service goes on,
    # or blank if it never started. "Receiving a service at T" = started by T and this > T.
    in_service_until: Mapped[datetime | None] = mapped_column(DateTime)
    # When the source last changed this record: an older update never overwrites a newer one.
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The feed source that created the record (a feed_sources name); None = loaded by the
    # administrator (``python -m dashboard load``, the demo). Set on insert, never by an update.
    owner: Mapped[str | None] = mapped_column(String(100))
    load_id: Mapped[int | None] = mapped_column(ForeignKey("loads.id"))


class NctrPeriod(Base):
    """An earlier period of not meeting the criteria to reside, ended when the person met the
    criteria again; the episode's ``nctr_at`` starts the last period (the discharge ready
    date)."""

    __tablename__ = "nctr_periods"

    episode_id: Mapped[str] = mapped_column(ForeignKey("episodes.episode_id"), primary_key=True)
    nctr_at: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    criteria_met_at: Mapped[datetime] = mapped_column(DateTime)
    # When the source last changed this record: an older update never overwrites a newer one.
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The feed source that created the record (a feed_sources name); None = loaded by the
    # administrator (``python -m dashboard load``, the demo). Set on insert, never by an update.
    owner: Mapped[str | None] = mapped_column(String(100))
    load_id: Mapped[int | None] = mapped_column(ForeignKey("loads.id"))


class Goal(Base):
    """A local goal: for an area and a measure (``dashboard.goals.GOAL_MEASURES``), from
    ``first_day`` to ``last_day``, the level to reach and the direction in which better lies."""

    __tablename__ = "goals"

    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), primary_key=True)
    measure: Mapped[str] = mapped_column(String(40), primary_key=True)
    first_day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_day: Mapped[date] = mapped_column(Date)
    goal: Mapped[float] = mapped_column(Float)
    better: Mapped[str] = mapped_column(String(4))
    # When the source last changed this record: an older update never overwrites a newer one.
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The feed source that created the record (a feed_sources name); None = loaded by the
    # administrator or set on the Goals page (its load names who). Set on insert only.
    owner: Mapped[str | None] = mapped_column(String(100))
    load_id: Mapped[int | None] = mapped_column(ForeignKey("loads.id"))


class TriggerLevel(Base):
    """Where escalation level ``level`` (2-4) of a measure (``dashboard.trigger_levels.
    TRIGGER_MEASURES``) begins for an area, and what to do at it."""

    __tablename__ = "trigger_levels"

    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), primary_key=True)
    measure: Mapped[str] = mapped_column(String(40), primary_key=True)
    level: Mapped[int] = mapped_column(Integer, primary_key=True)
    threshold: Mapped[float] = mapped_column(Float)
    actions: Mapped[str] = mapped_column(String(1000))
    # When the source last changed this record: an older update never overwrites a newer one.
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The feed source that created the record; None = loaded by the administrator.
    owner: Mapped[str | None] = mapped_column(String(100))
    load_id: Mapped[int | None] = mapped_column(ForeignKey("loads.id"))


class TriggerLevelChange(Base):
    """The history of an area's escalation level: a row each time the level evaluated (on Today,
    or by ``python -m dashboard trigger-levels``) differs from the area's latest row. Appended
    only, never changed."""

    __tablename__ = "trigger_level_changes"

    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, primary_key=True)  # naive UTC
    level: Mapped[int] = mapped_column(Integer)
    measures: Mapped[str] = mapped_column(String(200))  # the keys that set it, comma-separated
    reason: Mapped[str] = mapped_column(String(1000))  # each with its value and threshold


class DelayReasonChange(Base):
    """From ``effective_at`` on, the episode's current delay reason is ``reason_code``."""

    __tablename__ = "delay_reasons"

    episode_id: Mapped[str] = mapped_column(ForeignKey("episodes.episode_id"), primary_key=True)
    effective_at: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    reason_code: Mapped[str] = mapped_column(String(4), index=True)
    # When the source last changed this record: an older update never overwrites a newer one.
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The feed source that created the record (a feed_sources name); None = loaded by the
    # administrator (``python -m dashboard load``, the demo). Set on insert, never by an update.
    owner: Mapped[str | None] = mapped_column(String(100))
    load_id: Mapped[int | None] = mapped_column(ForeignKey("loads.id"))


class CapacityReport(Base):
    """A service's report of its places at a moment."""

    __tablename__ = "capacity_reports"

    service_code: Mapped[str] = mapped_column(ForeignKey("services.code"), primary_key=True)
    reported_at: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    places: Mapped[int] = mapped_column(Integer)
    occupied: Mapped[int] = mapped_column(Integer)
    unavailable: Mapped[int] = mapped_column(Integer)
    # When the source last changed this record: an older update never overwrites a newer one.
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The feed source that created the record (a feed_sources name); None = loaded by the
    # administrator (``python -m dashboard load``, the demo). Set on insert, never by an update.
    owner: Mapped[str | None] = mapped_column(String(100))
    load_id: Mapped[int | None] = mapped_column(ForeignKey("loads.id"))


class PublishedOrganisation(Base):
    """An ICB or acute trust of NHS England's published figures, from reference_data/geography."""

    __tablename__ = "published_organisations"

    code: Mapped[str] = mapped_column(CODE, primary_key=True)  # ICB E54..., trust ODS code
    level: Mapped[str] = mapped_column(String(8), index=True)  # icb | trust
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(100))  # NHS region name
    # Trusts: the ICB from which the trust draws most of its patients (blank for some).
    icb_code: Mapped[str | None] = mapped_column(
        ForeignKey("published_organisations.code"), index=True
    )
    status: Mapped[str | None] = mapped_column(String(16))  # trusts: open | closed
    population_65_plus: Mapped[int | None] = mapped_column(Integer)  # ICBs: ONS mid-2020
    load_id: Mapped[int | None] = mapped_column(ForeignKey("loads.id"))


class PublishedDaily(Base):
    """One organisation's published daily discharge sitrep. Blank (None) = not submitted."""

    __tablename__ = "published_daily"
    __table_args__ = (Index("ix_published_daily_level_date", "level", "date"),)

    level: Mapped[str] = mapped_column(String(8), primary_key=True)  # icb | trust
    org_code: Mapped[str] = mapped_column(
        ForeignKey("published_organisations.code"), primary_key=True
    )
    day: Mapped[date] = mapped_column("date", Date, primary_key=True)
    nctr_patients: Mapped[int | None] = mapped_column(Integer)
    discharged_by_1700: Mapped[int | None] = mapped_column(Integer)
    discharged_between_1701_2359: Mapped[int | None] = mapped_column(Integer)
    discharged_total: Mapped[int | None] = mapped_column(Integer)
    load_id: Mapped[int | None] = mapped_column(ForeignKey("loads.id"))


class PublishedReason(Base):
    """Patients remaining in hospital by delay reason, per trust and month, as published."""

    __tablename__ = "published_reasons"
    __table_args__ = (Index("ix_published_reasons_month_reason", "month_start", "reason_code"),)

    trust_code: Mapped[str] = mapped_column(
        ForeignKey("published_organisations.code"), primary_key=True
    )
    month_start: Mapped[date] = mapped_column(Date, primary_key=True)
    reason_code: Mapped[str] = mapped_column(String(4), primary_key=True)  # H1 ... C11
    patients: Mapped[int | None] = mapped_column(Integer)  # None = not submitted
    load_id: Mapped[int | None] = mapped_column(ForeignKey("loads.id"))


class PublishedReasonText(Base):
    """A delay reason text exactly as published, and the code it was matched to."""

    __tablename__ = "published_reason_texts"

    published_text: Mapped[str] = mapped_column(String(300), primary_key=True)
    reason_code: Mapped[str] = mapped_column(String(4))
    matched_by: Mapped[str] = mapped_column(String(8))  # mapping | fuzzy
    load_id: Mapped[int | None] = mapped_column(ForeignKey("loads.id"))


class User(Base):
    """Someone who may sign in, their role, and (hub leads) the areas of their hub."""

    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    # Argon2id; None for an account that signs in only through the single sign-on proxy.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime)


class UserArea(Base):
    """An area of a hub lead's hub: they see it and everything inside it."""

    __tablename__ = "user_areas"

    username: Mapped[str] = mapped_column(ForeignKey("users.username"), primary_key=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), primary_key=True)


class UserSession(Base):
    """A signed-in session, kept on the server: the browser holds only its random id (inside the
    signed cookie), this table only the id's SHA-256. Every request looks it up."""

    __tablename__ = "user_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("users.username"), index=True)
    signed_in_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    # Written at most once a minute (data_access.sessions.SEEN_EVERY), not on every request.
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)
    client: Mapped[str | None] = mapped_column(String(64))  # the address it signed in from
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    end_reason: Mapped[str | None] = mapped_column(String(100))


class DeviceCookie(Base):
    """A browser its user has signed in from before (OWASP's device cookie): sign-in attempts
    carrying it are limited on their own, not with everyone's. Stored only as the SHA-256 of
    its random nonce."""

    __tablename__ = "device_cookies"

    nonce_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("users.username"), index=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime)


class PersonAction(Base):
    """The next step agreed for a person at the huddle: its kind and detail, who owns it, by
    when, and its status. ``version`` rises by one with every change: a change names the version
    it was made on, so two people never silently overwrite each other."""

    __tablename__ = "person_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    episode_id: Mapped[str] = mapped_column(ForeignKey("episodes.episode_id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(500), default="")  # free text
    owner_team: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16))
    blocked_reason: Mapped[str] = mapped_column(String(500), default="")  # free text
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(DateTime)
    changed_by: Mapped[str] = mapped_column(String(100))


class PersonActionChange(Base):
    """Append-only history of an action: every version, who made it and when, with the values
    before and after (JSON)."""

    __tablename__ = "person_action_changes"

    action_id: Mapped[int] = mapped_column(ForeignKey("person_actions.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime)
    changed_by: Mapped[str] = mapped_column(String(100))
    before: Mapped[str | None] = mapped_column(String(4000))
    after: Mapped[str] = mapped_column(String(4000))


class AuditEvent(Base):
    """Who did what, when, over what scope: person-level views, exports, refusals, sign-ins."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_action_at", "action", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    username: Mapped[str | None] = mapped_column(String(64), index=True)
    role: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(300))  # the page, area and filters concerned
    rows: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(String(500), default="")
    client: Mapped[str | None] = mapped_column(String(64))  # the client's address


class CalendarDay(Base):
    """A local (Europe/London) calendar day and its bounds in stored (naive UTC) time: 23 or
    25 hours long across a clock change. Filled in as the daily facts need days."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime, unique=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime)


class DailyWait(Base):
    """Daily facts, maintained on every load (data_access/facts.py): for a local day, a home area
    (as episodes record it) and the delay reason current at the time ('' before any reason was
    recorded), the seconds people spent waiting after NCTR that day and how many were waiting at
    its 00:00."""

    __tablename__ = "daily_waits"

    home_area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reason_code: Mapped[str] = mapped_column(String(4), primary_key=True)
    waiting_seconds: Mapped[float] = mapped_column(Float)
    waiting_at_start: Mapped[int] = mapped_column(Integer)


class FactsState(Base):
    """How far the daily facts reach: every day before ``up_to`` is computed."""

    __tablename__ = "facts_state"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    up_to: Mapped[date] = mapped_column(Date)


class PlanScenario(Base):
    """A named planning scenario saved on the Plan page for an area: the scenario file's JSON
    (``dashboard.planning.scenario``, checked before it is stored), who saved it and when. Saving
    a name again for the same area replaces it."""

    __tablename__ = "plan_scenarios"
    __table_args__ = (Index("ix_plan_scenarios_area_code_name", "area_code", "name",
                            unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    name: Mapped[str] = mapped_column(String(200))
    scenario: Mapped[str] = mapped_column(String(4000))
    saved_by: Mapped[str] = mapped_column(String(64))
    saved_at: Mapped[datetime] = mapped_column(DateTime)  # naive UTC
