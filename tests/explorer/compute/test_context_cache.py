"""The cached-context path: its layer loop reproduces the exact forward pass, and with the exact keys
and values of the movie part it reproduces the exact review rows, so its only approximation is that
the movie part is encoded without the review."""

from __future__ import annotations

import pytest
import torch

from moviattn.explorer._compute.attention import extract_attention
from moviattn.explorer._compute.context_cache import CONTEXTS, CachedContext, embed, encoder_layers, run_layers
from moviattn.explorer._compute.reduce import window_matrices
from moviattn.explorer._compute.settings import Settings

from .test_attention_fast import _eager_full_maps


@pytest.fixture(params=["tiny_bert", "tiny_roberta"])
def model(request):
    return request.getfixturevalue(request.param)


def _probe_into(store: dict[int, torch.Tensor]):
    def probe(index: int, probs: torch.Tensor) -> None:
        store[index] = probs[0]

    return probe


def _embedded(model, window) -> torch.Tensor:
    return embed(model.model, torch.tensor([window.input_ids]))


@torch.inference_mode()
def test_layer_loop_without_context_equals_the_models_own_forward_pass(model):
    windows, eager = _eager_full_maps(model)
    for window, maps in list(zip(windows, eager))[:4]:
        probed: dict[int, torch.Tensor] = {}
        last = model.num_layers - 1
        run_layers(model.model, _embedded(model, window), None, None, last, _probe_into(probed), range(last + 1))
        torch.testing.assert_close(torch.stack([probed[i] for i in range(last + 1)]), maps, atol=1e-5, rtol=0)


@torch.inference_mode()
def test_review_against_the_exact_movie_keys_and_values_equals_the_exact_review_rows(model):
    windows, eager = _eager_full_maps(model)
    last = model.num_layers - 1
    for window, maps in list(zip(windows, eager))[:4]:
        embedded = _embedded(model, window)
        start = window.review.start
        full = run_layers(model.model, embedded, None, None, last)
        exact_movie_part = CachedContext(tuple(k[:, :start] for k in full.keys), tuple(v[:, :start] for v in full.values))
        probed: dict[int, torch.Tensor] = {}
        run_layers(model.model, embedded[:, start:], None, exact_movie_part, last, _probe_into(probed), range(last + 1))
        review_rows = torch.stack([probed[i][:, : window.review.stop - start] for i in range(last + 1)])
        torch.testing.assert_close(review_rows, maps[:, :, window.review], atol=1e-5, rtol=0)


@pytest.mark.parametrize("settings", [Settings(), Settings(layer_agg="single", layer=1, head_agg="single", head=0)])
def test_cached_context_rows_are_distributions_and_independent_of_the_batch(model, settings):
    windows, _ = _eager_full_maps(model)
    CONTEXTS.clear()
    batched = window_matrices(model, windows, settings, method="cached_context", batch_size=5)
    alone = window_matrices(model, windows, settings, method="cached_context", batch_size=1)
    for window, a, b in zip(windows, batched, alone):
        assert a.shape == (window.review.stop - window.review.start, len(window.input_ids))
        if settings.head_agg != "max":
            torch.testing.assert_close(a.sum(dim=1), torch.ones(a.shape[0]), atol=1e-5, rtol=0)
        torch.testing.assert_close(a, b, atol=1e-5, rtol=0)


def test_cached_context_is_close_to_exact_and_computes_each_movie_part_once(model, monkeypatch):
    windows, eager = _eager_full_maps(model)
    CONTEXTS.clear()
    calls = []
    original = CONTEXTS.get

    def counting_get(net, key, layers, compute):
        return original(net, key, layers, lambda: calls.append(key) or compute())

    monkeypatch.setattr(CONTEXTS, "get", counting_get)
    maps = extract_attention(model, windows, method="cached_context", batch_size=4)
    assert len(calls) == len({w.input_ids[: w.review.start] for w in windows})
    for window, approx, exact in zip(windows, maps, eager):
        assert approx.shape == exact[:, :, window.review].shape
        difference = (approx - exact[:, :, window.review]).abs().max()
        assert 0 < difference < 0.5  # an approximation, not the exact path, and not unrelated numbers


def test_rollout_is_computed_exactly_and_other_encoders_are_refused(tiny_bert):
    windows, eager = _eager_full_maps(tiny_bert)
    maps = extract_attention(tiny_bert, windows[:2], method="cached_context", full=True)
    for m, e in zip(maps, eager):
        torch.testing.assert_close(m, e, atol=1e-5, rtol=0)
    with pytest.raises(ValueError, match="BERT-family"):
        encoder_layers(torch.nn.Linear(2, 2))
