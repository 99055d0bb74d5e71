"""The huddle list: everyone waiting now in the hub's areas, longest wait first, on screen and
printed (assets/app.css "Huddle list": one sheet per 25 people, each with its own header)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from dash import html

from dashboard.results import AreaInfo, HuddleFilterOptions
from dashboard.url_state import ViewState
from dashboard.vocabulary import AMBITION_HOURS, LONGEST_DELAY_DAYS, NOT_RECORDED
from layouts import formatting as fmt
from layouts.components import element, how_we_count, table_block, table_caption
from layouts.filters import (
    filter_group,
    pathway_picker,
    reason_group_picker,
    site_picker,
    waited_picker,
)
from layouts.static_html import StaticHtml

PEOPLE_PER_SHEET = 25
COLUMNS = ("Person", "Site / ward", "Since NCTR", "Pathway", "Current reason", "On this reason",
           "Referred to hub", "Last update")
OVER_24 = f"Over {AMBITION_HOURS:.0f} h"
LONGEST = f"{LONGEST_DELAY_DAYS}+ days"  # the longest delays' badge
LONGEST_HOURS = 24.0 * LONGEST_DELAY_DAYS


@dataclass(frozen=True)
class HuddleView:
    area: AreaInfo
    state: ViewState
    now: datetime
    people: pd.DataFrame  # data_access.huddle.huddle_list
    options: HuddleFilterOptions
    synthetic: bool  # each printed sheet then says so


def build(view: HuddleView) -> html.Div:
    people = view.people
    over = int(people.over_24_hours.sum())
    longest = int((people.hours_waiting >= LONGEST_HOURS).sum())
    counts = f"{len(people):,} waiting, {over:,} {OVER_24.lower()}, {longest:,} {LONGEST}"
    return html.Div([
        # On paper each sheet's header says all this (see _sheets).
        html.H1(f"Huddle list: {view.area.name}", id="page-title", className="screen-only"),
        html.P(f"{view.area.level_label} · everyone waiting at {fmt.moment(view.now)}, "
               "longest wait first", className="lead-in screen-only", id="huddle-at"),
        html.P([html.Span(fmt.whole(len(people)), id="huddle-waiting-count",
                          className="huddle-count"), " waiting · ",
                html.Span(fmt.whole(over), id="huddle-over-24-count", className="huddle-count"),
                f" waiting over {AMBITION_HOURS:.0f} hours · ",
                html.Span(fmt.whole(longest), id="huddle-longest-count",
                          className="huddle-count"),
                f" waiting {LONGEST_DELAY_DAYS} days or more"],
               className="huddle-counts screen-only"),
        html.Div([
            filter_group([pathway_picker(view.state, "All pathways"),
                          reason_group_picker(view.state, view.options.reason_groups),
                          site_picker(view.state, view.options.sites),
                          waited_picker(view.state)]),
            html.Button("Print", id="huddle-print", type="button",
                        className="btn btn-outline-primary huddle-print"),
        ], className="huddle-actions"),
        *(_sheets(view, counts) if len(people) else [html.P(
            "Nobody is waiting who matches these filters.", id="huddle-empty")]),
        html.Div([html.P(html.Strong("The list")), how_we_count("huddle-list"),
                  html.P(html.Strong("Current reason")), how_we_count("delay-reasons")],
                 className="huddle-definitions"),
    ], id="huddle-page", className="huddle-page")


def _sheets(view: HuddleView, counts: str) -> list[html.Section]:
    """The people in tables of ``PEOPLE_PER_SHEET``: one printed sheet each, headed with the
    area, the time, ``counts`` and (for demonstration data) that the people are invented."""
    total = len(view.people)
    count = -(-total // PEOPLE_PER_SHEET)
    sheets = []
    for n in range(1, count + 1):
        first = (n - 1) * PEOPLE_PER_SHEET
        rows = view.people.iloc[first:first + PEOPLE_PER_SHEET]
        span = f"people {first + 1} to {first + len(rows)} of {total}"
        sheets.append(html.Section([
            html.P([html.Strong(f"Huddle list: {view.area.name}"),
                    f" · waiting at {fmt.moment(view.now)} · {counts} · sheet {n} of {count} "
                    f"({span})",
                    *([" · ", html.Strong("Synthetic data: invented people")]
                      if view.synthetic else [])],
                   className="huddle-print-header"),
            table_block(html.Table([
                table_caption(f"People waiting, longest wait first: {span}",
                              f"huddle-table-{n}"),
                html.Thead(html.Tr([html.Th(c, scope="col") for c in COLUMNS])),
                html.Tbody(StaticHtml([_row(person) for person in rows.itertuples()])),
            ], id=f"huddle-table-{n}", className="table table-sm huddle-table")),
        ], className="huddle-sheet"))
    return sheets


def _row(person: Any) -> dict[str, object]:
    """A person's row, as the JSON Dash sends (a system's list has hundreds)."""
    over = bool(person.over_24_hours)
    return element("Tr", [
        element("Th", person.person_ref, scope="row"),
        element("Td", element("Div", [
            element("Span", person.site, className="huddle-site"),
            element("Span", person.ward if _known(person.ward) else "ward not known",
                    className="huddle-ward"),
        ], className="huddle-clamp"), className="huddle-where"),
        element("Td", [_waited(person.hours_waiting),
                       *([element("Span", OVER_24, className="over-24-badge")] if over else []),
                       *([element("Span", LONGEST, className="longest-badge")]
                         if person.hours_waiting >= LONGEST_HOURS else [])],
                className="number"),
        element("Td", "not decided" if pd.isna(person.pathway) else f"P{person.pathway}"),
        element("Td", element("Div", _reason(person), className="huddle-clamp")),
        element("Td", _waited(person.hours_on_reason), className="number"),
        element("Td", _moment(person.referred_to_hub_at, "not referred"), className="number"),
        element("Td", _moment(person.last_update, "not known"), className="number"),
    ], **({"className": "over-24"} if over else {}), **{"data-episode": person.episode_id})


def _reason(person: Any) -> list[Any]:
    if person.reason_group == NOT_RECORDED:
        return [person.reason]
    return [element("Strong", person.reason_code), " ", person.reason]


def _waited(hours: float) -> str:
    """``30.5 h``, and whole days beside it from two days on."""
    if pd.isna(hours):
        return "–"
    days = int(hours // 24)
    return fmt.hours(hours) + (f" ({days} days)" if days >= 2 else "")


def _moment(value: Any, missing: str) -> str:
    return missing if pd.isna(value) else value.strftime("%H:%M %a %d %b")


def _known(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""
