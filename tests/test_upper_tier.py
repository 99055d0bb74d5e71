"""Upper-tier local authorities (Health and Wellbeing Boards) in the area tree: an area of level
utla under its system takes in the districts that name it, for figures, scope, the picker and
goals; a district naming anything else is rejected with its line and reason."""

from __future__ import annotations

from datetime import date

import pytest

from data_access.access import AccessDenied, load_scope
from data_access.areas import picker_areas
from data_access.goals import goals_in_force
from data_access.metrics.discharge_delays import discharge_delays
from data_access.metrics.waiting import waiting_at
from tests.accounts import add_user
from tests.builders import (
    SERVICES,
    SITES,
    TODAY_AT,
    TODAY_EPISODES,
    checked_area,
    load_files,
    system_area,
)

# The test system, with a county (UT1) taking in place one, and place two a unitary authority
# whose council area has another code than its district (UT2); a second system with its own.
AREAS = """
    code,name,level,parent_code,population_65_plus,population_all,upper_tier_code
    ICB1,Test system,icb,,3000,10000,
    UT1,County one (Health and Wellbeing Board),utla,ICB1,1000,4000,
    UT2,Unitary two (Health and Wellbeing Board),utla,ICB1,2000,6000,
    D1,Place one,district,ICB1,1000,4000,UT1
    D2,Place two,district,ICB1,2000,6000,UT2
    N1,Neighbourhood one,neighbourhood,D1,1000,4000,
    N2,Neighbourhood two,neighbourhood,D2,2000,6000,
    ICB2,Other system,icb,,100,1000,
    UT9,Other county (Health and Wellbeing Board),utla,ICB2,100,1000,
    D9,Other place,district,ICB2,100,1000,UT9
"""


@pytest.fixture
def counties(engine, tmp_path):
    report = load_files(engine, tmp_path / "areas", {
        "areas.csv": AREAS, "sites.csv": SITES, "services.csv": SERVICES,
        "episodes.csv": TODAY_EPISODES})
    assert report.loaded, report.summary()
    return engine


def test_a_county_counts_the_people_of_its_districts(counties):
    engine = counties
    for county, place in (("UT1", "D1"), ("UT2", "D2")):
        assert waiting_at(engine, system_area(engine, county), TODAY_AT) == \
            waiting_at(engine, system_area(engine, place), TODAY_AT)
        first, last = date(2026, 11, 1), date(2026, 11, 25)
        assert discharge_delays(engine, system_area(engine, county), first, last) == \
            discharge_delays(engine, system_area(engine, place), first, last)
    # The case: of N1's people E1, E2 and E5 are waiting at 08:30 (E6, E7, E11 and E12 have
    # left); of N2's, E3 and E4 (E8, E9 and E10 have left).
    assert waiting_at(engine, system_area(engine, "UT1"), TODAY_AT).total == 3
    assert waiting_at(engine, system_area(engine, "UT2"), TODAY_AT).total == 2
    assert waiting_at(engine, system_area(engine, "ICB2"), TODAY_AT).total == 0


def test_the_picker_offers_each_county_under_its_system(counties):
    picker = picker_areas(counties)
    rows = list(zip(picker.code, picker.level, picker.depth, strict=True))
    assert ("UT1", "utla", 1) in rows and ("UT2", "utla", 1) in rows and ("UT9", "utla", 1) in rows
    assert rows.index(("UT1", "utla", 1)) < rows.index(("ICB2", "icb", 0))


def test_a_user_of_a_county_sees_its_districts_and_nothing_else(counties):
    engine = counties
    username = add_user(engine, "hub_lead", ("UT1",), username="county-lead")
    scope = load_scope(engine, username)
    assert checked_area(engine, scope, "N1") is not None
    for outside in ("D2", "ICB1", "D9"):
        with pytest.raises(AccessDenied):
            checked_area(engine, scope, outside)


def test_a_board_goal_holds_for_its_districts_before_the_systems(counties, tmp_path):
    goals = """
        area_code,measure,first_day,last_day,goal,better
        ICB1,mean_delay_days,2026-04-01,2027-03-31,1.2,down
        UT1,mean_delay_days,2026-04-01,2027-03-31,0.9,down
    """
    assert load_files(counties, tmp_path / "goals", {"goals.csv": goals}).loaded
    day = date(2026, 11, 24)
    for code, expected in (("UT1", "UT1"), ("D1", "UT1"), ("N1", "UT1"), ("D2", "ICB1")):
        held = goals_in_force(counties, system_area(counties, code), day)["mean_delay_days"]
        assert held.area_code == expected, code


def test_a_district_naming_anything_but_a_county_of_its_system_is_rejected(engine, tmp_path):
    bad = AREAS + """
        D3,Place three,district,ICB1,10,100,UT9
        D4,Place four,district,ICB1,10,100,D1
        N3,Neighbourhood three,neighbourhood,D1,10,100,UT1
        D5,Place five,district,ICB1,10,100,NOWHERE
    """
    report = load_files(engine, tmp_path / "bad", {"areas.csv": bad})
    assert not report.loaded
    assert {r.line: r.reason for r in report.rejections} == {
        13: "upper_tier_code UT9 lies in another system than the district",
        14: "upper_tier_code D1 is a district, not an upper-tier local authority (level utla)",
        15: "upper_tier_code is given for a neighbourhood: only a district lies in an upper-tier "
            "local authority",
        16: "upper_tier_code 'NOWHERE' is not known (not in areas.csv or the database)",
    }
