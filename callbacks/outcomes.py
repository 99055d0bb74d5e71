"""Outcomes page: the end of intermediate care, 91 days on, readmissions, equity."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pandas as pd
from dash import html

from callbacks.common import for_the_day
from dashboard.clock import LONDON
from dashboard.concurrency import gather
from dashboard.context import AppContext
from dashboard.url_state import ViewState
from data_access.access import AreaInScope
from data_access.metrics import outcomes
from data_access.metrics.ascof import ascof_2d
from data_access.metrics.time_to_service import nctr_to_service_by_groups
from layouts import outcomes as outcomes_layout

QUARTERS_SHOWN = 6
EQUITY_BY = ("age_band", "sex", "ethnic_group", "deprivation_quintile")
BREAKDOWNS = (None, *EQUITY_BY)  # None: everyone


def last_quarters(now: datetime, count: int = QUARTERS_SHOWN) -> list[tuple[str, datetime,
                                                                             datetime]]:
    """The last ``count`` whole calendar quarters before ``now``: (label, start, end)."""
    quarter_start = datetime(now.year, 3 * ((now.month - 1) // 3) + 1, 1, tzinfo=LONDON)
    quarters = []
    for _ in range(count):
        end = quarter_start
        month = end.month - 3
        start = datetime(end.year + (month - 1) // 12, (month - 1) % 12 + 1, 1, tzinfo=LONDON)
        quarters.append((f"{start:%b}-{(end - pd.Timedelta(days=1)):%b %Y}", start, end))
        quarter_start = start
    return quarters[::-1]


def render(context: AppContext, area: AreaInScope, state: ViewState,
           href: Callable[[str], str]) -> html.Div:
    engine, now = context.engine, context.clock.now()
    start, end = state.bounds(now)
    # Counted only once enough time has passed since each discharge: these move with the clock.
    results = gather(
        readmitted=lambda: outcomes.readmitted_within_30_days_by(engine, area, start, end, now,
                                                                 BREAKDOWNS),
        ascof=lambda: ascof_2d(engine, area, state.first_day, state.last_day, now),
    )
    period = for_the_day(context, "outcomes", area, state, lambda: _period(context, area, state))
    view = outcomes_layout.OutcomesView(
        area=area, state=state, now=now, ascof=results["ascof"], at_home=period["at_home"][None],
        at_home_by_quarter=period["by_quarter"].rename(columns={"period": "quarter"}),
        readmitted=results["readmitted"][None], by_pathway=period["by_pathway"],
        by_place=period["by_place"], by_month=period["by_month"],
        functional=period["functional"],
        equity={by: {"at_home": period["at_home"][by],
                     "readmitted": results["readmitted"][by], "waits": period["waits"][by]}
                for by in EQUITY_BY})
    return outcomes_layout.build(view, href)


def _period(context: AppContext, area: AreaInScope, state: ViewState) -> dict[str, Any]:
    """The period's outcomes: at home 91 days on, at the end of service, by group."""
    engine = context.engine
    start, end = state.bounds(context.clock.now())
    quarters = last_quarters(context.clock.now())
    return gather(
        at_home=lambda: outcomes.at_home_91_days_by(engine, area, start, end, BREAKDOWNS),
        waits=lambda: nctr_to_service_by_groups(engine, area, start, end, EQUITY_BY),
        by_quarter=lambda: outcomes.at_home_91_days_by_period(engine, area, quarters),
        by_pathway=lambda: outcomes.end_of_service_outcomes(engine, area, start, end),
        by_place=lambda: outcomes.end_of_service_outcomes(engine, area, start, end, "place"),
        by_month=lambda: outcomes.end_of_service_outcomes(engine, area, start, end, "month"),
        functional=lambda: outcomes.functional_change(engine, area, start, end),
    )
