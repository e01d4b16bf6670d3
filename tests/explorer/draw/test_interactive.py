"""Lean heatmaps: the same hover and colours from category axes and integer cells, and the sizes
of the figures a browser is sent."""

from __future__ import annotations

import re

import numpy as np
import pytest

from moviattn.data import Review, load_dataset
from moviattn.explorer._compute.settings import Settings
from moviattn.explorer._draw import interactive
from moviattn.explorer._draw.plotting import color_norm
from moviattn.explorer._run.pipeline import Explorer

#: The limits on a figure's JSON (UTF-8 bytes, as ``gr.Plot`` sends it).
REVIEW_PLOT_LIMIT = 150_000
MATRIX_LIMIT = 300_000
SCALES = ["linear", "log", "percentile"]
INVISIBLE = dict.fromkeys(map(ord, interactive.ZERO_WIDTH))


def hover(trace, row: int, column: int) -> str:
    """What Plotly writes when the pointer is on a cell: the template filled in (d3's ``04d`` / ``.4f``)."""
    value = trace.customdata[row][column]

    def formatted(match: re.Match) -> str:
        return f"{int(value):04d}" if match.group(1) == "04d" else f"{float(value):.4f}"

    text = trace.hovertemplate.replace("%{y}", trace.y[row]).replace("%{x}", trace.x[column])
    return re.sub(r"%\{customdata:([^}]+)\}", formatted, text).removesuffix("<extra></extra>").translate(INVISIBLE)


def json_bytes(figure) -> int:
    return len(figure.to_json().encode("utf-8"))


@pytest.mark.parametrize("scale", SCALES)
def test_the_hover_is_the_old_per_cell_text(scale):
    """Each cell's hover reads as the per-cell text of before: row unit → column unit · note, value to 4 decimals."""
    rng = np.random.default_rng(3)
    matrix = rng.dirichlet(np.ones(7), size=4) * rng.uniform(0.2, 1.0, size=(4, 1))
    rows, columns = ["좋다", "<b>굵게</b>", "좋다", "3"], ["영화", "영화", "2014", "0x1f", " 1e3 ", "의", "영화"]
    notes = ["제목", "", "개봉", "", "", "", "출연"]
    fig = interactive.heatmap_figure(matrix, rows, columns, column_notes=notes, scale=scale)
    trace = fig.data[0]
    for i, row in enumerate(rows):
        for j, (column, note) in enumerate(zip(columns, notes)):
            expected_column = interactive.escape(column) + (f" · {note}" if note else "")
            assert hover(trace, i, j) == f"{interactive.escape(row)} → {expected_column}<br>{matrix[i, j]:.4f}"


def test_values_outside_zero_to_one_keep_their_hover():
    """A gradient measure's raw scores (negative, above 1) are sent as float32 and shown to 4 decimals."""
    matrix = np.array([[-0.25, 1.5], [0.00004, 12.34567]])
    trace = interactive.heatmap_figure(matrix, ["a", "b"], ["c", "d"]).data[0]
    assert trace.customdata.dtype == np.float32
    assert [hover(trace, i, j).split("<br>")[1] for i in range(2) for j in range(2)] == ["-0.2500", "1.5000", "0.0000", "12.3457"]


def test_category_names_are_unique_invisible_and_never_numbers():
    labels = ["영화", "영화", "3", "영화", "영화\u200b", "2014", ""]
    names = interactive.category_names(labels)
    assert len(set(names)) == len(names)
    assert [name.translate(INVISIBLE) for name in names] == [label.translate(INVISIBLE) for label in labels]
    for name in names:  # Plotly reads a numeric name as a position; a zero-width mark keeps it a name
        with pytest.raises(ValueError):
            float(name)


@pytest.mark.parametrize("scale", SCALES)
def test_cells_hold_colour_levels_of_the_colour_axis(scale):
    """A cell's level is its place between the colour axis's ends (log10 for the log scale, clipped for the
    percentile one), and the colour bar names the values at its ticks."""
    matrix = np.array([[0.0, 1e-4, 1e-2, 0.3], [0.5, 0.2, 0.9, 0.05]])
    trace = interactive.heatmap_figure(matrix, ["a", "b"], ["c", "d", "e", "f"], scale=scale).data[0]
    assert trace.z.dtype == np.uint8 and (trace.zmin, trace.zmax) == (0, interactive.COLOUR_LEVELS)
    norm = color_norm(matrix, scale)
    expected = np.rint(np.clip(np.ma.filled(norm(matrix), 0.0), 0, 1) * interactive.COLOUR_LEVELS)
    assert np.abs(trace.z.astype(int) - expected).max() <= 1  # log10 vs matplotlib's LogNorm: float rounding only
    ticks = np.array(trace.colorbar.tickvals) / interactive.COLOUR_LEVELS
    named = [float(text) for text in trace.colorbar.ticktext]
    assert len(named) >= 2 and np.allclose(np.ma.filled(norm(named)), ticks, atol=1e-9)


def test_an_empty_matrix_draws():
    fig = interactive.heatmap_figure(np.zeros((0, 3)), [], ["a", "b", "c"])
    assert fig.data[0].z.shape == (0, 3)


@pytest.fixture(scope="module")
def explorer(tiny_bert) -> Explorer:
    return Explorer(tiny_bert)


@pytest.mark.slow
@pytest.mark.parametrize("scale", SCALES)
def test_one_review_plot_heatmap_of_the_long_plot_movie_is_small(explorer, scale):
    """The sample's 인터스텔라 (a plot of ~1,500 characters, 626 units) and its longest review: 1.4 MB before."""
    data = load_dataset()
    longest = max(data.reviews_of("s003"), key=lambda review: len(review.text))
    result = explorer.review_attention(data.movie("s003"), longest.text, Settings())
    assert result.plot.shape[1] > 600
    assert json_bytes(interactive.review_plot_figure(result, scale=scale)) <= REVIEW_PLOT_LIMIT
    assert json_bytes(interactive.review_info_figure(result, scale=scale)) <= REVIEW_PLOT_LIMIT


def _matrix_bytes(explorer: Explorer, movie, reviews: list[Review], scale: str) -> int:
    aggregate = explorer.movie_aggregate(movie, reviews, Settings(), reference=False)
    assert len(aggregate.review_ids) == 100
    labels = {review.id: " ".join(review.text.split())[:40] for review in reviews}  # as long as the app's previews
    return json_bytes(interactive.reviews_plot_figure(aggregate, review_labels=labels, scale=scale))


@pytest.mark.slow
@pytest.mark.parametrize("scale", SCALES)
def test_a_100_review_matrix_is_small(explorer, scale):
    """100 reviews × the plot of 살인의 추억 (sample data: its 20 reviews and 80 of the other movies')."""
    data = load_dataset()
    texts = [r.text for r in data.reviews_of("s001")] + [r.text for m in data.movies if m != "s001" for r in data.reviews_of(m)]
    reviews = [Review(f"r{i}", text, rating=1 + i % 10) for i, text in enumerate(t for t in texts if any(c.isalnum() for c in t))][:100]
    assert _matrix_bytes(explorer, data.movie("s001"), reviews, scale) <= MATRIX_LIMIT


@pytest.mark.slow
@pytest.mark.parametrize("movie_id", ["10200", "24452"])
def test_a_real_100_review_matrix_is_small(explorer, shared_nsmc, movie_id):
    """터미네이터 2 (the issue's movie, 1.5 MB before) and 매트릭스 (the real set's longest plot, 450 units)."""
    data = load_dataset(shared_nsmc)
    assert _matrix_bytes(explorer, data.movie(movie_id), data.reviews_of(movie_id), "percentile") <= MATRIX_LIMIT
