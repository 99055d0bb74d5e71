"""The national benchmark page: every ICB on NHS England's published discharge sitreps, the
user's own system highlighted with its region's peers and England."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.figures import grouped_bars, ranked_bars
from dashboard.spc import SpcResult
from dashboard.spc_figure import spc_figure
from dashboard.vocabulary import REASON_GROUPS
from layouts.components import chart_card, data_table, how_we_count, kpi_card, notice, spc_badges

CREDIT = "Source: NHS England, Open Government Licence v3.0"


@dataclass(frozen=True)
class BenchmarkView:
    first_day: date
    last_day: date
    icbs: pd.DataFrame  # icb_benchmark
    trusts: pd.DataFrame  # trust_benchmark
    england: dict[str, float]
    own_icb: str | None
    own_spc: SpcResult | None
    reason_month: date | None
    own_mix: pd.DataFrame
    england_mix: pd.DataFrame


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
    own = view.icbs[view.icbs.code == view.own_icb]
    own_row = own.iloc[0] if len(own) else None
    name = own_row["name"] if own_row is not None else "your system"
    return html.Div([
        html.H1("National benchmark", id="page-title"),
        html.P(f"NHS England's published discharge sitreps for all {len(view.icbs)} ICBs, "
               f"{view.first_day:%d %b %Y} to {view.last_day:%d %b %Y} (the latest published "
               f"twelve weeks). {CREDIT}.", className="lead-in", id="benchmark-summary"),
        dbc.Row([
            dbc.Col(kpi_card("NCTR patients per 100,000 aged 65+",
                             _value(own_row["nctr_per_100k"] if own_row is not None else None),
                             "own-nctr-value",
                             html.Span([f"{name}, a day on average; England ",
                                        html.Span(_value(view.england["nctr_per_100k"]),
                                                  id="england-nctr-value")]),
                             definition="benchmark"), md=4),
            dbc.Col(kpi_card("Discharged the same day",
                             _value(own_row["same_day_percent"] if own_row is not None
                                    else None, "%"), "own-same-day-value",
                             html.Span(["of NCTR patients; England ",
                                        html.Span(_value(view.england["same_day_percent"], "%"),
                                                  id="england-same-day-value")]),
                             definition="benchmark"), md=4),
            dbc.Col(kpi_card("Remaining per 100,000 aged 65+",
                             _value(own_row["remaining_per_100k"] if own_row is not None
                                    else None), "own-remaining-value",
                             html.Span(["still in hospital at midnight; England ",
                                        html.Span(_value(view.england["remaining_per_100k"]),
                                                  id="england-remaining-value")]),
                             definition="benchmark"), md=4),
        ], className="g-3 mb-3"),
        html.P(["England in the period: ",
                html.Span(f"{view.england['nctr_per_day']:,.0f}", id="england-nctr-per-day"),
                " NCTR patients a day (the sum of every ICB's published figures)."],
               className="chart-summary"),
        dbc.Row([
            dbc.Col(_ranking_card(view, own_row), lg=7),
            dbc.Col([_trend_card(view, name), _mix_card(view, name)], lg=5),
        ], className="g-3 mb-3"),
        dbc.Row([dbc.Col(_table_card(view), lg=12)], className="g-3 mb-3"),
        dbc.Row([dbc.Col(_trusts_card(view), lg=12)], className="g-3 mb-3"),
        html.P(CREDIT, className="chart-summary", id="benchmark-credit"),
    ])


def _ranking_card(view: BenchmarkView, own_row: pd.Series | None) -> dbc.Card:
    frame = view.icbs.sort_values("nctr_per_100k", ascending=False)
    region = own_row["region"] if own_row is not None else None
    peers = set(frame[frame.region == region].name) if region else set()
    return chart_card(
        "Every ICB: NCTR patients per 100,000 aged 65+",
        ranked_bars(list(frame.name), [round(v, 1) for v in frame.nctr_per_100k],
                    highlight=own_row["name"] if own_row is not None else None, peers=peers,
                    reference=(view.england["nctr_per_100k"], "England"),
                    axis_title="NCTR patients a day per 100,000 aged 65+"),
        "icb-ranking-chart",
        "Your system is dark blue and hatched, the other ICBs of its region mid blue; the "
        "dotted line is England. Per 100,000 people aged 65+ so systems of different sizes "
        "compare fairly.",
        data_table(["ICB", "Region", "NCTR per 100,000"],
                   [(r.name, r.region, _value(r.nctr_per_100k)) for r in frame.itertuples()],
                   "icb-ranking-table", "ICBs by NCTR patients per 100,000 aged 65+",
                   kinds=["label", "label", "measure"]),
        definition="benchmark")


def _trend_card(view: BenchmarkView, name: str) -> dbc.Card:
    if view.own_spc is None:
        return dbc.Card(dbc.CardBody(html.P("Choose an area inside an ICB to see its trend.")))
    return dbc.Card(dbc.CardBody([
        html.H2(f"{name}: week by week", className="card-heading"),
        html.P("Weekly mean of NCTR patients per 100,000 aged 65+, on an SPC chart (fewer is "
               "better).", className="chart-summary"),
        spc_badges(view.own_spc.variation_icon, None, trial=view.own_spc.trial_limits),
        dcc.Graph(figure=spc_figure(view.own_spc, title_y="per 100,000", height=260),
                  id="own-trend-chart", config={"displayModeBar": False}),
        how_we_count("benchmark-trend"),
    ]), className="mb-3")


def _mix_card(view: BenchmarkView, name: str) -> dbc.Card:
    groups = list(REASON_GROUPS)

    def shares(frame: pd.DataFrame) -> list[float]:
        by_group = frame.set_index("reason_group").share if len(frame) else pd.Series(dtype=float)
        return [round(float(by_group.get(g, 0.0)), 1) for g in groups]

    series = {name: shares(view.own_mix), "England": shares(view.england_mix)}
    month = f"{view.reason_month:%B %Y}" if view.reason_month else "no month"
    return chart_card(
        f"Why people remain: reason mix, {month}",
        grouped_bars(groups, series, axis_title="% of patients remaining"), "reason-mix-chart",
        "Patients remaining in hospital by delay reason group, your system's trusts against "
        "England.",
        data_table(["Reason group", *series], [(g, *[series[s][i] for s in series])
                                              for i, g in enumerate(groups)],
                   "reason-mix-table", "Reason mix, your system against England",
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
    own = frame[frame.icb_code == view.own_icb]
    rows = [(("★ " if r.icb_code == view.own_icb else "") + r.name, r.region or "",
             _value(r.nctr_per_day), _value(r.same_day_percent, "%"),
             _value(r.remaining_per_day), int(r.days))
            for r in pd.concat([own, frame[frame.icb_code != view.own_icb]]).itertuples()]
    return dbc.Card(dbc.CardBody([
        html.H2("Acute trusts", className="card-heading"),
        html.P("Per day (a trust has no resident population). Your system's trusts come first, "
               "marked ★.", className="chart-summary"),
        data_table(["Trust", "Region", "NCTR a day", "Same day", "Remaining a day",
                    "Days submitted"], rows, "trust-table", "Acute trusts on the three measures",
                   kinds=["label", "label", "measure", "measure", "measure", "label"]),
        how_we_count("benchmark"),
    ]))
