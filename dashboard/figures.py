"""Pure Plotly figure builders: data in, figure out. Accessible defaults, NHS colours."""

from __future__ import annotations

import plotly.graph_objects as go

NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
NHS_DARK_GREY = "#425563"
FONT = "Frutiger, 'Frutiger W01', Arial, 'Helvetica Neue', Helvetica, sans-serif"


def base_layout(figure: go.Figure, *, height: int = 260) -> go.Figure:
    figure.update_layout(
        height=height, margin=dict(l=8, r=8, t=8, b=8), font=dict(family=FONT, size=14,
                                                                  color="#212B32"),
        paper_bgcolor="white", plot_bgcolor="white", showlegend=False,
    )
    figure.update_xaxes(gridcolor="#E8EDEE", zerolinecolor="#AEB7BD")
    figure.update_yaxes(gridcolor="#E8EDEE")
    return figure


def horizontal_bars(labels: list[str], values: list[int], *, axis_title: str) -> go.Figure:
    """Counts by category, largest category order kept as given, each bar labelled with its
    value so the figure reads without colour or hovering."""
    figure = go.Figure(go.Bar(
        x=values, y=labels, orientation="h", marker_color=NHS_BLUE, text=values,
        textposition="outside", cliponaxis=False, hovertemplate="%{y}: %{x}<extra></extra>",
    ))
    figure.update_yaxes(autorange="reversed")
    # Every bar carries its value, so tick labels would only add noise (and fractions).
    figure.update_xaxes(title_text=axis_title, rangemode="tozero", showticklabels=False)
    return base_layout(figure)


# Colour-blind-safe sequence (NHS blue, dark blue, warm yellow, aqua green, grey, purple), each
# series also gets its own fill pattern, so colour is never the only cue.
SERIES_COLOURS = ("#005EB8", "#003087", "#FFB81C", "#00A499", "#768692", "#330072", "#41B6E6")
PATTERNS = ("", "/", ".", "x", "\\", "+", "-")


def stacked_bars(x: list[object], series: dict[str, list[float]], *, axis_title: str,
                 height: int = 300) -> go.Figure:
    """Stacked vertical bars, one trace per series, with a legend."""
    figure = go.Figure()
    for i, (name, values) in enumerate(series.items()):
        figure.add_bar(x=x, y=values, name=name,
                       marker=dict(color=SERIES_COLOURS[i % len(SERIES_COLOURS)],
                                   pattern=dict(shape=PATTERNS[i % len(PATTERNS)],
                                                fgcolor="white")),
                       hovertemplate=f"{name}: %{{y:,.0f}}<extra></extra>")
    figure.update_layout(barmode="stack")
    figure.update_yaxes(title_text=axis_title, rangemode="tozero")
    base_layout(figure, height=height)
    figure.update_layout(showlegend=True, legend=dict(orientation="h", y=-0.2),
                         margin=dict(l=8, r=8, t=8, b=60))
    return figure


def grouped_bars(categories: list[str], series: dict[str, list[int]], *, axis_title: str,
                 height: int = 300) -> go.Figure:
    """Bars grouped by category, one labelled trace per series."""
    figure = go.Figure()
    for i, (name, values) in enumerate(series.items()):
        figure.add_bar(x=categories, y=values, name=name, text=values, textposition="outside",
                       marker=dict(color=SERIES_COLOURS[i % len(SERIES_COLOURS)],
                                   pattern=dict(shape=PATTERNS[i % len(PATTERNS)],
                                                fgcolor="white")),
                       hovertemplate=f"{name}, %{{x}}: %{{y}}<extra></extra>", cliponaxis=False)
    figure.update_layout(barmode="group")
    figure.update_yaxes(title_text=axis_title, rangemode="tozero")
    base_layout(figure, height=height)
    figure.update_layout(showlegend=True, legend=dict(orientation="h", y=-0.2),
                         margin=dict(l=8, r=8, t=16, b=60))
    return figure


def lines(x: list[object], series: dict[str, list[float | None]], *, axis_title: str,
          height: int = 280) -> go.Figure:
    """One line per series with markers of different shapes, and a legend."""
    figure = go.Figure()
    symbols = ("circle", "square", "diamond", "triangle-up")
    for i, (name, values) in enumerate(series.items()):
        figure.add_scatter(x=x, y=values, name=name, mode="lines+markers",
                           line=dict(color=SERIES_COLOURS[i % len(SERIES_COLOURS)],
                                     dash="solid" if i == 0 else "dash"),
                           marker=dict(symbol=symbols[i % len(symbols)], size=7),
                           hovertemplate=f"{name}: %{{y:,.1f}}<extra></extra>")
    figure.update_yaxes(title_text=axis_title, rangemode="tozero")
    base_layout(figure, height=height)
    figure.update_layout(showlegend=True, legend=dict(orientation="h", y=-0.25),
                         margin=dict(l=8, r=8, t=8, b=60))
    return figure


def stacked_horizontal(labels: list[str], series: dict[str, list[float]], *, axis_title: str,
                       height: int = 240) -> go.Figure:
    """Horizontal bars stacked left to right (stages of a journey), each segment labelled."""
    figure = go.Figure()
    for i, (name, values) in enumerate(series.items()):
        figure.add_bar(y=labels, x=values, name=name, orientation="h",
                       text=[f"{v:,.0f} h" if v else "" for v in values],
                       textposition="inside", insidetextanchor="middle",
                       marker=dict(color=SERIES_COLOURS[i % len(SERIES_COLOURS)],
                                   pattern=dict(shape=PATTERNS[i % len(PATTERNS)],
                                                fgcolor="white")),
                       hovertemplate=f"{name}: %{{x:,.1f}} h<extra></extra>")
    figure.update_layout(barmode="stack")
    figure.update_xaxes(title_text=axis_title, rangemode="tozero")
    figure.update_yaxes(autorange="reversed")
    base_layout(figure, height=height)
    figure.update_layout(showlegend=True, legend=dict(orientation="h", y=-0.3),
                         margin=dict(l=8, r=8, t=8, b=70))
    return figure
