"""The shared trainer: a frozen-encoder head learns a tiny synthetic task; outputs are probabilities."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from moviattn.recommend.diary.emotions import HeadSpec, layer_features, load_head, save_head
from moviattn.recommend.diary.encoding import cached_pooled_layers, pooled_layers
from moviattn.recommend.diary.evaluation import macro_auc
from moviattn.recommend.diary.training import FitConfig, fit_mlp


def _task(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 6))
    y = np.stack([x[:, 0] > 0, x[:, 1] + x[:, 2] > 0.5, x[:, 3] < -0.5, x[:, 4] - x[:, 5] > 0], axis=1)
    return x, y.astype(float)


@pytest.mark.slow
@pytest.mark.parametrize("hidden,loss", [(0, "bce"), (16, "bce"), (16, "mse")])
def test_fit_learns_and_outputs_probabilities(hidden, loss):
    x, y = _task(400, 0)
    xv, yv = _task(200, 1)
    result = fit_mlp(x, y, FitConfig(hidden=hidden, loss=loss, lr=1e-2, epochs=30, patience=5, dropout=0.0), (xv, yv), macro_auc)
    p = result.model.probabilities(xv)
    assert p.shape == (200, 4) and (p >= 0).all() and (p <= 1).all()
    assert macro_auc(p, yv) > 0.9 and result.best_score == pytest.approx(macro_auc(p, yv))


def test_validation_curve_and_inner_cv_epochs():
    """The per-epoch validation curve is kept; inner CV picks the epoch with the best mean fold score."""
    from moviattn.recommend.diary.reproduce import inner_cv_epochs

    x, y = _task(300, 0)
    xv, yv = _task(100, 1)
    run = fit_mlp(x, y, FitConfig(hidden=8, lr=1e-2, epochs=6, patience=6, dropout=0.0), (xv, yv), macro_auc)
    assert len(run.curve) == 6 and run.best_score == max(run.curve) and run.curve[run.best_epoch - 1] == run.best_score
    cv = inner_cv_epochs(x, y, FitConfig(hidden=8, lr=1e-2, epochs=12, dropout=0.0), folds=3)
    assert len(cv["curve"]) == 12 and cv["epochs"] == int(np.argmax(cv["curve"])) + 1
    assert cv["oof"].shape == y.shape and 0 <= cv["oof"].min() and cv["oof"].max() <= 1 and macro_auc(cv["oof"], y) > 0.8


def test_fit_is_seeded():
    x, y = _task(100, 0)
    a = fit_mlp(x, y, FitConfig(hidden=8, epochs=3)).model.probabilities(x)
    b = fit_mlp(x, y, FitConfig(hidden=8, epochs=3)).model.probabilities(x)
    assert np.array_equal(a, b)


def test_unknown_loss():
    with pytest.raises(ValueError, match="unknown loss 'l1'; choose one of bce, mse"):
        fit_mlp(np.zeros((2, 1)), np.zeros((2, 1)), FitConfig(loss="l1"))


def test_pooled_layers_and_cache(tiny_bert, tmp_path):
    texts = ["오늘은 기쁘다", "슬픈 하루였다 정말로 너무", "화가 난다"]
    pooled = pooled_layers(tiny_bert, texts)
    assert pooled.shape == (3, 4, 32)  # embeddings + 3 layers
    # batching by length does not change a text's vector
    assert np.allclose(pooled_layers(tiny_bert, texts[1:2])[0], pooled[1], atol=1e-5)
    cached = cached_pooled_layers(tiny_bert, texts, tmp_path)
    assert len(list(tmp_path.glob("*.npy"))) == 1
    assert np.allclose(cached, cached_pooled_layers(tiny_bert, texts, tmp_path)) and np.allclose(cached, pooled, atol=1e-2)
    features = layer_features(pooled, (2, 3))
    assert features.shape == (3, 64) and np.allclose(np.linalg.norm(features[:, :32], axis=1), 1)


def test_frozen_encoder_head_learns_a_tiny_task(tiny_bert):
    """Texts with 행복 vs 슬픔: a head on the frozen tiny BERT separates them after training."""
    happy = [f"{w} 행복 행복한 날" for w in ("오늘", "어제", "주말", "아침", "저녁", "휴일", "봄날", "밤")]
    sad = [f"{w} 슬픔 슬픈 날" for w in ("오늘", "어제", "주말", "아침", "저녁", "휴일", "봄날", "밤")]
    x = layer_features(pooled_layers(tiny_bert, happy + sad), (3,))
    y = np.array([[1.0, 0.0]] * 8 + [[0.0, 1.0]] * 8)
    model = fit_mlp(x, y, FitConfig(hidden=16, dropout=0.0, epochs=80, lr=1e-2)).model
    p = model.probabilities(x)
    assert (p[:8, 0] > p[:8, 1]).all() and (p[8:, 1] > p[8:, 0]).all()


def test_head_round_trip(tmp_path):
    spec = HeadSpec("enc", 6, (1, 2), FitConfig(hidden=4, epochs=3), with_labels=False, trained_on="train+val")
    x, y = _task(50, 0)
    head = fit_mlp(np.tile(x, 2), y, spec.fit).model
    save_head(head, spec, tmp_path / "h")
    loaded, spec2 = load_head(tmp_path / "h")
    assert spec2 == spec and spec2.n_out == 4 and spec2.n_in == 12
    assert np.allclose(loaded.probabilities(np.tile(x, 2)), head.probabilities(np.tile(x, 2)), atol=2e-2)


def test_merged_heads_average_logits():
    from moviattn.recommend.diary.training import merge_heads

    x, y = _task(80, 0)
    heads = [fit_mlp(x, y, FitConfig(hidden=4, epochs=2, seed=s)).model for s in (1, 2, 3)]
    merged = merge_heads(heads)
    xs = torch.as_tensor(x, dtype=torch.float32)
    with torch.no_grad():
        expected = torch.stack([h(xs) for h in heads]).mean(0)
        assert torch.allclose(merged(xs), expected, atol=1e-5)
    assert merged.net[0].out_features == 12
