"""The shipped weights: they load over the offline encoder, score the diaries sensibly, fit metrics.json."""

from __future__ import annotations

import numpy as np
import pytest

from moviattn.recommend.diary import VARIANTS, shipped_emotion_head, shipped_genre_model, shipped_metrics
from moviattn.recommend.diary.artifacts import WEIGHTS_DIR
from moviattn.recommend.diary.diaries import diary_truth, load_diaries
from moviattn.recommend.diary.kote import EMOTIONS

pytestmark = pytest.mark.skipif(not (WEIGHTS_DIR / "metrics.json").exists(), reason="no shipped weights")


def test_metrics_meet_or_report_the_target():
    metrics = shipped_metrics()
    assert metrics["kote_split"]["seed"] == 12 and metrics["kote_split"]["test"] == 1500
    assert metrics["model1_chosen"] in metrics["model1_candidates"]
    assert set(metrics["kote_test"]["emotions"]["labels"]) == set(EMOTIONS)
    assert "random (exact expectation)" in metrics["nsmc"]["ranking"] and "KOTE" in metrics["licence"]
    # the shipped head is the chosen shape refitted on train + validation for the inner-CV epoch count
    _, spec = shipped_emotion_head()
    refit = metrics["model1_refit"]
    assert spec.trained_on == "train+val" and spec.fit.epochs == refit["epochs"] == 1 + refit["inner_cv_curve"].index(max(refit["inner_cv_curve"]))
    assert refit["rows"] == metrics["kote_split"]["train"] + metrics["kote_split"]["val"] and len(metrics["model1_thresholds"]) == spec.n_out


def test_every_model2_variant_loads():
    for name in VARIANTS:
        model = shipped_genre_model(name)
        x = np.full((2, 4 if "embedding" not in name else 384), 0.3)
        p = model.predict(x)
        assert p.shape == (2, len(model.genres)) and (p >= 0).all() and (p <= 1).all()


def test_diaries_labelled():
    diaries = load_diaries()
    truth = diary_truth(diaries)
    assert len(diaries) >= 40 and truth.sum(0).min() >= 8  # every emotion, alone and mixed
    assert (truth.sum(1) >= 2).sum() >= 10 and (truth.sum(1) == 0).sum() >= 2


@pytest.mark.slow
def test_shipped_head_over_the_offline_encoder():
    """Loads the real encoder (a few seconds): the head fits it and reads clear diaries the intended way."""
    from moviattn.recommend.diary import shipped_recommender

    head, spec = shipped_emotion_head()
    assert spec.encoder.startswith("multilingual-e5-small")
    model = shipped_recommender().emotion_model
    p = model.predict(["친구들이랑 놀아서 너무 행복하고 즐거웠다.", "할머니가 돌아가셔서 하루 종일 눈물이 났다. 너무 슬프다.",
                       "택배가 또 잘못 와서 짜증 나고 화가 난다."])
    assert p.shape == (3, 4) and (p >= 0).all() and (p <= 1).all()
    joy, anger, sadness = EMOTIONS.index("joy"), EMOTIONS.index("anger"), EMOTIONS.index("sadness")
    assert p[0].argmax() == joy and p[1, sadness] > p[0, sadness] and p[2].argmax() == anger
