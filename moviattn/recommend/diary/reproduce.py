"""``diary train`` and ``diary evaluate``: every shipped artefact and number, from one seeded command.

Needs ``../shared/data/kote`` (model1) and ``../shared/data/nsmc`` (model2, ranking); the diaries ship
in the wing. Encoder features are cached (``encoding.cached_pooled_layers``), so a second run skips the
encoding (9 minutes for KOTE's 10,000 comments on the 2 shared CPU cores measured here).

model1 is chosen on the KOTE validation split among ``HEAD_CANDIDATES`` (each fitted on the train split,
early stopping on validation); the chosen one is then refitted on train + validation for the epoch count
that 5-fold inner CV over those 8,500 comments picks, and its F1 thresholds come from the inner-CV
out-of-fold probabilities. Only that final head is scored on the test split. Why refit: on validation,
the shipped shape went 0.849 → 0.852 → 0.855 macro ROC-AUC with 4,200 → 5,600 → 7,000 training comments
(3 seeds each), so the 1,500 validation comments are worth more as training data once the choice is made.
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
from .artifacts import EMOTION_STEM, METRICS_FILE, WEIGHTS_DIR, genre_stem, shipped_emotion_head, shipped_metrics
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
INNER_FOLDS = 5
#: Epochs each inner-CV fold runs (the candidates' early stopping ended between epochs 3 and 17).
REFIT_MAX_EPOCHS = 25
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


def _targets(kote: Kote, with_labels: bool) -> np.ndarray:
    return (np.hstack([kote.emotions, kote.labels]) if with_labels else kote.emotions).astype(np.float32)


def train_head(kote: Kote, pooled: np.ndarray, name: str, seed: int) -> dict:
    """Fit one candidate on the train split (early stopping on validation); its validation score and time."""
    layers, fit, with_labels, seeds = HEAD_CANDIDATES[name]
    x, y = layer_features(pooled, layers), _targets(kote, with_labels)
    train, val = kote.part("train"), kote.part("val")
    started = time.perf_counter()
    runs = [fit_mlp(x[train], y[train], replace(fit, seed=seed + i), (x[val], y[val]), _score4) for i in range(seeds)]
    head = merge_heads([r.model for r in runs])
    return {
        "val_macro_roc_auc": _score4(head.probabilities(x[val]), y[val]),
        "best_epochs": [r.best_epoch for r in runs],
        "train_seconds": round(time.perf_counter() - started, 1),
        "parameters": sum(p.numel() for p in head.parameters()),
    }


def inner_cv_epochs(x: np.ndarray, y: np.ndarray, fit: FitConfig, folds: int = INNER_FOLDS, seed: int = 12) -> dict:
    """K folds over the labelled rows, each run for ``fit.epochs`` epochs: the epoch with the best mean
    validation score over the folds, that score, the mean curve, and out-of-fold probabilities (each fold's
    model at its own best epoch; they choose the F1 thresholds of a head refitted on all rows)."""
    fold_of = np.random.default_rng(seed).permutation(len(x)) % folds
    curves, oof = [], np.zeros(y.shape, dtype=np.float32)
    for fold in range(folds):
        held = fold_of == fold
        run = fit_mlp(x[~held], y[~held], replace(fit, seed=seed, patience=fit.epochs), (x[held], y[held]), _score4)
        curves.append(run.curve)
        oof[held] = run.model.probabilities(x[held])
    mean = np.mean(curves, axis=0)
    return {"epochs": int(np.argmax(mean)) + 1, "macro_roc_auc": float(mean.max()), "curve": [round(float(v), 4) for v in mean], "oof": oof}


def refit_head(kote: Kote, pooled: np.ndarray, encoder: LoadedModel, name: str, seed: int) -> tuple[EmotionModel, dict, np.ndarray]:
    """The chosen candidate refitted on train + validation for the epoch count chosen by inner CV
    (no early stopping: nothing is held out); its CV row and the out-of-fold probabilities."""
    layers, fit, with_labels, seeds = HEAD_CANDIDATES[name]
    labelled = np.sort(np.concatenate([kote.part("train"), kote.part("val")]))
    x, y = layer_features(pooled, layers)[labelled], _targets(kote, with_labels)[labelled]
    started = time.perf_counter()
    cv = inner_cv_epochs(x, y, replace(fit, epochs=REFIT_MAX_EPOCHS), seed=seed)
    cv_seconds = time.perf_counter() - started
    fixed = replace(fit, seed=seed, epochs=cv["epochs"])
    head = merge_heads([fit_mlp(x, y, replace(fixed, seed=seed + i)).model for i in range(seeds)])
    spec = HeadSpec(encoder.name, encoder.model.config.hidden_size, layers, fixed, with_labels, seeds, trained_on="train+val")
    oof = np.zeros((len(kote.texts), y.shape[1]), dtype=np.float32)
    oof[labelled] = cv.pop("oof")
    row = {"inner_cv_folds": INNER_FOLDS, "inner_cv_macro_roc_auc": cv["macro_roc_auc"], "epochs": cv["epochs"], "inner_cv_curve": cv["curve"],
           "rows": len(labelled), "inner_cv_seconds": round(cv_seconds, 1), "refit_seconds": round(time.perf_counter() - started - cv_seconds, 1)}
    return EmotionModel(encoder, head, spec), row, oof


def kote_report(model: EmotionModel, kote: Kote, pooled: np.ndarray, thresholds: np.ndarray) -> dict:
    """Per-label ROC-AUC and F1 on the test split at the given F1 thresholds (4 + 44 columns, chosen
    without the test split), 4 and 44 labels."""
    probabilities = model.predict_features(layer_features(pooled, model.spec.layers))
    test = kote.part("test")
    truth = np.hstack([kote.emotions, kote.labels])
    four = len(EMOTIONS)
    report = {"emotions": label_report(probabilities[test, :four], truth[test, :four], EMOTIONS, thresholds[:four])}
    if model.spec.with_labels:
        report["labels44"] = label_report(probabilities[test, four:], truth[test, four:], LABELS, thresholds[four:])
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
    candidates = {name: train_head(kote, pooled, name, seed) for name in HEAD_CANDIDATES}
    for name, row in candidates.items():
        log.info("model1 %s: %s", name, row)
    chosen = max(candidates, key=lambda n: candidates[n]["val_macro_roc_auc"])
    model, refit, oof = refit_head(kote, pooled, encoder, chosen, seed)
    log.info("model1 refit: %s", refit)
    labelled = kote.split != "test"
    thresholds = best_thresholds(oof[labelled], _targets(kote, model.spec.with_labels)[labelled])
    out.mkdir(parents=True, exist_ok=True)
    save_head(model.head, model.spec, out / EMOTION_STEM)
    metrics = {
        "licence": LICENCE_NOTE,
        "kote_split": {"seed": SPLIT_SEED, "shares": list(SPLIT_SHARES), **{s: len(kote.part(s)) for s in ("train", "val", "test")}},
        "encoder": encoder.name, "machine": _machine(), "kote_encode_seconds_this_run": round(encode_seconds, 1),
        "model1_candidates": candidates, "model1_chosen": chosen, "model1_refit": refit, "model1_spec": asdict(model.spec),
        "model1_thresholds": [round(float(t), 6) for t in thresholds],
    }
    metrics.update(_measure(model, kote, pooled, thresholds, seed, out))
    (out / METRICS_FILE).write_text(json.dumps(metrics, ensure_ascii=False, indent=1), encoding="utf-8")
    return metrics


def _measure(model: EmotionModel, kote: Kote, pooled: np.ndarray, thresholds: np.ndarray, seed: int, out: Path | None) -> dict:
    """KOTE test report, diaries, model2 folds and ranking; with ``out``, fit and save the shipped model2s."""
    metrics = {"kote_test": kote_report(model, kote, pooled, thresholds), "diaries": diary_report(model)}
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
    thresholds = np.array(shipped_metrics()["model1_thresholds"])
    return {"encoder": model.encoder.name, "model1_spec": asdict(spec), **_measure(model, kote, pooled, thresholds, seed, None)}


def _table(rows: dict[str, dict[str, float]], columns: list[str]) -> list[str]:
    lines = ["| | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name, row in rows.items():
        lines.append(f"| {name} | " + " | ".join(f"{row[c]:.3f}" if isinstance(row.get(c), float) else str(row.get(c, "")) for c in columns) + " |")
    return lines


def format_report(metrics: dict) -> str:
    """The tables of docs/diary.md (Markdown) from a metrics dict."""
    lines = []
    if "model1_candidates" in metrics:
        lines += ["model1 candidates (KOTE, chosen on validation: " + metrics["model1_chosen"] + ")", ""]
        lines += _table(metrics["model1_candidates"], ["val_macro_roc_auc", "train_seconds", "parameters"]) + [""]
        refit = metrics["model1_refit"]
        lines += [f"refitted on train + validation ({refit['rows']:,} comments) for {refit['epochs']} epochs, chosen by {refit['inner_cv_folds']}-fold "
                  f"inner CV (macro ROC-AUC {refit['inner_cv_macro_roc_auc']:.3f}); {refit['inner_cv_seconds']:.0f} s CV + {refit['refit_seconds']:.0f} s refit", ""]
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
