"""The Outcomes page: where people are at the end of intermediate care and 91 days after
discharge, readmissions, and whether waits and outcomes differ between groups of people."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard.results import AreaInfo, Ascof2D, FunctionalChange
from dashboard.url_state import ViewState
from dashboard.vocabulary import END_OUTCOMES, ETHNIC_GROUPS, NOT_RECORDED
from layouts import formatting as fmt
from layouts.components import chart_card, data_table, kpi_card
from layouts.figures import intervals, stacked_bars
from layouts.filters import page_header

ASCOF_REFERENCE = 82.0  # domain.md: ASCOF 2B(1) in England, about 82% (2011-2020)
GROUP_NAMES = {"sex": "Sex", "age_band": "Age band", "ethnic_group": "Ethnic group",
               "deprivation_quintile": "Deprivation quintile"}
GROUP_LABELS: dict[str, dict[str, str]] = {
    "sex": {"F": "Female", "M": "Male", "U": "Not known"},
    "ethnic_group": ETHNIC_GROUPS,
    "deprivation_quintile": {"1": "1 (most deprived)", "5": "5 (least deprived)"},
}
AUDIT_REFERENCE = "about 93% nationally (intermediate care audit)"


@dataclass(frozen=True)
class OutcomesView:
    area: AreaInfo
    state: ViewState
    now: datetime
    ascof: Ascof2D  # ASCOF 2D over the period's discharges
    at_home: pd.DataFrame  # at_home_91_days over the period, one row
    at_home_by_quarter: pd.DataFrame  # quarter label + at_home_91_days columns
    readmitted: pd.DataFrame  # readmitted_within_30_days, one row
    by_pathway: pd.DataFrame  # end_of_service_outcomes
    by_place: pd.DataFrame
    by_month: pd.DataFrame
    functional: FunctionalChange
    equity: dict[str, dict[str, pd.DataFrame]]  # by -> {"at_home", "readmitted", "waits"}


def _ascof_part_1_card(result: Ascof2D) -> dbc.Card:
    """Part 1 with its three ways of not counting apart, and who is still inside 84 days."""
    return kpi_card(
        "Part 1: in the community 12 weeks after reablement", fmt.percent(result.part_1_percent),
        "ascof-part1-value", html.Span([
            f"{result.at_home:,} of {result.followed_up:,} people 65+ discharged into "
            "reablement whose 84th day fell in the period. Not at home: died ",
            html.Strong(fmt.whole(result.died), id="ascof-died"), ", readmitted ",
            html.Strong(fmt.whole(result.readmitted), id="ascof-readmitted"),
            ", entered residential or nursing care ",
            html.Strong(fmt.whole(result.entered_care), id="ascof-entered-care"),
            f". {fmt.plural(result.not_yet_followed_up, 'person', 'people')} whose 84th day "
            "is still to come.",
        ]), definition="ascof-2d")


def _share(frame: pd.DataFrame) -> str:
    if frame.empty or frame.value.iloc[0] is None or pd.isna(frame.value.iloc[0]):
        return "–"
    return fmt.percent(100 * frame.value.iloc[0])


def _interval(row: pd.Series) -> str:
    if row.value is None or pd.isna(row.value):
        return "–"
    return f"{100 * row.value:.0f}% ({100 * row.low:.0f}-{100 * row.high:.0f}%)"


def _points(value: float | None) -> str:
    return "–" if value is None else f"{value:+.0f} points"


def _goals_detail(goals: pd.DataFrame) -> str:
    if goals.empty:
        return "not recorded for anyone whose service ended in the period"
    row = goals.iloc[0]
    return (f"{row.numerator:,} of {row.denominator:,} with it recorded; 95% interval "
            f"{_interval(row)}")


def summary_sentence(view: OutcomesView) -> str:
    at_home, readmitted = view.at_home, view.readmitted
    if at_home.empty:
        return "Nobody's 91-day point fell in the period."
    row = at_home.iloc[0]
    return (f"{_share(at_home)} of people aged 65+ discharged to pathway 1 or 2 were at home 91 "
            f"days later ({row.numerator:,} of {row.denominator:,}; England about "
            f"{ASCOF_REFERENCE:.0f}%); {_share(readmitted)} were readmitted within 30 days.")


def build(view: OutcomesView, href: Callable[[str], str]) -> html.Div:
    row = view.at_home.iloc[0] if len(view.at_home) else None
    readmitted = view.readmitted.iloc[0] if len(view.readmitted) else None
    return html.Div([
        *page_header(f"Outcomes: {view.area.name}", summary_sentence(view), "outcomes-summary",
                     view.state, pathway=False),
        html.H2("ASCOF 2D: reablement after hospital", className="section-heading"),
        dbc.Row([
            dbc.Col(_ascof_part_1_card(view.ascof), md=4),
            dbc.Col(kpi_card(
                "Part 2: discharged into reablement", fmt.percent(view.ascof.part_2_percent),
                "ascof-part2-value",
                f"{view.ascof.into_reablement:,} of {view.ascof.discharges:,} people 65+ "
                "discharged in the period", definition="ascof-2d"), md=4),
            dbc.Col(kpi_card(
                "At home 91 days after discharge (ASCOF 2B)", _share(view.at_home),
                "at-home-value",
                "the measure used up to 2023/24, kept for the trend: people 65+ discharged to "
                "pathway 1 or 2 whose 91-day point fell in the period"
                + (f"; 95% interval {_interval(row)}; {row.not_recorded:,} not recorded"
                   if row is not None else ""), definition="at-home-91"), md=4),
        ], className="g-3 mb-3"),
        dbc.Row([
            dbc.Col(kpi_card(
                "Readmitted within 30 days", _share(view.readmitted), "readmitted-value",
                f"{readmitted.numerator:,} of {readmitted.denominator:,} discharged in the "
                "period at least 30 days ago" if readmitted is not None else "",
                definition="readmission"), md=6, xl=3),
            dbc.Col(kpi_card(
                "Intermediate care ended", fmt.whole(int(view.by_pathway.people.sum())),
                "ended-value", "services (pathways 1-3) that ended in the period",
                definition="end-of-service"), md=6, xl=3),
            dbc.Col(kpi_card(
                "Improved or kept their independence",
                fmt.percent(None if not view.functional.people else
                            100 * view.functional.improved_or_kept / view.functional.people),
                "independence-value",
                f"Modified Barthel from start to end, {view.functional.people:,} people with "
                f"both scores; median change {_points(view.functional.median_change)}; "
                f"{AUDIT_REFERENCE}", definition="independence"), md=6, xl=3),
            dbc.Col(kpi_card(
                "Own goals met", _share(view.functional.goals), "goals-value",
                _goals_detail(view.functional.goals), definition="independence"), md=6, xl=3),
        ], className="g-3 mb-3"),
        dbc.Row([
            dbc.Col(_quarters_card(view), lg=6),
            dbc.Col(_outcomes_card(view.by_pathway, "By pathway", "outcomes-pathway",
                                   lambda g: f"Pathway {g}"), lg=6),
        ], className="g-3 mb-3"),
        dbc.Row([
            dbc.Col(_outcomes_card(view.by_month, "Month by month", "outcomes-month", str),
                    lg=6),
            dbc.Col(_outcomes_card(view.by_place, "By home place", "outcomes-place", str),
                    lg=6),
        ], className="g-3 mb-3"),
        html.H2("Equity: do waits and outcomes differ between groups?",
                className="section-heading"),
        html.P("Each figure comes with its count and a 95% interval (Wilson for shares): where "
               "two groups' intervals overlap, the difference may be chance.",
               className="chart-summary"),
        dbc.Row([dbc.Col(_equity_card(view, by), lg=6) for by in view.equity],
                className="g-3 mb-3"),
    ])


def _quarters_card(view: OutcomesView) -> dbc.Card:
    frame = view.at_home_by_quarter
    labels = list(frame.quarter)
    values = [None if pd.isna(v) else 100 * v for v in frame.value]
    lows = [None if pd.isna(v) else 100 * v for v in frame.low]
    highs = [None if pd.isna(v) else 100 * v for v in frame.high]
    rows = [(r.quarter, r.numerator, r.denominator, _interval(r), r.not_recorded)
            for r in frame.itertuples()]
    return chart_card(
        "At home 91 days after discharge, quarter by quarter",
        intervals(labels, values, lows, highs, axis_title="% at home",
                  reference=(ASCOF_REFERENCE, f"England about {ASCOF_REFERENCE:.0f}%")),
        "at-home-quarters-chart",
        "Quarters of the 91-day point; people in hospital, in a care home or dead at 91 days "
        "count in the denominator only. Bars show 95% intervals.",
        data_table(["Quarter", "At home", "Counted", "Share (95% interval)", "Not recorded"],
                   rows, "at-home-quarters-table", "At home 91 days after discharge",
                   kinds=["label", "count", "count", "share:Counted", "count"]),
        definition="at-home-91")


def _outcomes_card(frame: pd.DataFrame, title: str, slug: str,
                   label: Callable[[object], str]) -> dbc.Card:
    table = frame.pivot_table(index="group", columns="outcome", values="people",
                              aggfunc="sum", fill_value=0)
    order = [o for o in [*END_OUTCOMES.values(), NOT_RECORDED] if o in table.columns]
    table = table[order]
    totals = table.sum(axis=1)
    shares = table.div(totals.where(totals > 0), axis=0).fillna(0) * 100
    groups = [label(g) for g in table.index]
    rows = [(g, *[int(v) for v in table.loc[i]], int(totals.loc[i]))
            for g, i in zip(groups, table.index, strict=True)]
    return chart_card(
        f"How intermediate care ended: {title.lower()}",
        stacked_bars(groups, {o: [round(v, 1) for v in shares[o]] for o in order},
                     axis_title="% of services ended"), f"{slug}-chart",
        f"{int(totals.sum()):,} services ended in the period.",
        data_table(["Group", *order, "All"], rows, f"{slug}-table",
                   f"Services ended in the period by outcome, {title.lower()}",
                   kinds=["label", *["count" for _ in order], "count"]),
        definition="end-of-service")


def _equity_card(view: OutcomesView, by: str) -> dbc.Card:
    parts = view.equity[by]
    at_home = parts["at_home"].set_index("group")
    readmitted = parts["readmitted"].set_index("group")
    waits = parts["waits"].set_index("group")
    groups = sorted(set(at_home.index) | set(readmitted.index) | set(waits.index), key=str)
    labels = GROUP_LABELS.get(by, {})

    def name(group: object) -> str:
        return labels.get(str(group), str(group))

    rows = []
    for g in groups:
        rows.append((
            name(g),
            _interval(at_home.loc[g]) + f", n={at_home.loc[g].denominator}"
            if g in at_home.index else "–",
            _interval(readmitted.loc[g]) + f", n={readmitted.loc[g].denominator}"
            if g in readmitted.index else "–",
            f"{fmt.hours(waits.loc[g].median_hours)}; {waits.loc[g].within_24h_percent:.0f}% "
            f"within 24 h ({waits.loc[g].low:.0f}-{waits.loc[g].high:.0f}%), "
            f"n={waits.loc[g].started}" if g in waits.index else "–",
        ))
    chart_rows = [(name(g), at_home.loc[g]) for g in groups if g in at_home.index]
    return chart_card(
        f"By {GROUP_NAMES[by].lower()}",
        intervals([n for n, _ in chart_rows],
                  [None if pd.isna(r.value) else 100 * r.value for _, r in chart_rows],
                  [None if pd.isna(r.low) else 100 * r.low for _, r in chart_rows],
                  [None if pd.isna(r.high) else 100 * r.high for _, r in chart_rows],
                  axis_title="% at home 91 days after discharge",
                  reference=(ASCOF_REFERENCE, "England")),
        f"equity-{by}-chart",
        "At home 91 days after discharge by group, with 95% intervals; the table adds "
        "readmission and waits from NCTR to service.",
        data_table([GROUP_NAMES[by], "At home at 91 days", "Readmitted within 30 days",
                    "NCTR to service: median; within 24 h"], rows, f"equity-{by}-table",
                   f"Outcomes and waits by {GROUP_NAMES[by].lower()}",
                   # Each cell holds its own n, not a column the rule can read: withheld.
                   kinds=["label", "measure", "measure", "measure"]), definition="equity")
