"""The page registry: every route the app knows. Navigation is made from it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PageInfo:
    path: str
    title: str
    nav_label: str
    purpose: str
    # The data contract files its figures come from: a feed source delivering any of them that
    # has gone quiet is flagged on this page.
    uses: tuple[str, ...] = ()
    in_nav: bool = True
    # Who may open it: a permission of data_access.access.PERMISSIONS; None = anyone signed in.
    permission: str | None = "aggregates"
    # Whether it shows local data (areas, episodes, services): without any, it says so instead.
    local_data: bool = True

    @property
    def slug(self) -> str:
        """The page's name in file names and test ids: its path without slashes ("today": /)."""
        return self.path.strip("/") or "today"


PAGES: tuple[PageInfo, ...] = (
    PageInfo("/", "Today", "Today",
             "Who is waiting now, how long for, and where there is room.",
             ("episodes.csv", "delays.csv", "capacity.csv", "services.csv")),
    PageInfo("/delays", "Delays by reason", "Delays",
             "Why people who no longer need a hospital bed are still in one.",
             ("episodes.csv", "delays.csv")),
    PageInfo("/time-to-service", "Time from NCTR to service", "Time to service",
             "How long from no longer meeting the criteria to reside to receiving a service.",
             ("episodes.csv",)),
    PageInfo("/capacity", "Capacity", "Capacity",
             "Places, occupied and free, per service, pathway and place.",
             ("capacity.csv", "services.csv", "episodes.csv", "delays.csv")),
    PageInfo("/flow", "Flow", "Flow",
             "Referrals, discharges by pathway and movement through services.",
             ("episodes.csv",)),
    PageInfo("/outcomes", "Outcomes", "Outcomes",
             "Where people are at the end of intermediate care and 91 days later, "
             "readmissions, and equity.", ("episodes.csv",)),
    PageInfo("/places", "Places", "Places",
             "Every place side by side, per 100,000 people aged 65+, judged fairly.",
             ("episodes.csv", "areas.csv")),
    PageInfo("/huddle", "Huddle list", "Huddle",
             "Everyone waiting now in the hub's areas, longest wait first: the people, for the "
             "daily huddle.", ("episodes.csv", "delays.csv"), permission="people"),
    PageInfo("/benchmark", "National benchmark", "Benchmark",
             "England, every region and every ICB on NHS England's published discharge "
             "figures.", local_data=False),
    PageInfo("/data", "Data", "Data",
             "Every load and feed delivery, each source's freshness, and the records that need "
             "fixing at source.",
             ("areas.csv", "sites.csv", "services.csv", "episodes.csv", "delays.csv",
              "capacity.csv"), permission="data"),
    PageInfo("/admin", "Administration", "Administration",
             "The people who may sign in, their roles and sessions, and the audit log.",
             permission="admin", local_data=False),
    PageInfo("/how-we-count", "How we count", "How we count",
             "The definition of every figure, from the code that computes it.", in_nav=False,
             permission=None, local_data=False),
    PageInfo("/glossary", "Glossary", "Glossary",
             "What the words, codes and symbols on these pages mean: NCTR, the pathways, the 37 "
             "delay reasons, the SPC icons.", in_nav=False, permission=None,
             local_data=False),
)
PAGES_BY_PATH = {page.path: page for page in PAGES}
BENCHMARK = PAGES_BY_PATH["/benchmark"]
NAV_PAGES = tuple(page for page in PAGES if page.in_nav)


def allowed_nav_pages(may: Callable[[str], bool]) -> list[PageInfo]:
    """The navigation for a user: ``may(permission)`` says whether they hold a permission."""
    return [page for page in NAV_PAGES if page.permission is None or may(page.permission)]
