"""Views ready before anyone asks: every page's default view for every system and place,
computed in the background whenever the data version changes (a load, a feed delivery, or the
time step figures about "now" move with), so that the first person at the 8:30 huddle does not
wait for the figures to be worked out.

A page's content is the same for every user who may see it (``callbacks.shell.page_content``),
so one computation serves them all. Each process warms the cache it reads: its own (``simple``),
or, when the cache is shared (``filesystem``, ``redis``), one process per data version claims
the work and the others find it done. ``DASHBOARD_WARM_VIEWS`` chooses the areas: ``places``
(systems and places, the default), ``systems``, or ``off``. Person-level pages are never kept,
so never warmed.

A deployment whose processes share the cache warms in a process of its own (``python -m
dashboard warm``, which gunicorn starts beside each instance), at the lowest CPU priority: its
Python then runs on the CPU that people's requests leave idle (its queries run in the database
at the database's priority). Warming in a thread of a web
worker took the cores from the requests it shared them with: at national scale each time step's
warm-up (462 views) ran for minutes among the users' requests and doubled their slowest times.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from flask import Flask

from callbacks.capacity import backtest_view
from callbacks.shell import page_content
from dashboard.cache import TIME_STEP_SECONDS, is_down
from dashboard.context import AppContext
from dashboard.pages import PAGES, Page
from dashboard.url_state import ViewState, read_view_state, search_with_area
from data_access.access import AreaInScope, area_for_system_use, first_areas_of_users
from data_access.areas import picker_areas

log = logging.getLogger(__name__)
LEVELS = {"systems": ("icb",), "places": ("icb", "district")}
POLL_SECONDS = 5  # how often the version is looked at (it is itself cached for as long)
# What a page fills in after it shows, from its own callback (kept once a day and data version,
# so warming it again in the same day is a cache read).
FILLED_IN_AFTER: dict[str, Callable[[AppContext, AreaInScope, ViewState], object]] = {
    "/capacity": backtest_view}
WARMED = "warmed {count} views for version {version} in {seconds:.1f} s"  # logged after each


def warmed_pages() -> list[Page]:
    """Pages whose views are kept: every page but the person-level one, the administrator's and
    the open ones (help)."""
    return [page for page in PAGES if page.permission in ("aggregates", "data")]


class Warmer:
    def __init__(self, context: AppContext, levels: tuple[str, ...]) -> None:
        self.context, self.levels = context, levels
        self._warmed: str | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._handed_over = False
        self._keep_going: Callable[[], bool] = lambda: True
        self.warmed = threading.Event()  # set after each warm-up that computed views

    def install(self, server: Flask) -> None:
        """Start warming at this process's first request (so a server that forks its workers
        after building the app, as gunicorn does, warms in each worker, not in the parent)."""
        server.extensions["dashboard_warmer"] = self

        @server.before_request
        def start_warming() -> None:
            if self._thread is None and not self._handed_over:
                with self._lock:
                    if self._thread is None:
                        self._thread = threading.Thread(target=self.run, name="warm-views",
                                                        daemon=True)
                        self._thread.start()

    def hand_over(self) -> None:
        """Leave the warm-up to a process of its own (``python -m dashboard warm``): this
        process, and the workers forked from it, never start it."""
        self._handed_over = True

    def run(self, keep_going: Callable[[], bool] = lambda: True) -> None:
        """Warm at every new data version for as long as ``keep_going()`` (asked between
        views, too: a national warm-up takes minutes)."""
        self._keep_going = keep_going
        while keep_going():
            try:
                self.warm_if_changed()
            except Exception:  # never let the warm-up stop for good; the pages compute anyway
                log.exception("warming the views failed; trying again at the next version")
            time.sleep(POLL_SECONDS)

    def warm_if_changed(self) -> int:
        """Warm every default view if the data version changed since the last warm-up (and no
        other process sharing the cache has claimed it); how many views were computed."""
        views = self.context.views
        version = views.version()
        if version == self._warmed or is_down(version):
            return 0
        self._warmed = version
        if not views.claim(f"warm:{version}", TIME_STEP_SECONDS):
            return 0
        started, count = time.monotonic(), 0
        for area in self.areas():
            for page in warmed_pages():
                if not self._keep_going():
                    return count
                self.warm(page, area)
                count += 1
                time.sleep(0)  # let requests in between views
        seconds = time.monotonic() - started
        log.info(WARMED.format(count=count, version=version, seconds=seconds))
        if seconds > TIME_STEP_SECONDS / 2:
            # The views are computed again at every time step: a warm-up this long takes a core
            # for much of the day from the people it is meant to serve.
            log.warning(f"warming took {seconds:.0f} s of every {TIME_STEP_SECONDS} s time step: "
                        "warm fewer views (DASHBOARD_WARM_VIEWS=systems, or off) or serve "
                        "from more cores")
        self.warmed.set()
        return count

    def areas(self) -> list[AreaInScope]:
        """The areas of the levels chosen, and the area each user with areas of their own opens
        first (a hub lead's place, say): the views people open on arriving."""
        engine = self.context.engine
        chosen = picker_areas(engine)
        codes = list(chosen.code[chosen.level.isin(self.levels)])
        codes += [code for code in first_areas_of_users(engine) if code not in codes]
        issued = (area_for_system_use(engine, code, "warm-up") for code in codes)
        return [area for area in issued if area is not None]

    def warm(self, page: Page, area: AreaInScope) -> None:
        """The page's view for the area as the route computes it for an address naming only the
        area (a link from the area picker or the navigation), and what the page fills in after
        it shows."""
        search = search_with_area("", area.code)
        state = read_view_state(search, self.context.clock.now().date())
        page_content(self.context, page, area, state, search)
        if filled_in := FILLED_IN_AFTER.get(page.path):
            filled_in(self.context, area, state)


def at_lowest_priority() -> str:
    """Put this process's CPU priority at its lowest, so that its work runs on CPU that other
    processes leave idle; the priority it now has. Called before any thread starts: each thread
    started later inherits it.

    SCHED_IDLE on Linux: the scheduler gives way to any other process at once, yet still gives
    it a sliver of a busy core (a weight of 3 against 1,024), so a database lock it holds while
    recording a change of trigger level (its warm-up of Today) is let go within moments. At
    national scale it served people better than nice 19 (docs/load-test.md, runs 6 and 8).
    Elsewhere, nice 19."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        return "SCHED_IDLE"
    except (AttributeError, OSError):
        return f"nice {os.nice(19 - os.nice(0))}"
