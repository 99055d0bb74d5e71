"""A feed token writes only what its source is granted and owns, over real HTTP: another source's
records, the administrator's, the area tree, sites and services outside the grants. Every refusal
refuses the whole delivery (403), names each record with its reason, writes nothing and is
recorded (loads, load_rejections, the audit log)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema
import pytest
from sqlalchemy import Engine, select

from dashboard.app_factory import create_app
from dashboard.clock import FixedClock
from dashboard.config import Settings
from data_access.access import load_scope, visible_area_codes
from data_access.audit import recent_events
from data_access.feeds import create_token
from data_access.huddle import huddle_list
from data_access.models import (
    Area,
    AreaLink,
    CapacityReport,
    Episode,
    Goal,
    Load,
    LoadRejection,
    NctrPeriod,
    TriggerLevel,
)
from data_access.ownership import GrantChange, grant
from tests.accounts import add_user
from tests.browser import serving
from tests.builders import (
    GEOGRAPHY,
    TODAY_AT,
    TODAY_EPISODES,
    checked_area,
    feed_source,
    load_files,
)
from tests.test_feeds_api import DELIVERY_SCHEMA, Api, episode

A, B = "Ward tracker A", "Ward tracker B"


@dataclass
class Sources:
    base_url: str
    tokens: dict[str, str]

    def post(self, source: str, kind: str, records: list[Any]) -> Any:
        return Api(self.base_url, self.tokens[source]).post(kind, records)

    def add(self, engine: Engine, source: str, **grants: Any) -> None:
        self.tokens[source] = feed_source(engine, source, TODAY_AT, **grants).token


@pytest.fixture
def sources(engine: Engine, database_url: str, tmp_path) -> Iterator[Sources]:  # type: ignore[no-untyped-def]
    """The test system with the Today episodes loaded by the administrator; sources A and B may
    both send episodes and delays for the whole system."""
    report = load_files(engine, tmp_path / "admin", {**GEOGRAPHY, "episodes.csv": TODAY_EPISODES})
    assert report.loaded and not report.rejections, report.summary()
    settings = Settings(database_url=database_url, clock=FixedClock(TODAY_AT))
    with serving(create_app(settings, engine).server) as base_url:
        found = Sources(base_url, {})
        found.add(engine, A, kinds=("episodes", "delays"))
        found.add(engine, B, kinds=("episodes", "delays"))
        yield found


def table_rows(engine: Engine, *tables: Any) -> list[list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return [[tuple(row) for row in connection.execute(
            select(table).order_by(*table.primary_key))] for table in tables]


def refused_loads(engine: Engine) -> list[tuple[str, str, int, list[str]]]:
    with engine.connect() as connection:
        loads = connection.execute(select(Load.id, Load.source, Load.outcome, Load.rows_rejected)
                                   .where(Load.outcome == "refused").order_by(Load.id)).all()
        return [(source, outcome, rejected, list(connection.scalars(
            select(LoadRejection.reason).where(LoadRejection.load_id == load_id))))
            for load_id, source, outcome, rejected in loads]


@pytest.mark.parametrize("copy_from_rows", [1, 10**9], ids=["in bulk", "row by row"])
def test_a_token_cannot_change_another_sources_records(sources: Sources, engine: Engine,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       copy_from_rows: int) -> None:
    # PostgreSQL stages a large delivery by COPY and compares it with what is stored by a join:
    # the same rules hold.
    monkeypatch.setattr("data_access.loader.COPY_FROM_ROWS", copy_from_rows)
    mine = sources.post(A, "episodes", [episode("W1")])
    assert mine.status == 200 and mine.body["new"] == [0]
    delay = {"episode_id": "W1", "effective_at": "2026-11-24T09:00Z", "reason_code": "T1"}
    assert sources.post(A, "delays", [delay]).body["new"] == [0]
    before = table_rows(engine, Episode.__table__)

    # B overwrites A's episode (with one of its own in the same delivery): all refused.
    answer = sources.post(B, "episodes", [episode("W2"), episode("W1", pathway=3)])
    assert answer.status == 403
    assert answer.body["loaded"] is False and answer.body["new"] == []
    assert answer.body["refused"] == [
        {"index": 1, "reason": "episode W1 belongs to source 'Ward tracker A'"}]
    assert "nothing was written" in answer.body["error"]
    jsonschema.validate(answer.body, DELIVERY_SCHEMA)
    # A's delay reasons, and the administrator's records, are no more B's.
    assert sources.post(B, "delays", [{**delay, "reason_code": "C1"}]).body["refused"] == [
        {"index": 0, "reason": "delay reason of episode W1 from 2026-11-24 09:00 belongs to "
                               "source 'Ward tracker A'"}]
    admins = sources.post(B, "episodes", [episode("E1")])
    assert admins.status == 403 and admins.body["refused"] == [{"index": 0, "reason": (
        "episode E1 was loaded by the administrator (python -m dashboard load); no feed may "
        "change it")}]
    assert table_rows(engine, Episode.__table__) == before  # W2 neither

    # Recorded: as refused deliveries with the reasons, and in the audit log.
    assert [(source, outcome, rejected) for source, outcome, rejected, _ in
            refused_loads(engine)] == [(B, "refused", 1)] * 3
    assert refused_loads(engine)[0][3] == ["episode W1 belongs to source 'Ward tracker A'"]
    events = recent_events(engine, action="refused")
    assert list(events.username) == [B] * 3
    assert events.detail.iloc[-1].startswith("1 record(s) outside the source's grants")

    # A still may.
    assert sources.post(A, "episodes", [episode("W1", pathway=3)]).body["changed"] == [0]


def test_the_area_tree_changes_only_through_the_areas_kind_and_inside_the_granted_areas(
        sources: Sources, engine: Engine) -> None:
    hub_lead = load_scope(engine, add_user(engine, "hub_lead", ("D1",)))
    assert hub_lead is not None
    place_one = checked_area(engine, hub_lead, "D1")
    huddle_before = list(huddle_list(engine, hub_lead, place_one, TODAY_AT).episode_id)
    assert huddle_before and visible_area_codes(engine, hub_lead) == {"D1", "N1"}
    tree_before = table_rows(engine, Area.__table__, AreaLink.__table__)
    # Place two's neighbourhood moved under place one, as in the review.
    move_n2 = {"code": "N2", "name": "Neighbourhood two", "level": "neighbourhood",
               "parent_code": "D1"}

    answer = sources.post(B, "areas", [move_n2])
    assert answer.status == 403
    assert answer.body["refused"] == [{"index": 0, "reason": (
        "the kind areas is not granted to source 'Ward tracker B' (an administrator grants "
        "it: python -m dashboard source grant); nothing of the delivery is written")}]
    assert table_rows(engine, Area.__table__, AreaLink.__table__) == tree_before
    assert visible_area_codes(engine, hub_lead) == {"D1", "N1"}
    assert list(huddle_list(engine, hub_lead, place_one, TODAY_AT).episode_id) == huddle_before

    # Granted the kind for the system, B still may not move the administrator's areas...
    grant(engine, B, GrantChange(kinds=("areas",), areas=("ICB1",)))
    assert sources.post(B, "areas", [move_n2]).body["refused"][0]["reason"] == (
        "area N2 was loaded by the administrator (python -m dashboard load); no feed may "
        "change it")
    assert table_rows(engine, Area.__table__, AreaLink.__table__) == tree_before
    assert recent_events(engine, action="area_changed", username=B).empty

    # ...but may add an area of its own, and move it: each change in the audit log.
    new = {"code": "N3", "name": "Neighbourhood three", "level": "neighbourhood",
           "parent_code": "D2"}
    assert sources.post(B, "areas", [new]).body["new"] == [0]
    assert sources.post(B, "areas", [{**new, "parent_code": "D1"}]).body["changed"] == [0]
    with engine.connect() as connection:
        assert connection.scalar(select(Area.parent_code).where(Area.code == "N3")) == "D1"
    events = recent_events(engine, action="area_changed", username=B)
    assert [(e.username, e.scope, e.detail.split(";")[0]) for e in events.itertuples()] == [
        (B, "area N3", "moved from under D2 to under D1"),
        (B, "area N3", "created under D2")]
    assert visible_area_codes(engine, hub_lead) == {"D1", "N1", "N3"}

    # A source whose areas are place two's may not put an area under place one.
    sources.add(engine, "Place two", kinds=("areas",), areas=("D2",))
    n4 = {"code": "N4", "name": "Neighbourhood four", "level": "neighbourhood",
          "parent_code": "D2"}
    assert sources.post("Place two", "areas", [n4]).status == 200
    moved = sources.post("Place two", "areas", [{**n4, "parent_code": "D1"}])
    assert moved.status == 403 and moved.body["refused"] == [{"index": 0, "reason": (
        "the new parent D1 of area N4 is not inside the areas granted to 'Place two'")}]
    top = sources.post("Place two", "areas", [{**n4, "code": "R9", "parent_code": None}])
    assert top.body["refused"][0]["reason"] == ("area R9 would have no parent: only a source "
                                                "granted every area may add a top-level area")
    # Nor put place two into a county it was not granted (the county takes in what it names).
    county = {"code": "UT1", "name": "County one", "level": "utla", "parent_code": "ICB1"}
    assert sources.post(B, "areas", [county]).status == 200
    into = sources.post("Place two", "areas", [{"code": "D7", "name": "Place seven",
                                                "level": "district", "parent_code": "D2",
                                                "upper_tier_code": "UT1"}])
    assert into.status == 403 and into.body["refused"] == [{"index": 0, "reason": (
        "the upper-tier local authority UT1 of area D7 is not inside the areas granted to "
        "'Place two'")}]


def test_sites_and_services_outside_the_grants_are_refused(sources: Sources,
                                                           engine: Engine) -> None:
    # Place one's community services: its area (D1), and P1X by its code.
    sources.add(engine, "Place one", kinds=("episodes", "capacity", "sites", "services"),
                areas=("D1",))
    grant(engine, "Place one", GrantChange(services=("P1X",)))

    def capacity(service: str) -> dict[str, Any]:
        return {"service_code": service, "reported_at": "2026-11-25T08:00Z", "places": 5,
                "occupied": 4, "unavailable": 0}

    assert sources.post("Place one", "capacity", [capacity("P1H"), capacity("P1X")]).body[
        "new"] == [0, 1]
    answer = sources.post("Place one", "capacity", [capacity("P1H"), capacity("P3C")])
    assert answer.status == 403 and answer.body["refused"] == [{"index": 1, "reason": (
        "service P3C is not among the services granted to 'Place one', nor inside its areas")}]
    at_s1 = sources.post("Place one", "episodes", [episode("W5")])  # S1 is the system's
    assert at_s1.status == 403 and at_s1.body["refused"] == [{"index": 0, "reason": (
        "site S1 is not among the sites granted to 'Place one', nor inside its areas")}]
    site = {"code": "S9", "name": "Community hospital", "trust_code": "T9",
            "trust_name": "Community trust", "area_code": "D2"}
    assert sources.post("Place one", "sites", [site]).body["refused"] == [{"index": 0, "reason": (
        "site S9 is not among the sites granted to 'Place one', and its area D2 is not inside "
        "its areas")}]
    assert sources.post("Place one", "sites", [{**site, "area_code": "N1"}]).body["new"] == [0]
    assert sources.post("Place one", "episodes", [episode("W5", site_code="S9")]).status == 200
    service = {"code": "P9", "name": "Night sitting", "pathway": 1, "setting": "home",
               "provider": "Council one", "sector": "local_authority", "area_code": "D2",
               "places": 4}
    assert sources.post("Place one", "services", [service]).status == 403
    with engine.connect() as connection:
        assert connection.scalar(select(CapacityReport.owner).where(
            CapacityReport.service_code == "P1X")) == "Place one"
        assert set(connection.scalars(select(CapacityReport.service_code))) == {"P1H", "P1X"}
    ungranted = sources.post("Place one", "delays", [
        {"episode_id": "W5", "effective_at": "2026-11-24T09:00Z", "reason_code": "T1"}])
    assert ungranted.status == 403
    assert ungranted.body["refused"][0]["reason"].startswith(
        "the kind delays is not granted to source 'Place one'")


def test_a_source_without_grants_can_send_nothing_and_the_reference_says_what_it_may(
        sources: Sources, engine: Engine) -> None:
    sources.tokens["New system"] = create_token(engine, "New system", TODAY_AT).token
    answer = sources.post("New system", "episodes", [episode("W9")])
    assert answer.status == 403 and "not granted" in answer.body["refused"][0]["reason"]
    reference = Api(sources.base_url, sources.tokens["New system"]).reference()
    assert reference["source"] == {"name": "New system", "kinds": [], "sites": [],
                                   "services": []}
    sources.add(engine, "Place two", kinds=("capacity",), areas=("D2",))
    reference = Api(sources.base_url, sources.tokens["Place two"]).reference()
    # P2B serves the whole system (ICB1): not place two's to report.
    assert reference["source"] == {"name": "Place two", "kinds": ["capacity"], "sites": [],
                                   "services": ["P1X", "P3C"]}
    assert Api(sources.base_url, sources.tokens[A]).reference()["source"]["sites"] == ["S1"]


def test_an_episodes_nctr_history_is_written_only_by_the_source_that_owns_the_episode(
        sources: Sources, engine: Engine) -> None:
    sources.add(engine, "History A", kinds=("episodes", "nctr_periods"), areas=("ICB1",))
    sources.add(engine, "History B", kinds=("nctr_periods",), areas=("ICB1",))
    assert sources.post("History A", "episodes", [episode("H1")]).body["new"] == [0]
    period = {"episode_id": "H1", "nctr_at": "2026-11-20T09:00Z",
              "criteria_met_at": "2026-11-21T09:00Z"}
    refused = sources.post("History B", "nctr_periods", [period])
    assert refused.status == 403 and refused.body["refused"] == [
        {"index": 0, "reason": "episode H1 belongs to source 'History A'"}]
    administrators = sources.post("History B", "nctr_periods", [{**period, "episode_id": "E1"}])
    assert administrators.body["refused"][0]["reason"].startswith("episode E1 was loaded by the "
                                                                  "administrator")
    assert sources.post("History A", "nctr_periods", [period]).body["new"] == [0]
    with engine.connect() as connection:
        assert connection.execute(select(NctrPeriod.episode_id, NctrPeriod.owner)).all() == \
            [("H1", "History A")]


def test_a_source_sets_goals_only_for_areas_inside_its_grants(sources: Sources,
                                                              engine: Engine) -> None:
    sources.add(engine, "Place one plans", kinds=("goals",), areas=("D1",))
    goal = {"area_code": "N1", "measure": "mean_delay_days", "first_day": "2026-04-01",
            "last_day": "2027-03-31", "goal": 1.2, "better": "down"}
    refused = sources.post("Place one plans", "goals", [goal, {**goal, "area_code": "ICB1"}])
    assert refused.status == 403 and refused.body["refused"] == [
        {"index": 1, "reason": "area ICB1 of the goal is not inside the areas granted to "
                               "'Place one plans'"}]
    assert sources.post("Place one plans", "goals", [goal]).body["new"] == [0]
    with engine.connect() as connection:
        assert connection.execute(select(Goal.area_code, Goal.goal, Goal.owner)).all() == \
            [("N1", 1.2, "Place one plans")]


def test_a_source_sets_trigger_levels_only_for_areas_inside_its_grants(sources: Sources,
                                                                       engine: Engine) -> None:
    sources.add(engine, "Place one escalation", kinds=("trigger_levels",), areas=("D1",))
    level = {"area_code": "D1", "measure": "free_places_p1", "level": 3, "threshold": 1,
             "actions": "Spot-purchase home care"}
    refused = sources.post("Place one escalation", "trigger_levels",
                           [level, {**level, "area_code": "ICB1"}])
    assert refused.status == 403 and refused.body["refused"] == [
        {"index": 1, "reason": "area ICB1 of the trigger level is not inside the areas granted "
                               "to 'Place one escalation'"}]
    assert sources.post("Place one escalation", "trigger_levels", [level]).body["new"] == [0]
    with engine.connect() as connection:
        assert connection.execute(select(TriggerLevel.area_code, TriggerLevel.threshold,
                                         TriggerLevel.owner)).all() == \
            [("D1", 1.0, "Place one escalation")]
