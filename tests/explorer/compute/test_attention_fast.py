"""The fast extraction path (layers on demand, early stop, heads reduced in the pass, rollout by rows)
equals the straightforward eager ``output_attentions=True`` path; lower precisions stay within their
stated tolerances."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from moviattn.data import load_dataset
from moviattn.explorer._compute.attention import extract_attention
from moviattn.explorer._compute.precision import PRECISIONS
from moviattn.explorer._compute.reduce import (
    HEAD_AGGREGATORS,
    LAYER_AGGREGATORS,
    rollout,
    rollout_rows,
    window_attention,
    window_matrices,
)
from moviattn.explorer._compute.sequence import encode, identity_normalized, linearize_info, tokenize_segment
from moviattn.explorer._compute.settings import Settings
from moviattn.explorer._run.pipeline import Explorer
from moviattn.text import normalize

DATA = load_dataset()
REVIEWS = ["송강호 연기 미쳤다 ㅋㅋ", "마지막 장면에서 소름... 봉준호 감독 최고", "별로였음", "음악이 좋았고 배우들 연기도 괜찮았다 다만 결말이 아쉽다"]

SETTINGS = [
    Settings(layer_agg="single", layer=0, head_agg="mean"),
    Settings(layer_agg="single", layer=1, head_agg="single", head=2),
    Settings(layer_agg="single", layer=-1, head_agg="max"),
    Settings(layer_agg="mean", head_agg="mean"),
    Settings(layer_agg="last_k", last_k=2, head_agg="max"),
    Settings(layer_agg="rollout", layer=-1, head_agg="mean"),
    Settings(layer_agg="rollout", layer=1, head_agg="max"),
]

#: Largest absolute difference of a window's [review rows, keys] probabilities against float32 on the
#: tiny random fixtures (stated tolerances; measured maxima on the offline model are in docs/performance.md).
TOLERANCE = {"bfloat16": 0.03, "float16": 0.005}


def _windows(model, movie_ids=("s001", "s003")):
    """Windows of several reviews of different lengths, single- and multi-window movies."""
    windows = []
    for movie_id in movie_ids:
        movie = DATA.movie(movie_id)
        info = tokenize_segment(model.tokenizer, "info", identity_normalized(linearize_info(movie).text))
        plot = tokenize_segment(model.tokenizer, "plot", normalize(movie.synopsis))
        for review in REVIEWS:
            text = tokenize_segment(model.tokenizer, "review", normalize(review))
            windows += encode(info, plot, text, cls_id=model.cls_id, sep_id=model.sep_id, max_length=model.max_length).windows
    return windows


@pytest.fixture(params=["tiny_bert", "tiny_roberta"])
def model(request):
    return request.getfixturevalue(request.param)


_EAGER: dict[str, tuple[list, list]] = {}


def _eager_full_maps(model):
    """Windows and their eager full maps (one window at a time), computed once per model."""
    if model.name not in _EAGER:
        windows = _windows(model)
        _EAGER[model.name] = windows, extract_attention(model, windows, method="eager", full=True, batch_size=1)
    return _EAGER[model.name]


@pytest.mark.slow
@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: f"{s.layer_agg}{s.layer}-{s.head_agg}")
def test_window_matrices_equal_window_attention_of_eager_maps(model, settings):
    windows, eager = _eager_full_maps(model)
    fast = window_matrices(model, windows, settings, batch_size=3)
    full = LAYER_AGGREGATORS[settings.layer_agg].needs_full
    for window, maps, matrix in zip(windows, eager, fast):
        expected = window_attention(maps if full else maps[:, :, window.review], window, settings)
        assert matrix.shape == expected.shape == (window.review.stop - window.review.start, len(window.input_ids))
        torch.testing.assert_close(matrix, expected, atol=1e-5, rtol=0)


@pytest.mark.slow
@pytest.mark.parametrize("full", [False, True])
def test_selected_layers_and_head_reduction_equal_slices_of_all_maps(tiny_bert, full):
    windows, maps = _eager_full_maps(tiny_bert)
    everything = [m if full else m[:, :, w.review] for w, m in zip(windows, maps)]
    windows, everything = windows[:6], everything[:6]  # s001's single windows and s003's first review's windows
    head_max = lambda probs: HEAD_AGGREGATORS["max"](probs, Settings())  # noqa: E731
    for method in ("qk", "eager"):
        some = extract_attention(tiny_bert, windows, method=method, full=full, batch_size=5, layers=range(0, 2))
        reduced = extract_attention(tiny_bert, windows, method=method, full=full, layers=[1, 2], head_reduce=head_max)
        for all_layers, first_two, max_of_last_two in zip(everything, some, reduced):
            torch.testing.assert_close(first_two, all_layers[:2], atol=1e-5, rtol=0)
            torch.testing.assert_close(max_of_last_two, all_layers[1:].amax(dim=1), atol=1e-5, rtol=0)


def test_layers_must_be_a_contiguous_range(tiny_bert):
    with pytest.raises(ValueError, match="contiguous"):
        extract_attention(tiny_bert, _windows(tiny_bert)[:1], layers=[0, 2])


def test_rollout_rows_equal_rows_of_the_full_rollout():
    torch.manual_seed(0)
    maps = torch.softmax(torch.randn(5, 40, 40, dtype=torch.float64), dim=-1)
    torch.testing.assert_close(rollout_rows(maps, slice(30, 37)), rollout(maps)[30:37], atol=1e-12, rtol=0)


@pytest.mark.parametrize("precision", ["bfloat16", "float16"])
def test_precision_modes_stay_within_their_tolerance(model, precision):
    windows = _windows(model, movie_ids=("s001",))
    settings = Settings(layer_agg="mean", head_agg="mean")
    reference = window_matrices(model, windows, settings)
    lower = window_matrices(model, windows, settings, precision=precision)
    worst = max(float((a - b).abs().max()) for a, b in zip(reference, lower))
    assert worst <= TOLERANCE[precision]
    for matrix in lower:  # still distributions over the keys
        torch.testing.assert_close(matrix.sum(-1), torch.ones(matrix.shape[0]), atol=1e-4, rtol=0)


@pytest.mark.slow
def test_precision_modes_agree_between_fast_and_eager_paths(tiny_bert):
    windows = _windows(tiny_bert, movie_ids=("s001",))
    for precision in ("bfloat16", "float16"):
        fast = extract_attention(tiny_bert, windows, precision=precision, batch_size=1)
        eager = extract_attention(tiny_bert, windows, method="eager", precision=precision, batch_size=1)
        worst = max(float((a - b).abs().max()) for a, b in zip(fast, eager))
        assert worst <= TOLERANCE[precision]


def test_unknown_precision_is_refused_with_the_choices(tiny_bert):
    """int8 was dropped (torch.ao's eager quantisation is deprecated, torchao's did not keep its speed)."""
    assert "int8" not in PRECISIONS
    for name in ("fp8", "int8"):
        with pytest.raises(ValueError, match=f"unknown precision '{name}'.*bfloat16"):
            extract_attention(tiny_bert, _windows(tiny_bert)[:1], precision=name)


@pytest.mark.slow
def test_explorer_results_match_between_batch_sizes_and_eager(tiny_bert):
    movie, reviews = DATA.movie("s003"), DATA.reviews_of("s003")[:6]  # several windows each
    settings = Settings(last_k=2)
    fast = Explorer(tiny_bert, batch_size=16).movie_aggregate(movie, reviews, settings)
    eager = Explorer(tiny_bert, method="eager", batch_size=1).movie_aggregate(movie, reviews, settings)
    np.testing.assert_allclose(fast.info_per_review, eager.info_per_review, atol=1e-5)
    np.testing.assert_allclose(fast.plot_per_review, eager.plot_per_review, atol=1e-5)


def test_auto_precision_is_bfloat16_only_where_the_hardware_has_it(monkeypatch):
    from moviattn.explorer._compute import precision

    monkeypatch.setattr(precision, "cpu_supports_bfloat16", lambda: True)
    assert precision.resolve_precision("auto", "cpu") == "bfloat16"
    monkeypatch.setattr(precision, "cpu_supports_bfloat16", lambda: False)
    assert precision.resolve_precision("auto", "cpu") == "float32"
    assert precision.resolve_precision("float16", "cpu") == "float16"
