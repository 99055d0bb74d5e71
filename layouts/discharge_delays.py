"""The Discharge delays page: NHS England's measures from the discharge ready date (DRD) over the
period's discharges, month by month and week by week, by trust, site and home area; and the
longest delays (21 days or more) among the people waiting now."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard.goals import GoalInForce
from dashboard.results import AreaInfo, DischargeDelays
from dashboard.spc import SpcResult
from dashboard.url_state import ViewState
from dashboard.vocabulary import LONGEST_DELAY_DAYS
from layouts import formatting as fmt
from layouts.components import (
    SPC_LIMITS_NOTE,
    chart,
    chart_card,
    data_table,
    goal_note,
    how_we_count,
    kpi_card,
    spc_badges,
    spc_table,
)
from layouts.figures import horizontal_bars
from layouts.filters import page_header
from layouts.spc_figure import spc_figure

ON_DATE, MEAN_DELAY, LONGEST = ("discharged_on_drd_percent", "mean_delay_days",
                                "waiting_21_days_plus")  # the measures a goal may be set on
TREND_MONTHS = 24  # the monthly SPC chart's whole months, up to the period's end
MEASURE_COLUMNS = ["Discharges", "On the DRD", "1+ days later", "Average delay (everyone)",
                   "Average delay (delayed)", "Delay days", f"{LONGEST_DELAY_DAYS}+ days"]
MEASURE_KINDS = ["count", "measure", "measure", "measure", "measure", "count", "count"]


@dataclass(frozen=True)
class DischargeDelaysView:
    area: AreaInfo
    state: ViewState
    now: datetime
    delays: DischargeDelays
    monthly: pd.DataFrame  # discharge_delays_by_period, by month
    on_date_spc: SpcResult  # share discharged on their DRD, week by week
    mean_delay_spc: SpcResult  # average delay (everyone), week by week
    on_date_monthly_spc: SpcResult  # the share on the DRD, the TREND_MONTHS months to the end
    by_trust: pd.DataFrame  # discharge_delays_by ...
    by_site: pd.DataFrame
    by_home_area: pd.DataFrame
    home_level: str  # the level of by_home_area's areas, as the area tree names it
    longest_now: int  # waiting now, 21 days or more
    longest_spc: SpcResult  # waiting 21+ days at the end of each week
    goals: Mapping[str, GoalInForce]  # the local goals that hold at the period's end
    longest_by_site: pd.DataFrame  # waiting_by_site
    longest_by_home_area: pd.DataFrame  # waiting_by_home_area


def summary_sentence(view: DischargeDelaysView) -> str:
    """"Of 1,234 adults discharged, 85.2% left on their discharge ready date; ..."."""
    result = view.delays
    if result.discharges == 0:
        return "No adult was discharged after a stay of a night or more in the period."
    return (f"Of {result.discharges:,} adults discharged after a stay of a night or more, "
            f"{fmt.percent(result.on_ready_date_percent)} left on their discharge ready date "
            f"and {fmt.percent(result.delayed_percent)} later; "
            f"{fmt.whole(view.longest_now)} people have been waiting {LONGEST_DELAY_DAYS} days "
            "or more now.")


def build(view: DischargeDelaysView, href: Callable[[str], str]) -> html.Div:
    result = view.delays
    return html.Div([
        *page_header(f"Discharge delays: {view.area.name}", summary_sentence(view),
                     "discharge-delays-summary", view.state, pathway=False),
        html.P("As NHS England publishes them (\"Discharge delays (acute)\"): adults discharged "
               "after a stay of at least one night, counted in calendar days from the "
               "discharge ready date (DRD), the day they stopped meeting the criteria to "
               "reside, to the discharge.", className="chart-summary"),
        html.H2(f"Discharged {view.state.first_day:%d %b %Y} to {view.state.last_day:%d %b %Y}",
                className="section-heading"),
        dbc.Row([
            dbc.Col(kpi_card("Discharged on their DRD", fmt.percent(result.on_ready_date_percent),
                             "drd-on-date-value",
                             f"{result.on_ready_date:,} of {result.discharges:,} discharges",
                             definition="discharge-delays"), md=3),
            dbc.Col(kpi_card("Discharged 1 or more days later",
                             fmt.percent(result.delayed_percent), "drd-delayed-value",
                             f"{result.delayed:,} of {result.discharges:,} discharges",
                             definition="discharge-delays"), md=3),
            dbc.Col(kpi_card("Average delay", _days(result.mean_delay_days), "drd-mean-value",
                             f"counting everyone; {_days(result.mean_delay_days_of_delayed)} "
                             "over those delayed", definition="discharge-delays"), md=3),
            dbc.Col(kpi_card("Delay days", fmt.whole(result.delay_days), "drd-days-value",
                             "bed days lost to discharge delay", definition="discharge-delays"),
                    md=3),
        ], className="g-3 mb-3"),
        html.P(_left_out(result), id="drd-left-out", className="chart-summary"),
        dbc.Row([
            dbc.Col(_bands_card(view), lg=6),
            dbc.Col(_monthly_card(view), lg=6),
        ], className="g-3 mb-3"),
        dbc.Row([
            dbc.Col(_trend_card("Share discharged on their DRD, week by week", view.on_date_spc,
                                view.goals.get(ON_DATE), "drd-on-date-spc", "% on the DRD",
                                "{:.1f}%"), lg=6),
            dbc.Col(_trend_card("Average delay in days, week by week", view.mean_delay_spc,
                                view.goals.get(MEAN_DELAY), "drd-mean-spc", "days", "{:.2f}"),
                    lg=6),
        ], className="g-3 mb-3"),
        dbc.Row([
            dbc.Col(_trend_card("Share discharged on their DRD, month by month",
                                view.on_date_monthly_spc, view.goals.get(ON_DATE),
                                "drd-on-date-monthly-spc", "% on the DRD", "{:.1f}%", MONTHS,
                                "Month"), lg=12),
        ], className="g-3 mb-3"),
        dbc.Row([
            dbc.Col(_groups_card("By acute trust", view.by_trust, "Trust", "drd-by-trust"),
                    lg=6),
            dbc.Col(_groups_card("By hospital site", view.by_site, "Site", "drd-by-site"),
                    lg=6),
        ], className="g-3 mb-3"),
        dbc.Row([dbc.Col(_groups_card("By home area", view.by_home_area, "Area",
                                      "drd-by-home-area"), lg=12)], className="g-3 mb-3"),
        html.H2(f"The longest delays: waiting {LONGEST_DELAY_DAYS} days or more now",
                className="section-heading"),
        dbc.Row([
            dbc.Col(kpi_card(f"Waiting {LONGEST_DELAY_DAYS} days or more",
                             fmt.whole(view.longest_now), "longest-now-value",
                             f"at {fmt.moment(view.now)}", definition="longest-delays",
                             link=(href("/huddle"), "Who they are (hub leads)")), md=3),
            dbc.Col(longest_trend_card(view.longest_spc, view.goals.get(LONGEST)), md=9),
        ], className="g-3 mb-3"),
        dbc.Row([
            dbc.Col(_longest_card("By hospital site", view.longest_by_site, "site",
                                  "longest-by-site"), lg=6),
            dbc.Col(_longest_card("By home area", view.longest_by_home_area, "area",
                                  "longest-by-home-area"), lg=6),
        ], className="g-3 mb-3"),
    ])


def _days(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f} days"


def _left_out(result: DischargeDelays) -> str:
    left = {why: n for why, n in result.not_counted.items() if n}
    if not left:
        return "No discharge of the period was left out."
    return ("Left out of these figures, as the national measure leaves them out: "
            + "; ".join(f"{fmt.plural(n, 'discharge')} {why}" for why, n in left.items()) + ".")


def _measure_row(row: Any) -> list[str]:
    """A row of discharge_delays_by(_period), as MEASURE_COLUMNS writes it."""
    return [fmt.whole(row.discharges), fmt.percent(_number(row.on_ready_date_percent)),
            fmt.percent(_number(row.delayed_percent)), _days(_number(row.mean_delay_days)),
            _days(_number(row.mean_delay_days_of_delayed)), fmt.whole(row.delay_days),
            fmt.whole(row.longest_delays)]


def _number(value: Any) -> float | None:
    """A figure of a frame row; None where it has none (NaN: no discharge to average over)."""
    return None if value is None or pd.isna(value) else float(value)


def _bands_card(view: DischargeDelaysView) -> dbc.Card:
    bands = view.delays.by_band
    return chart_card(
        "Days from the discharge ready date to discharge",
        horizontal_bars(list(bands), list(bands.values()), axis_title="discharges"),
        "drd-bands-chart",
        f"{view.delays.by_band[f'{LONGEST_DELAY_DAYS}+ days']:,} of the period's discharges "
        f"had waited {LONGEST_DELAY_DAYS} days or more.",
        data_table(["Delay (calendar days)", "Discharges"], list(bands.items()),
                   "drd-bands-table", "Discharges by days from the DRD, national bands",
                   kinds=["label", "count"]),
        definition="discharge-delays")


def _monthly_card(view: DischargeDelaysView) -> dbc.Card:
    rows = [[f"{r.period_start:%b %Y}", *_measure_row(r)] for r in view.monthly.itertuples()]
    return dbc.Card(dbc.CardBody([
        html.H2("Month by month", className="card-heading"),
        html.P("The measures as NHS England's monthly statistics publish them, over the "
               "discharges of each month of the period (a month cut by the period counts its "
               "days in the period only).", className="chart-summary"),
        data_table(["Month", *MEASURE_COLUMNS], rows, "drd-monthly-table",
                   "Discharge delays month by month", kinds=["label", *MEASURE_KINDS]),
        how_we_count("discharge-delays-by-period"),
    ]), className="h-100")


WEEKS = "Whole weeks (Monday to Sunday) of the period, by the day of discharge."
MONTHS = (f"The {TREND_MONTHS} whole months up to the period's end, as the monthly statistics "
          "are published, by the day of discharge.")


def _trend_card(title: str, result: SpcResult, goal: GoalInForce | None, chart_id: str,
                axis: str, value_format: str, over: str = WEEKS,
                point: str = "Week from") -> dbc.Card:
    better = "Higher" if result.direction == "up" else "Lower"
    return dbc.Card(dbc.CardBody([
        html.H2(title, className="card-heading"),
        html.P(f"{over} {better} is better. {SPC_LIMITS_NOTE}", className="chart-summary"),
        spc_badges(result.variation_icon, result.assurance, trial=result.trial_limits),
        goal_note(goal, f"{chart_id}-goal"),
        chart(spc_figure(result, title_y=axis, height=260), chart_id),
        spc_table(result, f"{chart_id}-table", axis, title, "measure", point=point,
                  value_format=value_format),
        how_we_count("discharge-delays-by-period"),
    ]), className="h-100")


def _groups_card(title: str, frame: pd.DataFrame, label: str, table_id: str) -> dbc.Card:
    rows = [[r.name, *_measure_row(r)] for r in frame.itertuples()]
    return dbc.Card(dbc.CardBody([
        html.H2(f"Discharge delays {title.lower()}", className="card-heading"),
        html.P("Most discharges first." if rows else "No discharge counted in the period.",
               className="chart-summary"),
        data_table([label, *MEASURE_COLUMNS], rows, f"{table_id}-table",
                   f"Discharge delays {title.lower()}", kinds=["label", *MEASURE_KINDS]),
        how_we_count("discharge-delays-by"),
    ]), className="h-100")


def longest_trend_card(result: SpcResult, goal: GoalInForce | None,
                       chart_id: str = "longest-spc-chart") -> dbc.Card:
    """The longest delays week by week, on an SPC chart read against their local goal (Delays,
    Discharge delays)."""
    return dbc.Card(dbc.CardBody([
        html.H2(f"Waiting {LONGEST_DELAY_DAYS} days or more at the end of each week",
                className="card-heading"),
        html.P("People still in hospital at the end of each Sunday of the period (Monday "
               f"00:00) who had waited {LONGEST_DELAY_DAYS} days or more since NCTR. Fewer is "
               f"better. {SPC_LIMITS_NOTE}", className="chart-summary"),
        spc_badges(result.variation_icon, result.assurance, trial=result.trial_limits),
        goal_note(goal, f"{chart_id}-goal"),
        chart(spc_figure(result, title_y="people", height=260), chart_id),
        spc_table(result, f"{chart_id}-table", "people",
                  f"Waiting {LONGEST_DELAY_DAYS} days or more, weekly", "count",
                  point="Week ending"),
        how_we_count("longest-delays"),
    ]), className="h-100")


def _longest_card(title: str, frame: pd.DataFrame, label: str, slug: str) -> dbc.Card:
    shown = frame[frame.longest_delays > 0].sort_values(["longest_delays", label],
                                                         ascending=[False, True])
    labels, values = list(shown[label]), [int(v) for v in shown.longest_delays]
    text = (f"Nobody has waited {LONGEST_DELAY_DAYS} days or more." if not values else
            f"Most are at or from {labels[0]} ({values[0]:,} people).")
    rows = [(r[label], int(r.longest_delays), int(r.people)) for _, r in shown.iterrows()]
    return chart_card(
        f"Waiting {LONGEST_DELAY_DAYS} days or more {title.lower()}",
        horizontal_bars(labels, values, axis_title="people waiting"), f"{slug}-chart", text,
        data_table([label.capitalize(), f"{LONGEST_DELAY_DAYS}+ days", "All waiting"], rows,
                   f"{slug}-table", f"People waiting {LONGEST_DELAY_DAYS} days or more "
                   f"{title.lower()}", kinds=["label", "count", "count"]),
        definition="longest-delays")
