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
