"""Attention extraction and aggregation equal what eager ``output_attentions=True`` gives."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from moviattn.data import load_dataset
from moviattn.explorer._compute.attention import extract_attention
from moviattn.explorer._compute.reduce import (
    HEAD_AGGREGATORS,
    LAYER_AGGREGATORS,
    combine_windows,
    rollout,
    window_attention,
    window_matrices,
)
from moviattn.explorer._compute.sequence import encode, identity_normalized, linearize_info, tokenize_segment
from moviattn.explorer._compute.settings import Settings
from moviattn.text import normalize

REVIEWS = ["송강호 연기 미쳤다 ㅋㅋ", "마지막 장면에서 소름... 봉준호 감독 최고", "별로였음"]


def token_attention(model, encoded, settings):
    """Token-level review→info and review→plot attention of one encoded review, the explorer's path
    (``window_matrices``, then ``combine_windows``)."""
    settings.validate(model.num_layers, model.num_heads)
    return combine_windows(encoded, window_matrices(model, encoded.windows, settings))


def _encoded(model, movie_id="s001", review=REVIEWS[0]):
    movie = load_dataset().movie(movie_id)
    tokenizer = model.tokenizer
    info = tokenize_segment(tokenizer, "info", identity_normalized(linearize_info(movie).text))
    plot = tokenize_segment(tokenizer, "plot", normalize(movie.synopsis))
    text = tokenize_segment(tokenizer, "review", normalize(review))
    return encode(info, plot, text, cls_id=model.cls_id, sep_id=model.sep_id, max_length=model.max_length)


def _reference_attentions(model, window) -> torch.Tensor:
    """The usual way: eager attention, output_attentions=True, one window: [layers, heads, L, L]."""
    model.model.set_attn_implementation("eager")
    try:
        with torch.no_grad():
            ids = torch.tensor([window.input_ids])
            out = model.model(input_ids=ids, token_type_ids=torch.zeros_like(ids), output_attentions=True)
    finally:
        model.model.set_attn_implementation("sdpa")
    return torch.stack(out.attentions)[:, 0]


@pytest.mark.parametrize("fixture", ["tiny_bert", "tiny_roberta"])
@pytest.mark.parametrize("full", [False, True])
def test_qk_extractor_equals_eager_output_attentions(request, fixture, full):
    model = request.getfixturevalue(fixture)
    windows = [w for review in REVIEWS for w in _encoded(model, review=review).windows]
    fast = extract_attention(model, windows, method="qk", full=full, batch_size=2)
    eager = extract_attention(model, windows, method="eager", full=full, batch_size=2)
    for window, a, b in zip(windows, fast, eager):
        reference = _reference_attentions(model, window)
        rows = slice(None) if full else window.review
        assert torch.allclose(a, reference[:, :, rows], atol=1e-5)
        assert torch.allclose(b, reference[:, :, rows], atol=1e-5)
        assert torch.allclose(a.sum(-1), torch.ones(a.shape[:-1]), atol=1e-5)


@pytest.mark.parametrize(
    "settings",
    [
        Settings(layer_agg="single", layer=1, head_agg="single", head=2),
        Settings(layer_agg="single", layer=-1, head_agg="max"),
        Settings(layer_agg="mean", head_agg="mean"),
        Settings(layer_agg="last_k", last_k=2, head_agg="mean"),
    ],
)
def test_aggregations_match_hand_computation(tiny_bert, settings):
    encoded = _encoded(tiny_bert)
    window = encoded.windows[0]
    reference = _reference_attentions(tiny_bert, window).double()  # [layers, heads, L, L]
    heads = {"single": reference[:, settings.head], "max": reference.amax(1), "mean": reference.mean(1)}[settings.head_agg]
    layers = {"single": heads[settings.layer], "mean": heads.mean(0), "last_k": heads[-settings.last_k :].mean(0)}[settings.layer_agg]
    expected = layers[window.review]
    tokens = token_attention(tiny_bert, encoded, settings)
    np.testing.assert_allclose(tokens.info, expected[:, window.info].numpy(), atol=1e-5)
    np.testing.assert_allclose(tokens.plot, expected[:, window.plot].numpy(), atol=1e-5)


def test_rollout_matches_abnar_zuidema_by_hand(tiny_bert):
    encoded = _encoded(tiny_bert)
    window = encoded.windows[0]
    maps = _reference_attentions(tiny_bert, window).double().mean(1).numpy()  # head mean
    rolled = np.eye(maps.shape[-1])
    for layer_map in maps:
        a = 0.5 * layer_map + 0.5 * np.eye(maps.shape[-1])
        rolled = (a / a.sum(-1, keepdims=True)) @ rolled
    tokens = token_attention(tiny_bert, encoded, Settings(layer_agg="rollout", layer=-1, head_agg="mean"))
    np.testing.assert_allclose(tokens.info, rolled[window.review][:, window.info], atol=1e-5)
    # rollout rows stay distributions
    assert torch.allclose(rollout(torch.tensor(maps)).sum(-1), torch.ones(maps.shape[-1], dtype=torch.float64))


def test_windows_average_each_plot_token_over_the_windows_holding_it(tiny_roberta):
    encoded = _encoded(tiny_roberta, movie_id="s003")
    assert len(encoded.windows) > 1
    settings = Settings(layer_agg="single", layer=0, head_agg="mean")
    maps = extract_attention(tiny_roberta, encoded.windows, method="eager")
    per_window = [window_attention(m, w, settings) for m, w in zip(maps, encoded.windows)]
    tokens = combine_windows(encoded, per_window)
    token = encoded.windows[1].plot_tokens.start  # in windows 0 and 1 (50% overlap)
    holders = [(w, m) for w, m in zip(encoded.windows, per_window) if token in w.plot_tokens]
    assert len(holders) == 2
    expected = np.mean([m[:, w.plot][:, token - w.plot_start].numpy() for w, m in holders], axis=0)
    np.testing.assert_allclose(tokens.plot[:, token], expected, atol=1e-6)
    expected_info = np.mean([m[:, w.info].numpy() for w, m in zip(encoded.windows, per_window)], axis=0)
    np.testing.assert_allclose(tokens.info, expected_info, atol=1e-6)
    assert tokens.n_windows == len(encoded.windows)


def test_registries_are_selectable_by_name_and_validated(tiny_bert):
    assert set(HEAD_AGGREGATORS) >= {"mean", "max", "single"}
    assert set(LAYER_AGGREGATORS) >= {"single", "mean", "last_k", "rollout"}
    with pytest.raises(ValueError, match="unknown layer_agg 'median'"):
        Settings(layer_agg="median").validate(3, 4)
    with pytest.raises(ValueError, match="layer 7 is out of range"):
        Settings(layer_agg="single", layer=7).validate(3, 4)
    with pytest.raises(ValueError, match="unknown extraction method"):
        extract_attention(tiny_bert, _encoded(tiny_bert).windows, method="magic")
