"""Flow page: how people move from hospital through intermediate care."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import html

from callbacks.common import for_the_day
from dashboard.concurrency import gather
from dashboard.context import AppContext
from dashboard.spc import series, spc
from dashboard.url_state import ViewState
from dashboard.vocabulary import INTERMEDIATE_CARE_PATHWAYS
from data_access.access import AreaInScope
from data_access.metrics import flow
from data_access.metrics.waiting import sitrep_daily, waiting_at
from layouts import flow as flow_layout


def render(context: AppContext, area: AreaInScope, state: ViewState,
           href: Callable[[str], str]) -> html.Div:
    engine, now = context.engine, context.clock.now()
    results = gather(
        waiting=lambda: waiting_at(engine, area, now),
        in_service=lambda: flow.in_service_at(engine, area, now),
    )
    view = flow_layout.FlowView(area=area, state=state, now=now,
                                **for_the_day(context, "flow", area, state,
                                              lambda: _period(context, area, state)),
                                **results)
    return flow_layout.build(view, href)


def _period(context: AppContext, area: AreaInScope, state: ViewState) -> dict[str, Any]:
    """The period's figures: flows day by day, journeys, lengths of care and the pathway mix."""
    engine = context.engine
    start, end = state.bounds(context.clock.now())
    first, last = state.first_day, state.last_day
    results = gather(
        length_of_care=lambda: flow.length_of_intermediate_care(engine, area, start, end,
                                                                 state.pathway),
        sitrep=lambda: sitrep_daily(engine, area, first, last),
        referrals=lambda: flow.referrals_daily(engine, area, first, last),
        discharges=lambda: flow.discharges_daily(engine, area, first, last),
        journeys=lambda: flow.journeys(engine, area, first, last),
        starts_ends=lambda: flow.starts_and_ends_daily(engine, area, first, last),
    )
    sitrep, referrals = results.pop("sitrep"), results.pop("referrals")
    discharges = results.pop("discharges")
    pathways = INTERMEDIATE_CARE_PATHWAYS if state.pathway is None else (state.pathway,)
    chosen = discharges[discharges.pathway.isin(pathways)].groupby("date").discharges.sum()
    charts = {
        "New NCTR patients per day": spc(series(sitrep.date, sitrep.new_nctr),
                                         rebase_at=state.rebase),
        "Referrals to the care transfer hub per day": spc(
            series(referrals.date, referrals.referrals), rebase_at=state.rebase),
        "Discharges to intermediate care per day"
        + ("" if state.pathway is None else f" (pathway {state.pathway})"):
            spc(series(chosen.index, chosen),
                rebase_at=state.rebase),
        "Discharges home with no new support (pathway 0) per day": spc(series(
            discharges[discharges.pathway == 0].date,
            discharges[discharges.pathway == 0].discharges), rebase_at=state.rebase),
    }
    return dict(spc_charts=charts,
                mix=flow.pathway_mix_weekly(discharges, INTERMEDIATE_CARE_PATHWAYS),
                **results)
