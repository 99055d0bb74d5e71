"""Small hand-made data sets written as contract CSV files, loaded through the real loader."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from textwrap import dedent
from typing import Any

from sqlalchemy import Engine

from dashboard.app_factory import create_app
from dashboard.clock import LONDON, FixedClock
from dashboard.config import Settings
from dashboard.results import UserScope
from data_access.access import AreaInScope, area_for_system_use, area_in_scope
from data_access.feeds import NewToken, create_token
from data_access.loader import LoadReport, load_folder
from data_access.ownership import GrantChange, grant


def system_area(engine: Engine, code: str) -> AreaInScope:
    """The area ``code`` for a test of aggregate figures: issued for system use, as the warm-up
    is (so never person-level data)."""
    area = area_for_system_use(engine, code, "test")
    assert area is not None, f"there is no area {code!r}"
    return area


def checked_area(engine: Engine, scope: UserScope, code: str,
                 what: str = "the huddle list") -> AreaInScope | None:
    """The area ``code`` checked for the user, as a page checks it (``AccessDenied``, recorded,
    outside their scope; None for a code that names no area)."""
    return area_in_scope(engine, scope, code, TODAY_AT, what)


class SteppingClock:
    """A clock tests can move forward."""

    def __init__(self, at: datetime) -> None:
        self.at = FixedClock(at).now()

    def now(self) -> datetime:
        return self.at


def write_folder(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in files.items():
        (folder / name).write_text(dedent(body).lstrip(), encoding="utf-8")
    return folder


def load_files(engine: Engine, folder: Path, files: dict[str, str], **options: Any) -> LoadReport:
    """Write the files and load them (``options`` as ``load_folder``'s: allow_partial, clock)."""
    return load_folder(engine, write_folder(folder, files), **options)


def unclosed_quote(header: str, row: Callable[[int], str], lines: int = 10_000,
                   at: int = 7_000) -> str:
    """A CSV text of ``lines`` lines, the header first and then ``row(n)`` as line n, whose line
    ``at`` opens a quoted value (at its second value) that is never closed."""
    text = [header.rstrip("\n"), *(row(n) for n in range(2, lines + 1))]
    text[at - 1] = text[at - 1].replace(",", ',"', 1)
    return "\n".join(text) + "\n"
def feed_source(engine: Engine, name: str, at: datetime, *,
                kinds: tuple[str, ...] = ("episodes", "delays", "capacity"),
                areas: tuple[str, ...] = ("ICB1",), every_minutes: int | None = None) -> NewToken:
    """A feed source's token, the source granted ``kinds`` for ``areas`` (each with everything
    inside it), as an administrator grants them."""
    token = create_token(engine, name, at, every_minutes)
    grant(engine, name, GrantChange(kinds=kinds, areas=areas))
    return token


# A system (ICB1) with two places (D1, D2), one neighbourhood each, and one hospital site.
AREAS = """
    code,name,level,parent_code,population_65_plus,population_all
    ICB1,Test system,icb,,3000,10000
    D1,Place one,district,ICB1,1000,4000
    D2,Place two,district,ICB1,2000,6000
    N1,Neighbourhood one,neighbourhood,D1,1000,4000
    N2,Neighbourhood two,neighbourhood,D2,2000,6000
"""
SITES = """
    code,name,trust_code,trust_name,area_code
    S1,Test hospital,T1,Test trust,ICB1
"""
SERVICES = """
    code,name,pathway,setting,provider,sector,area_code,places
    P1H,Place one reablement,1,home,Council one,local_authority,D1,10
    P1X,Place two reablement,1,home,Council two,local_authority,D2,5
    P2B,System rehab beds,2,bed,Community trust,nhs,ICB1,20
    P3C,Place two D2A beds,3,bed,Care homes,independent,D2,5
"""
GEOGRAPHY = {"areas.csv": AREAS, "sites.csv": SITES, "services.csv": SERVICES}
EPISODE_HEADER = ("episode_id,person_ref,site_code,home_area_code,age,sex,admitted_at,nctr_at,"
                  "referred_to_hub_at,pathway,discharged_at,service_code,service_start_at,"
                  "service_end_at,end_outcome,readmitted_at,at_home_91_days\n")


# The Today page's hand-made case (see tests/test_today_metrics.py for the worked figures).
TODAY_AT = datetime(2026, 11, 25, 8, 30, tzinfo=LONDON)
# id, home, nctr_at, pathway, discharged_at, service, service_start_at
TODAY_EPISODES = EPISODE_HEADER + """\
E1,p1,S1,N1,80,F,2026-11-20T10:00,2026-11-25T08:00,,,,,,,,,
E2,p2,S1,N1,81,M,2026-11-20T10:00,2026-11-24T08:30,2026-11-24T09:00,1,,,,,,,
E3,p3,S1,N2,82,F,2026-11-20T10:00,2026-11-24T08:29,2026-11-24T09:00,3,,,,,,,
E4,p4,S1,N2,83,F,2026-11-10T10:00,2026-11-20T08:30,2026-11-20T09:00,1,,,,,,,
E5,p5,S1,N1,84,M,2026-10-20T10:00,2026-11-01T08:00,2026-11-01T09:00,2,,,,,,,
E6,p6,S1,N1,70,F,2026-11-20T10:00,2026-11-24T10:00,,0,2026-11-25T08:30,,,,,,
E7,p7,S1,N1,71,F,2026-11-20T10:00,2026-11-23T12:00,2026-11-23T13:00,1,2026-11-24T15:00,P1H,2026-11-24T16:00,,,,
E8,p8,S1,N2,72,M,2026-11-20T10:00,2026-11-22T09:00,,0,2026-11-24T09:00,,,,,,
E9,p9,S1,N2,73,F,2026-11-20T10:00,2026-11-23T20:00,2026-11-23T21:00,2,2026-11-24T20:00,P2B,2026-11-24T20:00,,,,
E10,p10,S1,N2,74,M,2026-11-10T10:00,2026-11-19T08:00,2026-11-19T09:00,3,2026-11-21T10:00,P3C,2026-11-21T10:00,,,,
E11,p11,S1,N1,75,F,2026-11-10T10:00,2026-11-17T08:00,2026-11-17T09:00,1,2026-11-18T08:00,P1H,2026-11-18T08:00,,,,
E12,p12,S1,N1,76,M,2026-11-23T10:00,2026-11-24T07:00,,0,2026-11-24T12:00,,,,,,
E13,p13,S1,N2,77,F,2026-11-10T10:00,2026-11-20T09:00,2026-11-20T10:00,1,2026-11-22T10:00,P1X,,,,,
"""

# One more person waiting at Today's time (Today's "waiting now" goes from 5 to 6).
ONE_MORE_WAITING = EPISODE_HEADER + \
    "X1,px,S1,N1,80,F,2026-11-20T10:00,2026-11-25T07:00,,,,,,,,,\n"

TODAY_CAPACITY = """\
service_code,reported_at,places,occupied,unavailable
P1H,2026-11-24T08:00,10,10,0
P1H,2026-11-25T08:00,10,7,1
P1H,2026-11-25T09:00,10,2,0
P1X,2026-11-24T08:30,5,6,0
P2B,2026-11-24T08:00,20,15,0
"""
TODAY_DELAYS = """\
episode_id,effective_at,reason_code
E2,2026-11-24T08:30,T1
E3,2026-11-24T09:00,T1
E3,2026-11-24T20:00,I6
E4,2026-11-20T09:00,T1
E4,2026-11-21T09:00,C1
E5,2026-11-01T09:00,C5
E7,2026-11-23T13:00,T1
"""

# The Today case's system trigger levels (see tests/test_trigger_levels.py for the worked level):
# for the system only; Place one (D1) has none.
TODAY_TRIGGER_LEVELS = """\
area_code,measure,level,threshold,actions
ICB1,waiting_per_100k_65,2,100,Daily system call at 10:00
ICB1,waiting_per_100k_65,3,200,Director on call chairs the system call
ICB1,waiting_21_days_plus,2,1,Review each person at the huddle
ICB1,waiting_21_days_plus,3,3,Escalate each to the director of adult social care
ICB1,free_places_p1,2,5,Ask providers for extra care packages
ICB1,free_places_p1,3,2,Spot-purchase home care; open the bridging team
ICB1,free_places_p1,4,0,Mutual aid from neighbouring systems
ICB1,free_places_p2,3,2,Open the escalation ward
ICB1,within_24h_percent,2,60,Hub lead chases every referral over 12 hours
ICB1,within_24h_percent,3,34,Daily call with every provider
"""


# Intermediate care stays around October 2026 (see tests/test_flow_metrics.py for the figures).
STAYS = EPISODE_HEADER + """\
L1,a,S1,N1,80,F,2026-09-28T10:00,2026-09-29T10:00,,1,2026-10-01T00:00,P1H,2026-10-01T00:00,2026-10-06T00:00,home_no_support,,
L2,b,S1,N1,80,F,2026-08-28T10:00,2026-08-29T10:00,,1,2026-09-01T00:00,P1H,2026-09-01T00:00,2026-10-20T00:00,home_with_support,,
L3,c,S1,N2,80,F,2026-09-28T10:00,2026-09-29T10:00,,2,2026-10-01T00:00,P2B,2026-10-01T00:00,2026-10-11T12:00,home_no_support,,
L4,d,S1,N1,80,F,2026-09-07T10:00,2026-09-08T10:00,,1,2026-09-10T00:00,P1H,2026-09-10T00:00,,,,
L5,e,S1,N2,80,F,2026-10-22T10:00,2026-10-23T10:00,,2,2026-10-25T00:00,P2B,2026-10-25T00:00,,,,
L6,f,S1,N1,80,F,2026-07-28T10:00,2026-07-29T10:00,,1,2026-08-01T00:00,P1H,2026-08-01T00:00,2026-09-15T00:00,home_no_support,,
"""


def today_app(engine: Engine, database_url: str, folder: Path,
              **settings: Any) -> tuple[Any, SteppingClock]:
    """The app on Today's hand-made case (the geography and TODAY_EPISODES loaded), and the
    clock the test moves; ``settings`` as ``Settings``'s."""
    assert load_files(engine, folder, {**GEOGRAPHY, "episodes.csv": TODAY_EPISODES}).loaded
    clock = SteppingClock(TODAY_AT)
    return create_app(Settings(database_url=database_url, clock=clock, **settings),
                      engine), clock
