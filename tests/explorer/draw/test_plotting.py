"""Static figures render with a Korean font and write PNGs."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib import colors
from PIL import Image

from moviattn.data import load_dataset
from moviattn.explorer._compute.settings import Settings
from moviattn.explorer._draw.plotting import (
    aggregate_bars,
    color_norm,
    korean_font,
    review_info_heatmap,
    review_plot_heatmap,
    save_png,
)
from moviattn.explorer._run.pipeline import Explorer


def test_a_korean_font_is_available():
    # CI installs fonts-nanum; koreanize-matplotlib ships NanumGothic otherwise.
    assert korean_font() is not None


def test_color_scales():
    values = np.array([[0.0, 0.01], [0.1, 1.0]])
    assert isinstance(color_norm(values, "log"), colors.LogNorm)
    clipped = color_norm(values, "percentile")
    assert clipped.vmax < 1.0 and clipped.vmin >= 0.0
    with pytest.raises(ValueError, match="unknown colour scale"):
        color_norm(values, "cubic")


@pytest.mark.slow
def test_review_and_aggregate_pngs(tiny_bert, tmp_path):
    data = load_dataset()
    explorer = Explorer(tiny_bert)
    result = explorer.review_attention(data.movie("s001"), "송강호 연기 최고", Settings(last_k=2))
    info_png = save_png(review_info_heatmap(result, scale="log"), tmp_path / "info.png")
    plot_png = save_png(review_plot_heatmap(result, cmap="magma"), tmp_path / "plot.png")
    aggregate = explorer.movie_aggregate(data.movie("s001"), data.reviews_of("s001")[:4], Settings(last_k=2))
    bars_png = save_png(aggregate_bars(aggregate, k=8), tmp_path / "bars.png")
    for path in (info_png, plot_png, bars_png):
        with Image.open(path) as image:
            assert image.format == "PNG" and image.size[0] > 300 and image.size[1] > 200
