"""Each measure equals its definition on tiny models: norm-based attention against the naive per-head
vectors, gradient × input against autograd on the relatedness, integrated gradients' completeness;
names are validated and every measure runs through the explorer and its cache."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from moviattn.data import load_dataset
from moviattn.explorer._compute import attribution
from moviattn.explorer._compute.attention import extract_attention, self_attention_modules
from moviattn.explorer._compute.attribution import (
    baseline_ids,
    grad_input_signed,
    integrated_gradients_signed,
    relatedness,
)
from moviattn.explorer._compute.reduce import MEASURES, window_matrices
from moviattn.explorer._compute.sequence import encode, identity_normalized, linearize_info, tokenize_segment
from moviattn.explorer._compute.settings import Settings
from moviattn.explorer._draw.plotting import setting_line
from moviattn.explorer._evaluation import evaluation, grid_report, quality
from moviattn.explorer._run.cache import ResultCache
from moviattn.explorer._run.pipeline import Explorer
from moviattn.offline_model import OFFLINE_MODEL_ID
from moviattn.registry import UnknownChoice
from moviattn.text import normalize

#: A sample movie with a two-sentence synopsis: short windows keep the naive references and the
#: gradient passes fast.
MOVIE = replace(load_dataset().movie("s001"), synopsis="화성에서 연쇄 살인이 일어난다. 송강호 형사가 범인을 쫓는다.")
REVIEW = "송강호 연기 미쳤다"
SHORT = "최고"  # few review rows: the gradient measures cost one backward pass per row and segment


def _windows(model, reviews=(REVIEW, "봉준호 감독 최고")):
    movie = MOVIE
    info = tokenize_segment(model.tokenizer, "info", identity_normalized(linearize_info(movie).text))
    plot = tokenize_segment(model.tokenizer, "plot", normalize(movie.synopsis))
    return [
        w for review in reviews
        for w in encode(info, plot, tokenize_segment(model.tokenizer, "review", normalize(review)),
                        cls_id=model.cls_id, sep_id=model.sep_id, max_length=model.max_length).windows
    ]


@pytest.fixture(params=["tiny_bert", "tiny_roberta"])
def model(request):
    return request.getfixturevalue(request.param)


_NAIVE: dict[tuple[str, tuple[int, ...]], torch.Tensor] = {}


def _naive_norm_maps(model, window) -> torch.Tensor:
    """‖α_ij f_h(x_j)‖ built as vectors: [layers, heads, L, L] from explicit W_V^h, b_V^h, W_O^h (cached)."""
    key = (model.name, window.input_ids)
    if key not in _NAIVE:
        _NAIVE[key] = _naive_norm_maps_uncached(model, window)
    return _NAIVE[key]


def _naive_norm_maps_uncached(model, window) -> torch.Tensor:
    net = model.model
    ids = torch.tensor([window.input_ids])
    net.set_attn_implementation("eager")
    try:
        with torch.no_grad():
            out = net(input_ids=ids, token_type_ids=torch.zeros_like(ids), output_attentions=True, output_hidden_states=True)
    finally:
        net.set_attn_implementation("sdpa")
    maps = []
    for layer, module in enumerate(self_attention_modules(net)):
        x = out.hidden_states[layer][0].double()  # the layer's input [L, hidden]
        dense = net.encoder.layer[layer].attention.output.dense
        size = module.attention_head_size
        per_head = []
        for h in range(module.num_attention_heads):
            rows = slice(h * size, (h + 1) * size)
            w_v, b_v = module.value.weight[rows].double(), module.value.bias[rows].double()
            w_o = dense.weight[:, rows].double()
            f = (x @ w_v.T + b_v) @ w_o.T  # f_h(x_j) for every key j: [L, hidden]
            alpha = out.attentions[layer][0, h].double()  # [L, L]
            per_head.append((alpha[:, :, None] * f[None, :, :]).norm(dim=-1))  # the vector α_ij f_h(x_j), then its norm
        maps.append(torch.stack(per_head))
    return torch.stack(maps).float()


@pytest.mark.parametrize(("method", "full"), [("qk", False), ("qk", True), ("eager", True), ("cached_context", False)])
def test_norm_maps_equal_the_naive_definition(model, method, full):
    windows = _windows(model)  # two reviews of different lengths in one padded batch
    maps = extract_attention(model, windows, method=method, full=full, batch_size=2, measure="norm")
    for window, found in zip(windows, maps):
        expected = _naive_norm_maps(model, window)[:, :, slice(None) if full else window.review]
        torch.testing.assert_close(found, expected, atol=1e-4, rtol=1e-4)


def test_norm_measure_goes_through_the_head_and_layer_reductions(tiny_bert):
    windows = _windows(tiny_bert)
    settings = Settings(measure="norm", layer_agg="last_k", last_k=2, head_agg="max")
    for window, matrix in zip(windows, window_matrices(tiny_bert, windows, settings, batch_size=2)):
        expected = _naive_norm_maps(tiny_bert, window)[-2:, :, window.review].amax(dim=1).mean(dim=0)
        torch.testing.assert_close(matrix, expected, atol=1e-4, rtol=1e-4)


def test_attention_measure_is_the_plain_probability_path(tiny_bert):
    windows = _windows(tiny_bert)
    for a, b in zip(extract_attention(tiny_bert, windows), extract_attention(tiny_bert, windows, measure="attention")):
        assert torch.equal(a, b)
    plain = window_matrices(tiny_bert, windows, Settings())
    norm = window_matrices(tiny_bert, windows, Settings(measure="norm"))
    assert not any(torch.allclose(a, b) for a, b in zip(plain, norm))  # the measure is really routed


def _relatedness_from_embeddings(model, window, embeddings):
    ids = torch.tensor([window.input_ids])
    hidden = model.model(inputs_embeds=embeddings[None], token_type_ids=torch.zeros_like(ids)).last_hidden_state
    return relatedness(hidden, window)[0]  # [2, R]


def test_grad_input_equals_autograd_on_the_definition(model):
    window = _windows(model)[0]
    found = grad_input_signed(model, window)
    words = model.model.get_input_embeddings()(torch.tensor(window.input_ids)).detach()
    rows = window.review.stop - window.review.start
    assert found.shape == (2, rows, len(window.input_ids))
    for segment in range(2):
        for row in range(rows):
            embeddings = words.clone().requires_grad_(True)
            s = _relatedness_from_embeddings(model, window, embeddings)[segment, row]
            (grad,) = torch.autograd.grad(s, embeddings)
            torch.testing.assert_close(found[segment, row], (grad * words).sum(-1), atol=1e-5, rtol=1e-4)


def test_integrated_gradients_are_complete(model, monkeypatch):
    monkeypatch.setattr(attribution, "BATCH", 3)  # outputs in several captum calls, concatenated in order
    (window,) = _windows(model, reviews=(SHORT,))
    assert 2 * (window.review.stop - window.review.start) > 3
    found = integrated_gradients_signed(model, window, steps=16)
    embedding = model.model.get_input_embeddings()
    with torch.no_grad():
        at_input = _relatedness_from_embeddings(model, window, embedding(torch.tensor(window.input_ids)))
        baselines = baseline_ids(model, window)
        at_baseline = torch.stack([_relatedness_from_embeddings(model, window, embedding(b))[s] for s, b in enumerate(baselines)])
    difference = at_input - at_baseline  # [2, R]
    assert float(difference.abs().max()) > 1e-2  # a real test: the baseline moves the outputs
    torch.testing.assert_close(found.sum(dim=-1), difference, atol=1e-3, rtol=1e-2)
    for segment, span in enumerate((window.info, window.plot)):  # only the segment's tokens differ from the baseline
        outside = torch.ones(len(window.input_ids), dtype=torch.bool)
        outside[span] = False
        assert float(found[segment][:, outside].abs().max()) == 0.0


@pytest.mark.parametrize("measure", ["grad_input", "integrated_gradients"])
def test_gradient_measures_fill_only_the_target_columns_with_positive_parts(tiny_bert, measure):
    (window,) = _windows(tiny_bert, reviews=(SHORT,))
    (matrix,) = window_matrices(tiny_bert, [window], Settings(measure=measure))
    assert matrix.shape == (window.review.stop - window.review.start, len(window.input_ids))
    assert float(matrix.min()) >= 0 and float(matrix[:, window.info].sum()) > 0 and float(matrix[:, window.plot].sum()) > 0
    targets = torch.zeros(len(window.input_ids), dtype=torch.bool)
    targets[window.info] = targets[window.plot] = True
    assert float(matrix[:, ~targets].abs().max()) == 0.0


def test_measure_names_are_validated_with_the_choices(tiny_bert):
    assert set(MEASURES) == {"attention", "norm", "grad_input", "integrated_gradients"}
    with pytest.raises(UnknownChoice, match="unknown measure 'magic'; choose one of attention, norm, grad_input"):
        Settings(measure="magic").validate(3, 4)
    with pytest.raises(UnknownChoice, match="unknown map measure 'grad_input'"):
        extract_attention(tiny_bert, _windows(tiny_bert)[:1], measure="grad_input")


def test_every_measure_runs_through_the_explorer_and_is_cached_apart(tiny_bert, tmp_path):
    explorer = Explorer(tiny_bert, ResultCache(tmp_path))
    results = {m: explorer.review_attention(MOVIE, REVIEW, Settings(measure=m, granularity="subword")) for m in MEASURES}
    for name, result in results.items():
        assert result.settings.measure == name and result.plot.shape[1] == len(result.plot_units)
        np.testing.assert_allclose(result.plot.sum(axis=1)[result.plot.sum(axis=1) > 0], 1.0)  # segment normalisation
    assert len({r.plot.tobytes() for r in results.values()}) == len(MEASURES)
    assert " · norm · layer mean · head max" in setting_line(results["norm"]) and "layer" not in setting_line(results["grad_input"])
    assert len(list(tmp_path.rglob("*.json.gz"))) == len(MEASURES)
    again = Explorer(tiny_bert, ResultCache(tmp_path)).review_attention(MOVIE, REVIEW, Settings(measure="norm", granularity="subword"))
    np.testing.assert_array_equal(again.plot, results["norm"].plot)


def test_quality_keys_and_the_setting_grid_name_the_measure(tiny_bert):
    assert quality.setting_key(Settings(), 12, 12) == "mean/max"  # attention keeps today's names
    assert quality.setting_key(Settings(measure="norm", layer_agg="single", layer=3, head_agg="single", head=8), 12, 12) == "norm:L3/h8"
    assert quality.setting_key(Settings(measure="grad_input", layer_agg="single", layer=3), 12, 12) == "grad_input"
    assert quality.quality_note(Settings(measure="norm"), OFFLINE_MODEL_ID) is None  # not measured: no borrowed note
    movie_data = load_dataset()
    result = evaluation.evaluate(
        Explorer(tiny_bert), movie_data, ["s001"], base=Settings(measure="norm", granularity="eojeol"),
        limit_reviews=1, mentions_only=False, deletion=False,
    )
    assert "norm:mean/max" in result.names and "mean/max" not in result.names
    text, rows, _ = grid_report.grid_tables(result)  # the printed report reads the prefixed grid
    assert "norm:mean/max" in text and "norm:L0/h0" in {r["setting"] for r in rows}
    with pytest.raises(ValueError, match="setting grid needs a map measure.*--aggregate --measures grad_input"):
        evaluation.evaluate(Explorer(tiny_bert), movie_data, ["s001"], base=Settings(measure="grad_input"), limit_reviews=1)
