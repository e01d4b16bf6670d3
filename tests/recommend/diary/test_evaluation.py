"""Grouped folds without leakage, exact random expectations, thresholds and genre metrics."""

from __future__ import annotations

from itertools import permutations

import numpy as np
import pytest

from moviattn.data import Dataset, Movie
from moviattn.recommend.diary.evaluation import (
    best_thresholds,
    evaluate_genres,
    evaluate_ranking,
    grouped_folds,
    label_report,
    prior_out_of_fold,
    random_set_match,
    set_match_at_k,
)
from moviattn.recommend.diary.recommend import build_catalogue


def test_grouped_folds_never_split_a_movie():
    movies = [f"m{i % 12}" for i in range(240)]
    folds = grouped_folds(movies, 5)
    for m in set(movies):
        assert len(set(folds[[i for i, x in enumerate(movies) if x == m]])) == 1
    assert set(folds) == set(range(5)) and (grouped_folds(movies, 5) == folds).all()


def test_prior_uses_only_other_folds():
    y = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=float)
    folds = np.array([0, 0, 1, 1])
    assert prior_out_of_fold(y, folds).tolist() == [[0, 1], [0, 1], [1, 0], [1, 0]]


def test_set_match_is_exact_under_ties():
    scores = np.array([[0.5, 0.5, 0.5, 0.5, 0.1]])
    relevant = np.array([[True, False, False, False, False]])
    # one relevant among four tied for 3 slots: 3/4
    assert set_match_at_k(scores, relevant, 3) == pytest.approx([0.75])
    # brute force over tie orders agrees
    wins = [1.0 if 0 in order[:3] else 0.0 for order in permutations(range(4))]
    assert np.mean(wins) == pytest.approx(0.75)
    assert set_match_at_k(np.array([[0.9, 0.8, 0.7, 0.1]]), np.array([[False, False, False, True]]), 3) == [0.0]
    assert set_match_at_k(np.array([[0.9, 0.8, 0.7, 0.1]]), np.array([[False, False, True, True]]), 3) == [1.0]
    # a constant scorer gets exactly the random (hypergeometric) value
    relevant = np.array([[True, True, False, False, False, False]])
    assert set_match_at_k(np.zeros((1, 6)), relevant, 3)[0] == pytest.approx(random_set_match(relevant, 3)[0])
    assert random_set_match(relevant, 3)[0] == pytest.approx(0.8)  # 1 - C(4,3)/C(6,3)


def test_thresholds_and_report():
    p = np.array([[0.9], [0.8], [0.3], [0.2]])
    y = np.array([[1], [1], [0], [1]])
    t = best_thresholds(p, y)
    assert t[0] == pytest.approx(0.2)  # all positive: F1 = 6/7, better than 0.8 (F1 = 0.8)
    report = label_report(p, y, ["joy"], t)
    assert report["labels"]["joy"]["roc_auc"] == pytest.approx(2 / 3) and report["labels"]["joy"]["f1"] == pytest.approx(6 / 7)


@pytest.mark.slow
def test_genre_and_ranking_evaluation_beats_random_on_a_planted_signal():
    rng = np.random.default_rng(0)
    genres = ("드라마", "코미디")
    movie_genres = [("드라마",), ("코미디",), ("드라마", "코미디"), ("드라마",), ("코미디",), ("드라마", "코미디")]
    movies = {f"m{i}": Movie(f"m{i}", f"영화 {i}", genres=g) for i, g in enumerate(movie_genres)}
    targets = np.repeat(np.arange(6), 20)
    y = np.array([[g in movie_genres[t] for g in genres] for t in targets], dtype=float)
    centres = rng.random((6, 4))
    emotions = np.clip(centres[targets] + 0.05 * rng.standard_normal((120, 4)), 0, 1)
    folds = grouped_folds([f"m{t}" for t in targets], 3)
    table, predictions = evaluate_genres({"emotions": emotions, "embedding": np.hstack([emotions, y])}, y, folds, genres)
    assert {"prior", "mlp_bce", "random_forest on random 4 numbers", "mlp_mse+embedding"} <= set(table)
    assert table["mlp_bce+embedding"]["macro_ap"] > table["prior"]["macro_ap"]
    catalogue = build_catalogue(Dataset(movies), {f"m{i}": emotions[targets == i] for i in range(6)}, genres)
    ranking = evaluate_ranking(catalogue, emotions, targets, {"mlp_bce": predictions["mlp_bce"]})
    random = ranking["random (exact expectation)"]
    assert random["hit@3"] == pytest.approx(0.5) and random["mrr"] == pytest.approx(np.mean(1 / np.arange(1, 7)))
    assert ranking["b (emotions, H1)"]["hit@3"] > 0.9 > random["hit@3"]
    assert set(ranking) == {"b (emotions, H1)", "b, uncentred cosine (ablation)", "a (mlp_bce)", "c (mlp_bce)", "random (exact expectation)"}
