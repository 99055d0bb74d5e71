"""Pure Plotly figure builders: data in, figure out. Accessible defaults, NHS colours.

Each figure is built in one ``figure(data, layout)`` call from plain dicts, as the plain data
Dash sends: Plotly validates every incremental update, which made a page of charts ten times
slower, and building Plotly's ``Figure`` object only to turn it back into that data took 3.4 ms
of every chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
NHS_DARK_GREY = "#425563"
FONT = "Frutiger, 'Frutiger W01', Arial, 'Helvetica Neue', Helvetica, sans-serif"
GRID = "#E8EDEE"

# Colour-blind-safe sequence (NHS blue, dark blue, warm yellow, aqua green, grey, purple), each
# series also gets its own fill pattern, so colour is never the only cue.
SERIES_COLOURS = ("#005EB8", "#003087", "#FFB81C", "#00A499", "#768692", "#330072", "#41B6E6")
PATTERNS = ("", "/", ".", "x", "\\", "+", "-")
LEGEND_BELOW = dict(orientation="h", y=-0.25)
# Plotly's validation of every property guards figures typed by hand; these builders are checked
# with it on (tests/test_figures.py: Plotly then builds each figure, and the pages send the same
# data), and serving skips it with the Figure object itself.
VALIDATE = False
Figure = dict[str, Any]  # a figure as Dash sends it to dcc.Graph: {"data": [...], "layout": {...}}
# The parts of Plotly's default template that these charts use (axes, hover, bar and fill
# patterns). The whole template is 7 kB in every chart sent, nine tenths of a chart's JSON.
_PLOTLY = pio.templates["plotly"].to_plotly_json()
HOUSE_TEMPLATE: dict[str, Any] = {
    "data": {kind: _PLOTLY["data"][kind] for kind in ("bar", "scatter")},
    "layout": {key: _PLOTLY["layout"][key] for key in (
        "xaxis", "yaxis", "colorway", "hovermode", "hoverlabel", "autotypenumbers", "font",
        "title", "plot_bgcolor", "paper_bgcolor", "annotationdefaults", "shapedefaults")},
}


def figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> Figure:
    """A figure from plain trace and layout dicts, with the house template: the data Plotly's
    ``Figure`` would send (with ``VALIDATE``, Plotly builds and checks it, and sends its own)."""
    layout = {"template": HOUSE_TEMPLATE, **layout}
    if VALIDATE:
        return go.Figure(data=data, layout=layout).to_plotly_json()  # type: ignore[no-any-return]
    return {"data": [_as_arrays(trace) for trace in data], "layout": layout}


def _as_arrays(properties: dict[str, Any]) -> dict[str, Any]:
    """A trace's columns (pandas) as the arrays Plotly would keep of them."""
    return {key: value.to_numpy() if isinstance(value, pd.Series | pd.Index)
            else _as_arrays(value) if isinstance(value, dict) else value
            for key, value in properties.items()}


# Where Plotly's automargin ends for a chart with a titled numeric y-axis and ticks below it. A
# chart started from 8 px margins is drawn, its labels measured, and drawn again: a third of a
# page's drawing time (Capacity). Started here it is drawn once; automargin stays on, so a
# chart whose labels need more still gets it, at the cost of that second drawing.
# l: tick labels up to "1,000"; r and t: the last tick label on each axis overhangs the plot;
# b: dated ticks may take two lines.
VALUE_AXIS_MARGIN = dict(l=66, r=34, t=16, b=60)
# The bottom margin with ticks and a legend below: one line of legend, and a line more for each
# time the names wrap on a chart half as wide as a laptop's screen. (Where a narrower screen
# wraps them more, automargin still makes room, drawing the chart twice.)
LEGEND_BELOW_MARGIN = 100
LEGEND_LINE_PX = 34
LEGEND_WIDTH_PX = 560
LEGEND_SYMBOL_PX = 46  # a legend item's symbol and the gaps around it
DAY_TICKS_EXTRA_PX = 14  # ticks of days ("Mon 01 Dec") take two lines

# A chart whose y-axis names categories (horizontal bars) needs a left margin as wide as its
# longest name, which differs from chart to chart: it is worked out from the names' widths in
# the charts' font (Arial's advance widths, which Liberation Sans and Helvetica share, per 1,000
# of the font size; any other character is taken as a digit's width), plus the gap Plotly
# leaves between a label and the axis. Measured in Chromium, chart by chart: the estimate is
# within a pixel of where automargin ends.
_ARIAL_WIDTHS = dict(zip(
    (chr(code) for code in range(32, 127)),  # printable ASCII, space to tilde
    (278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
     *[556] * 10, 278, 278, 584, 584, 584, 556, 1015,
     667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722,
     667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333,
     556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333,
     500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584), strict=True))
LABEL_GAP_PX = 10  # between a category's name and the axis, with a pixel to spare
BAR_TEXT_SIZE = 14  # a bar's value written beside it (the house font size)
TITLE_BELOW_MARGIN = 40  # an x-axis title with no tick labels (the bars carry their values)
TICKS_AND_TITLE_BELOW_MARGIN = 56  # an x-axis with tick labels and a title
STACKED_HORIZONTAL_BELOW_MARGIN = 86  # ticks, a title and a one-line legend


def legend_below_margin(names: Sequence[str]) -> int:
    """The bottom margin for ticks and a legend of ``names`` below them."""
    lines, used = 1, 0.0
    for name in names:
        width = text_width(name, 14) + LEGEND_SYMBOL_PX
        if used and used + width > LEGEND_WIDTH_PX:
            lines, used = lines + 1, 0.0
        used += width
    return LEGEND_BELOW_MARGIN + (lines - 1) * LEGEND_LINE_PX


def text_width(text: str, font_size: float) -> float:
    """``text``'s width in pixels in the charts' font at ``font_size`` px."""
    return sum(_ARIAL_WIDTHS.get(character, 556) for character in text) * font_size / 1000


def category_margin(labels: list[str], font_size: float = 14) -> int:
    """The left margin that fits the longest of ``labels`` (a y-axis of categories)."""
    return round(max((text_width(str(label), font_size) for label in labels), default=0)
                 + LABEL_GAP_PX)


def base_layout(*, height: int = 260, legend_names: Sequence[str] = (), value_axis: bool = False,
                **overrides: Any) -> dict[str, Any]:
    """The house layout as a dict; ``xaxis``/``yaxis``/``margin`` overrides merge into it.
    ``legend_names``: the names a legend below shows (none: no legend). ``value_axis``:
    margins start where a numeric y-axis's labels need them to be."""
    with_legend = bool(legend_names)
    margin = dict(l=8, r=8, t=8, b=60 if with_legend else 8)
    if value_axis:
        margin.update(VALUE_AXIS_MARGIN, b=legend_below_margin(legend_names) if with_legend
                      else VALUE_AXIS_MARGIN["b"])
    layout: dict[str, Any] = {
        "height": height,
        "margin": margin,
        "font": dict(family=FONT, size=14, color="#212B32"),
        "paper_bgcolor": "white", "plot_bgcolor": "white",
        "showlegend": with_legend,
        "xaxis": dict(gridcolor=GRID, zerolinecolor="#AEB7BD"),
        "yaxis": dict(gridcolor=GRID),
    }
    if with_legend:
        layout["legend"] = LEGEND_BELOW
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(layout.get(key), dict):
            layout[key] = {**layout[key], **value}
        else:
            layout[key] = value
    return layout


def _series_marker(i: int) -> dict[str, Any]:
    return dict(color=SERIES_COLOURS[i % len(SERIES_COLOURS)],
                pattern=dict(shape=PATTERNS[i % len(PATTERNS)], fgcolor="white"))


def horizontal_bars(labels: list[str], values: list[int], *, axis_title: str) -> Figure:
    """Counts by category in the order given, each bar labelled with its value so the figure
    reads without colour or hovering (so the axis needs no tick labels)."""
    texts = [str(v) for v in values]
    bar = dict(type="bar", x=values, y=labels, orientation="h", marker=dict(color=NHS_BLUE),
               text=texts, textposition="outside", cliponaxis=False,
               hovertemplate="%{y}: %{x}<extra></extra>")
    # The longest bar's value is written beyond its end, in the right margin: room for it.
    right = round(max((text_width(t, BAR_TEXT_SIZE) for t in texts), default=0)) + LABEL_GAP_PX
    return figure([bar], base_layout(
        margin=dict(l=category_margin(labels), r=right, b=TITLE_BELOW_MARGIN),
        xaxis=dict(title=dict(text=axis_title), rangemode="tozero", showticklabels=False),
        yaxis=dict(autorange="reversed")))


def stacked_bars(x: list[object], series: dict[str, list[float]], *, axis_title: str,
                 height: int = 300) -> Figure:
    """Stacked vertical bars, one trace per series, with a legend."""
    bars = [dict(type="bar", x=x, y=values, name=name, marker=_series_marker(i),
                 hovertemplate=f"{name}: %{{y:,.0f}}<extra></extra>")
            for i, (name, values) in enumerate(series.items())]
    return figure(bars, base_layout(
        height=height, legend_names=list(series), value_axis=True, barmode="stack",
        yaxis=dict(title=dict(text=axis_title), rangemode="tozero")))


def grouped_bars(categories: list[str], series: dict[str, list[int]], *, axis_title: str,
                 height: int = 300) -> Figure:
    """Bars grouped by category, one labelled trace per series."""
    bars = [dict(type="bar", x=categories, y=values, name=name, text=[str(v) for v in values],
                 textposition="outside", cliponaxis=False, marker=_series_marker(i),
                 hovertemplate=f"{name}, %{{x}}: %{{y}}<extra></extra>")
            for i, (name, values) in enumerate(series.items())]
    return figure(bars, base_layout(
        height=height, legend_names=list(series), value_axis=True, barmode="group",
        # The last category's name is centred under its bars and overhangs the plot.
        margin=dict(r=max(VALUE_AXIS_MARGIN["r"],
                          round(text_width(str(categories[-1]), 14) / 2) + LABEL_GAP_PX + 2
                          if categories else 0)),
        yaxis=dict(title=dict(text=axis_title), rangemode="tozero")))


def lines(x: list[object], series: dict[str, list[float | None]], *, axis_title: str,
          height: int = 280) -> Figure:
    """One line per series with markers of different shapes, and a legend."""
    symbols = ("circle", "square", "diamond", "triangle-up")
    traces = [dict(type="scatter", x=x, y=values, name=name, mode="lines+markers",
                   line=dict(color=SERIES_COLOURS[i % len(SERIES_COLOURS)],
                             dash="solid" if i == 0 else "dash"),
                   marker=dict(symbol=symbols[i % len(symbols)], size=7),
                   hovertemplate=f"{name}: %{{y:,.1f}}<extra></extra>")
              for i, (name, values) in enumerate(series.items())]
    return figure(traces, base_layout(
        height=height, legend_names=list(series), value_axis=True,
        yaxis=dict(title=dict(text=axis_title), rangemode="tozero")))


def stacked_horizontal(labels: list[str], series: dict[str, list[float]], *, axis_title: str,
                       height: int = 240) -> Figure:
    """Horizontal bars stacked left to right (stages of a journey), each segment labelled."""
    bars = [dict(type="bar", y=labels, x=values, name=name, orientation="h",
                 text=[f"{v:,.0f} h" if v else "" for v in values], textposition="inside",
                 insidetextanchor="middle", marker=_series_marker(i),
                 hovertemplate=f"{name}: %{{x:,.1f}} h<extra></extra>")
            for i, (name, values) in enumerate(series.items())]
    return figure(bars, base_layout(
        height=height, legend_names=list(series), barmode="stack",
        margin=dict(l=category_margin(labels), b=STACKED_HORIZONTAL_BELOW_MARGIN),
        legend=dict(orientation="h", y=-0.3),
        xaxis=dict(title=dict(text=axis_title), rangemode="tozero"),
        yaxis=dict(autorange="reversed")))


def sankey(flows: list[tuple[str, str, int]], *, height: int = 420) -> Figure:
    """A Sankey diagram from (source label, target label, people) links; every node is labelled
    with its name, and hovering shows the counts."""
    labels = list(dict.fromkeys([s for s, _, _ in flows] + [t for _, t, _ in flows]))
    index = {label: i for i, label in enumerate(labels)}
    trace = dict(type="sankey", arrangement="snap",
                 node=dict(label=labels, pad=14, thickness=16,
                           color=[SERIES_COLOURS[i % len(SERIES_COLOURS)]
                                  for i in range(len(labels))],
                           line=dict(color="white", width=0.5)),
                 link=dict(source=[index[s] for s, _, _ in flows],
                           target=[index[t] for _, t, _ in flows],
                           value=[v for _, _, v in flows], color="rgba(66, 85, 99, 0.25)"))
    return figure([trace], base_layout(height=height, margin=dict(t=8, b=8)))


def lines_with_bands(x: list[object], series: dict[str, tuple[list[float], list[float],
                                                              list[float]]], *,
                     axis_title: str, height: int = 280,
                     banded: int | None = None) -> Figure:
    """Lines, each with a shaded band (low to high) behind it: series name -> (values, low,
    high); only the first ``banded`` series have their band, if given (overlapping bands of
    many series cannot be read). Line styles differ as well as colours."""
    traces: list[dict[str, Any]] = []
    for i, (name, (values, low, high)) in enumerate(series.items()):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        if banded is None or i < banded:
            traces.append(dict(type="scatter", x=list(x) + list(x)[::-1],
                               y=list(high) + list(low)[::-1], fill="toself", fillcolor=colour,
                               opacity=0.15, line=dict(width=0), hoverinfo="skip",
                               showlegend=False, name=f"{name} range"))
        traces.append(dict(type="scatter", x=x, y=values, name=name, mode="lines+markers",
                           line=dict(color=colour, dash="solid" if i == 0 else
                                     "dash" if banded is None or i < banded else "dot"),
                           marker=dict(symbol=("circle", "square", "diamond")[i % 3], size=6),
                           hovertemplate=f"{name}: %{{y:,.1f}}<extra></extra>"))
    return figure(traces, base_layout(
        height=height, legend_names=list(series), value_axis=True,
        margin=dict(b=legend_below_margin(list(series)) + DAY_TICKS_EXTRA_PX),
        yaxis=dict(title=dict(text=axis_title), rangemode="tozero")))


def intervals(labels: list[str], values: list[float | None], lows: list[float | None],
              highs: list[float | None], *, axis_title: str,
              reference: tuple[float, str] | None = None, height: int = 260) -> Figure:
    """Points with their confidence intervals (error bars), one row per group, and an optional
    labelled reference line: a gap between groups is real only where the intervals part."""
    point = dict(type="scatter", x=values, y=labels, mode="markers",
                 marker=dict(color=NHS_BLUE, size=10, symbol="diamond"),
                 error_x=dict(type="data", symmetric=False,
                              array=[None if v is None or h is None else h - v
                                     for v, h in zip(values, highs, strict=True)],
                              arrayminus=[None if v is None or lo is None else v - lo
                                          for v, lo in zip(values, lows, strict=True)],
                              color=NHS_DARK_GREY, thickness=1.5),
                 hovertemplate="%{y}: %{x:.1f}<extra></extra>")
    shapes, annotations = [], []
    if reference is not None:
        value, label = reference
        shapes.append(dict(type="line", x0=value, x1=value, yref="paper", y0=0, y1=1,
                           line=dict(color=NHS_DARK_BLUE, dash="dot")))
        annotations.append(dict(x=value, yref="paper", y=1, text=label, showarrow=False,
                                yanchor="bottom"))
    return figure([point], base_layout(
        height=height, shapes=shapes, annotations=annotations,
        margin=dict(l=category_margin(labels), t=24, b=TICKS_AND_TITLE_BELOW_MARGIN),
        xaxis=dict(title=dict(text=axis_title)), yaxis=dict(autorange="reversed")))


def funnel(labels: list[str], sizes: list[float], values: list[float | None],
           limits: dict[str, tuple[list[float], list[float], list[float]]], *, centre: float,
           x_title: str, y_title: str, height: int = 340) -> Figure:
    """A funnel plot: each place's value against its size, with control limits that narrow as
    size grows (limits: label -> (sizes, lower, upper)). Points are labelled with their names."""
    traces: list[dict[str, Any]] = []
    styles = ("dash", "dot")
    for i, (label, (xs, lower, upper)) in enumerate(limits.items()):
        for bound in (lower, upper):
            traces.append(dict(type="scatter", x=xs, y=bound, mode="lines", name=label,
                               showlegend=bound is lower, hoverinfo="skip",
                               line=dict(color=NHS_DARK_GREY, width=1,
                                         dash=styles[i % len(styles)])))
    traces.append(dict(type="scatter", x=[min(sizes, default=0), max(sizes, default=1)],
                       y=[centre, centre], mode="lines", name="Overall",
                       line=dict(color=NHS_DARK_BLUE, width=1.5), hoverinfo="skip"))
    traces.append(dict(type="scatter", x=sizes, y=values, text=labels, mode="markers+text",
                       textposition="top center", name="Areas",
                       marker=dict(color=NHS_BLUE, size=10, symbol="diamond"),
                       hovertemplate="%{text}: %{y:,.1f} (size %{x:,.0f})<extra></extra>"))
    return figure(traces, base_layout(
        height=height, legend_names=[*limits, "Overall", "Areas"], value_axis=True,
        xaxis=dict(title=dict(text=x_title)),
        yaxis=dict(title=dict(text=y_title), rangemode="tozero")))


RANKED_FONT_SIZE = 11  # every system's name on one chart


def ranked_bars(labels: list[str], values: list[float], *, highlight: str | None,
                peers: set[str], reference: tuple[float, str], axis_title: str,
                height: int = 760) -> Figure:
    """Horizontal bars, largest first; the highlighted one dark blue and hatched, its peers mid
    blue, the rest grey, and the names of the highlighted and peers marked in words too."""
    colours = [NHS_DARK_BLUE if label == highlight else NHS_BLUE if label in peers
               else "#AEB7BD" for label in labels]
    patterns = ["/" if label == highlight else "" for label in labels]
    names = [f"{label} (shown)" if label == highlight else f"{label} (region)"
             if label in peers else label for label in labels]
    value, text = reference
    bar = dict(type="bar", x=values, y=names, orientation="h",
               marker=dict(color=colours, pattern=dict(shape=patterns, fgcolor="white")),
               hovertemplate="%{y}: %{x:,.1f}<extra></extra>")
    return figure([bar], base_layout(
        height=height,
        margin=dict(l=category_margin(names, RANKED_FONT_SIZE), t=24,
                    b=TICKS_AND_TITLE_BELOW_MARGIN),
        shapes=[dict(type="line", x0=value, x1=value, yref="paper", y0=0, y1=1,
                     line=dict(color="#212B32", dash="dot"))],
        annotations=[dict(x=value, yref="paper", y=1, text=text, showarrow=False,
                          yanchor="bottom")],
        xaxis=dict(title=dict(text=axis_title)),
        yaxis=dict(autorange="reversed", tickfont=dict(size=RANKED_FONT_SIZE))))
