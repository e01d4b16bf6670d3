"""Measuring every step so that it can fail: model1 on KOTE, model2 and the ranking on NSMC movies.

- **model1**: per-emotion ROC-AUC and F1 on the KOTE test split; each F1 threshold is the one that
  maximises F1 on the validation split (the test split never chooses anything).
- **model2**: 5 folds *grouped by movie* (a movie's reviews are never on both sides; folds assigned by
  a seeded permutation of the movie ids), out-of-fold genre probabilities for every review; macro
  average precision and micro-F1 (threshold 0.5) against a constant genre prior (the training folds'
  genre frequencies per review) and a control trained on random 4-number vectors instead of emotions.
- **ranking**: every review is a pseudo-diary; its own movie's rank among the whole catalogue gives
  hit@3 and MRR (``moviattn.metrics``, ties scored by their exact expectation). Mode a uses the
  out-of-fold genre probabilities (the movie was unseen by model2); mode b compares with the movie's
  mean emotion *without this review* (leave-one-out). Genre-set match@3: some movie among the top 3
  has exactly the held-out movie's genre set, again exact under random tie order. The random ranking
  is the exact expectation (``uniform_counts``; hypergeometric for match@3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from math import comb

import numpy as np
from sklearn.metrics import average_precision_score, f1_score, roc_auc_score

from ...metrics import rank_counts, summarise, uniform_counts
from .genres import VARIANTS, fit_genre_model
from .recommend import Catalogue, blend, cosine, emotion_scores, genre_scores

N_FOLDS = 5
FOLD_SEED = 12
RANK_METRICS = ("hit", "mrr")


# ------------------------------------------------------------------ model1


def best_thresholds(probabilities: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Per column, the threshold among the predicted values that maximises F1."""
    out = []
    for p, y in zip(probabilities.T, truth.T):
        order = np.argsort(-p, kind="stable")
        hits = np.cumsum(y[order])
        f1 = 2 * hits / (np.arange(1, len(p) + 1) + y.sum())
        out.append(float(p[order][int(np.argmax(f1))]))
    return np.array(out)


def label_report(probabilities: np.ndarray, truth: np.ndarray, names: Sequence[str], thresholds: np.ndarray) -> dict:
    """Per label ROC-AUC, F1 (at ``thresholds``), positives; macro averages."""
    rows = {}
    for j, name in enumerate(names):
        y = truth[:, j].astype(bool)
        auc = float(roc_auc_score(y, probabilities[:, j])) if 0 < y.sum() < len(y) else float("nan")
        f1 = float(f1_score(y, probabilities[:, j] >= thresholds[j], zero_division=0))
        rows[name] = {"roc_auc": auc, "f1": f1, "threshold": float(thresholds[j]), "positives": int(y.sum())}
    return {
        "labels": rows,
        "macro_roc_auc": float(np.nanmean([r["roc_auc"] for r in rows.values()])),
        "macro_f1": float(np.mean([r["f1"] for r in rows.values()])),
    }


def macro_auc(probabilities: np.ndarray, truth: np.ndarray) -> float:
    """Mean ROC-AUC over the columns that have both classes (the validation score of model1)."""
    values = [roc_auc_score(y, p) for p, y in zip(probabilities.T, truth.T) if 0 < y.sum() < len(y)]
    return float(np.mean(values))


# ------------------------------------------------------------------ model2


def grouped_folds(movie_of_row: Sequence[str], n_folds: int = N_FOLDS, seed: int = FOLD_SEED) -> np.ndarray:
    """Fold index per row; all rows of one movie share a fold (movies dealt round-robin, seeded)."""
    movies = sorted(set(movie_of_row))
    order = np.random.default_rng(seed).permutation(len(movies))
    fold_of = {movies[i]: rank % n_folds for rank, i in enumerate(order)}
    return np.array([fold_of[m] for m in movie_of_row])


def genre_metrics(probabilities: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """Macro average precision (genres with a positive) and micro-F1 at 0.5."""
    present = truth.sum(0) > 0
    return {
        "macro_ap": float(average_precision_score(truth[:, present], probabilities[:, present], average="macro")),
        "micro_f1": float(f1_score(truth, probabilities >= 0.5, average="micro", zero_division=0)),
    }


def out_of_fold(name: str, x: np.ndarray, y: np.ndarray, folds: np.ndarray, genres: Sequence[str], seed: int = 12) -> np.ndarray:
    """Genre probabilities of each row from model2 variant ``name`` trained on the other folds."""
    out = np.zeros(y.shape)
    for fold in np.unique(folds):
        held = folds == fold
        out[held] = fit_genre_model(name, x[~held], y[~held], genres, seed).predict(x[held])
    return out


def prior_out_of_fold(y: np.ndarray, folds: np.ndarray) -> np.ndarray:
    """The constant baseline: each fold gets the other folds' genre frequencies."""
    out = np.zeros(y.shape)
    for fold in np.unique(folds):
        out[folds == fold] = y[folds != fold].mean(0)
    return out


def evaluate_genres(inputs: Mapping[str, np.ndarray], y: np.ndarray, folds: np.ndarray, genres: Sequence[str], seed: int = 12) -> tuple[dict, dict[str, np.ndarray]]:
    """Every variant, the prior and the random-4-number control; metrics and out-of-fold predictions."""
    predictions = {"prior": prior_out_of_fold(y, folds)}
    control = np.random.default_rng(seed).random((len(y), 4))
    for name, chosen in VARIANTS.items():
        predictions[name] = out_of_fold(name, inputs[chosen.input], y, folds, genres, seed)
        if chosen.input == "emotions":
            predictions[f"{name} on random 4 numbers"] = out_of_fold(name, control, y, folds, genres, seed)
    return {name: genre_metrics(p, y) for name, p in predictions.items()}, predictions


# ------------------------------------------------------------------ ranking


def set_match_at_k(scores: np.ndarray, relevant: np.ndarray, k: int = 3) -> np.ndarray:
    """Per query, the probability that a relevant item is in the top ``k`` under random tie order."""
    out = np.zeros(len(scores))
    for q, (row, rel) in enumerate(zip(np.round(scores, 9), relevant)):
        above = 0
        for value in np.unique(row)[::-1]:
            group = row == value
            size, hits = int(group.sum()), int(rel[group].sum())
            slots = k - above
            if size <= slots:
                if hits:
                    out[q] = 1.0
                    break
                above += size
                if above == k:
                    break
                continue
            out[q] = 1.0 - comb(size - hits, slots) / comb(size, slots)
            break
    return out


def random_set_match(relevant: np.ndarray, k: int = 3) -> np.ndarray:
    """``set_match_at_k`` of a uniformly random ranking (hypergeometric), per query."""
    n = relevant.shape[1]
    return np.array([1.0 - comb(n - int(r.sum()), k) / comb(n, k) for r in relevant])


def ranking_summary(scores: np.ndarray, targets: np.ndarray, relevant: np.ndarray) -> dict[str, float]:
    out = summarise(rank_counts(scores, targets), RANK_METRICS, [3, None])
    return {"hit@3": out["hit@3"], "mrr": out["mrr"], "genre_set_match@3": float(set_match_at_k(scores, relevant).mean())}


def leave_one_out_profiles(catalogue: Catalogue, emotions: np.ndarray, targets: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per query, the catalogue's profiles with the query's own review taken out of its movie's mean."""
    profiles = np.repeat(catalogue.profiles[None], len(emotions), axis=0)
    rows = np.arange(len(emotions))
    n = counts[targets][:, None]
    profiles[rows, targets] = (catalogue.profiles[targets] * n - emotions) / np.maximum(n - 1, 1)
    return profiles


def evaluate_ranking(catalogue: Catalogue, emotions: np.ndarray, targets: np.ndarray, genre_predictions: Mapping[str, np.ndarray]) -> dict[str, dict[str, float]]:
    """hit@3, MRR and genre-set match@3 of modes a (per model2 variant), b, c and random."""
    counts = np.bincount(targets, minlength=len(catalogue.movie_ids))
    profiles = leave_one_out_profiles(catalogue, emotions, targets, counts)
    b = emotion_scores(emotions, catalogue, profiles)
    sets = [frozenset(np.flatnonzero(row)) for row in catalogue.genre_matrix]
    relevant = np.array([[sets[j] == sets[t] for j in range(len(sets))] for t in targets])
    table = {"b (emotions, H1)": ranking_summary(b, targets, relevant)}
    table["b, uncentred cosine (ablation)"] = ranking_summary(cosine(emotions, profiles), targets, relevant)
    for name, probabilities in genre_predictions.items():
        a = genre_scores(probabilities, catalogue)
        table[f"a ({name})"] = ranking_summary(a, targets, relevant)
        table[f"c ({name})"] = ranking_summary(blend(a, b), targets, relevant)
    random = summarise(uniform_counts(len(catalogue.movie_ids) - 1, len(targets)), RANK_METRICS, [3, None])
    table["random (exact expectation)"] = {"hit@3": random["hit@3"], "mrr": random["mrr"], "genre_set_match@3": float(random_set_match(relevant).mean())}
    return table
