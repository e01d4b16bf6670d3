"""One call per request for the CLI and the tab: prepare a split, fit or reload, evaluate, recommend.

``CHOSEN`` holds the hyper-parameters picked on ML-100K validation (the search table is in
docs/session.md); everything not listed keeps the model's ``DEFAULTS``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ...paths import cache_dir
from .data import ItemInfo, RatingLog, load_log
from .evaluation import evaluate
from .fetch import resolve
from .splits import Protocol, Split, make_split

#: Chosen on ML-100K leave-one-out validation Recall@20 (docs/session.md, "Hyper-parameter search").
CHOSEN: dict[str, dict[str, Any]] = {
    "iknn": {"window": 10},
    "sknn": {"k": 50},
    "vsknn": {"k": 50},
    "gru4rec": {"bptt": 16, "hidden": 256, "tied": True, "dropout": 0.5, "embedding_dropout": 0.5, "optimizer": "adagrad", "lr": 0.05},
    "sasrec": {},
}


def prepare(
    data: str = "ml-100k", protocol: Protocol = Protocol(), format: str | None = None, columns: dict[str, str] | None = None
) -> tuple[Split, RatingLog]:
    """The split of data set ``data`` (a name in the cache or a path) and its rating log."""
    log = load_log(resolve(data), format, columns)
    return make_split(log, protocol), log


def settings_for(name: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The chosen hyper-parameters of ``name`` with ``overrides`` on top."""
    return {**CHOSEN.get(name, {}), **(overrides or {})}


def results_path(split: Split) -> Path:
    return cache_dir("sessions", "results", f"{split.fingerprint}.json")


def load_results(split: Split) -> list[dict[str, Any]]:
    """Rows saved by ``evaluate_models`` for this split (empty if none)."""
    path = results_path(split)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []


def evaluate_models(
    names: Sequence[str],
    split: Split,
    overrides: dict[str, Any] | None = None,
    test: bool = False,
    exclude_seen: bool = True,
    retrain: bool = False,
    progress: bool = False,
) -> list[dict[str, Any]]:
    """Fit (or reload) each model, evaluate on validation (and test), save and return the rows."""
    from .store import load_or_fit

    rows = {row["model"]: row for row in load_results(split)} if exclude_seen else {}
    for name in names:
        model, settings = load_or_fit(name, settings_for(name, overrides), split, retrain, progress)
        start = time.perf_counter()
        row = {
            "model": name,
            "params": model.params,
            "exclude_seen": exclude_seen,
            "valid": evaluate(model, split.valid, exclude_seen, progress=progress),
        }
        if test:
            row["test"] = evaluate(model, split.test, exclude_seen, progress=progress)
        row.update(
            eval_seconds=round(time.perf_counter() - start, 2),
            fit_seconds=settings.get("fit_seconds"),
            epochs=settings.get("epochs"),
            best_epoch=settings.get("best_epoch"),
        )
        rows[name] = row
    if exclude_seen:
        path = results_path(split)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(list(rows.values()), indent=2), encoding="utf-8")
    return [rows[name] for name in names]


#: The metrics a results table shows, per part (valid, test).
RESULT_METRICS = ("recall@20", "mrr@20", "hit@10", "ndcg@10")


def results_grid(rows: Sequence[dict[str, Any]]) -> tuple[list[tuple[str, str]], list[list[float | None]]]:
    """The (part, metric) columns of ``evaluate_models`` rows (the parts any row has) and each row's values
    under them (None where a row lacks the part): what the CLI's text table and the app's table show."""
    columns = [(part, metric) for part in ("valid", "test") if any(part in r for r in rows) for metric in RESULT_METRICS]
    return columns, [[r[part][metric] if part in r else None for part, metric in columns] for r in rows]


def format_results(rows: Sequence[dict[str, Any]]) -> str:
    """A plain-text table of ``evaluate_models`` rows."""
    columns, values = results_grid(rows)
    lines = [f"{'model':<10}" + "".join(f" {part + ':' + metric:>15}" for part, metric in columns) + f" {'fit s':>7}"]
    for r, row_values in zip(rows, values):
        cells = "".join(f" {v:>15.4f}" if v is not None else f" {'':>15}" for v in row_values)
        lines.append(f"{r['model']:<10}{cells} {r.get('fit_seconds') or 0:>7.1f}")
    return "\n".join(lines)


def _normalise(title: str) -> str:
    """Lower case, MovieLens's "Lion King, The" → "the lion king", no punctuation."""
    title = re.sub(r"^(.*), (the|a|an|les|la|le|il|el|das|der|die)$", r"\2 \1", title.strip(), flags=re.IGNORECASE)
    return re.sub(r"[^\w]+", " ", title.lower()).strip()


def title_key(title: str, year: int | None) -> tuple[str, int | None]:
    """What two catalogues must share for a movie to be the same: normalised title and year."""
    return _normalise(title), year


def resolve_items(picked: Sequence[str], split: Split, items: dict[str, ItemInfo]) -> np.ndarray:
    """Item codes for movies given as ids or ``Title (year)`` labels, in order; errors say which is unknown."""
    if not picked:
        raise ValueError("빈 세션입니다 (empty session): pick at least one movie you watched")
    index = split.item_index()
    by_label = {info.label.lower(): item for item, info in items.items()}
    codes = []
    for text in picked:
        item = text if text in items or text in index else by_label.get(text.strip().lower())
        if item is None:
            raise ValueError(f"unknown movie {text!r}; pick a title from the list")
        if item not in index:
            raise ValueError(f"{text!r} has too few ratings to be in the model (filtered out by the protocol)")
        codes.append(index[item])
    return np.array(codes, dtype=np.int64)


@dataclass(frozen=True)
class Recommendation:
    item: str
    info: ItemInfo
    score: float


def recommend(
    model: Any, context: np.ndarray, split: Split, items: dict[str, ItemInfo], k: int = 20, exclude_seen: bool = True
) -> list[Recommendation]:
    """The top ``k`` next items for one context (item codes, in order), seen ones excluded."""
    scores = model.scores([context], np.array([-1]))[0].astype(np.float64)
    if exclude_seen:
        scores[context] = -np.inf
    top = np.argsort(-scores, kind="stable")[:k]
    return [
        Recommendation(split.item_ids[i], items.get(split.item_ids[i], ItemInfo(split.item_ids[i], split.item_ids[i])), float(scores[i]))
        for i in top
    ]
