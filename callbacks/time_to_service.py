"""Time from NCTR to service page: against the 24-hour ambition, and where the time goes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import html

from callbacks.common import for_the_day
from dashboard.concurrency import gather
from dashboard.context import AppContext
from dashboard.spc import spc, weekly_series
from dashboard.url_state import ViewState
from data_access.access import AreaInScope
from data_access.areas import CHILD_LEVEL
from data_access.goals import goals_in_force
from data_access.metrics import time_to_service as tts
from layouts import time_to_service as tts_layout

WITHIN_24H = "within_24h_percent"  # the local 24-hour ambition, a goal like the others


def render(context: AppContext, area: AreaInScope, state: ViewState,
           href: Callable[[str], str]) -> html.Div:
    engine, now = context.engine, context.clock.now()
    view = tts_layout.TimeToServiceView(
        area=area, state=state, now=now,
        waiting_by_pathway=tts.waiting_for_service_over_24h(engine, area, now),
        **for_the_day(context, "time-to-service", area, state,
                      lambda: _period(context, area, state)))
    return tts_layout.build(view, href)


def _period(context: AppContext, area: AreaInScope, state: ViewState) -> dict[str, Any]:
    """The period's figures: from NCTR to service, overall, by place and week by week."""
    engine, pathway = context.engine, state.pathway
    start, end = state.bounds(context.clock.now())
    period = state.first_day, state.last_day
    goal = goals_in_force(engine, area, state.last_day).get(WITHIN_24H)
    # A target in the address is a what-if beside the goal; without either there is none.
    target = state.target if state.target is not None else (goal.value if goal else None)
    results = gather(
        summary=lambda: tts.nctr_to_service(engine, area, start, end, pathway),
        weekly=lambda: tts.nctr_to_service_weekly(engine, area, start, end, pathway),
        by_place=lambda: tts.nctr_to_service_weekly(engine, area, start, end, pathway,
                                                    by_level=CHILD_LEVEL[area.level]),
        place_summaries=lambda: tts.nctr_to_service_by_area(engine, area, start, end, pathway,
                                                            CHILD_LEVEL[area.level]),
        bands=lambda: tts.time_to_service_bands(engine, area, start, end),
        stages_by_pathway=lambda: tts.stage_medians(engine, area, start, end, "pathway",
                                                    pathway),
        stages_by_place=lambda: tts.stage_medians(engine, area, start, end, "place", pathway),
    )
    by_place = results.pop("by_place")
    summaries = results.pop("place_summaries").set_index("area_code")
    places = list(by_place.groupby(["area_code", "area"], sort=True))
    place_rows = tuple(
        tts_layout.PlaceRow(
            code=place_code, name=name, summary=summaries.loc[place_code],
            median_spc=spc(weekly_series(weeks, "median_hours", *period), direction="down",
                           rebase_at=state.rebase),
            within_spc=spc(weekly_series(weeks, "within_24h_percent", *period), direction="up",
                           target=target, rebase_at=state.rebase))
        for (place_code, name), weeks in places)
    return dict(
        target=target, goal=goal, places=place_rows,
        within_spc=spc(weekly_series(results["weekly"], "within_24h_percent", *period),
                       direction="up", target=target, rebase_at=state.rebase),
        **results)
