"""The Today page: the 8:30 huddle view for the chosen area."""

from __future__ import annotations

from collections.abc import Callable

import dash_bootstrap_components as dbc
from dash import html

from dashboard.goals import GoalInForce
from dashboard.results import AreaInfo, PathwayCapacity, TodaySummary
from dashboard.spc import SpcResult
from dashboard.trigger_levels import TriggerLevelsNow
from dashboard.vocabulary import (
    AMBITION_HOURS,
    LONGEST_DELAY_DAYS,
    PATHWAY_SHORT_LABELS,
    PATHWAYS,
)
from layouts import formatting as fmt
from layouts.components import (
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
from layouts.spc_figure import spc_figure
from layouts.trigger_levels import escalation_card


def build(summary: TodaySummary, area: AreaInfo, href: Callable[[str], str],
          longest_trend: SpcResult, longest_goal: GoalInForce | None,
          levels: TriggerLevelsNow) -> html.Div:
    """``href(path)`` gives a link to another page for the same area; ``longest_trend``, the
    longest delays week by week over the last twelve weeks, read against ``longest_goal``;
    ``levels``, the area's system trigger level now and its latest changes."""
    waiting = summary.waiting_now
    tts = summary.time_to_service_7_days
    return html.Div([
        html.H1(f"Today: {area.name}", id="page-title"),
        html.P(f"{area.level_label} · figures at {fmt.moment(summary.at)}", className="lead-in"),
        # Five cards side by side on a wide (huddle wall) screen, the escalation level first.
        dbc.Row([
            dbc.Col(escalation_card(levels, area.name), xl=12, xxl=3),
            dbc.Col(kpi_card(
                "Waiting now", fmt.whole(waiting.total), "waiting-now-value",
                html.Span(fmt.change(summary.change_since_yesterday), id="waiting-change"),
                (href("/delays"), "Why are they waiting?"), definition="waiting"),
                md=6, xl=3, xxl=2),
            dbc.Col(kpi_card(
                "Waiting over 24 hours", fmt.whole(waiting.over_24_hours), "waiting-over-24-value",
                "no longer need a hospital bed and have waited more than 24 hours",
                (href("/delays"), "Delays by reason"), definition="waiting"), md=6, xl=3, xxl=2),
            dbc.Col(kpi_card(
                "NCTR to service, last 7 days", fmt.hours(tts.median_hours), "tts-median-value",
                html.Span([
                    html.Span(fmt.percent(tts.within_24h_percent), id="tts-within-24-value"),
                    f" within {AMBITION_HOURS:.0f} h, of ",
                    html.Span(fmt.whole(tts.started), id="tts-started-value"),
                    " services started (median shown; 90th percentile ",
                    fmt.hours(tts.p90_hours), "). ",
                    html.Strong(fmt.whole(tts.still_waiting_over_24h), id="tts-waiting-value"),
                    " people have waited over 24 h and have no service yet.",
                ]),
                (href("/time-to-service"), "Where the time goes"),
                definition="nctr-to-service"), md=6, xl=3),
            dbc.Col(_discharges_card(summary, href), md=6, xl=3, xxl=2),
        ], className="g-3 mb-3"),
        dbc.Row([
            dbc.Col(_bands_card(summary, href), lg=4),
            dbc.Col(_longest_card(summary, longest_trend, longest_goal, href), lg=4),
            dbc.Col(_capacity_card(summary.capacity, href), lg=4),
        ], className="g-3"),
    ])


def _longest_card(summary: TodaySummary, trend: SpcResult, goal: GoalInForce | None,
                  href: Callable[[str], str]) -> dbc.Card:
    """The longest delays now, and week by week over the last twelve weeks (SPC)."""
    count = summary.waiting_now.by_band[f"{LONGEST_DELAY_DAYS}+ days"]
    return dbc.Card(dbc.CardBody([
        html.H2(f"Waiting {LONGEST_DELAY_DAYS} days or more", className="kpi-title"),
        html.P(fmt.whole(count), id="today-longest-value", className="kpi-value"),
        html.P("Each needs a named action and owner. At the end of the last 12 weeks:",
               className="chart-summary"),
        spc_badges(trend.variation_icon, trend.assurance, trial=trend.trial_limits),
        goal_note(goal, "today-longest-goal"),
        chart(spc_figure(trend, title_y="people", height=160), "today-longest-spc"),
        spc_table(trend, "today-longest-spc-table", "people",
                  f"Waiting {LONGEST_DELAY_DAYS} days or more, weekly", "count",
                  point="Week ending"),
        html.A("Discharge delays", href=href("/discharge-delays"), className="kpi-link"),
        how_we_count("longest-delays"),
    ]), className="h-100")


def _discharges_card(summary: TodaySummary, href: Callable[[str], str]) -> dbc.Card:
    counts = summary.discharges_yesterday
    total = sum(counts.values())
    rows = [html.Li([html.Span(PATHWAYS[p].split(":")[0], className="label"),
                     html.Span(fmt.whole(counts[p]), id=f"discharges-p{p}-value",
                               className="figure")]) for p in PATHWAYS]
    if None in counts:
        rows.append(html.Li([html.Span("Pathway not recorded", className="label"),
                             html.Span(fmt.whole(counts[None]), className="figure")]))
    return dbc.Card(dbc.CardBody([
        html.H2("Discharged yesterday", className="kpi-title"),
        html.P(fmt.whole(total), id="discharges-total-value", className="kpi-value"),
        html.Ul(rows, className="pathway-list"),
        html.A("Flow by pathway", href=href("/flow"), className="kpi-link"),
        how_we_count("discharges"),
    ]), className="kpi-card h-100")


def _bands_card(summary: TodaySummary, href: Callable[[str], str]) -> dbc.Card:
    bands = summary.waiting_now.by_band
    longest = [label for label, n in bands.items() if n][-1:] or ["none"]
    text = (f"{summary.waiting_now.total:,} people waiting; "
            f"{bands['7-13 days'] + bands['14-20 days'] + bands['21+ days']:,} for 7 days or "
            f"more, {bands['21+ days']:,} for 21 days or more. Longest band with anyone in it: "
            f"{longest[0]}.")
    return chart_card(
        "How long people have waited since NCTR",
        horizontal_bars(list(bands), list(bands.values()), axis_title="people waiting"),
        "bands-chart", text,
        data_table(["Delay (whole days)", "People"], list(bands.items()), "bands-table",
                   "People waiting now by delay band", kinds=["label", "count"]),
        (href("/delays"), "Delays by reason"), definition="waiting",
    )


def _capacity_card(capacity: dict[int, PathwayCapacity], href: Callable[[str], str]) -> dbc.Card:
    items = []
    for pathway, cap in capacity.items():
        warnings = []
        if cap.stale_services:
            warnings.append(html.Span(
                f"⚠ {cap.stale_services} of {fmt.plural(cap.services, 'service')} last "
                "reported over 24 h ago: their places are not counted", className="stale-flag",
                id=f"stale-p{pathway}"))
        if cap.unreported_services:
            warnings.append(html.Span(
                f"⚠ {fmt.plural(cap.unreported_services, 'service')} never reported",
                className="stale-flag", id=f"unreported-p{pathway}"))
        items.append(dbc.Col(html.Div([
            html.H3(PATHWAY_SHORT_LABELS[pathway], className="kpi-title"),
            html.P(fmt.whole(cap.free_current), id=f"free-p{pathway}-value",
                   className="kpi-value"),
            html.P(f"free places in {cap.services - cap.stale_services - cap.unreported_services}"
                   f" of {fmt.plural(cap.services, 'service')} with a current report",
                   className="kpi-detail"),
            *warnings,
        ], className="capacity-tile"), sm=4))
    return dbc.Card(dbc.CardBody([
        html.H2("Free places now", className="card-heading"),
        html.P("From each service's latest report at or before now. A report more than 24 hours "
               "old is stale and its places are left out.", className="chart-summary"),
        dbc.Row(items, className="g-2"),
        html.A("Capacity by service", href=href("/capacity"), className="kpi-link"),
        how_we_count("capacity-now"),
    ]), className="h-100")
