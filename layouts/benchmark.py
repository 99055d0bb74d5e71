"""The national benchmark page: every ICB on NHS England's published discharge sitreps, with
England, a region or an ICB chosen and highlighted against England."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.results import ENGLAND, Choice
from dashboard.spc import SpcResult
from dashboard.vocabulary import REASON_GROUPS
from layouts.components import (
    chart,
    chart_card,
    data_table,
    how_we_count,
    kpi_card,
    notice,
    spc_badges,
    spc_table,
)
from layouts.figures import grouped_bars, ranked_bars
from layouts.filters import filter_group
from layouts.spc_figure import spc_figure

CREDIT = "Source: NHS England, Open Government Licence v3.0"
INDENT = "\u2003"  # em spaces survive HTML whitespace folding


@dataclass(frozen=True)
class BenchmarkView:
    first_day: date
    last_day: date
    icbs: pd.DataFrame  # icb_benchmark
    trusts: pd.DataFrame  # trust_benchmark
    choice: Choice  # what is shown: England, a region or an ICB
    choices: tuple[Choice, ...]  # what may be chosen, in the order offered
    chosen: dict[str, float]  # sum_of_icbs of the choice
    england: dict[str, float]  # sum_of_icbs of every ICB
    trend: SpcResult | None  # the choice's weekly_trend
    reason_month: date | None
    chosen_mix: pd.DataFrame
    england_mix: pd.DataFrame
    message: str | None = None  # what was wrong with the choice in the address


def _value(value: float | None, unit: str = "") -> str:
    return "–" if value is None or pd.isna(value) else f"{value:,.1f}{unit}"


def no_data() -> html.Div:
    return html.Div([
        html.H1("National benchmark", id="page-title"),
        notice("No published figures are loaded. Load NHS England's discharge sitrep extracts "
               "with 'python -m dashboard load-published FOLDER' (the repository has them in "
               "reference_data/nhse_discharge_sitrep).", element_id="benchmark-empty"),
    ])


def build(view: BenchmarkView, href: Callable[[str], str]) -> html.Div:
    name, is_england = view.choice.name, view.choice.level == "england"
    return html.Div([
        html.H1("National benchmark", id="page-title"),
        *([notice(view.message, element_id="benchmark-choice-message")] if view.message else []),
        filter_group([_choice_picker(view)]),
        html.P(f"NHS England's published discharge sitreps for all {len(view.icbs)} ICBs, "
               f"{view.first_day:%d %b %Y} to {view.last_day:%d %b %Y} (the latest published "
               f"twelve weeks), showing {name}. {CREDIT}.", className="lead-in",
               id="benchmark-summary"),
        dbc.Row([
            dbc.Col(_kpi("NCTR patients per 100,000 aged 65+", view, "nctr_per_100k", "",
                         "nctr", f"{name}, a day on average"), md=4),
            dbc.Col(_kpi("Discharged the same day", view, "same_day_percent", "%", "same-day",
                         "of NCTR patients" + ("" if is_england else f" in {name}")), md=4),
            dbc.Col(_kpi("Remaining per 100,000 aged 65+", view, "remaining_per_100k", "",
                         "remaining", "still in hospital at midnight"), md=4),
        ], className="g-3 mb-3"),
        html.P(["England in the period: ",
                html.Span(f"{view.england['nctr_per_day']:,.0f}", id="england-nctr-per-day"),
                " NCTR patients a day (the sum of every ICB's published figures)."],
               className="chart-summary"),
        dbc.Row([
            dbc.Col(_ranking_card(view), lg=7),
            dbc.Col([_trend_card(view), _mix_card(view)], lg=5),
        ], className="g-3 mb-3"),
        dbc.Row([dbc.Col(_table_card(view), lg=12)], className="g-3 mb-3"),
        dbc.Row([dbc.Col(_trusts_card(view), lg=12)], className="g-3 mb-3"),
        html.P(CREDIT, className="chart-summary", id="benchmark-credit"),
    ])


def _choice_picker(view: BenchmarkView) -> html.Div:
    """England, then each region with its ICBs indented under it."""
    depth = {"england": 0, "region": 1, "icb": 2}
    options = [{"label": INDENT * depth[c.level] + c.name
                + (" (region)" if c.level == "region" else ""), "value": c.key}
               for c in view.choices]
    return html.Div([
        html.Label("Show", htmlFor="benchmark-picker", className="filter-label"),
        dcc.Dropdown(id="benchmark-picker", options=options, value=view.choice.key,
                     clearable=False, searchable=True, className="benchmark-picker"),
    ], className="filter")


def _kpi(title: str, view: BenchmarkView, measure: str, unit: str, key: str,
         detail: str) -> dbc.Card:
    """The choice's figure, and England's beside it (unless England is the choice)."""
    england = [] if view.choice.level == "england" else [
        "; England ", html.Span(_value(view.england[measure], unit), id=f"england-{key}-value")]
    return kpi_card(title, _value(view.chosen[measure], unit), f"chosen-{key}-value",
                    html.Span([detail, *england]), definition="benchmark")


def _ranking_card(view: BenchmarkView) -> dbc.Card:
    frame = view.icbs.sort_values("nctr_per_100k", ascending=False)
    choice = view.choice
    peers = set(frame[frame.region == choice.region].name) if choice.region else set()
    highlight = choice.name if choice.level == "icb" else None
    return chart_card(
        "Every ICB: NCTR patients per 100,000 aged 65+",
        ranked_bars(list(frame.name), [round(v, 1) for v in frame.nctr_per_100k],
                    highlight=highlight, peers=peers - {highlight},
                    reference=(view.england["nctr_per_100k"], ENGLAND),
                    axis_title="NCTR patients a day per 100,000 aged 65+"),
        "icb-ranking-chart",
        {"icb": "The ICB shown is dark blue and hatched, the other ICBs of its region mid blue; ",
         "region": "The region's ICBs are mid blue; ",
         "england": ""}[choice.level]
        + "the dotted line is England. Per 100,000 people aged 65+ so systems of different "
          "sizes compare fairly.",
        data_table(["ICB", "Region", "NCTR per 100,000"],
                   [(r.name, r.region, _value(r.nctr_per_100k)) for r in frame.itertuples()],
                   "icb-ranking-table", "ICBs by NCTR patients per 100,000 aged 65+",
                   kinds=["label", "label", "measure"]),
        definition="benchmark")


def _trend_card(view: BenchmarkView) -> dbc.Card:
    name = view.choice.name
    if view.trend is None:
        return dbc.Card(dbc.CardBody(html.P(f"No weekly figures are published for {name}.",
                                            id="trend-empty")), className="mb-3")
    return dbc.Card(dbc.CardBody([
        html.H2(f"{name}: week by week", className="card-heading"),
        html.P("Weekly mean of NCTR patients per 100,000 aged 65+, whole weeks (Monday to "
               "Sunday) only, on an SPC chart (fewer is better).", className="chart-summary"),
        spc_badges(view.trend.variation_icon, None, trial=view.trend.trial_limits),
        chart(spc_figure(view.trend, title_y="per 100,000", height=260), "trend-chart"),
        spc_table(view.trend, "trend-table", "NCTR per 100,000",
                  f"{name}: NCTR patients per 100,000 aged 65+ week by week, with the SPC mean",
                  "measure", point="Week beginning", value_format="{:,.1f}"),
        how_we_count("benchmark-trend"),
    ]), className="mb-3")


def _mix_card(view: BenchmarkView) -> dbc.Card:
    groups = list(REASON_GROUPS)

    def shares(frame: pd.DataFrame) -> list[float]:
        by_group = frame.set_index("reason_group").share if len(frame) else pd.Series(dtype=float)
        return [round(float(by_group.get(g, 0.0)), 1) for g in groups]

    name = view.choice.name
    series = {ENGLAND: shares(view.england_mix)}
    if view.choice.level != "england":
        series = {name: shares(view.chosen_mix), **series}
    month = f"{view.reason_month:%B %Y}" if view.reason_month else "no month"
    against = "" if view.choice.level == "england" else f", {name}'s trusts against England"
    return chart_card(
        f"Why people remain: reason mix, {month}",
        grouped_bars(groups, series, axis_title="% of patients remaining"), "reason-mix-chart",
        f"Patients remaining in hospital by delay reason group{against}.",
        data_table(["Reason group", *series], [(g, *[series[s][i] for s in series])
                                              for i, g in enumerate(groups)],
                   "reason-mix-table", f"Reason mix{against}",
                   kinds=["label", *["measure" for _ in series]]),
        definition="benchmark-reason-mix")


def _table_card(view: BenchmarkView) -> dbc.Card:
    rows = [(r.name, r.region, f"{r.population_65_plus:,.0f}", _value(r.nctr_per_100k),
             _value(r.same_day_percent, "%"), _value(r.remaining_per_100k), int(r.days))
            for r in view.icbs.itertuples()]
    return dbc.Card(dbc.CardBody([
        html.H2("All ICBs", className="card-heading"),
        data_table(["ICB", "Region", "People 65+", "NCTR per 100,000", "Same day",
                    "Remaining per 100,000", "Days submitted"], rows, "icb-table",
                   "All ICBs on the three measures",
                   # Rates and shares with no count of patients in the row are withheld; the
                   # days an ICB submitted are not a figure about people.
                   kinds=["label", "label", "count", "measure", "measure", "measure", "label"]),
        how_we_count("benchmark"),
    ]))


def _trusts_card(view: BenchmarkView) -> dbc.Card:
    frame = view.trusts.sort_values(["icb_code", "name"], key=lambda c: c.fillna(""))
    codes = view.choice.icb_codes
    first = frame.icb_code.isin(codes or ())  # England marks none
    rows = [(("★ " if marked else "") + r.name, r.region or "", _value(r.nctr_per_day),
             _value(r.same_day_percent, "%"), _value(r.remaining_per_day), int(r.days))
            for marked, part in ((True, frame[first]), (False, frame[~first]))
            for r in part.itertuples()]
    return dbc.Card(dbc.CardBody([
        html.H2("Acute trusts", className="card-heading"),
        html.P("Per day (a trust has no resident population)."
               + ("" if codes is None else f" The trusts of {view.choice.name} come first, "
                                           "marked ★."), className="chart-summary"),
        data_table(["Trust", "Region", "NCTR a day", "Same day", "Remaining a day",
                    "Days submitted"], rows, "trust-table", "Acute trusts on the three measures",
                   kinds=["label", "label", "measure", "measure", "measure", "label"]),
        how_we_count("benchmark"),
    ]))
