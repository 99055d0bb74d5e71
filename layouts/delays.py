"""The Delays page: people waiting now by reason, site and home area; the period's waiting time
by reason; the daily remaining count on an SPC chart."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard.goals import GoalInForce
from dashboard.results import AreaInfo, WaitingSnapshot
from dashboard.spc import SpcResult
from dashboard.url_state import ViewState
from dashboard.vocabulary import LONGEST_DELAY_DAYS, NOT_RECORDED, REASON_GROUPS
from layouts import formatting as fmt
from layouts.components import (
    SPC_LIMITS_NOTE,
    chart,
    chart_card,
    data_table,
    how_we_count,
    kpi_card,
    on_demand,
    spc_badges,
)
from layouts.discharge_delays import longest_trend_card
from layouts.figures import horizontal_bars, stacked_bars
from layouts.filters import page_header
from layouts.spc_figure import spc_figure

GROUP_ORDER = [*REASON_GROUPS, NOT_RECORDED]


@dataclass(frozen=True)
class DelaysView:
    area: AreaInfo
    state: ViewState
    now: datetime
    waiting: WaitingSnapshot
    waiting_week_ago: WaitingSnapshot
    by_reason: pd.DataFrame
    by_site: pd.DataFrame
    by_home_area: pd.DataFrame
    remaining_spc: SpcResult
    longest_spc: SpcResult  # waiting 21+ days at the end of each week of the period
    longest_goal: GoalInForce | None  # the local goal for them, if one holds
    hours_by_reason: pd.DataFrame
    bed_days_lost: float
    weekly_mix: pd.DataFrame


def _group_totals(frame: pd.DataFrame, value: str) -> pd.Series:
    totals = frame.groupby("reason_group")[value].sum()
    return totals.reindex([g for g in GROUP_ORDER if g in totals.index])


def summary_sentence(view: DelaysView) -> str:
    """"312 people are waiting; 41 more than this time last week, mostly for Capacity"."""
    change = view.waiting.total - view.waiting_week_ago.total
    trend = ("the same as this time last week" if change == 0 else
             f"{abs(change):,} {'more' if change > 0 else 'fewer'} than this time last week")
    groups = _group_totals(view.by_reason, "people")
    recorded = groups.drop(NOT_RECORDED, errors="ignore")
    main = (f", most often for a {recorded.idxmax().lower()} reason"
            if len(recorded) and recorded.max() > 0 else "")
    return f"{view.waiting.total:,} people are waiting; {trend}{main}."


def build(view: DelaysView, href: Callable[[str], str]) -> html.Div:
    bands = view.waiting.by_band
    seven_plus = bands["7-13 days"] + bands["14-20 days"] + bands["21+ days"]
    fourteen_plus = bands["14-20 days"] + bands["21+ days"]
    return html.Div([
        *page_header(f"Delays by reason: {view.area.name}", summary_sentence(view),
                     "delays-summary", view.state, pathway=False),
        html.H2("Waiting now", className="section-heading"),
        dbc.Row([
            dbc.Col(kpi_card("Waiting now", fmt.whole(view.waiting.total), "delays-waiting-value",
                             f"at {fmt.moment(view.now)}", definition="waiting"), md=3),
            dbc.Col(kpi_card("7 days or more", fmt.whole(seven_plus), "delays-7-value",
                             "whole days since NCTR", definition="waiting"), md=3),
            dbc.Col(kpi_card("14 days or more", fmt.whole(fourteen_plus), "delays-14-value",
                             "whole days since NCTR", definition="waiting"), md=3),
            dbc.Col(kpi_card("21 days or more", fmt.whole(bands["21+ days"]), "delays-21-value",
                             "whole days since NCTR", definition="waiting"), md=3),
        ], className="g-3 mb-3"),
        dbc.Row([
            dbc.Col(_reason_group_card(view), lg=6),
            dbc.Col(_bands_card(view), lg=6),
        ], className="g-3 mb-3"),
        dbc.Row([dbc.Col(longest_trend_card(view.longest_spc, view.longest_goal), lg=12)],
                className="g-3 mb-3"),
        dbc.Row([dbc.Col(_reasons_table_card(view), lg=12)], className="g-3 mb-3"),
        dbc.Row([
            dbc.Col(_count_card("By hospital site", view.by_site, "site", "sites",
                                "waiting-by-site"), lg=6),
            dbc.Col(_count_card("By home area", view.by_home_area, "area", "home-areas",
                                "waiting-by-home-area"), lg=6),
        ], className="g-3 mb-3"),
        html.H2(f"Over the period {view.state.first_day:%d %b %Y} to "
                f"{view.state.last_day:%d %b %Y}", className="section-heading"),
        dbc.Row([dbc.Col(_remaining_card(view), lg=12)], className="g-3 mb-3"),
        dbc.Row([
            dbc.Col(_bed_days_card(view), lg=6),
            dbc.Col(_accumulation_card(view), lg=6),
        ], className="g-3 mb-3"),
        dbc.Row([dbc.Col(_weekly_mix_card(view), lg=12)], className="g-3 mb-3"),
    ])


def _reason_group_card(view: DelaysView) -> dbc.Card:
    groups = _group_totals(view.by_reason, "people")
    text = ("Nobody is waiting." if groups.sum() == 0 else
            f"The largest group is {groups.idxmax().lower()}: {groups.max():,} of "
            f"{groups.sum():,} people waiting now.")
    return chart_card(
        "Waiting now by reason group", horizontal_bars(list(groups.index), list(groups.values),
                                                         axis_title="people waiting"),
        "reason-group-chart", text,
        data_table(["Reason group", "People"], list(groups.items()), "reason-group-table",
                   "People waiting now by reason group", kinds=["label", "count"]),
        definition="waiting-by-reason")


def _bands_card(view: DelaysView) -> dbc.Card:
    bands = view.waiting.by_band
    return chart_card(
        "How long they have waited", horizontal_bars(list(bands), list(bands.values()),
                                                     axis_title="people waiting"),
        "delay-bands-chart",
        f"{view.waiting.over_24_hours:,} of {view.waiting.total:,} have waited more than 24 h.",
        data_table(["Delay (whole days)", "People"], list(bands.items()), "delay-bands-table",
                   "People waiting now by delay band", kinds=["label", "count"]),
        definition="waiting")


def _reasons_table_card(view: DelaysView) -> dbc.Card:
    rows = [(r.reason_code, r.reason_group, r.reason, r.people)
            for r in view.by_reason.itertuples()]
    return dbc.Card(dbc.CardBody([
        html.H2("Waiting now by reason", className="card-heading"),
        html.P("Each person's current delay reason (the latest recorded at or before now). "
               "Codes as the national discharge sitrep's 37 reasons.", className="chart-summary"),
        data_table(["Code", "Group", "Reason", "People"], rows, "reasons-table",
                   "People waiting now by delay reason, most first",
                   kinds=["label", "label", "label", "count"]),
        how_we_count("delay-reasons"),
    ]), className="h-100")


def _count_card(title: str, frame: pd.DataFrame, label: str, slug: str,
                definition: str) -> dbc.Card:
    labels, values = list(frame[label]), [int(v) for v in frame.people]
    text = ("Nobody is waiting." if not values else
            f"Most are at or from {labels[0]} ({values[0]:,} people).")
    longest = [int(v) for v in frame.longest_delays]
    return chart_card(
        f"Waiting now {title.lower()}",
        horizontal_bars(labels, values, axis_title="people waiting"), f"{slug}-chart", text,
        data_table([label.capitalize(), "People", f"{LONGEST_DELAY_DAYS}+ days"],
                   list(zip(labels, values, longest, strict=True)),
                   f"{slug}-table", f"People waiting now {title.lower()}",
                   kinds=["label", "count", "count"]),
        definition=definition)


def _remaining_card(view: DelaysView) -> dbc.Card:
    result = view.remaining_spc
    points = result.points
    latest = f"{points.value.iloc[-1]:,.0f} on {points.date.iloc[-1]:%d %b}" if len(points) else ""
    mean = f"; the mean is {points['mean'].iloc[-1]:,.0f}" if len(points) else ""
    rows = [(f"{p.date:%Y-%m-%d}", f"{p.value:,.0f}", f"{p.mean:,.1f}", f"{p.lower:,.1f}",
             f"{p.upper:,.1f}", "yes" if p.special_cause else "")
            for p in points.itertuples()]
    return dbc.Card(dbc.CardBody([
        html.H2("People still waiting at the end of each day (sitrep 'remaining')",
                className="card-heading"),
        html.P(f"Latest {latest}{mean}. Fewer is better. Blue points show special cause "
               f"improvement, orange concern, grey common cause. {SPC_LIMITS_NOTE}",
               className="chart-summary"),
        spc_badges(result.variation_icon, result.assurance, trial=result.trial_limits),
        chart(spc_figure(result, title_y="people remaining"), "remaining-spc-chart"),
        on_demand(data_table(
            ["Day", "Remaining", "Mean", "Lower limit", "Upper limit", "Special cause"], rows,
            "remaining-table", "Daily remaining NCTR patients with SPC limits",
            # The mean and limits are over days, not people: no base count in the row.
            kinds=["label", "count", "measure", "measure", "measure", "label"])),
        how_we_count("sitrep-day"),
    ]))


def _bed_days_card(view: DelaysView) -> dbc.Card:
    days = _group_totals(view.hours_by_reason, "hours") / 24.0
    return chart_card(
        "Bed days lost by reason group",
        horizontal_bars(list(days.index), [round(v, 1) for v in days.values],
                        axis_title="bed days"),
        "bed-days-chart",
        f"{view.bed_days_lost:,.1f} bed days were lost to delays in the period.",
        data_table(["Reason group", "Bed days"], [(g, f"{v:,.1f}") for g, v in days.items()],
                   "bed-days-table", "Bed days lost in the period by reason group",
                   kinds=["label", "measure"]),
        definition="bed-days-lost")


def _accumulation_card(view: DelaysView) -> dbc.Card:
    top = view.hours_by_reason.head(12)
    labels = [f"{r.reason_code}: {r.reason}"[:60] for r in top.itertuples()]
    text = ("No waiting time in the period." if top.empty else
            f"Most waiting time accumulated under {top.reason_code.iloc[0]} "
            f"({top.reason.iloc[0]}): {top.hours.iloc[0]:,.0f} hours.")
    rows = [(r.reason_code, r.reason_group, r.reason, f"{r.hours:,.1f}")
            for r in view.hours_by_reason.itertuples()]
    return chart_card(
        "Where waiting time accumulates",
        horizontal_bars(labels, [round(h) for h in top.hours], axis_title="hours of waiting"),
        "accumulation-chart",
        text + " Each hour is given to the reason that was current at that moment.",
        data_table(["Code", "Group", "Reason", "Hours"], rows, "accumulation-table",
                   "Hours of waiting in the period by delay reason",
                   kinds=["label", "label", "label", "measure"]),
        definition="waiting-time-by-reason")


def _weekly_mix_card(view: DelaysView) -> dbc.Card:
    mix = view.weekly_mix.pivot_table(index="at", columns="reason_group", values="people",
                                      aggfunc="sum", fill_value=0)
    mix = mix[[g for g in GROUP_ORDER if g in mix.columns]]
    weeks = [f"{(at - timedelta(days=1)):%d %b}" for at in mix.index]
    series = {group: [int(v) for v in mix[group]] for group in mix.columns}
    rows = [(week, *[int(v) for v in mix.loc[at]])
            for week, at in zip(weeks, mix.index, strict=True)]
    return chart_card(
        "Reason mix week by week", stacked_bars(weeks, series, axis_title="people waiting"),
        "weekly-mix-chart",
        "People still waiting at the end of each Sunday in the period, by the reason group "
        "current then (as the national sitrep counts patients remaining by reason).",
        data_table(["Week ending", *mix.columns], rows, "weekly-mix-table",
                   "People waiting at the end of each week by reason group",
                   kinds=["label", *["count" for _ in mix.columns]]),
        definition="reason-mix-weekly")
