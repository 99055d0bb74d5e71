"""The period, pathway, reason group and site controls. Their values come from the URL; a change
writes the URL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import dcc, html

from dashboard.url_state import REASON_GROUP_KEYS, ViewState, reason_group_key
from dashboard.vocabulary import INTERMEDIATE_CARE_PATHWAYS, NOT_RECORDED, WAITED_AT_LEAST_DAYS

ALL = "all"  # every dropdown's "no filter" value
ALL_PATHWAYS = ALL


def filter_bar(state: ViewState, *, pathway: bool) -> html.Div:
    controls = [html.Div([
        html.Label("Period", htmlFor="period-picker", className="filter-label"),
        dcc.DatePickerRange(id="period-picker", start_date=state.first_day,
                            end_date=state.last_day, display_format="D MMM YYYY",
                            first_day_of_week=1, minimum_nights=0,
                            start_date_placeholder_text="From", end_date_placeholder_text="To"),
    ], className="filter")]
    if pathway:
        controls.append(pathway_picker(state))
    return filter_group(controls)


def filter_group(controls: Sequence[html.Div]) -> html.Div:
    """Filter controls side by side, announced as one group."""
    return html.Div(list(controls), className="filter-bar", role="group",
                    **{"aria-label": "Choose what to show"})


def pathway_picker(state: ViewState, all_label: str = "All pathways (1-3)") -> html.Div:
    options = [{"label": f"Pathway {p}", "value": str(p)} for p in INTERMEDIATE_CARE_PATHWAYS]
    return _dropdown("pathway-picker", "Pathway", all_label, options,
                     str(state.pathway) if state.pathway else None, "pathway-picker")


def reason_group_picker(state: ViewState, groups: Sequence[str]) -> html.Div:
    """One reason group (``groups``: those to offer, by name); the URL's choice is always
    offered."""
    keys = [reason_group_key(g) for g in groups]
    if state.reasons and state.reasons not in keys:
        keys.append(state.reasons)
    options = [{"label": _group_label(REASON_GROUP_KEYS[k]), "value": k} for k in keys]
    return _dropdown("reasons-picker", "Reason group", "All reasons", options, state.reasons)


def site_picker(state: ViewState, sites: Sequence[tuple[str, str]]) -> html.Div:
    """One hospital site (``sites``: (code, name) to offer); the URL's choice is always
    offered."""
    options = [{"label": name, "value": code} for code, name in sites]
    if state.site and state.site not in {code for code, _ in sites}:
        options.append({"label": state.site, "value": state.site})
    return _dropdown("site-picker", "Hospital site", "All sites", options, state.site)


def waited_picker(state: ViewState) -> html.Div:
    """Everyone waiting, or those who have waited at least 7, 14 or 21 whole days (the longest
    delays)."""
    options = [{"label": f"{days} days or more", "value": str(days)}
               for days in WAITED_AT_LEAST_DAYS]
    return _dropdown("waited-picker", "Waited since NCTR", "Any time", options,
                     str(state.waited) if state.waited else None)


def _group_label(group: str) -> str:
    return "No reason recorded" if group == NOT_RECORDED else group


def _dropdown(element_id: str, label: str, all_label: str, options: list[dict[str, str]],
              value: str | None, class_name: str = "filter-picker") -> html.Div:
    return html.Div([
        html.Label(label, htmlFor=element_id, className="filter-label"),
        dcc.Dropdown(id=element_id, options=[{"label": all_label, "value": ALL}, *options],
                     clearable=False, value=value or ALL, className=class_name),
    ], className="filter")


def page_header(title: str, summary: str, summary_id: str, state: ViewState, *,
                pathway: bool) -> list[Any]:
    """The head of a page of figures over a period: its title (the page's and the area's name),
    the sentence that sums it up, and the filters (period, and pathway where the page has one)."""
    return [html.H1(title, id="page-title"),
            html.P(summary, className="lead-in", id=summary_id),
            filter_bar(state, pathway=pathway)]
