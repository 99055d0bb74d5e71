"""The huddle list: known answers on hand-made data, the filters, the role and area checks made
in data_access (and over HTTP), and the audit record of every view of people.

Data: the Today case (``TODAY_EPISODES``/``TODAY_DELAYS`` in tests/builders.py) plus the rows
below, with wards, a second site and the source's ``updated_at``. T = Wednesday 25 November 2026,
08:30 (GMT, so London time = UTC). Every expected figure is worked out by hand in the comments.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import pandas as pd
import pytest

from benchmarks.payloads import route_payload
from dashboard.app_factory import create_app
from dashboard.cache import as_sent
from dashboard.clock import LONDON, FixedClock
from dashboard.config import Settings
from dashboard.results import AreaInfo
from dashboard.url_state import REASON_GROUP_KEYS, read_view_state
from dashboard.vocabulary import NOT_RECORDED, REASON_GROUPS
from data_access.access import AccessDenied, area_in_scope, load_scope
from data_access.audit import recent_events
from data_access.huddle import HUDDLE_COLUMNS, huddle_filter_options, huddle_list
from layouts import huddle as huddle_layout
from layouts.components import component_nodes
from tests.accounts import add_user, sign_in_client
from tests.builders import (
    EPISODE_HEADER,
    GEOGRAPHY,
    TODAY_AT,
    TODAY_DELAYS,
    TODAY_EPISODES,
    checked_area,
    load_files,
    system_area,
)

T = TODAY_AT
# Each load is no earlier than the times it holds (none may be ahead of its load): the second
# holds some after T, which the list as at T must leave out.
FIRST_LOAD_AT = datetime(2026, 11, 25, 8, 30, tzinfo=LONDON)
SECOND_LOAD_AT = datetime(2026, 11, 25, 9, 0, tzinfo=LONDON)
MORE_SITES = """
    code,name,trust_code,trust_name,area_code
    S2,Second hospital,T1,Test trust,ICB1
"""
# X1 (place one): NCTR 23 Nov 10:00, so 46.5 h; reasons T2, then W2 from 24 Nov 10:30 (22.0 h
#   on it at T); a C5 taking effect at 09:00, after T, is not current yet.
# X2 (place one): NCTR exactly at T (0.0 h, waiting); no ward; no updated_at, so its last update
#   is when its load finished (09:00).
# X3 (place one): NCTR after T: not waiting yet.
# X4 (place two): NCTR 22 Nov 08:30 (72.0 h), W1 from 22 Nov 09:00 (71.5 h).
# X5 (place two): waited across the October clock change; discharged long before T.
MORE_EPISODES = """
    episode_id,person_ref,site_code,ward,home_area_code,sex,admitted_at,nctr_at,referred_to_hub_at,pathway,discharged_at,updated_at
    X1,x1,S2,Ward 7,N1,F,2026-11-20T10:00,2026-11-23T10:00,2026-11-23T11:00,2,,2026-11-25T07:45
    X2,x2,S2,,N1,M,2026-11-24T10:00,2026-11-25T08:30,,1,,
    X3,x3,S1,Ward 1,N1,F,2026-11-24T10:00,2026-11-25T09:00,,1,,
    X4,x4,S2,Ward 9,N2,F,2026-11-20T10:00,2026-11-22T08:30,2026-11-22T09:00,3,,2026-11-24T12:00
    X5,x5,S1,Ward 2,N2,M,2026-10-20T10:00,2026-10-24T12:00,,0,2026-10-26T12:00,
"""
MORE_DELAYS = """
    episode_id,effective_at,reason_code
    X1,2026-11-23T12:00,T2
    X1,2026-11-24T10:30,W2
    X1,2026-11-25T09:00,C5
    X4,2026-11-22T09:00,W1
"""
# Everyone waiting in place one (D1), longest wait first, as worked out by hand:
# episode, person, site, ward, hours since NCTR, over 24 h, pathway, reason, hours on reason,
# referred to hub, last update. E rows: no ward or updated_at; their load finished at 08:30.
# E5: NCTR 1 Nov 08:00, 24 days and 0.5 h ago; C5 since 1 Nov 09:00. E2: NCTR exactly 24.0 h
# ago (not over 24 h), T1 since then. E1: NCTR 08:00 today, no pathway, no reason yet.
PLACE_ONE = [
    ("E5", "p5", "S1", None, 576.5, True, 2, "C5", 575.5, "2026-11-01 09:00", "2026-11-25 08:30"),
    ("X1", "x1", "S2", "Ward 7", 46.5, True, 2, "W2", 22.0, "2026-11-23 11:00",
     "2026-11-25 07:45"),
    ("E2", "p2", "S1", None, 24.0, False, 1, "T1", 24.0, "2026-11-24 09:00", "2026-11-25 08:30"),
    ("E1", "p1", "S1", None, 0.5, False, None, NOT_RECORDED, None, None, "2026-11-25 08:30"),
    ("X2", "x2", "S2", None, 0.0, False, 1, NOT_RECORDED, None, None, "2026-11-25 09:00"),
]
EVERYONE_REFS = {"p1", "p2", "p3", "p4", "p5", "x1", "x2", "x4"}


@pytest.fixture
def loaded(engine, tmp_path):
    first = load_files(engine, tmp_path / "first", {
        **GEOGRAPHY, "episodes.csv": TODAY_EPISODES, "delays.csv": TODAY_DELAYS},
        clock=FixedClock(FIRST_LOAD_AT))
    second = load_files(engine, tmp_path / "second", {
        "sites.csv": MORE_SITES, "episodes.csv": MORE_EPISODES, "delays.csv": MORE_DELAYS},
        clock=FixedClock(SECOND_LOAD_AT))
    assert first.loaded and second.loaded and not second.rejections, second.summary()
    return engine


def scope_of(engine, role: str, areas: tuple[str, ...] = ()):
    """A new user's scope (one user per role and areas)."""
    return load_scope(engine, add_user(engine, role, areas, "-".join(("test", role, *areas))))


@pytest.fixture
def hub_lead(loaded):
    return scope_of(loaded, "hub_lead", ("D1",))


@pytest.fixture
def place_one(loaded, hub_lead):
    """Place one (D1), checked for the hub lead of it."""
    return checked_area(loaded, hub_lead, "D1")


def moment(text: str | None) -> pd.Timestamp | None:
    return None if text is None else pd.Timestamp(text, tz=LONDON)


def test_everyone_waiting_in_the_place_longest_wait_first(loaded, hub_lead, place_one):
    people = huddle_list(loaded, hub_lead, place_one, T)
    assert list(people.columns) == HUDDLE_COLUMNS
    assert list(people.episode_id) == [row[0] for row in PLACE_ONE]
    for person, expected in zip(people.itertuples(), PLACE_ONE, strict=True):
        (_, ref, site, ward, hours, over, pathway, reason, on_reason, referred,
         updated) = expected
        assert (person.person_ref, person.site_code, person.over_24_hours) == (ref, site, over)
        assert (person.ward if isinstance(person.ward, str) else None) == ward
        assert person.hours_waiting == pytest.approx(hours)
        assert (None if pd.isna(person.pathway) else person.pathway) == pathway
        assert person.reason_code == reason
        if on_reason is None:
            assert pd.isna(person.hours_on_reason)
        else:
            assert person.hours_on_reason == pytest.approx(on_reason)
        assert (None if pd.isna(person.referred_to_hub_at) else person.referred_to_hub_at) \
            == moment(referred)
        assert person.last_update == moment(updated)
    x1 = people.set_index("episode_id").loc["X1"]
    assert (x1.site, x1.reason_group, x1.reason) == (
        "Second hospital", "Wellbeing concerns", "ongoing safeguarding concern")
    assert x1.reason_since == moment("2026-11-24 10:30")
    assert x1.nctr_at == moment("2026-11-23 10:00")
    assert str(x1.nctr_at.tz) == "Europe/London"
    assert set(people.reason_group) == {"Capacity", "Wellbeing concerns",
                                        "Care transfer hub process", NOT_RECORDED}


def test_times_are_london_times_and_hours_count_real_time_across_the_clock_change(loaded):
    # X5: NCTR 12:00 BST on Saturday 24 October; the clocks go back that night, so at 12:00 GMT
    # on Sunday 25 October it has waited 25 hours, not 24.
    sunday_noon = datetime(2026, 10, 25, 12, 0, tzinfo=LONDON)
    system_hub = scope_of(loaded, "hub_lead", ("ICB1",))
    system = checked_area(loaded, system_hub, "ICB1")
    people = huddle_list(loaded, system_hub, system, sunday_noon)
    assert list(people.episode_id) == ["X5"]
    x5 = people.iloc[0]
    assert x5.nctr_at.strftime("%H:%M %Z") == "12:00 BST"
    assert x5.hours_waiting == pytest.approx(25.0) and x5.over_24_hours
    assert x5.last_update.strftime("%H:%M %Z") == "09:00 GMT"


def test_the_area_confines_the_list(loaded):
    system_hub = scope_of(loaded, "hub_lead", ("ICB1",))
    whole_system = huddle_list(loaded, system_hub, checked_area(loaded, system_hub, "ICB1"), T)
    # Place two adds E4 (NCTR 20 Nov), X4 (22 Nov) and E3 (24 Nov 08:29) in wait order.
    assert list(whole_system.episode_id) == ["E5", "E4", "X4", "X1", "E3", "E2", "E1", "X2"]
    assert set(whole_system.person_ref) == EVERYONE_REFS
    assert int(whole_system.over_24_hours.sum()) == 5  # E5, E4, X4, X1, E3
    neighbourhood_hub = scope_of(loaded, "hub_lead", ("N2",))
    neighbourhood = huddle_list(loaded, neighbourhood_hub,
                                checked_area(loaded, neighbourhood_hub, "N2"), T)
    assert list(neighbourhood.episode_id) == ["E4", "X4", "E3"]


@pytest.mark.parametrize(("filters", "expected"), [
    ({"pathway": 1}, ["E2", "X2"]),
    ({"pathway": 2}, ["E5", "X1"]),
    ({"pathway": 3}, []),
    ({"reason_group": "Capacity"}, ["E5"]),
    ({"reason_group": "Wellbeing concerns"}, ["X1"]),
    ({"reason_group": "Care transfer hub process"}, ["E2"]),
    ({"reason_group": NOT_RECORDED}, ["E1", "X2"]),
    ({"site_code": "S2"}, ["X1", "X2"]),
    ({"site_code": "S2", "pathway": 1, "reason_group": NOT_RECORDED}, ["X2"]),
    ({"site_code": "NOWHERE"}, []),
])
def test_filters_by_pathway_reason_group_and_site(loaded, hub_lead, filters, expected, place_one):
    assert list(huddle_list(loaded, hub_lead, place_one, T, **filters).episode_id) == expected


def test_an_unknown_reason_group_is_an_error(loaded, hub_lead, place_one):
    with pytest.raises(ValueError, match="unknown reason group"):
        huddle_list(loaded, hub_lead, place_one, T, reason_group="Anything")


def test_each_view_is_recorded_with_its_scope_and_row_count(loaded, hub_lead, place_one):
    huddle_list(loaded, hub_lead, place_one, T, client="10.0.0.9")
    huddle_list(loaded, hub_lead, checked_area(loaded, hub_lead, "N1"), T, pathway=2,
                reason_group="Capacity", site_code="S1")
    views = recent_events(loaded, action="view_people")
    assert list(views.scope) == [
        "the huddle list for N1 (pathway 2; reason group Capacity; site S1)",
        "the huddle list for D1"]
    assert list(views.rows) == [1, 5]
    assert set(views.username) == {hub_lead.username} and set(views.role) == {"hub_lead"}
    assert [c if isinstance(c, str) else None for c in views.client] == [None, "10.0.0.9"]
    assert list(views["at"]) == [T, T]
    assert recent_events(loaded, action="refused").empty


def test_an_empty_list_is_still_recorded(loaded, hub_lead, place_one):
    before_anyone = datetime(2026, 10, 1, tzinfo=LONDON)
    people = huddle_list(loaded, hub_lead, place_one, before_anyone)
    assert people.empty and list(people.columns) == HUDDLE_COLUMNS
    assert list(recent_events(loaded, action="view_people").rows) == [0]


@pytest.mark.parametrize("area", ["D2", "N2", "ICB1", "NOWHERE"])
def test_a_hub_lead_gets_nothing_outside_their_hub_and_the_refusal_is_recorded(
        loaded, hub_lead, area):
    # The area is refused when the page asks for it, before any query can take it.
    with pytest.raises(AccessDenied, match="outside the areas you may see"):
        area_in_scope(loaded, hub_lead, area, T, "the huddle list", client="10.0.0.9")
    refusals = recent_events(loaded, action="refused")
    assert list(refusals.scope) == [f"the huddle list for {area}"]
    assert list(refusals.client) == ["10.0.0.9"]
    assert recent_events(loaded, action="view_people").empty


def test_no_people_for_an_area_checked_for_someone_else_or_for_system_use(loaded, hub_lead):
    other_hub = scope_of(loaded, "hub_lead", ("ICB1",))
    for area in (checked_area(loaded, other_hub, "D1"), system_area(loaded, "D1")):
        with pytest.raises(AccessDenied, match="was not checked for you"):
            huddle_list(loaded, hub_lead, area, T)
        with pytest.raises(AccessDenied, match="was not checked for you"):
            huddle_filter_options(loaded, hub_lead, area, T)
    refusals = recent_events(loaded, action="refused")
    assert len(refusals) == 4 and set(refusals.scope) == {"the huddle list for D1"}
    assert set(refusals.detail) == {"area checked for 'test-hub_lead-ICB1'",
                                    "area checked for 'system: test'"}
    assert recent_events(loaded, action="view_people").empty


@pytest.mark.parametrize("role", ["executive", "place_manager", "data_manager", "administrator"])
def test_other_roles_get_no_people_even_for_an_area_they_may_see(loaded, role):
    scope = scope_of(loaded, role)
    with pytest.raises(AccessDenied, match="does not give access to the huddle list"):
        huddle_list(loaded, scope, checked_area(loaded, scope, "ICB1"), T)
    with pytest.raises(AccessDenied):
        huddle_filter_options(loaded, scope, checked_area(loaded, scope, "ICB1"), T)
    refusals = recent_events(loaded, action="refused")
    assert list(refusals.scope) == ["the huddle list", "the huddle list"]
    assert set(refusals.detail) == {f"role {role} lacks people"}
    assert recent_events(loaded, action="view_people").empty


def test_filter_options_are_the_sites_and_reason_groups_of_the_people_waiting(
        loaded, hub_lead, place_one):
    options = huddle_filter_options(loaded, hub_lead, place_one, T)
    assert options.sites == [("S2", "Second hospital"), ("S1", "Test hospital")]
    assert options.reason_groups == ["Wellbeing concerns", "Care transfer hub process",
                                     "Capacity", NOT_RECORDED]
    # No people, nothing to record (the area changes are the loads').
    assert set(recent_events(loaded).action) == {"area_changed"}
    with pytest.raises(AccessDenied):
        huddle_filter_options(loaded, hub_lead, checked_area(loaded, hub_lead, "D2"), T)


# --- the address ---------------------------------------------------------------------------

def test_reason_group_and_site_are_read_from_the_address():
    state = read_view_state("?area=D1&reasons=care-transfer-hub-process&site=S2",
                            T.date())
    assert (state.reasons, state.reason_group, state.site, state.messages) == (
        "care-transfer-hub-process", "Care transfer hub process", "S2", ())
    assert read_view_state("?reasons=not-recorded", T.date()).reason_group == NOT_RECORDED
    assert set(REASON_GROUP_KEYS.values()) == {*REASON_GROUPS, NOT_RECORDED}


def test_hostile_reason_group_and_site_are_ignored_with_a_message():
    state = read_view_state("?reasons=<script>&site=S1'%20OR%201=1", T.date())
    assert (state.reasons, state.reason_group, state.site) == (None, None, None)
    assert len(state.messages) == 2
    assert read_view_state(f"?site={'S' * 33}", T.date()).site is None


# --- the page ------------------------------------------------------------------------------

def test_the_page_prints_one_table_per_25_people_with_a_header_each(loaded):
    system_hub = scope_of(loaded, "hub_lead", ("ICB1",))
    system = checked_area(loaded, system_hub, "ICB1")
    people = huddle_list(loaded, system_hub, system, T)
    many = pd.concat([people] * 7, ignore_index=True)  # 56 rows: sheets of 25, 25 and 6
    view = huddle_layout.HuddleView(
        area=AreaInfo("ICB1", "Test system", "icb", 3000), state=read_view_state("", T.date()),
        now=T, people=many, options=huddle_filter_options(loaded, system_hub, system, T),
        synthetic=True)
    page = list(component_nodes(as_sent(huddle_layout.build(view))))  # as the browser gets it
    tables = [node for node in page if node["type"] == "Table"]
    assert [t["props"]["id"] for t in tables] == [
        "huddle-table-1", "huddle-table-2", "huddle-table-3"]
    assert [sum(node["type"] == "Tr" for node in component_nodes(t)) - 1 for t in tables] == [
        25, 25, 6]
    headers = [node for node in page
               if node["props"].get("className") == "huddle-print-header"]
    text = [" ".join(str(p) if isinstance(p, str) else str(p["props"]["children"])
                     for p in h["props"]["children"]) for h in headers]
    assert len(headers) == 3 and all("Huddle list: Test system" in t for t in text)
    assert all("08:30 Wed 25 Nov 2026" in t and "Synthetic" in t for t in text)
    assert "sheet 3 of 3 (people 51 to 56 of 56)" in text[2]
    badges = [node for node in page if node["props"].get("className") == "over-24-badge"]
    assert len(badges) == 7 * 5 and {b["props"]["children"] for b in badges} == {"Over 24 h"}


# --- over HTTP: the route -------------------------------------------------------------------

@pytest.fixture
def app(loaded, database_url):
    return create_app(Settings(database_url=database_url, clock=FixedClock(T)), loaded)


def route(client: Any, headers: dict[str, str], search: str) -> str:
    callbacks = json.loads(client.get("/_dash-dependencies").data)
    answer = client.post("/_dash-update-component", headers=headers,
                         json=route_payload(callbacks, "/huddle", search))
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def words(answer: str) -> set[str]:
    return set(re.sub(r"[^a-z0-9 ]", " ", answer.lower()).split())


def episodes_listed(answer: str) -> list[str]:
    return re.findall(r'"data-episode": ?"([^"]+)"', answer)


def test_a_hub_lead_sees_their_people_and_the_filters_in_the_address_apply(app, loaded):
    client = app.server.test_client()
    headers = sign_in_client(client, add_user(loaded, "hub_lead", ("D1",)))
    answer = route(client, headers, "?area=D1")
    assert episodes_listed(answer) == [row[0] for row in PLACE_ONE]
    assert words(answer) & EVERYONE_REFS == {"p1", "p2", "p5", "x1", "x2"}
    assert '"huddle-waiting-count"' in answer and "Over 24 h" in answer
    filtered = route(client, headers, "?area=D1&reasons=capacity")
    assert episodes_listed(filtered) == ["E5"]
    views = recent_events(loaded, action="view_people")
    # Newest first; each page also reads the whole list once for its escalations and actions
    # (and records its actions and the changes since yesterday as views of their own).
    lists = views[views.scope.str.startswith("the huddle list")]
    assert list(lists.scope) == ["the huddle list for D1",
                                 "the huddle list for D1 (reason group Capacity)",
                                 "the huddle list for D1"]
    assert list(lists.rows) == [5, 1, 5] and set(views.client) == {"127.0.0.1"}
    assert {"actions on people in D1"} <= set(views.scope)


def test_a_hub_lead_asking_for_another_area_gets_the_refusal_and_no_people(app, loaded):
    client = app.server.test_client()
    headers = sign_in_client(client, add_user(loaded, "hub_lead", ("D1",)))
    for search in ("?area=D2", "?area=N2&reasons=capacity", "?area=ICB1"):
        answer = route(client, headers, search)
        assert "access-denied" in answer and "outside the areas you may see" in answer
        assert not words(answer) & EVERYONE_REFS, search
    assert recent_events(loaded, action="view_people").empty
    assert len(recent_events(loaded, action="refused")) == 3


def test_an_executive_gets_the_refusal_and_no_people(app, loaded):
    client = app.server.test_client()
    headers = sign_in_client(client, add_user(loaded, "executive"))
    answer = route(client, headers, "?area=ICB1")
    assert "access-denied" in answer and not words(answer) & EVERYONE_REFS
    assert recent_events(loaded, action="view_people").empty


# Waited at least 7, 14 or 21 whole days at T (25 Nov 08:30): W21 exactly 21 days, W20 one hour
# short of 21 days, W7 exactly 7 days, W6 a minute short of 7 days.
WAITERS = EPISODE_HEADER + """\
W21,w21,S1,N1,80,F,2026-10-20T10:00,2026-11-04T08:30,,1,,,,,,,
W20,w20,S1,N1,80,F,2026-10-20T10:00,2026-11-04T09:30,,1,,,,,,,
W7,w7,S1,N1,80,F,2026-11-10T10:00,2026-11-18T08:30,,2,,,,,,,
W6,w6,S1,N1,80,F,2026-11-10T10:00,2026-11-18T08:31,,2,,,,,,,
"""


@pytest.mark.parametrize(("days", "expected"), [
    (None, ["W21", "W20", "W7", "W6"]), (7, ["W21", "W20", "W7"]), (14, ["W21", "W20"]),
    (21, ["W21"])])
def test_waited_at_least_7_14_or_21_whole_days(engine, tmp_path, days, expected):
    assert load_files(engine, tmp_path / "w", {**GEOGRAPHY, "episodes.csv": WAITERS},
                      clock=FixedClock(FIRST_LOAD_AT)).loaded
    lead = scope_of(engine, "hub_lead", ("D1",))
    people = huddle_list(engine, lead, checked_area(engine, lead, "D1"), T, waited_days=days)
    assert list(people.episode_id) == expected
    scope = recent_events(engine, action="view_people").scope.iloc[0]
    assert scope == "the huddle list for D1" + (f" (waited {days}+ days)" if days else "")


def test_a_wait_outside_7_14_and_21_days_is_an_error(loaded, hub_lead, place_one):
    with pytest.raises(ValueError, match="waited_days is one of"):
        huddle_list(loaded, hub_lead, place_one, T, waited_days=10)


def test_the_longest_delays_carry_a_badge_and_are_counted(loaded):
    system_hub = scope_of(loaded, "hub_lead", ("ICB1",))
    system = checked_area(loaded, system_hub, "ICB1")
    view = huddle_layout.HuddleView(
        area=AreaInfo("ICB1", "Test system", "icb", 3000), state=read_view_state("", T.date()),
        now=T, people=huddle_list(loaded, system_hub, system, T),
        options=huddle_filter_options(loaded, system_hub, system, T), synthetic=True)
    page = list(component_nodes(as_sent(huddle_layout.build(view))))
    badged = [node for node in page if node.get("props", {}).get("className") == "longest-badge"]
    assert len(badged) == 1  # E5, 24 days; nobody else has waited 21 days
    count = next(node for node in page if node.get("props", {}).get("id") ==
                 "huddle-longest-count")
    assert count["props"]["children"] == "1"
