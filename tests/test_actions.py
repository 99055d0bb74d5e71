"""The huddle's actions on each person, in the access layer: only a hub lead of the person's
area records or changes one; two changes on the same version never overwrite each other; every
version is kept with before and after; every view and change is audited; free text is kept as
given, never cut or completed."""

from __future__ import annotations

from datetime import datetime

import pytest

from dashboard.clock import LONDON, same_time_yesterday, to_utc_naive
from dashboard.escalation import NO_ACTION, NO_REASON, OVERDUE, WAITED, Flag
from data_access.access import AccessDenied, load_scope
from data_access.actions import (
    ActionError,
    VersionConflict,
    action_history,
    actions_in_area,
    change_action,
    escalation_list,
    offer_place,
    places_for,
    record_action,
    since_then,
)
from data_access.audit import recent_events
from tests.accounts import add_user
from tests.builders import (
    EPISODE_HEADER,
    GEOGRAPHY,
    TODAY_AT,
    TODAY_CAPACITY,
    TODAY_DELAYS,
    TODAY_EPISODES,
    checked_area,
    load_files,
)

LATER = datetime(2026, 11, 25, 9, 0, tzinfo=LONDON)
STEP = {"kind": "package_sourced", "detail": "Ask the agency about a morning call",
        "owner_team": "Place one reablement", "due_at": "2026-11-25T17:00", "status": "open"}


@pytest.fixture
def huddle(engine, tmp_path):
    """The Today case (E1-E5, E7, E11 live in N1, place one); hub leads of place one (two) and
    of place two."""
    assert load_files(engine, tmp_path / "case", {
        **GEOGRAPHY, "episodes.csv": TODAY_EPISODES, "delays.csv": TODAY_DELAYS}).loaded
    leads = {name: load_scope(engine, add_user(engine, "hub_lead", (area,), name))
             for name, area in (("ana", "D1"), ("ben", "D1"), ("cy", "D2"))}
    return engine, leads


def test_a_hub_lead_records_an_action_and_another_changes_it_with_the_history_kept(huddle):
    engine, leads = huddle
    ana, ben = leads["ana"], leads["ben"]
    action = record_action(engine, ana, checked_area(engine, ana, "D1"), "E2", STEP, TODAY_AT)
    shown = actions_in_area(engine, ben, checked_area(engine, ben, "N1"), TODAY_AT)
    assert list(zip(shown.id, shown.episode_id, shown.version, shown.created_by,
                    strict=True)) == [(action, "E2", 1, "ana")]
    assert shown.due_at[0] == datetime(2026, 11, 25, 17, 0, tzinfo=LONDON)
    version = change_action(engine, ben, checked_area(engine, ben, "D1"), action, 1,
                            {**STEP, "status": "done"}, LATER)
    assert version == 2
    history = action_history(engine, ana, checked_area(engine, ana, "D1"), action, LATER)
    assert list(history.version) == [1, 2] and list(history.changed_by) == ["ana", "ben"]
    assert history.before[0] is None and history.after[0]["status"] == "open"
    assert history.before[1]["status"] == "open" and history.after[1]["status"] == "done"
    assert history.after[1]["due_at"] == "2026-11-25T17:00"  # London time, as entered


def test_a_change_on_an_old_version_is_refused_and_writes_nothing(huddle):
    engine, leads = huddle
    ana, ben = leads["ana"], leads["ben"]
    place = checked_area(engine, ana, "D1")
    action = record_action(engine, ana, place, "E1", STEP, TODAY_AT)
    change_action(engine, ben, checked_area(engine, ben, "D1"), action, 1,
                  {**STEP, "owner_team": "Hospital discharge team"}, LATER)
    with pytest.raises(VersionConflict) as conflict:
        change_action(engine, ana, place, action, 1, {**STEP, "status": "done"}, LATER)
    assert str(conflict.value) == (
        "ben changed this action at 09:00 on 25 Nov (version 2) after you opened it (version "
        "1). Nothing was saved: read their change, then make yours again.")
    stored = actions_in_area(engine, ana, place, LATER)
    assert list(zip(stored.version, stored.status, stored.owner_team, strict=True)) == [
        (2, "open", "Hospital discharge team")]


def test_only_a_hub_lead_of_the_persons_area_may_write_or_read(huddle):
    engine, leads = huddle
    cy = leads["cy"]
    with pytest.raises(AccessDenied):  # place one is outside cy's hub
        checked_area(engine, cy, "D1")
    with pytest.raises(ActionError, match="there is no person 'E2' in Place two"):
        record_action(engine, cy, checked_area(engine, cy, "D2"), "E2", STEP, TODAY_AT)
    for role in ("executive", "place_manager", "data_manager"):
        scope = load_scope(engine, add_user(engine, role))
        area = checked_area(engine, scope, "D1", "figures")
        with pytest.raises(AccessDenied):
            record_action(engine, scope, area, "E2", STEP, TODAY_AT)
        with pytest.raises(AccessDenied):
            actions_in_area(engine, scope, area, TODAY_AT)
    refused = recent_events(engine, action="refused")
    assert {"test-executive", "test-place_manager", "test-data_manager"} <= set(refused.username)


def test_every_view_and_change_is_audited(huddle):
    engine, leads = huddle
    ana = leads["ana"]
    place = checked_area(engine, ana, "D1")
    action = record_action(engine, ana, place, "E2", STEP, TODAY_AT)
    change_action(engine, ana, place, action, 1, {**STEP, "status": "done"}, LATER)
    actions_in_area(engine, ana, place, LATER)
    action_history(engine, ana, place, action, LATER)
    events = recent_events(engine, username="ana")
    assert list(events.action)[::-1][-4:] == ["action_recorded", "action_changed",
                                              "view_people", "view_people"]
    assert events.scope.iloc[-1] == "episode E2"  # the first: recorded on the person


@pytest.mark.parametrize(("change", "reason"), [
    ({"kind": "teleport"}, "the kind of step must be one of"),
    ({"status": "stuck"}, "the status must be one of open, done, blocked"),
    ({"status": "blocked"}, "a blocked action needs the reason it is blocked"),
    ({"detail": "x" * 501}, "detail is longer than 500 characters"),
    ({"owner_team": "  "}, "an action needs an owner"),
    ({"due_at": "tomorrow"}, "due_at: 'tomorrow' is not an ISO 8601 timestamp"),
    ({"due_at": None}, "an action needs a due time"),
    ({"detail": "half \ud800 a pair"}, "detail holds a character text cannot hold"),
])
def test_a_bad_action_is_refused_with_the_reason_and_nothing_is_written(huddle, change, reason):
    engine, leads = huddle
    ana = leads["ana"]
    place = checked_area(engine, ana, "D1")
    with pytest.raises(ActionError, match=reason.replace("(", r"\(")):
        record_action(engine, ana, place, "E2", {**STEP, **change}, TODAY_AT)
    assert actions_in_area(engine, ana, place, TODAY_AT).empty


def test_hostile_free_text_is_kept_exactly_as_given(huddle):
    engine, leads = huddle
    ana = leads["ana"]
    place = checked_area(engine, ana, "D1")
    hostile = '<script>alert(1)</script> =HYPERLINK("http://x") \'; DROP TABLE episodes; --'
    record_action(engine, ana, place, "E2", {**STEP, "detail": hostile}, TODAY_AT)
    assert actions_in_area(engine, ana, place, TODAY_AT).detail[0] == hostile.strip()


def test_the_escalation_list_flags_who_is_stuck_longest_first(huddle):
    """Place one at 08:30 on 25 Nov: E5 has waited 24 days 30 min since NCTR (1 Nov 08:00)
    with a reason (C5) and no action; E2 exactly 24 hours, with a reason: no flag; E1 half an
    hour, no reason yet. Then an action on E5 due at 08:00 today, still open."""
    engine, leads = huddle
    ana = leads["ana"]
    place = checked_area(engine, ana, "D1")

    def at(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=LONDON)

    listed = escalation_list(engine, ana, place, TODAY_AT)
    assert list(zip(listed.episode_id, listed.level, listed.raised, strict=True)) == [
        ("E5", 3, [Flag(WAITED[21], 3, at("2026-11-22T08:00")),
                   Flag(NO_ACTION, 1, at("2026-11-02T08:00"))]),
        ("E1", 1, [Flag(NO_REASON, 1, at("2026-11-25T08:00"))])]
    record_action(engine, ana, place, "E5", {**STEP, "due_at": "2026-11-25T08:00"}, TODAY_AT)
    listed = escalation_list(engine, ana, place, TODAY_AT)
    assert listed.raised[0] == [Flag(WAITED[21], 3, at("2026-11-22T08:00")),
                               Flag(OVERDUE, 2, at("2026-11-25T08:00"))]


# Three more home-based services for the whole system, beside place one's P1H (free 2 at 08:00
# today): P1Y free 5 at 06:00, P1S free 2 at 07:00, P1Z free 9 but reported 24.5 hours ago.
MORE_SERVICES = """
    code,name,pathway,setting,provider,sector,area_code,places
    P1Y,System home care,1,home,Agency Y,independent,ICB1,10
    P1S,System night sitting,1,home,Agency S,independent,ICB1,4
    P1Z,System rapid response,1,home,Agency Z,independent,ICB1,9
"""
MORE_CAPACITY = TODAY_CAPACITY + """\
P1Y,2026-11-25T06:00,10,5,0
P1S,2026-11-25T07:00,4,2,0
P1Z,2026-11-24T08:00,9,0,0
"""


def test_places_are_matched_by_free_places_then_freshness_and_never_from_a_stale_report(
        huddle, tmp_path):
    engine, leads = huddle
    assert load_files(engine, tmp_path / "capacity", {"services.csv": MORE_SERVICES,
                                                       "capacity.csv": MORE_CAPACITY}).loaded
    ana = leads["ana"]
    place = checked_area(engine, ana, "D1")
    shortlist = places_for(engine, ana, place, "E2", TODAY_AT)  # pathway 1, home N1
    assert list(zip(shortlist.service_code, shortlist.free, strict=True)) == [
        ("P1Y", 5), ("P1H", 2), ("P1S", 2)]  # P1H's report (08:00) is fresher than P1S's
    # E5 waits for pathway 2: the system's beds last reported 24.5 hours ago are not offered.
    assert places_for(engine, ana, place, "E5", TODAY_AT).empty
    with pytest.raises(ActionError, match="pathway is not recorded"):
        places_for(engine, ana, place, "E1", TODAY_AT)
    # One click: the offer is an action on the person, owned by the provider, due in a day.
    action = offer_place(engine, ana, place, "E2", "P1Y", TODAY_AT)
    offered = actions_in_area(engine, ana, place, TODAY_AT).set_index("id").loc[action]
    assert (offered.kind, offered.detail, offered.owner_team, offered.due_at) == (
        "bed_offered", "Offered to System home care", "Agency Y",
        datetime(2026, 11, 26, 8, 30, tzinfo=LONDON))
    with pytest.raises(ActionError, match="'P1Z' has no free place for this person in a current"):
        offer_place(engine, ana, place, "E2", "P1Z", TODAY_AT)


CARE_HOMES = """
    code,name,pathway,setting,provider,sector,area_code,places,meets_needs
    P3N,Nursing home N,3,bed,Home N Ltd,independent,ICB1,6,nursing|dementia
    P3R,Residential home R,3,bed,Home R Ltd,independent,D2,8,dementia
    P3U,Care home U,3,bed,Home U Ltd,independent,D2,3,
"""
CARE_HOME_REPORTS = """\
service_code,reported_at,places,occupied,unavailable
P3N,2026-11-25T07:00,6,4,0
P3R,2026-11-25T06:00,8,4,0
P3U,2026-11-25T08:00,3,2,0
"""
E3_NEEDS_NURSING = EPISODE_HEADER.replace("\n", ",needs\n") + (
    "E3,p3,S1,N2,82,F,2026-11-20T10:00,2026-11-24T08:29,2026-11-24T09:00,3,,,,,,,,Nursing\n")


def test_a_persons_needs_leave_out_places_that_do_not_meet_them(huddle, tmp_path):
    """E3 (place two) waits for a care home (pathway 3). Free now: P3R 4 (06:00 report), P3N 2
    (07:00), P3U 1 (08:00); P3C has no report, so is never offered. With no needs recorded all
    three, most free first. Once E3 needs nursing: P3R (dementia only, a residential home) is
    left out, P3N (nursing and dementia) meets them, and P3U, which records nothing, stays
    marked to check."""
    engine, leads = huddle
    assert load_files(engine, tmp_path / "homes", {"services.csv": CARE_HOMES,
                                                    "capacity.csv": CARE_HOME_REPORTS}).loaded
    cy = leads["cy"]
    place = checked_area(engine, cy, "D2")
    before = places_for(engine, cy, place, "E3", TODAY_AT)
    assert list(zip(before.service_code, before.free, before.meets, strict=True)) == [
        ("P3R", 4, ""), ("P3N", 2, ""), ("P3U", 1, "")]
    assert load_files(engine, tmp_path / "needs", {"episodes.csv": E3_NEEDS_NURSING}).loaded
    after = places_for(engine, cy, place, "E3", TODAY_AT)
    assert list(zip(after.service_code, after.free, after.meets, strict=True)) == [
        ("P3N", 2, "yes"), ("P3U", 1, "not recorded")]
    with pytest.raises(ActionError, match="'P3R' has no free place for this person"):
        offer_place(engine, cy, place, "E3", "P3R", TODAY_AT)


def test_needs_are_refused_with_the_line_and_reason_unless_known(huddle, tmp_path):
    engine, _ = huddle
    report = load_files(engine, tmp_path / "bad", {
        "episodes.csv": E3_NEEDS_NURSING.replace(",Nursing", ",nursing|flying"),
        "services.csv": CARE_HOMES.replace(",dementia\n", ",none|dementia\n")})
    assert not report.loaded
    reasons = " ".join(str(rejection) for rejection in report.rejections)
    assert "'nursing|flying' is not a list of nursing, dementia, bariatric" in reasons
    assert "'none|dementia' says none and names a need" in reasons


def test_since_yesterdays_huddle_who_is_new_who_left_and_where_reasons_and_actions(huddle):
    """From 08:30 on 24 Nov to 08:30 on 25 Nov. Place one (N1): new E6 (NCTR 24 Nov 10:00) and
    E1 (25 Nov 08:00), not E2 (NCTR at 08:30 on the 24th, the moment itself); left E12 (12:00,
    pathway 0), E7 (15:00, to Place one reablement) and E6 (08:30 today). Place two (N2): its
    reasons changed for E3 at 09:00 (T1) and 20:00 (I6); E2's at 08:30 on the 24th is not
    since then. Actions: one on E2 due at 17:00 on the 24th, still open (overdue since), one on
    E5 marked done at 08:00 today."""
    engine, leads = huddle
    ana, cy = leads["ana"], leads["cy"]
    place = checked_area(engine, ana, "D1")
    yesterday = datetime(2026, 11, 24, 8, 30, tzinfo=LONDON)
    late = record_action(engine, ana, place, "E2", {**STEP, "due_at": "2026-11-24T17:00"},
                         datetime(2026, 11, 24, 9, 0, tzinfo=LONDON))
    finished = record_action(engine, ana, place, "E5", STEP,
                             datetime(2026, 11, 24, 9, 0, tzinfo=LONDON))
    change_action(engine, ana, place, finished, 1, {**STEP, "status": "done"},
                  datetime(2026, 11, 25, 8, 0, tzinfo=LONDON))
    changes = since_then(engine, ana, place, yesterday, TODAY_AT)
    assert list(changes.new.episode_id) == ["E6", "E1"]
    assert list(zip(changes.left.episode_id, changes.left.pathway.astype(int),
                    changes.left.service.fillna("–"), strict=True)) == [
        ("E12", 0, "–"), ("E7", 1, "Place one reablement"), ("E6", 0, "–")]
    assert changes.reason_changed.empty
    assert list(changes.done.id) == [finished] and list(changes.became_overdue.id) == [late]
    assert changes.left.discharged_at[0] == datetime(2026, 11, 24, 12, 0, tzinfo=LONDON)
    other = since_then(engine, cy, checked_area(engine, cy, "D2"), yesterday, TODAY_AT)
    assert list(zip(other.reason_changed.episode_id, other.reason_changed.reason_code,
                    strict=True)) == [("E3", "T1"), ("E3", "I6")]
    assert other.done.empty and other.became_overdue.empty  # actions of place one's people
    assert recent_events(engine, username="cy").action.iloc[0] == "view_people"


def test_the_same_time_yesterday_is_23_or_25_hours_back_across_a_clock_change():
    """Clocks went back at 02:00 on Sunday 25 Oct 2026 and forward at 01:00 on 29 Mar 2026."""
    autumn = same_time_yesterday(datetime(2026, 10, 25, 8, 30, tzinfo=LONDON))  # 08:30 GMT
    assert to_utc_naive(autumn) == datetime(2026, 10, 24, 7, 30)  # 08:30 BST: 25 hours back
    spring = same_time_yesterday(datetime(2026, 3, 29, 8, 30, tzinfo=LONDON))  # 08:30 BST
    assert to_utc_naive(spring) == datetime(2026, 3, 28, 8, 30)  # 08:30 GMT: 23 hours back
    assert same_time_yesterday(TODAY_AT) == datetime(2026, 11, 24, 8, 30, tzinfo=LONDON)


AUTUMN = EPISODE_HEADER + """\
A1,a1,S1,N1,80,F,2026-10-20T10:00,2026-10-24T08:15,,,,,,,,,
A2,a2,S1,N1,80,F,2026-10-20T10:00,2026-10-24T08:45,,,,,,,,,
A3,a3,S1,N1,80,F,2026-10-20T10:00,2026-10-24T09:15,,,,,,,,,
A4,a4,S1,N1,80,F,2026-10-20T10:00,2026-10-25T08:15,,,,,,,,,
"""


def test_since_yesterdays_huddle_across_the_clock_change(huddle, tmp_path):
    """At 08:30 GMT on Sunday 25 Oct 2026 (clocks went back at 02:00), yesterday's huddle was
    at 08:30 BST (07:30 UTC), 25 hours before. New since: A2 (NCTR 08:45 BST), A3 (09:15 BST)
    and A4 (08:15 GMT today); not A1 (08:15 BST, before the huddle). Looking back 24 hours
    instead (from 08:30 UTC = 09:30 BST) would miss A2 and A3."""
    engine, leads = huddle
    assert load_files(engine, tmp_path / "autumn", {"episodes.csv": AUTUMN}).loaded
    ana = leads["ana"]
    now = datetime(2026, 10, 25, 8, 30, tzinfo=LONDON)
    changes = since_then(engine, ana, checked_area(engine, ana, "D1"),
                         same_time_yesterday(now), now)
    assert list(changes.new.episode_id) == ["A2", "A3", "A4"]
    assert changes.since == datetime(2026, 10, 24, 8, 30, tzinfo=LONDON)


def test_an_identifier_no_database_can_hold_names_nobody(huddle):
    """PostgreSQL cannot compare text holding NUL: such an identifier is refused in words."""
    engine, leads = huddle
    ana = leads["ana"]
    place = checked_area(engine, ana, "D1")
    for unstorable in ("E2\x00", "E\ud8002"):
        with pytest.raises(ActionError, match="there is no person"):
            places_for(engine, ana, place, unstorable, TODAY_AT)
        with pytest.raises(ActionError, match="there is no person"):
            record_action(engine, ana, place, unstorable, STEP, TODAY_AT)
