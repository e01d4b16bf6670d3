"""Interactive views for the dashboard: Plotly heatmaps and bar charts, and attention-shaded text as HTML.

Counterparts of ``plotting`` (static matplotlib) with the same inputs: results in,
a figure or an HTML string out. Axes are numeric positions with the unit texts as
tick labels, so repeated words stay separate columns; every text shown is
HTML-escaped (Plotly renders a subset of HTML in labels, the dashboard renders
HTML), so a review containing ``<script>`` is displayed, never run. Axes longer
than fits on screen open on their first part with a range slider to scroll and
drag-to-zoom, instead of squeezing hundreds of labels together.
"""

from __future__ import annotations

import html
import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..morphology import Unit
from .aggregate import MovieAggregate, polarity_of
from .plotting import color_norm, field_groups, setting_line
from .results import ReviewAttention
from .sequence import FIELD_LABELS

#: Columns / rows shown before the axis scrolls.
VISIBLE_COLUMNS = 60
VISIBLE_ROWS = 40
#: Longest tick label, in characters (the hover shows the whole unit).
MAX_LABEL_CHARS = 14
#: Colour of the shaded text (RGB); the shade's opacity is the attention.
TEXT_SHADE_RGB = (230, 85, 13)
FONT_FAMILY = "NanumGothic, 'Noto Sans CJK KR', 'Noto Sans KR', 'Malgun Gothic', AppleGothic, sans-serif"
POLARITY_LABELS = {None: "전체 (all)", "positive": "긍정 9-10점 (positive)", "negative": "부정 1-4점 (negative)"}


def escape(text: str) -> str:
    """Text safe for Plotly labels and HTML: markup is shown literally, line breaks as spaces."""
    return html.escape(" ".join(text.split()), quote=True)


def escape_keep_lines(text: str) -> str:
    """HTML-escaped text whose line breaks stay line breaks."""
    return html.escape(text, quote=True).replace("\n", "<br>")


def _tick(text: str) -> str:
    text = " ".join(text.split())
    return escape(text if len(text) <= MAX_LABEL_CHARS else text[: MAX_LABEL_CHARS - 1] + "…")


def _color_axis(matrix: np.ndarray, scale: str) -> tuple[np.ndarray, float, float, dict]:
    """Values to colour (log10 for the log scale), their range and the colour bar's ticks."""
    norm = color_norm(matrix, scale)
    if scale != "log":
        return matrix, float(norm.vmin), float(norm.vmax), {"title": {"text": "attention"}}
    low, high = math.log10(norm.vmin), math.log10(norm.vmax)
    ticks = list(range(math.ceil(low), math.floor(high) + 1)) or [low, high]
    colorbar = {"title": {"text": "attention (log)"}, "tickvals": ticks, "ticktext": [f"{10 ** t:.0e}" for t in ticks]}
    return np.log10(np.clip(matrix, norm.vmin, None)), low, high, colorbar


def heatmap_figure(
    matrix: np.ndarray,
    row_labels: list[str],
    column_labels: list[str],
    *,
    title: str = "",
    x_title: str = "",
    y_title: str = "리뷰 (review)",
    groups: list[tuple[str, int, int]] | None = None,
    column_notes: list[str] | None = None,
    scale: str = "linear",
    cmap: str = "viridis",
    visible_columns: int = VISIBLE_COLUMNS,
) -> go.Figure:
    """A heatmap whose hover names the row unit, the column unit and the value; ``groups`` = (label, start, end) columns."""
    n_rows, n_cols = matrix.shape
    z, zmin, zmax, colorbar = _color_axis(matrix, scale)
    rows = [escape(label) for label in row_labels]
    cols = [escape(label) + (f" · {escape(note)}" if note else "") for label, note in zip(column_labels, column_notes or [""] * n_cols)]
    hover = [[f"{rows[i]} → {cols[j]}<br>{matrix[i, j]:.4f}" for j in range(n_cols)] for i in range(n_rows)]
    fig = go.Figure(
        go.Heatmap(
            z=np.round(z, 6), x=list(range(n_cols)), y=list(range(n_rows)), zmin=zmin, zmax=zmax,
            colorscale=cmap, colorbar=colorbar, hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    shown_rows = min(n_rows, VISIBLE_ROWS)
    fig.update_xaxes(
        tickmode="array", tickvals=list(range(n_cols)), ticktext=[_tick(c) for c in column_labels],
        tickangle=-60, range=[-0.5, min(n_cols, visible_columns) - 0.5], title_text=x_title,
        rangeslider={"visible": n_cols > visible_columns, "thickness": 0.05},
    )
    fig.update_yaxes(
        tickmode="array", tickvals=list(range(n_rows)), ticktext=[_tick(r) for r in row_labels],
        range=[shown_rows - 0.5, -0.5], title_text=y_title,
    )
    if n_rows > shown_rows:  # say what is below the window: a silent cut hid every low-rated review (issue 14)
        fig.add_annotation(
            x=0, y=0, xref="paper", yref="paper", yanchor="top", xanchor="left", yshift=-8, showarrow=False,
            text=f"행 {n_rows}개 중 {shown_rows}개 표시: 아래 {n_rows - shown_rows}개는 위아래로 끌어 보기, 더블클릭 = 전체 "
                 f"(showing {shown_rows} of {n_rows} rows; {n_rows - shown_rows} more below: drag to pan, double-click for all)",
            font={"size": 12, "color": "#663c00"}, bgcolor="#fff4e5",
        )
    for label, start, end in groups or []:
        if start > 0:
            fig.add_vline(x=start - 0.5, line_color="white", line_width=2)
        fig.add_annotation(
            x=(start + end - 1) / 2, y=1.0, xref="x", yref="paper", yanchor="bottom", text=f"<b>{escape(label)}</b>",
            showarrow=False, font={"size": 13},
        )
    fig.update_layout(
        title={"text": escape(title), "font": {"size": 14}, "x": 0, "xanchor": "left"},
        height=int(np.clip(190 + 24 * shown_rows, 340, 1150)) + (60 if n_cols > visible_columns else 0),
        margin={"l": 10, "r": 10, "t": 90 if groups else 60, "b": 40 if n_rows > shown_rows else 10},
        font={"family": FONT_FAMILY}, dragmode="zoom", plot_bgcolor="white",
    )
    return fig


def review_info_figure(result: ReviewAttention, *, scale: str = "linear", cmap: str = "viridis") -> go.Figure:
    """Heatmap 1: review units (y) × movie-info units (x), columns grouped and labelled by field."""
    return heatmap_figure(
        result.info, [u.text for u in result.review_units], [u.text for u in result.info_units],
        title=f"리뷰 → 영화 정보 (review → movie info) · {setting_line(result)}",
        x_title="영화 정보 (movie info)", groups=field_groups(result),
        column_notes=[FIELD_LABELS.get(u.field or "", "") for u in result.info_units], scale=scale, cmap=cmap,
    )


def review_plot_figure(result: ReviewAttention, *, scale: str = "linear", cmap: str = "viridis") -> go.Figure:
    """Heatmap 2: review units (y) × plot units (x)."""
    windows = f" · {result.n_windows} windows" if result.n_windows > 1 else ""
    return heatmap_figure(
        result.plot, [u.text for u in result.review_units], [u.text for u in result.plot_units],
        title=f"리뷰 → 줄거리 (review → plot) · {setting_line(result)}{windows}",
        x_title="줄거리 (plot)", scale=scale, cmap=cmap,
    )


def review_rows(aggregate: MovieAggregate, polarity: str | None = None) -> list[int]:
    """Indices of the aggregate's reviews of a polarity, highest rating first (unrated last)."""
    chosen = [i for i, r in enumerate(aggregate.ratings) if polarity is None or polarity_of(r) == polarity]
    return sorted(chosen, key=lambda i: -(aggregate.ratings[i] or 0))


def reviews_plot_figure(
    aggregate: MovieAggregate,
    *,
    polarity: str | None = None,
    review_labels: dict[str, str] | None = None,
    scale: str = "linear",
    cmap: str = "viridis",
    visible_columns: int = VISIBLE_COLUMNS,
) -> go.Figure:
    """Reviews (one row each, by rating) × plot units: each review's share of attention per plot unit."""
    rows = review_rows(aggregate, polarity)
    labels = review_labels or {}
    row_names = [
        f"★{aggregate.ratings[i] if aggregate.ratings[i] is not None else '?'} · "
        f"{labels.get(aggregate.review_ids[i], aggregate.review_ids[i])}"
        for i in rows
    ]
    return heatmap_figure(
        aggregate.plot_per_review[rows] if rows else np.zeros((0, len(aggregate.plot_units))), row_names,
        [u.text for u in aggregate.plot_units],
        title=f"리뷰별 줄거리 주의 (reviews × plot) · {POLARITY_LABELS[polarity]} · {len(rows)}개",
        x_title="줄거리 (plot)", y_title="리뷰 (평점순, by rating)", scale=scale, cmap=cmap, visible_columns=visible_columns,
    )


def _bar(fig: go.Figure, labels: list[str], values: list[float], column: int, color: str) -> None:
    positions = list(range(len(labels)))
    fig.add_trace(
        go.Bar(
            x=values, y=positions, orientation="h", marker_color=color, showlegend=False,
            hovertext=[escape(label) for label in labels], hovertemplate="%{hovertext}: %{x:.4f}<extra></extra>",
        ),
        row=1, col=column,
    )
    fig.update_yaxes(
        tickmode="array", tickvals=positions, ticktext=[_tick(label) for label in labels],
        autorange="reversed", row=1, col=column,
    )


def aggregate_bars_figure(
    aggregate: MovieAggregate, *, k: int = 15, polarity: str | None = None, ranges: tuple[float, float] | None = None
) -> go.Figure:
    """Mean attention share of each info field (left) and of the top-k plot units (right).

    ``ranges`` fixes the two x axes' ends, so a positive and a negative chart compare directly.
    """
    fields = aggregate.field_share(polarity)
    top = aggregate.top_units("plot", k, polarity)
    fig = make_subplots(
        rows=1, cols=2, horizontal_spacing=0.16,
        subplot_titles=("영화 정보 필드 (info fields)", f"줄거리 상위 {k} (top plot units)"),
    )
    _bar(fig, [FIELD_LABELS.get(n, n) for n in fields], list(fields.values()), 1, "#4c72b0")
    _bar(fig, [u.text for u, _ in top], [s for _, s in top], 2, "#dd8452")
    for column, end in enumerate(ranges or (), start=1):
        fig.update_xaxes(range=[0, end * 1.05], row=1, col=column)
    fig.update_xaxes(title_text="attention share")
    fig.update_layout(
        title={"text": f"{POLARITY_LABELS[polarity]} · 리뷰 {aggregate.count(polarity)}개 평균", "x": 0, "font": {"size": 14}},
        height=int(max(320, 26 * max(k, len(fields)) + 120)), margin={"l": 10, "r": 10, "t": 80, "b": 10},
        font={"family": FONT_FAMILY}, plot_bgcolor="white",
    )
    return fig


def shaded_text_html(
    text: str, units: list[Unit], weights: np.ndarray, *, scale: str = "linear", vmax: float | None = None, title: str = ""
) -> str:
    """The text with each unit's background as dark as the attention it receives; hovering shows the value.

    ``vmax`` fixes the darkest shade, so two texts shaded side by side compare directly.
    """
    values = np.asarray(weights, dtype=np.float64)
    norm = color_norm(np.append(values, vmax) if vmax is not None else values, scale)
    r, g, b = TEXT_SHADE_RGB
    parts, cursor = [], 0
    for unit, value in sorted(zip(units, values), key=lambda pair: pair[0].start):
        if unit.start < cursor:
            continue
        parts.append(escape_keep_lines(text[cursor : unit.start]))
        shade = float(np.ma.filled(norm(value), 0.0))
        ink = "#fff" if shade > 0.6 else "#111"
        parts.append(
            f'<span class="ma-unit" style="background:rgba({r},{g},{b},{shade:.3f});color:{ink}" '
            f'title="{escape(unit.text)} · {value:.4f}">{escape_keep_lines(text[unit.start : unit.end])}</span>'
        )
        cursor = unit.end
    parts.append(escape_keep_lines(text[cursor:]))
    heading = f'<div class="ma-shaded-title">{escape(title)}</div>' if title else ""
    legend = (
        f'<div class="ma-legend">0 <span style="display:inline-block;width:120px;height:10px;'
        f'background:linear-gradient(to right, rgba({r},{g},{b},0), rgb({r},{g},{b}))"></span> '
        f"{norm.vmax:.3g} ({escape(scale)})</div>"
    )
    return f'<div class="ma-shaded">{heading}<div class="ma-text">{"".join(parts)}</div>{legend}</div>'

