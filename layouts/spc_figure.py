"""The XmR (SPC) chart as a Plotly figure: result in, figure out.

Colours are those of the Making Data Count tools (as NHSRplotthedots draws them), never red, amber
or green; every class also has its own marker symbol, so colour is never the only cue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboard.spc import POINT_CLASS_LABELS, RULE_LABELS, PointClass, Rule, Segment, SpcResult
from layouts.figures import Figure, base_layout, figure


@dataclass(frozen=True)
class MarkerStyle:
    colour: str
    symbol: str
    size: int


IMPROVEMENT_BLUE = "#00B0F0"
CONCERN_ORANGE = "#E46C0A"
COMMON_CAUSE_GREY = "#A6A6A6"
NEITHER_PURPLE = "#490092"
MARKER_OUTLINE = "#425563"  # NHS dark grey: gives light fills a visible edge on white
MEAN_COLOUR = "#212B32"
LIMIT_COLOUR = "#425563"
TARGET_COLOUR = "#003087"

CLASS_STYLES: dict[PointClass, MarkerStyle] = {
    PointClass.COMMON_CAUSE: MarkerStyle(COMMON_CAUSE_GREY, "circle", 7),
    PointClass.IMPROVEMENT: MarkerStyle(IMPROVEMENT_BLUE, "diamond", 11),
    PointClass.CONCERN: MarkerStyle(CONCERN_ORANGE, "square", 9),
    PointClass.NEITHER: MarkerStyle(NEITHER_PURPLE, "triangle-up", 10),
}
LINE_LABELS = {"mean": "Mean", "upper": "Upper process limit", "lower": "Lower process limit"}
RIGHT_MARGIN = 150  # room for the line labels at the right end
LABEL_GAP = 0.08  # least distance between two labels, as a share of the values' spread


def spc_figure(result: SpcResult, *, title_y: str, target: float | None = None,
               height: int = 320) -> Figure:
    """Values joined by a line, each point coloured and shaped by its class; the mean (solid)
    and process limits (dashed) of each segment, labelled at the right end; the target (dotted)
    when given here or to ``spc()``; "Trial limits" over any segment with trial limits."""
    points = result.points
    if points.empty:
        note = dict(text="No data to chart", showarrow=False, xref="paper", yref="paper",
                    x=0.5, y=0.5)
        return figure([], base_layout(height=height, annotations=[note]))
    target_line = result.target if target is None else target
    traces: list[dict[str, Any]] = [dict(
        type="scatter", x=points["date"], y=points["value"], mode="lines",
        line=dict(color=COMMON_CAUSE_GREY, width=1.5), hoverinfo="skip", name="Value")]
    for cls, style in CLASS_STYLES.items():
        traces += _points_trace(points[points["point_class"] == cls], cls, style)
    traces += [_segment_line(result.segments, attribute, label)
               for attribute, label in LINE_LABELS.items()]
    if target_line is not None:
        traces.append(dict(
            type="scatter", x=[points["date"].iloc[0], points["date"].iloc[-1]],
            y=[target_line] * 2, mode="lines", name="Target",
            line=dict(color=TARGET_COLOUR, width=1.5, dash="dot"),
            hovertemplate=f"Target: {target_line:,.4g}<extra></extra>"))
    annotations = _right_end_labels(result, target_line) + [
        dict(text="Trial limits", showarrow=False, x=segment.start, xanchor="left",
             yref="paper", y=1, yanchor="bottom")
        for segment in result.segments if segment.trial]
    return figure(traces, base_layout(
        height=height, value_axis=True, margin=dict(r=RIGHT_MARGIN, t=28), hovermode="closest",
        colorway=[COMMON_CAUSE_GREY], annotations=annotations,
        yaxis=dict(title=dict(text=title_y))))


def _points_trace(points: pd.DataFrame, cls: PointClass,
                  style: MarkerStyle) -> list[dict[str, Any]]:
    if points.empty:
        return []
    reasons = [_reasons(rule) for rule in points["rule"]]
    return [dict(
        type="scatter", x=points["date"], y=points["value"], mode="markers",
        name=POINT_CLASS_LABELS[cls],
        marker=dict(color=style.colour, symbol=style.symbol, size=style.size,
                    line=dict(color=MARKER_OUTLINE, width=1)),
        customdata=reasons,
        hovertemplate=("%{x|%d %b %Y}: %{y:,.4g}<br>" + POINT_CLASS_LABELS[cls]
                       + "%{customdata}<extra></extra>"),
    )]


def _reasons(rule: str | None) -> str:
    if rule is None:
        return ""
    return "".join(f"<br>• {RULE_LABELS[Rule(code)]}" for code in rule.split(", "))


def _segment_line(segments: tuple[Segment, ...], attribute: str,
                  label: str) -> dict[str, Any]:
    """One horizontal line per segment, broken between segments (re-basing is a change)."""
    x: list[pd.Timestamp | None] = []
    y: list[float | None] = []
    for segment in segments:
        value = getattr(segment, attribute)
        x += [segment.start, segment.end, None]
        y += [value, value, None]
    dash = "solid" if attribute == "mean" else "dash"
    colour = MEAN_COLOUR if attribute == "mean" else LIMIT_COLOUR
    return dict(type="scatter", x=x, y=y, mode="lines", name=label,
                line=dict(color=colour, width=1.5, dash=dash),
                hovertemplate=f"{label}: %{{y:,.4g}}<extra></extra>")


def _right_end_labels(result: SpcResult, target: float | None) -> list[dict[str, Any]]:
    """Labels in the right margin at the height of each line of the latest segment; lines at the
    same height share one label, and labels closer than a line of text are moved apart."""
    latest = result.segments[-1]
    labels: dict[float, list[str]] = {}
    for attribute, label in LINE_LABELS.items():
        labels.setdefault(getattr(latest, attribute), []).append(label)
    if target is not None:
        labels.setdefault(target, []).append("Target")
    drawn = sorted(height for height in labels if not pd.isna(height))
    heights = [*result.points["value"], *drawn]
    gap = LABEL_GAP * (max(heights) - min(heights))
    return [dict(text="<br>".join(labels[height]), showarrow=False, xref="paper", x=1,
                 xanchor="left", xshift=6, y=placed, yref="y", align="left")
            for height, placed in zip(drawn, _spread(drawn, gap), strict=True)]


def _spread(heights: list[float], gap: float) -> list[float]:
    """Ascending heights moved up where needed so that neighbours are at least ``gap`` apart."""
    placed: list[float] = []
    for height in heights:
        placed.append(max(height, placed[-1] + gap) if placed else height)
    return placed
