"""Time from NCTR to service page: against the 24-hour ambition, and where the time goes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pandas as pd
from dash import html

from callbacks.delays import CHILD_LEVEL
from dashboard.context import AppContext
from dashboard.spc import spc
from dashboard.url_state import ViewState
from dashboard.vocabulary import DEFAULT_TARGET_WITHIN_24H_PERCENT
from data_access.areas import AreaInfo
from data_access.metrics import time_to_service as tts
from layouts import time_to_service as tts_layout


def weekly_series(frame: pd.DataFrame, column: str, state: ViewState) -> pd.Series:
    """A weekly figure as an SPC series, whole weeks of the period only: a part week would be
    read as a signal when it is only fewer days."""
    whole = frame[(frame.week_start >= state.first_day)
                  & (frame.week_start + timedelta(days=6) <= state.last_day)]
    return pd.Series(whole[column].to_numpy(dtype=float), index=pd.to_datetime(whole.week_start))


def render(context: AppContext, area: AreaInfo, state: ViewState,
           href: Callable[[str], str]) -> html.Div:
    engine, now = context.engine, context.clock.now()
    start, end = state.bounds(now)
    target = state.target if state.target is not None else DEFAULT_TARGET_WITHIN_24H_PERCENT
    weekly = tts.nctr_to_service_weekly(engine, area.code, start, end, state.pathway)
    by_place = tts.nctr_to_service_weekly(engine, area.code, start, end, state.pathway,
                                          by_level=CHILD_LEVEL[area.level])
    place_rows = []
    for (code, name), weeks in by_place.groupby(["area_code", "area"], sort=True):
        hours = tts.nctr_to_service(engine, code, start, end, state.pathway)
        place_rows.append(tts_layout.PlaceRow(
            code=code, name=name, summary=hours,
            median_spc=spc(weekly_series(weeks, "median_hours", state), direction="down"),
            within_spc=spc(weekly_series(weeks, "within_24h_percent", state), direction="up",
                           target=target)))
    view = tts_layout.TimeToServiceView(
        area=area, state=state, now=now, target=target,
        summary=tts.nctr_to_service(engine, area.code, start, end, state.pathway),
        waiting_by_pathway=tts.waiting_for_service_over_24h(engine, area.code, now),
        weekly=weekly,
        within_spc=spc(weekly_series(weekly, "within_24h_percent", state), direction="up",
                       target=target),
        bands=tts.time_to_service_bands(engine, area.code, start, end),
        stages_by_pathway=tts.stage_medians(engine, area.code, start, end, "pathway",
                                            state.pathway),
        stages_by_place=tts.stage_medians(engine, area.code, start, end, "place",
                                          state.pathway),
        places=tuple(place_rows),
    )
    return tts_layout.build(view, href)
