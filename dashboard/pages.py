"""The page registry: every route the app knows, built or planned. Navigation is made from it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageInfo:
    path: str
    title: str
    nav_label: str
    built: bool  # False: planned; the route explains that the page is coming
    purpose: str


PAGES: tuple[PageInfo, ...] = (
    PageInfo("/", "Today", "Today", True,
             "Who is waiting now, how long for, and where there is room."),
    PageInfo("/delays", "Delays by reason", "Delays", True,
             "Why people who no longer need a hospital bed are still in one."),
    PageInfo("/time-to-service", "Time from NCTR to service", "Time to service", True,
             "How long from no longer meeting the criteria to reside to receiving a service."),
    PageInfo("/capacity", "Capacity", "Capacity", True,
             "Places, occupied and free, per service, pathway and place."),
    PageInfo("/flow", "Flow", "Flow", True,
             "Referrals, discharges by pathway and movement through services."),
    PageInfo("/outcomes", "Outcomes", "Outcomes", True,
             "Where people are at the end of intermediate care and 91 days later, "
             "readmissions, and equity."),
    PageInfo("/places", "Places", "Places", True,
             "Every place side by side, per 100,000 people aged 65+, judged fairly."),
    PageInfo("/benchmark", "National benchmark", "Benchmark", True,
             "Every ICB on NHS England's published discharge figures."),
)
PAGES_BY_PATH = {page.path: page for page in PAGES}
