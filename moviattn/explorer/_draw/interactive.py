"""Interactive views for the dashboard: Plotly heatmaps and bar charts, and attention-shaded text as HTML.

Counterparts of ``plotting`` (static matplotlib) with the same inputs: results in,
a figure or an HTML string out. A heatmap's axes have one category per unit, the unit
texts as tick labels, so repeated words stay separate columns; every text shown is
HTML-escaped (Plotly renders a subset of HTML in labels, the dashboard renders
HTML), so a review containing ``<script>`` is displayed, never run. Axes longer
than fits on screen open on their first part with a range slider to scroll and
drag-to-zoom, instead of squeezing hundreds of labels together.

Heatmaps are sent lean (a page of them loaded slowly): a hover text per cell was most of a figure's JSON, so the axes are
categories named by the units' labels (made unique by invisible marks, ``category_names``) and one
``hovertemplate`` writes the same hover from them; each cell holds its colour as one of 255 levels (what
an 8-bit colour scale shows; the colour bar's ticks name the values) and the value the hover shows, in
units of its last decimal, both as small integers (Plotly sends NumPy integers as base64). Figure JSON in
UTF-8 bytes (``fig.to_json()``, what ``gr.Plot`` sends; offline model, default settings, percentile scale;
rows of the matrices labelled by 40 characters of the review), before → after: the sample's 인터스텔라, its
longest review (43 × 626 units): plot heatmap 1,439 → 136 kB, info heatmap 84 → 16 kB; reviews × plot of
100 reviews: 터미네이터 2 (100 × 128) 1,501 → 75 kB, 매트릭스 (100 × 450, the longest plot of the real set)
5,661 → 216 kB. Building and serialising the plot heatmap took 58-317 ms, now 7-20 ms.
"""

from __future__ import annotations

import html
import math

import numpy as np
import plotly.graph_objects as go
from matplotlib import ticker

from ...data import POLARITY_LABELS as RATING_POLARITY_LABELS
from ...data import polarity_of
from ...morphology import Unit
from .._compute.sequence import FIELD_LABELS
from .._results.movie_aggregate import MovieAggregate
from .._results.review import ReviewAttention
from .plotting import color_norm, field_groups, setting_line

#: Columns / rows shown before the axis scrolls.
VISIBLE_COLUMNS = 60
VISIBLE_ROWS = 40
#: Longest tick label, in characters (the hover shows the whole unit).
MAX_LABEL_CHARS = 14
#: Levels a heatmap cell's colour is stored at: as many as an 8-bit colour scale shows.
COLOUR_LEVELS = 255
#: Decimals of the value a heatmap's hover shows.
HOVER_DECIMALS = 4
#: Invisible marks that make a category name unique (zero-width space, zero-width non-joiner).
ZERO_WIDTH = ("\u200b", "\u200c")
#: Colour of the shaded text (RGB); the shade's opacity is the attention.
TEXT_SHADE_RGB = (230, 85, 13)
FONT_FAMILY = "NanumGothic, 'Noto Sans CJK KR', 'Noto Sans KR', 'Malgun Gothic', AppleGothic, sans-serif"
POLARITY_LABELS = {None: "전체 (all)", **RATING_POLARITY_LABELS}


def escape(text: str) -> str:
    """Text safe for Plotly labels and HTML: markup is shown literally, line breaks as spaces."""
    return html.escape(" ".join(text.split()), quote=True)


def escape_keep_lines(text: str) -> str:
    """HTML-escaped text whose line breaks stay line breaks."""
    return html.escape(text, quote=True).replace("\n", "<br>")


def tick_label(text: str) -> str:
    text = " ".join(text.split())
    return escape(text if len(text) <= MAX_LABEL_CHARS else text[: MAX_LABEL_CHARS - 1] + "…")


def colour_range(matrix: np.ndarray, scale: str) -> tuple[float, float]:
    """The values (their log10 under the log scale) that colour levels 0 and ``COLOUR_LEVELS`` stand for."""
    norm = color_norm(matrix, scale)
    if scale == "log":
        return math.log10(norm.vmin), math.log10(norm.vmax)
    return float(norm.vmin), float(norm.vmax)


def _colour_levels(matrix: np.ndarray, scale: str) -> tuple[np.ndarray, dict]:
    """Each cell's place on the colour axis (linear, log10 for the log scale, clipped for the percentile one)
    as a level 0-``COLOUR_LEVELS``, and the colour bar, whose ticks name the values at their levels."""
    low, high = colour_range(matrix, scale)
    if scale == "log":
        axis = np.log10(np.clip(matrix, 10**low, None))
        ticks = [float(t) for t in range(math.ceil(low), math.floor(high) + 1)] or [low, high]
        title, labels = "attention (log)", [f"{10 ** t:.0e}" for t in ticks]
    else:
        axis = matrix
        span = high - low
        ticks = [float(t) for t in ticker.MaxNLocator(5).tick_values(low, high) if low - 1e-9 * span <= t <= high + 1e-9 * span]
        title, labels = "attention", [f"{round(t, 12):g}" for t in ticks]
    span = (high - low) or 1.0
    position = np.clip(np.nan_to_num((axis - low) / span, nan=0.0), 0.0, 1.0)
    levels = np.rint(position * COLOUR_LEVELS).astype(np.uint8)
    colorbar = {"title": {"text": title}, "tickvals": [(t - low) / span * COLOUR_LEVELS for t in ticks], "ticktext": labels}
    return levels, colorbar


def _hover_values(matrix: np.ndarray) -> tuple[np.ndarray, str]:
    """The cells' values as the hover shows them (``HOVER_DECIMALS`` decimals) in the fewest bytes, and their
    hover format: values in [0, 1) as whole units of the last decimal, written back as ``0.dddd`` (d3's
    zero-padded ``04d``); anything else (a gradient measure's raw scores) as float32 shown with ``.4f``."""
    scaled = np.rint(matrix * 10**HOVER_DECIMALS)
    if np.isfinite(scaled).all() and scaled.min(initial=0) >= 0 and scaled.max(initial=0) < 10**HOVER_DECIMALS:
        return scaled.astype(np.uint16), f"0.%{{customdata:0{HOVER_DECIMALS}d}}"
    return np.round(matrix, HOVER_DECIMALS).astype(np.float32), f"%{{customdata:.{HOVER_DECIMALS}f}}"


def category_names(labels: list[str]) -> list[str]:
    """Labels as the names of a category axis, which the hover shows: each followed by a zero-width space,
    so that no name reads as a number (Plotly would take ``"3"`` for the fourth position), and a repeated
    label (a word used twice) followed by more invisible marks (its count in binary), so each is its own
    column."""
    seen: set[str] = set()
    counts: dict[str, int] = {}
    names = []
    for label in labels:
        count = counts[label] = counts.get(label, -1) + 1
        name = label + ZERO_WIDTH[0] + ("".join(ZERO_WIDTH[int(bit)] for bit in f"{count:b}") if count else "")
        while name in seen:  # a text that itself ends in these marks
            name += ZERO_WIDTH[0]
        seen.add(name)
        names.append(name)
    return names


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
    """A heatmap whose hover names the row unit, the column unit and the value; ``groups`` = (label, start, end) columns.

    The figure is described as one dict and built in one call: Plotly's ``update_*``/``add_vline``
    helpers took 0.5-0.7 s per review heatmap (path parsing on every call), about half a single-review
    request's time; one construction of the same figure (identical JSON) takes ~20 ms. The hover is one
    template over category axes (the units' labels, made unique) instead of a text per cell, and the
    cells hold colour levels and the hover's digits as small integers (see the module docstring)."""
    n_rows, n_cols = matrix.shape
    levels, colorbar = _colour_levels(matrix, scale)
    values, value_format = _hover_values(matrix)
    rows = category_names([escape(label) for label in row_labels])
    cols = category_names([
        escape(label) + (f" · {escape(note)}" if note else "") for label, note in zip(column_labels, column_notes or [""] * n_cols)
    ])
    shown_rows = min(n_rows, VISIBLE_ROWS)
    annotations, shapes = [], []
    if n_rows > shown_rows:  # say what is below the window: a silent cut hid every low-rated review
        annotations.append({
            "x": 0, "y": 0, "xref": "paper", "yref": "paper", "yanchor": "top", "xanchor": "left", "yshift": -8,
            "showarrow": False, "font": {"size": 12, "color": "#663c00"}, "bgcolor": "#fff4e5",
            "text": f"행 {n_rows}개 중 {shown_rows}개 표시: 아래 {n_rows - shown_rows}개는 위아래로 끌어 보기, 더블클릭 = 전체 "
                    f"(showing {shown_rows} of {n_rows} rows; {n_rows - shown_rows} more below: drag to pan, double-click for all)",
        })
    for label, start, end in groups or []:
        if start > 0:
            shapes.append({"type": "line", "x0": start - 0.5, "x1": start - 0.5, "xref": "x", "y0": 0, "y1": 1,
                           "yref": "y domain", "line": {"color": "white", "width": 2}})
        annotations.append({
            "x": (start + end - 1) / 2, "y": 1.0, "xref": "x", "yref": "paper", "yanchor": "bottom",
            "text": f"<b>{escape(label)}</b>", "showarrow": False, "font": {"size": 13},
        })
    layout = {
        "xaxis": {
            "type": "category", "tickmode": "array", "tickvals": list(range(n_cols)), "ticktext": [tick_label(c) for c in column_labels],
            "tickangle": -60, "range": [-0.5, min(n_cols, visible_columns) - 0.5], "title": {"text": x_title},
            "rangeslider": {"visible": n_cols > visible_columns, "thickness": 0.05},
        },
        "yaxis": {
            "type": "category", "tickmode": "array", "tickvals": list(range(n_rows)), "ticktext": [tick_label(r) for r in row_labels],
            "range": [shown_rows - 0.5, -0.5], "title": {"text": y_title},
        },
        "shapes": shapes, "annotations": annotations,
        "title": {"text": escape(title), "font": {"size": 14}, "x": 0, "xanchor": "left"},
        "height": int(np.clip(190 + 24 * shown_rows, 340, 1150)) + (60 if n_cols > visible_columns else 0),
        "margin": {"l": 10, "r": 10, "t": 90 if groups else 60, "b": 40 if n_rows > shown_rows else 10},
        "font": {"family": FONT_FAMILY}, "dragmode": "zoom", "plot_bgcolor": "white",
    }
    heat = go.Heatmap(
        z=levels, x=cols, y=rows, zmin=0, zmax=COLOUR_LEVELS, colorscale=cmap, colorbar=colorbar,
        customdata=values, hovertemplate=f"%{{y}} → %{{x}}<br>{value_format}<extra></extra>",
    )
    return go.Figure(heat, layout)


def review_info_figure(result: ReviewAttention, *, scale: str = "linear", cmap: str = "viridis") -> go.Figure:
    """Heatmap 1: review units (y) × movie-info items (x: each name, genre, country whole), grouped and
    labelled by field."""
    result = result.by_item()
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


def message_figure(text: str, title: str = "", *, muted: bool = False) -> go.Figure:
    """A blank figure that says why there is nothing to draw (an empty group, no dated reviews), or,
    ``muted`` (small, grey, transparent), what will appear there: an unused ``gr.Plot`` shows a
    broken-chart icon."""
    fig = go.Figure()
    colour = "#888" if muted else "#663c00"
    fig.add_annotation(text=escape(text), x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font={"size": 14 if muted else 15, "color": colour})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(title={"text": escape(title), "x": 0, "font": {"size": 14}}, height=220, font={"family": FONT_FAMILY}, plot_bgcolor="white")
    if muted:
        fig.update_layout(height=160, margin={"l": 10, "r": 10, "t": 10, "b": 10}, plot_bgcolor="rgba(0,0,0,0)", paper_bgcolor="rgba(0,0,0,0)")
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

