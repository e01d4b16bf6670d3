"""``diary train`` and ``diary evaluate``: every shipped artefact and number, from one seeded command.

Needs ``../shared/data/kote`` (model1) and ``../shared/data/nsmc`` (model2, ranking); the diaries ship
in the wing. Encoder features are cached (``encoding.cached_pooled_layers``), so a second run skips the
encoding (9 minutes for KOTE's 10,000 comments on the 2 shared CPU cores measured here).

model1 is chosen on the KOTE validation split among ``HEAD_CANDIDATES`` (test numbers are reported for
every candidate but choose nothing).
"""

from __future__ import annotations

import json
import logging
import platform
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import torch

from ...data import load_dataset
from ...models import LoadedModel, load_model
from ...paths import shared_data
from .artifacts import EMOTION_STEM, METRICS_FILE, WEIGHTS_DIR, genre_stem, shipped_emotion_head
from .diaries import diary_truth, load_diaries
from .emotions import EmotionModel, HeadSpec, layer_features, save_head
from .encoding import cached_pooled_layers
from .evaluation import FOLD_SEED, N_FOLDS, best_thresholds, evaluate_genres, evaluate_ranking, grouped_folds, label_report, macro_auc
from .genres import VARIANTS, fit_genre_model, save_genre_model
from .kote import EMOTIONS, LABELS, LICENCE_NOTE, SPLIT_SEED, SPLIT_SHARES, Kote, load_kote
from .recommend import build_catalogue
from .training import FitConfig, fit_mlp, merge_heads

ALL_LAYERS = tuple(range(13))
log = logging.getLogger(__name__)
_MLP = FitConfig(hidden=256, dropout=0.5, lr=3e-4, weight_decay=1e-2, epochs=40, patience=4)
#: name → (layers, fit, 44 labels as auxiliary targets, seeds merged).
HEAD_CANDIDATES: dict[str, tuple[tuple[int, ...], FitConfig, bool, int]] = {
    "linear probe, last layer": ((12,), FitConfig(hidden=0, dropout=0.0, lr=1e-3, weight_decay=1e-4, epochs=60, patience=8), False, 1),
    "MLP, last layer": ((12,), _MLP, False, 1),
    "MLP, 13 layers": (ALL_LAYERS, _MLP, False, 1),
    "MLP, 13 layers, +44 labels": (ALL_LAYERS, replace(_MLP, main_outputs=4), True, 1),
    "MLP, 13 layers, +44 labels, 3 seeds x 128": (ALL_LAYERS, replace(_MLP, hidden=128, main_outputs=4), True, 3),
}


def _score4(probabilities: np.ndarray, truth: np.ndarray) -> float:
    return macro_auc(probabilities[:, : len(EMOTIONS)], truth[:, : len(EMOTIONS)])


def train_head(kote: Kote, pooled: np.ndarray, encoder: LoadedModel, name: str, seed: int) -> tuple[EmotionModel, dict]:
    """Fit one candidate on the train split (early stopping on validation); its scores and time."""
    layers, fit, with_labels, seeds = HEAD_CANDIDATES[name]
    x = layer_features(pooled, layers)
    y = np.hstack([kote.emotions, kote.labels]) if with_labels else kote.emotions
    y = y.astype(np.float32)
    train, val, test = kote.part("train"), kote.part("val"), kote.part("test")
    started = time.perf_counter()
    runs = [fit_mlp(x[train], y[train], replace(fit, seed=seed + i), (x[val], y[val]), _score4) for i in range(seeds)]
    head = merge_heads([r.model for r in runs])
    spec = HeadSpec(encoder.name, encoder.model.config.hidden_size, layers, replace(fit, seed=seed), with_labels, seeds)
    probabilities = head.probabilities(x)
    row = {
        "val_macro_roc_auc": _score4(probabilities[val], y[val]),
        "test_macro_roc_auc": _score4(probabilities[test], y[test]),
        "best_epochs": [r.best_epoch for r in runs],
        "train_seconds": round(time.perf_counter() - started, 1),
        "parameters": sum(p.numel() for p in head.parameters()),
    }
    return EmotionModel(encoder, head, spec), row


def kote_report(model: EmotionModel, kote: Kote, pooled: np.ndarray) -> dict:
    """Per-label ROC-AUC and F1 on the test split (F1 thresholds chosen on validation), 4 and 44 labels."""
    probabilities = model.predict_features(layer_features(pooled, model.spec.layers))
    val, test = kote.part("val"), kote.part("test")
    four = probabilities[:, : len(EMOTIONS)]
    report = {"emotions": label_report(four[test], kote.emotions[test], EMOTIONS, best_thresholds(four[val], kote.emotions[val]))}
    report["emotions"]["val_macro_roc_auc"] = _score4(four[val], kote.emotions[val])
    if model.spec.with_labels:
        labels = probabilities[:, len(EMOTIONS) :]
        report["labels44"] = label_report(labels[test], kote.labels[test], LABELS, best_thresholds(labels[val], kote.labels[val]))
    return report


def diary_report(model: EmotionModel) -> dict:
    """How model1 scores the wing's diaries against the emotions their writer intended."""
    diaries = load_diaries()
    probabilities = model.predict([d.text for d in diaries])
    truth = diary_truth(diaries)
    report = label_report(probabilities, truth, EMOTIONS, np.full(len(EMOTIONS), 0.5))
    top = probabilities.argmax(1)
    labelled = truth.any(1)
    report["top_emotion_intended"] = float(truth[np.arange(len(diaries)), top][labelled].mean())
    report["diaries"] = [{"id": d.id, "intended": sorted(d.emotions), **{e: round(float(p), 3) for e, p in zip(EMOTIONS, row)}} for d, row in zip(diaries, probabilities)]
    return report


def nsmc_inputs(model: EmotionModel) -> dict:
    """NSMC's reviews as model2 inputs (emotions, embeddings), genre targets, movie of each review."""
    folder = shared_data("nsmc")
    if folder is None:
        raise FileNotFoundError("../shared/data/nsmc is missing: model2 and the ranking cannot be trained or measured")
    dataset = load_dataset(folder)
    texts, movie_of = [], []
    for movie_id in dataset.movies:
        for review in dataset.reviews_of(movie_id):
            if review.text.strip():
                texts.append(review.text)
                movie_of.append(movie_id)
    pooled = cached_pooled_layers(model.encoder, texts)
    genres = tuple(sorted({g for m in dataset.movies.values() for g in m.genres}))
    y = np.array([[g in dataset.movies[m].genres for g in genres] for m in movie_of], dtype=np.float32)
    emotions = model.predict_features(layer_features(pooled, model.spec.layers))[:, : len(EMOTIONS)]
    return {"dataset": dataset, "movie_of": movie_of, "genres": genres, "y": y,
            "inputs": {"emotions": emotions, "embedding": layer_features(pooled, [-1])}}


def downstream(model: EmotionModel, seed: int) -> tuple[dict, dict]:
    """model2 (grouped folds) and the ranking on NSMC; returns metrics and the NSMC inputs."""
    data = nsmc_inputs(model)
    folds = grouped_folds(data["movie_of"], N_FOLDS, FOLD_SEED)
    started = time.perf_counter()
    genre_table, predictions = evaluate_genres(data["inputs"], data["y"], folds, data["genres"], seed)
    seconds = time.perf_counter() - started
    emotions = data["inputs"]["emotions"]
    movie_ids = list(data["dataset"].movies)
    targets = np.array([movie_ids.index(m) for m in data["movie_of"]])
    by_movie = {m: emotions[targets == i] for i, m in enumerate(movie_ids)}
    catalogue = build_catalogue(data["dataset"], by_movie, data["genres"])
    ranking = evaluate_ranking(catalogue, emotions, targets, {n: p for n, p in predictions.items() if n in VARIANTS or n == "prior"})
    profile_spread = float(np.std(catalogue.profiles, axis=0).mean())
    return {
        "genres": genre_table, "ranking": ranking, "cv_seconds": round(seconds, 1),
        "reviews": len(targets), "movies": len(movie_ids), "folds": N_FOLDS, "fold_seed": FOLD_SEED,
        "genre_vocabulary": list(data["genres"]), "movie_profile_std": profile_spread,
    }, data


def _machine() -> str:
    return f"{platform.processor() or platform.machine()}, torch {torch.__version__}, {torch.get_num_threads()} threads; a 2-core machine shared with other training jobs (timings are indicative)"


def train_all(out: Path = WEIGHTS_DIR, model_name: str = "offline", seed: int = 12) -> dict:
    """Train and choose model1, train every model2 variant, measure everything; write ``out``."""
    encoder = load_model(model_name, allow_fallback=False)
    kote = load_kote()
    started = time.perf_counter()
    pooled = cached_pooled_layers(encoder, list(kote.texts))
    encode_seconds = time.perf_counter() - started
    candidates, models = {}, {}
    for name in HEAD_CANDIDATES:
        models[name], candidates[name] = train_head(kote, pooled, encoder, name, seed)
        log.info("model1 %s: %s", name, candidates[name])
    chosen = max(candidates, key=lambda n: candidates[n]["val_macro_roc_auc"])
    model = models[chosen]
    out.mkdir(parents=True, exist_ok=True)
    save_head(model.head, model.spec, out / EMOTION_STEM)
    metrics = {
        "licence": LICENCE_NOTE,
        "kote_split": {"seed": SPLIT_SEED, "shares": list(SPLIT_SHARES), **{s: len(kote.part(s)) for s in ("train", "val", "test")}},
        "encoder": encoder.name, "machine": _machine(), "kote_encode_seconds_this_run": round(encode_seconds, 1),
        "model1_candidates": candidates, "model1_chosen": chosen, "model1_spec": asdict(model.spec),
    }
    metrics.update(_measure(model, kote, pooled, seed, out))
    (out / METRICS_FILE).write_text(json.dumps(metrics, ensure_ascii=False, indent=1), encoding="utf-8")
    return metrics


def _measure(model: EmotionModel, kote: Kote, pooled: np.ndarray, seed: int, out: Path | None) -> dict:
    """KOTE test report, diaries, model2 folds and ranking; with ``out``, fit and save the shipped model2s."""
    metrics = {"kote_test": kote_report(model, kote, pooled), "diaries": diary_report(model)}
    log.info("model1 test: macro ROC-AUC %.3f", metrics["kote_test"]["emotions"]["macro_roc_auc"])
    metrics["nsmc"], data = downstream(model, seed)
    log.info("model2 folds and ranking done in %s s", metrics["nsmc"]["cv_seconds"])
    if out is not None:
        seconds = {}
        for name, chosen in VARIANTS.items():
            started = time.perf_counter()
            save_genre_model(fit_genre_model(name, data["inputs"][chosen.input], data["y"], data["genres"], seed), out / genre_stem(name))
            seconds[name] = round(time.perf_counter() - started, 1)
        metrics["model2_train_seconds"] = seconds
    return metrics


def evaluate_shipped(model_name: str = "offline", seed: int = 12) -> dict:
    """Re-measure the shipped head (KOTE test split, diaries) and model2's folds; nothing is written."""
    head, spec = shipped_emotion_head()
    model = EmotionModel(load_model(model_name, allow_fallback=False), head, spec)
    kote = load_kote()
    pooled = cached_pooled_layers(model.encoder, list(kote.texts))
    return {"encoder": model.encoder.name, "model1_spec": asdict(spec), **_measure(model, kote, pooled, seed, None)}


def _table(rows: dict[str, dict[str, float]], columns: list[str]) -> list[str]:
    lines = ["| | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name, row in rows.items():
        lines.append(f"| {name} | " + " | ".join(f"{row[c]:.3f}" if isinstance(row.get(c), float) else str(row.get(c, "")) for c in columns) + " |")
    return lines


def format_report(metrics: dict) -> str:
    """The README's tables (Markdown) from a metrics dict."""
    lines = []
    if "model1_candidates" in metrics:
        lines += ["model1 candidates (KOTE, chosen on validation: " + metrics["model1_chosen"] + ")", ""]
        lines += _table(metrics["model1_candidates"], ["val_macro_roc_auc", "test_macro_roc_auc", "train_seconds", "parameters"]) + [""]
    emotions = metrics["kote_test"]["emotions"]
    lines += [f"model1 on the KOTE test split: macro ROC-AUC {emotions['macro_roc_auc']:.3f}, macro F1 {emotions['macro_f1']:.3f}", ""]
    lines += _table(emotions["labels"], ["roc_auc", "f1", "threshold", "positives"]) + [""]
    if "labels44" in metrics["kote_test"]:
        labels = metrics["kote_test"]["labels44"]
        lines += [f"all 44 KOTE labels (test): macro ROC-AUC {labels['macro_roc_auc']:.3f}, macro F1 {labels['macro_f1']:.3f}", ""]
    diaries = metrics["diaries"]
    lines += [f"model1 on the {len(diaries['diaries'])} diaries: macro ROC-AUC {diaries['macro_roc_auc']:.3f}, "
              f"macro F1 at 0.5 {diaries['macro_f1']:.3f}, top emotion intended {diaries['top_emotion_intended']:.3f}", ""]
    lines += _table(diaries["labels"], ["roc_auc", "f1", "positives"]) + [""]
    nsmc = metrics["nsmc"]
    lines += [f"model2 on NSMC ({nsmc['reviews']} reviews of {nsmc['movies']} movies, {nsmc['folds']} folds grouped by movie, seed {nsmc['fold_seed']})", ""]
    lines += _table(nsmc["genres"], ["macro_ap", "micro_f1"]) + [""]
    lines += ["ranking: each review as a pseudo-diary, its own movie among all (ties: exact expectation)", ""]
    lines += _table(nsmc["ranking"], ["hit@3", "mrr", "genre_set_match@3"])
    return "\n".join(lines)
