"""System trigger levels: known answers at every boundary (pure), trigger_levels.csv through the
loader (each bad row rejected with its line and reason), the level on Today's hand-made case
worked by hand, the history appended only on a change, and the Today card that shows it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from callbacks import today as today_page
from dashboard.app_factory import create_app
from dashboard.cache import ViewCache
from dashboard.clock import FixedClock
from dashboard.config import Settings
from dashboard.context import AppContext
from dashboard.trigger_levels import (
    ACTIONS_LIMIT,
    TRIGGER_MEASURES,
    Threshold,
    area_level,
    measure_level,
    order_problem,
)
from dashboard.url_state import read_view_state
from data_access.audit import recent_events
from data_access.loader import load_batch
from data_access.metrics.today import today_summary
from data_access.models import TriggerLevelChange
from data_access.trigger_levels import set_trigger_level, trigger_levels_now, trigger_thresholds
from tests.accounts import add_user, sign_in_client
from tests.builders import (
    GEOGRAPHY,
    TODAY_AT,
    TODAY_CAPACITY,
    TODAY_DELAYS,
    TODAY_EPISODES,
    TODAY_TRIGGER_LEVELS,
    load_files,
    system_area,
)
from tests.test_data_page import by_id, walk
from tests.test_data_page import text as texts

ROOT = Path(__file__).resolve().parent.parent
HEADER = "area_code,measure,level,threshold,actions\n"


def levels(measure: str, *thresholds: tuple[int, float]) -> list[Threshold]:
    return [Threshold(measure, level, value, f"act at {level}") for level, value in thresholds]


# --- the pure rule ----------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    (99.9, 1), (100.0, 2), (100.1, 2), (199.9, 2), (200.0, 3), (299.9, 3), (300.0, 4), (900, 4)])
def test_where_higher_is_worse_a_level_begins_at_its_threshold(value, expected):
    """Waiting per 100,000 aged 65+, levels 2/3/4 from 100/200/300: at the threshold is at the
    level (100.0 -> 2), just better is not (99.9 -> 1)."""
    thresholds = levels("waiting_per_100k_65", (2, 100), (3, 200), (4, 300))
    reached = measure_level(TRIGGER_MEASURES["waiting_per_100k_65"], value, thresholds)
    assert reached.level == expected
    assert reached.threshold == {1: None, 2: 100, 3: 200, 4: 300}[expected]
    assert reached.actions == ("" if expected == 1 else f"act at {expected}")


@pytest.mark.parametrize(("value", "expected"), [
    (6, 1), (5, 2), (3, 2), (2, 3), (1, 3), (0, 4)])
def test_where_lower_is_worse_a_level_begins_at_its_threshold(value, expected):
    """Free places on pathway 1, levels 2/3/4 from 5/2/0 places or fewer: 5 is level 2, 6 is
    not; 2 is level 3, 3 is not; 0 is level 4, 1 is not."""
    thresholds = levels("free_places_p1", (2, 5), (3, 2), (4, 0))
    assert measure_level(TRIGGER_MEASURES["free_places_p1"], value, thresholds).level == expected


def test_a_share_at_its_threshold_is_at_the_level_and_just_above_it_is_not():
    """Within 24 h, level 2 from 60% or less: 60.0% is level 2; 60.1% is level 1."""
    share = TRIGGER_MEASURES["within_24h_percent"]
    thresholds = levels("within_24h_percent", (2, 60))
    assert measure_level(share, 60.0, thresholds).level == 2
    assert measure_level(share, 60.1, thresholds).level == 1


def test_the_area_takes_the_highest_level_and_names_every_measure_at_it():
    """21+ days at 4 (level 3 from 4), free P1 at 2 (level 3 from 2), waiting per 100k at 150
    (level 2 from 100, 3 from 200): level 3, set by both level-3 measures, never the level-2 one.
    """
    thresholds = (levels("waiting_21_days_plus", (2, 2), (3, 4))
                  + levels("free_places_p1", (2, 5), (3, 2))
                  + levels("waiting_per_100k_65", (2, 100), (3, 200)))
    level = area_level({"waiting_21_days_plus": 4, "free_places_p1": 2,
                        "waiting_per_100k_65": 150}, thresholds)
    assert (level.level, level.name) == (3, "severe pressure")
    assert [m.measure for m in level.set_by] == ["waiting_21_days_plus", "free_places_p1"]
    assert level.no_data == ()
    # One measure alone at the top sets it alone.
    alone = area_level({"waiting_21_days_plus": 4, "free_places_p1": 3,
                        "waiting_per_100k_65": 150}, thresholds)
    assert [m.measure for m in alone.set_by] == ["waiting_21_days_plus"]


def test_a_measure_without_a_value_sets_no_level_and_is_named():
    """Free P2 has thresholds but no current report (None): it sets no level, even though no
    places at all would be level 4; the area's level comes from 21+ days alone (1 < 2: level 1,
    set by no measure). With no value for any measure the level is unknown, not guessed."""
    thresholds = levels("free_places_p2", (4, 0)) + levels("waiting_21_days_plus", (2, 2))
    level = area_level({"free_places_p2": None, "waiting_21_days_plus": 1}, thresholds)
    assert (level.level, level.set_by, level.no_data) == (1, (), ("free_places_p2",))
    unknown = area_level({"free_places_p2": None}, thresholds)
    assert (unknown.level, unknown.name) == (None, "unknown")
    # Named in the registry's order.
    assert unknown.no_data == ("waiting_21_days_plus", "free_places_p2")
    # A measure without thresholds is not read at all.
    assert area_level({"free_places_p3": 0}, thresholds).no_data == \
        ("waiting_21_days_plus", "free_places_p2")


def test_thresholds_must_rise_in_severity_across_levels():
    higher_worse, lower_worse = (TRIGGER_MEASURES["waiting_21_days_plus"],
                                 TRIGGER_MEASURES["free_places_p1"])
    assert order_problem(higher_worse, {2: 2, 3: 4, 4: 9}) is None
    assert order_problem(higher_worse, {2: 5, 3: 4}) == (
        "the level 3 threshold 4 is not more severe than level 2's 5 (higher is worse for "
        "waiting_21_days_plus)")
    assert order_problem(higher_worse, {2: 4, 4: 4}) is not None  # equal: level 2 unreachable
    assert order_problem(lower_worse, {2: 5, 3: 2, 4: 0}) is None
    assert order_problem(lower_worse, {3: 2, 4: 3}) == (
        "the level 4 threshold 3 is not more severe than level 3's 2 (lower is worse for "
        "free_places_p1)")


# --- the loader -------------------------------------------------------------------------------

def _load(engine, folder, body, **options):
    assert load_files(engine, folder / "geography", GEOGRAPHY).loaded
    return load_files(engine, folder / "levels", {"trigger_levels.csv": body}, **options)


def test_every_bad_trigger_level_is_rejected_with_its_line_and_reason(engine, tmp_path):
    long_text = "x" * (ACTIONS_LIMIT + 1)
    bad = HEADER + f"""\
ICB1,waiting_per_100k_65,2,100,Daily call
NOWHERE,waiting_per_100k_65,2,100,Daily call
ICB1,beds_free,2,1,Call
ICB1,waiting_per_100k_65,5,300,Call
ICB1,waiting_per_100k_65,1,50,Call
ICB1,within_24h_percent,2,101,Call
ICB1,free_places_p1,2,-1,Call
ICB1,free_places_p2,2,many,Call
ICB1,free_places_p3,2,3,{long_text}
ICB1,waiting_21_days_plus,2,5,Review
ICB1,waiting_21_days_plus,3,4,Escalate
ICB1,free_places_p3,3,1,
"""
    report = _load(engine, tmp_path, bad)
    assert not report.loaded
    assert {r.line: r.reason for r in report.rejections} == {
        3: "area_code 'NOWHERE' is not known (not in areas.csv or the database)",
        4: f"measure: 'beds_free' is not one of {', '.join(TRIGGER_MEASURES)}",
        5: "level: '5' is outside 1 to 4",
        6: "level: level 1 (steady) has no threshold: an area is at level 1 while no measure "
           "reaches its level 2 threshold or above; give levels 2 to 4",
        7: "threshold: a share cannot be above 100%",
        8: "threshold: a threshold cannot be below 0",
        9: "threshold: 'many' is not a number",
        10: f"actions: longer than {ACTIONS_LIMIT} characters",
        # Out of order (level 3 less severe than level 2): both rows named, neither chosen.
        11: "waiting_21_days_plus for ICB1: the level 3 threshold 4 is not more severe than "
            "level 2's 5 (higher is worse for waiting_21_days_plus)",
        12: "waiting_21_days_plus for ICB1: the level 3 threshold 4 is not more severe than "
            "level 2's 5 (higher is worse for waiting_21_days_plus)",
        13: "actions is missing",
    }
    assert trigger_thresholds(engine, system_area(engine, "ICB1")) == []  # nothing written


def test_a_nul_in_the_actions_is_refused_before_any_query(engine, tmp_path):
    assert load_files(engine, tmp_path / "geography", GEOGRAPHY).loaded
    record = {"area_code": "ICB1", "measure": "free_places_p1", "level": "2", "threshold": "5",
              "actions": "Call\x00"}
    report = load_batch(engine, {"trigger_levels.csv": [(0, record)]}, source="test",
                        unit="record")
    assert [(r.line, r.reason) for r in report.rejections] == [
        (0, "actions: holds a NUL character or half of a UTF-16 pair, which text cannot hold")]


def test_order_is_checked_against_the_stored_levels_and_a_batch_may_move_them_all(engine,
                                                                               tmp_path):
    """Stored: free P1 level 2 from 5, level 3 from 2. Level 4 from 3 (more places than level
    3's 2) is out of order; moving all three together (8, 5, 2) is in order."""
    first = HEADER + "ICB1,free_places_p1,2,5,Ask\nICB1,free_places_p1,3,2,Buy\n"
    assert _load(engine, tmp_path, first).loaded
    wrong = load_files(engine, tmp_path / "wrong", {
        "trigger_levels.csv": HEADER + "ICB1,free_places_p1,4,3,Aid\n"})
    assert [r.reason for r in wrong.rejections] == [
        "free_places_p1 for ICB1: the level 4 threshold 3 is not more severe than level 3's 2 "
        "(lower is worse for free_places_p1)"]
    moved = load_files(engine, tmp_path / "moved", {"trigger_levels.csv": HEADER + (
        "ICB1,free_places_p1,2,8,Ask\nICB1,free_places_p1,3,5,Buy\n"
        "ICB1,free_places_p1,4,2,Aid\n")})
    assert moved.loaded and not moved.rejections
    stored = trigger_thresholds(engine, system_area(engine, "ICB1"))
    assert [(t.level, t.threshold) for t in stored] == [(2, 8.0), (3, 5.0), (4, 2.0)]


# --- the level on Today's case, and its history -----------------------------------------------

@pytest.fixture
def today(engine, tmp_path):
    report = load_files(engine, tmp_path / "today", {
        **GEOGRAPHY, "episodes.csv": TODAY_EPISODES, "capacity.csv": TODAY_CAPACITY,
        "delays.csv": TODAY_DELAYS, "trigger_levels.csv": TODAY_TRIGGER_LEVELS})
    assert report.loaded and not report.rejections, report.summary()
    return engine


def _now(engine, code="ICB1", at=TODAY_AT):
    area = system_area(engine, code)
    return trigger_levels_now(engine, area, today_summary(engine, area, at))


def _history(engine):
    with engine.connect() as connection:
        return connection.execute(select(TriggerLevelChange.area_code, TriggerLevelChange.level,
                                         TriggerLevelChange.measures)
                                  .order_by(TriggerLevelChange.at)).all()


def test_the_system_level_on_todays_case_worked_by_hand(today):
    """T = 25 Nov 2026 08:30, the system ICB1 (3,000 aged 65+), TODAY_TRIGGER_LEVELS:

    - waiting now 5 (E1-E5): 5 / 3,000 x 100,000 = 166.7 per 100k; >= 100 (level 2), < 200:
      level 2.
    - waiting 21+ days: 1 (E5, 24 days); >= 1 (level 2, at the boundary), < 3: level 2.
    - free places, pathway 1: P1H 2 (10 - 7 - 1, its 08:00 report) + P1X 0 (reported exactly
      24.0 h ago, still current; over-full) = 2; <= 5 (level 2), <= 2 (level 3, at the
      boundary), > 0: level 3.
    - free places, pathway 2: P2B's only report is 24.5 h old (stale): no data, no level.
    - pathway 3: P3C never reported, and no threshold set: not read.
    - within 24 h, last 7 days: 1 of 3 (E9 at exactly 24.0 h; E7 28 h, E10 50 h) = 33.3%;
      <= 60 (level 2), <= 34 (level 3): level 3.

    Level 3 (severe pressure), set by free places on pathway 1 and the share within 24 h."""
    now = _now(today)
    level = now.level
    assert (level.level, level.name) == (3, "severe pressure")
    assert [(m.measure, m.value, m.threshold) for m in level.set_by] == [
        ("free_places_p1", 2.0, 2.0), ("within_24h_percent", pytest.approx(100 / 3), 34.0)]
    assert [m.actions for m in level.set_by] == [
        "Spot-purchase home care; open the bridging team", "Daily call with every provider"]
    assert level.no_data == ("free_places_p2",)
    assert [(c.at, c.level) for c in now.changes] == [(TODAY_AT, 3)]


def test_the_history_is_appended_only_when_the_level_changes(today, tmp_path):
    """At T + 1 h (09:30) the level is still 3: the share within 24 h is still 1 of the same 3
    (33.3% <= 34), though free P1 places are now 8 (P1H's 09:00 report, 10 - 2 - 0; P1X's
    report is 25 h old, stale): no new row. Then the level-3 thresholds of free P1 and the share
    move out of reach (1 place, 30%); at T + 2 h (10:30) waiting is still 5 (166.7 per 100k,
    level 2), 21+ days still 1 (level 2), the share 33.3% <= 60 (level 2) and free P1 8 > 5
    (level 1): level 2, a new row naming the three level-2 measures."""
    first = _now(today)
    assert _now(today, at=TODAY_AT + timedelta(hours=1)).changes == first.changes  # same level
    assert load_files(today, tmp_path / "moved", {"trigger_levels.csv": HEADER + (
        "ICB1,free_places_p1,3,1,Buy\nICB1,within_24h_percent,3,30,Call\n")}).loaded
    later = _now(today, at=TODAY_AT + timedelta(hours=2))
    assert later.level.level == 2
    assert [(c.at, c.level) for c in later.changes] == [
        (TODAY_AT + timedelta(hours=2), 2), (TODAY_AT, 3)]
    assert later.changes[0].reason == (
        "Waiting per 100,000 aged 65+: 166.7 (level 2: ≥ 100.0); Waiting 21 days or more: 1 "
        "(level 2: ≥ 1); Within 24 h of NCTR, last 7 days: 33% (level 2: ≤ 60%)")
    # The same level again, and a look back at T (before the latest row), write nothing.
    _now(today, at=TODAY_AT + timedelta(hours=3))
    _now(today, at=TODAY_AT)
    assert _history(today) == [
        ("ICB1", 3, "free_places_p1,within_24h_percent"),
        ("ICB1", 2, "waiting_per_100k_65,waiting_21_days_plus,within_24h_percent")]


def test_an_area_without_trigger_levels_has_no_level_and_records_nothing(today):
    assert _now(today, "D1").level is None
    assert _history(today) == []


def test_the_scheduled_command_records_the_level(today, database_url):
    env = {**os.environ, "DATABASE_URL": database_url, "DASHBOARD_NOW": TODAY_AT.isoformat()}
    result = subprocess.run([sys.executable, "-m", "dashboard", "trigger-levels"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ICB1: level 3 (severe pressure)\n"
    assert _history(today) == [("ICB1", 3, "free_places_p1,within_24h_percent")]


# --- Today shows it ---------------------------------------------------------------------------

def text(node) -> str:
    """The words of a component, spaces as a reader sees them."""
    return " ".join(texts(node).split())


def _today_tree(engine, code):
    clock = FixedClock(TODAY_AT)
    context = AppContext(engine=engine, clock=clock, views=ViewCache(engine, clock))
    state = read_view_state(f"?area={code}", TODAY_AT.date())
    return today_page.render(context, system_area(engine, code), state,
                             lambda path: f"{path}?area={code}")


def test_today_shows_the_level_what_set_it_what_to_do_and_the_changes(today, tmp_path):
    # Actions are text: markup in them is shown as written, never made into elements.
    assert load_files(today, tmp_path / "markup", {"trigger_levels.csv": HEADER + (
        "ICB1,within_24h_percent,3,34,<b>Call</b> every provider\n")}).loaded
    tree = _today_tree(today, "ICB1")
    assert text(by_id(tree, "escalation-level")) == "Escalation level 3 (severe pressure)"
    assert text(by_id(tree, "escalation-set-by")) == (
        "Free places, pathway 1: 2 (level 3: ≤ 2) What to do: Spot-purchase home care; open the "
        "bridging team "
        "Within 24 h of NCTR, last 7 days: 33% (level 3: ≤ 34%) What to do: <b>Call</b> every "
        "provider "
        "Free places, pathway 2: no data now, so no level")
    actions = by_id(tree, "escalation-do-within_24h_percent")
    assert actions.children == "<b>Call</b> every provider"  # a string: Dash sends it as text
    assert not [n for n in walk(tree) if type(n).__name__ == "B"]
    assert text(by_id(tree, "escalation-changes")) == "08:30 Wed 25 Nov 2026: level 3 (severe " \
        "pressure)"


def test_today_says_where_no_trigger_levels_are_set_and_where_to_set_them(today):
    tree = _today_tree(today, "D1")
    assert text(by_id(tree, "escalation-none")) == "No trigger levels are set for Place one."
    assert "A data manager sets them on the Goals page, or in trigger_levels.csv" in text(tree)


# --- set on the Goals page ----------------------------------------------------------------------

def test_a_trigger_level_set_on_the_page_passes_the_same_checks_and_names_who(engine, tmp_path):
    assert load_files(engine, tmp_path / "geography", GEOGRAPHY).loaded
    clock, place = FixedClock(TODAY_AT), system_area(engine, "D2")
    refused = set_trigger_level(engine, place, "within_24h_percent", "2", "101", "Call",
                                set_by="dm", clock=clock)
    assert [r.reason for r in refused.rejections] == ["threshold: a share cannot be above 100%"]
    assert set_trigger_level(engine, place, "free_places_p1", "3", "2", "Buy", set_by="dm",
                             clock=clock).loaded
    # Level 2 from 1 place or fewer would be more severe than level 3's 2: out of order.
    wrong = set_trigger_level(engine, place, "free_places_p1", "2", "1", "Ask", set_by="dm",
                              clock=clock)
    assert [r.reason for r in wrong.rejections] == [
        "free_places_p1 for D2: the level 3 threshold 2 is not more severe than level 2's 1 "
        "(lower is worse for free_places_p1)"]
    report = set_trigger_level(engine, place, "free_places_p1", "2", "5", "Ask", set_by="dm",
                               clock=clock)
    assert report.loaded and report.source == "Goals page: dm"
    assert [(t.level, t.threshold, t.actions) for t in trigger_thresholds(engine, place)] == [
        (2, 5.0, "Ask"), (3, 2.0, "Buy")]


def _set_on_page(client, values: dict) -> tuple[int, str]:
    """Press the Goals page's "Set the trigger level" with ``values`` ("id.prop" -> value), as
    the browser posts it: (status, body)."""
    def listed(names):
        return [{"id": n.split(".")[0], "property": n.split(".")[1], "value": values.get(n)}
                for n in names]

    answer = client.post("/_dash-update-component", json={
        "output": "..trigger-message.children...trigger-levels-list.children..",
        "outputs": [{"id": "trigger-message", "property": "children"},
                    {"id": "trigger-levels-list", "property": "children"}],
        "inputs": listed(["trigger-save.n_clicks"]),
        "state": listed(["trigger-measure.value", "trigger-level.value",
                         "trigger-threshold.value", "trigger-actions.value", "url.search"]),
        "changedPropIds": ["trigger-save.n_clicks"]})
    return answer.status_code, answer.get_data(as_text=True)


def test_the_goals_page_form_sets_a_trigger_level_for_a_data_manager_only_audited(
        engine, database_url, tmp_path):
    assert load_files(engine, tmp_path / "geography", GEOGRAPHY).loaded
    app = create_app(Settings(database_url=database_url, clock=FixedClock(TODAY_AT),
                              cache_type="null"), engine)
    clients = {}
    for role in ("data_manager", "executive"):
        clients[role] = app.server.test_client()
        clients[role].environ_base["HTTP_X_CSRFTOKEN"] = \
            sign_in_client(clients[role], add_user(engine, role))["X-CSRFToken"]
    form = {"trigger-save.n_clicks": 1, "url.search": "?area=D1",
            "trigger-measure.value": "waiting_21_days_plus", "trigger-level.value": "3",
            "trigger-threshold.value": 4, "trigger-actions.value": "Escalate each"}
    assert _set_on_page(clients["executive"], form)[0] == 403
    status, answer = _set_on_page(clients["data_manager"], form)
    assert status == 200 and "The trigger level is set." in answer and "Escalate each" in answer
    status, bad = _set_on_page(clients["data_manager"], {**form, "trigger-level.value": "1"})
    assert status == 200
    assert '"The trigger level was not set: ","level: level 1 (steady) has no threshold' in bad
    events = recent_events(engine)
    assert [(e.action, e.scope, e.username, e.detail) for e in events.itertuples()
            if e.action.startswith("trigger_level")] == [
        ("trigger_level_refused", "D1", "test-data_manager",
         "waiting_21_days_plus 1 4 Escalate each"),
        ("trigger_level_set", "D1", "test-data_manager", "waiting_21_days_plus 3 4 Escalate each")]
    assert [(t.measure, t.level, t.threshold) for t in
            trigger_thresholds(engine, system_area(engine, "D1"))] == \
        [("waiting_21_days_plus", 3, 4.0)]
