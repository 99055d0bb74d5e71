"""The Places page: every place (or every neighbourhood of a place) side by side, on rates per
100,000 aged 65+ and percentages, with SPC icons and funnel plots so small places are judged
fairly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.rates import FUNNEL_LEVELS
from dashboard.results import AreaInfo
from dashboard.spc import VARIATION_ICON_LABELS, SpcResult
from dashboard.url_state import ViewState
from layouts import formatting as fmt
from layouts.components import chart_card, data_table, how_we_count
from layouts.figures import funnel
from layouts.filters import page_header

LEVEL_NAMES = {"district": "place", "neighbourhood": "neighbourhood", "icb": "system"}


@dataclass(frozen=True)
class PlacesView:
    area: AreaInfo
    level: str
    state: ViewState
    now: datetime
    places: pd.DataFrame  # place_comparison
    waiting_spc: dict[str, SpcResult]  # area code -> daily remaining
    within_spc: dict[str, SpcResult]  # area code -> weekly % within 24 h
    waiting_funnel: dict[str, tuple[list[float], list[float], list[float]]]
    within_funnel: dict[str, tuple[list[float], list[float], list[float]]]
    overall_waiting_rate: float | None
    overall_within_percent: float | None


def _icon(result: SpcResult | None) -> str:
    if result is None or result.variation_icon is None:
        return "no data"
    return VARIATION_ICON_LABELS[result.variation_icon]


def _rate(value: float | None) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:,.1f}"


def summary_sentence(view: PlacesView) -> str:
    noun = LEVEL_NAMES.get(view.level, view.level)
    places = view.places.dropna(subset=["waiting_rate"])
    if places.empty:
        return f"No {noun} has a population recorded, so no rates can be shown."
    top = places.sort_values("waiting_rate", ascending=False).iloc[0]
    return (f"{len(view.places)} {noun}s side by side. Overall "
            f"{_rate(view.overall_waiting_rate)} people per 100,000 aged 65+ are waiting; the "
            f"highest is {top.area} at {_rate(top.waiting_rate)}. The funnel plots show which "
            "differences are beyond chance.")


def build(view: PlacesView, href: Callable[[str], str]) -> html.Div:
    noun = LEVEL_NAMES.get(view.level, view.level)
    return html.Div([
        *page_header(f"Places: {view.area.name}", summary_sentence(view), "places-summary",
                     view.state, pathway=False),
        dbc.Card(dbc.CardBody([
            html.H2(f"Every {noun} side by side", className="card-heading"),
            html.P("Rates are per 100,000 people aged 65+ living there (ONS mid-2020). A "
                   f"{noun}'s name opens this page for it; its other links open the other "
                   "pages for it.", className="chart-summary"),
            _table(view, href),
            how_we_count("places"),
        ]), className="mb-3"),
        dbc.Row([
            dbc.Col(_waiting_funnel_card(view), lg=6),
            dbc.Col(_within_funnel_card(view), lg=6),
        ], className="g-3 mb-3"),
    ])


def _link_search(href: Callable[[str], str], path: str, code: str) -> str:
    base = href(path)
    path_part, _, query = base.partition("?")
    kept = "&".join(p for p in query.split("&") if p and not p.startswith("area="))
    return f"{path_part}?area={code}" + (f"&{kept}" if kept else "")


def _table(view: PlacesView, href: Callable[[str], str]) -> html.Div:
    header = ["Area", "People 65+", "Waiting now", "per 100,000", "Waiting: variation",
              "7+ days", "per 100,000", "P1 starts", "per 100,000", "Within 24 h",
              "Within 24 h: variation", "At home at 91 days", "Open"]
    body = []
    for r in view.places.itertuples():
        body.append(html.Tr([
            html.Th(dcc.Link(r.area, href=_link_search(href, "/places", r.area_code),
                             id=f"place-link-{r.area_code}"), scope="row"),
            html.Td(fmt.whole(None if pd.isna(r.population_65_plus)
                              else int(r.population_65_plus))),
            html.Td(fmt.whole(r.waiting), id=f"place-waiting-{r.area_code}"),
            html.Td(_rate(r.waiting_rate), id=f"place-waiting-rate-{r.area_code}"),
            html.Td(_icon(view.waiting_spc.get(r.area_code))),
            html.Td(fmt.whole(r.long_waits)), html.Td(_rate(r.long_waits_rate)),
            html.Td(fmt.whole(r.p1_starts)), html.Td(_rate(r.p1_starts_rate)),
            html.Td(fmt.percent(r.within_24h_percent), id=f"place-within-{r.area_code}"),
            html.Td(_icon(view.within_spc.get(r.area_code))),
            html.Td(fmt.percent(r.at_home_percent)),
            html.Td([dcc.Link("Today", href=_link_search(href, "/", r.area_code)), " · ",
                     dcc.Link("Delays", href=_link_search(href, "/delays", r.area_code))]),
        ]))
    return html.Div(html.Table(
        [html.Caption("Places side by side"),
         html.Thead(html.Tr([html.Th(h, scope="col") for h in header])), html.Tbody(body)],
        id="places-table", className="table table-sm data-table"), className="table-block")


def _waiting_funnel_card(view: PlacesView) -> dbc.Card:
    frame = view.places.dropna(subset=["waiting_rate"])
    return chart_card(
        "Waiting now per 100,000 aged 65+: funnel plot",
        funnel(list(frame.area), list(frame.population_65_plus), list(frame.waiting_rate),
               view.waiting_funnel, centre=view.overall_waiting_rate or 0,
               x_title="people aged 65+", y_title="waiting per 100,000"),
        "waiting-funnel-chart",
        "A place outside the 99.8% limits differs from the overall rate by more than chance; "
        "inside the 95% limits, any difference may well be chance.",
        data_table(["Area", "People 65+", "Waiting per 100,000"],
                   [(r.area, int(r.population_65_plus), _rate(r.waiting_rate))
                    for r in frame.itertuples()], "waiting-funnel-table",
                   "Waiting now per 100,000 aged 65+",
                   # The rate is of the people waiting (not in the row), over the population:
                   # with "People 65+" it would give that count away, so it is withheld.
                   kinds=["label", "count", "measure"]), definition="funnel-plots")


def _within_funnel_card(view: PlacesView) -> dbc.Card:
    frame = view.places[view.places.started > 0]
    return chart_card(
        "Share within 24 hours: funnel plot",
        funnel(list(frame.area), list(frame.started), list(frame.within_24h_percent),
               view.within_funnel, centre=view.overall_within_percent or 0,
               x_title="services started in the period", y_title="% within 24 h"),
        "within-funnel-chart",
        f"Limits at {100 * FUNNEL_LEVELS[0]:.0f}% and {100 * FUNNEL_LEVELS[1]:.1f}% around the "
        "overall share: small places get wide limits, so they are not judged on noise.",
        data_table(["Area", "Started", "Within 24 h"],
                   [(r.area, r.started, fmt.percent(r.within_24h_percent))
                    for r in frame.itertuples()], "within-funnel-table",
                   "Share within 24 hours by area",
                   kinds=["label", "count", "share:Started"]), definition="funnel-plots")
