"""Ranking metrics, defined once: recall@k (hit@k), MRR@k and NDCG@k with exact tie handling.

Used by the attention explorer's evaluation (does a review's attention rank the plot word it mentions
high?) and by both recommenders (is the held-out movie among the top k?). Each query has one target;
its rank is fixed by how many competitors score strictly higher (``higher``) and how many tie with it
(``tied``). Three tie rules, selectable by name:

- ``expected`` — ties broken uniformly at random; the metric is its exact expectation over the
  ``tied + 1`` equally likely ranks ``higher + 1 .. higher + tied + 1`` (no sampling noise, and a
  constant scorer gets exactly the random baseline);
- ``conservative`` — the target is placed after every tie (a recommender that scores all items
  equally earns nothing), the rule of the session-recommendation evaluation;
- ``optimistic`` — before every tie (an upper bound, for diagnostics only).

Every metric is a gain of the rank, zero past the cut-off ``k`` (``k=None``: no cut-off):
recall 1, MRR 1/r, NDCG 1/log2(r + 1) (a single relevant item, so the ideal DCG is 1).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .registry import choose

TIE_RULES = ("expected", "conservative", "optimistic")


@dataclass(frozen=True)
class RankCounts:
    """Per query: competitors scoring strictly above the target, and competitors tied with it."""

    higher: np.ndarray
    tied: np.ndarray

    def __len__(self) -> int:
        return len(self.higher)


def rank_counts(scores: np.ndarray, targets: Sequence[int], exclude: np.ndarray | None = None) -> RankCounts:
    """Counts for a score matrix ``[queries, items]`` and one target item per query.

    ``exclude`` (bool, same shape) removes competitors, e.g. items the user has already rated; the
    target itself never competes, even where ``exclude`` marks it.
    """
    scores = np.asarray(scores)
    if scores.ndim != 2:
        raise ValueError(f"scores must be [queries, items], got shape {scores.shape}")
    targets = np.asarray(targets, dtype=np.int64)
    if len(targets) != len(scores):
        raise ValueError(f"{len(targets)} targets for {len(scores)} score rows")
    rows = np.arange(len(scores))
    target_scores = scores[rows, targets][:, None]
    competes = np.ones(scores.shape, dtype=bool) if exclude is None else ~np.asarray(exclude, dtype=bool)
    competes[rows, targets] = False
    higher = ((scores > target_scores) & competes).sum(axis=1)
    tied = ((scores == target_scores) & competes).sum(axis=1)
    return RankCounts(higher.astype(np.int64), tied.astype(np.int64))


def counts_against(target_scores: Sequence[float], competitor_scores: Sequence[float]) -> RankCounts:
    """Counts for several targets that each compete with the same pool (and not with each other)."""
    targets = np.asarray(target_scores, dtype=np.float64)[:, None]
    pool = np.asarray(competitor_scores, dtype=np.float64)[None, :]
    return RankCounts((pool > targets).sum(axis=1).astype(np.int64), (pool == targets).sum(axis=1).astype(np.int64))


def uniform_counts(n_competitors: int, n_queries: int = 1) -> RankCounts:
    """A uniformly random ranking among ``n_competitors`` others: every competitor ties with the target.

    With the ``expected`` rule this is the exact random baseline.
    """
    return RankCounts(np.zeros(n_queries, dtype=np.int64), np.full(n_queries, n_competitors, dtype=np.int64))


def _recall_gain(ranks: np.ndarray) -> np.ndarray:
    return np.ones_like(ranks, dtype=np.float64)


def _mrr_gain(ranks: np.ndarray) -> np.ndarray:
    return 1.0 / ranks


def _ndcg_gain(ranks: np.ndarray) -> np.ndarray:
    return 1.0 / np.log2(ranks + 1.0)


#: name → gain of a 1-based rank (before the cut-off). ``hit`` is recall with one target.
GAINS: Mapping[str, Callable[[np.ndarray], np.ndarray]] = {
    "recall": _recall_gain,
    "hit": _recall_gain,
    "mrr": _mrr_gain,
    "ndcg": _ndcg_gain,
}


def metric(name: str, counts: RankCounts, k: int | None = None, ties: str = "expected") -> np.ndarray:
    """Per-query value of metric ``name`` at cut-off ``k`` under tie rule ``ties``."""
    gain = choose("metric", name, GAINS)
    choose("tie rule", ties, TIE_RULES)
    if k is not None and k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    higher, tied = counts.higher, counts.tied
    limit = np.iinfo(np.int64).max if k is None else k

    def cut(ranks: np.ndarray) -> np.ndarray:
        return np.where(ranks <= limit, gain(ranks.astype(np.float64)), 0.0)

    if ties == "conservative":
        return cut(higher + tied + 1)
    if ties == "optimistic":
        return cut(higher + 1)
    # expected: mean gain over the ranks higher+1 .. higher+tied+1, via a cumulative table
    last = int((higher + tied + 1).max(initial=0))
    if k is not None:
        last = min(last, k)
    cumulative = np.concatenate([[0.0], np.cumsum(cut(np.arange(1, last + 1)))])
    top = np.minimum(higher + tied + 1, last)
    bottom = np.minimum(higher, last)
    return (cumulative[top] - cumulative[bottom]) / (tied + 1)


def summarise(counts: RankCounts, names: Sequence[str], ks: Sequence[int | None], ties: str = "expected") -> dict[str, float]:
    """Mean of each metric at each cut-off, keyed ``"recall@20"``, ``"mrr"`` (no cut-off) and so on."""
    return {
        name if k is None else f"{name}@{k}": float(metric(name, counts, k, ties).mean()) if len(counts) else float("nan")
        for name in names
        for k in ks
    }


def wilson_interval(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion (95 % by default); (0, 1) with no trials.

    Unlike the normal approximation it stays inside [0, 1] and is not zero-width at 0 or n successes,
    so 2 of 2 reads as "somewhere above 0.34", not "certainly 1" (aspect shares of small movies)."""
    if trials <= 0:
        return 0.0, 1.0
    p = successes / trials
    centre = p + z * z / (2 * trials)
    spread = z * np.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    denominator = 1 + z * z / trials
    return float(max(0.0, (centre - spread) / denominator)), float(min(1.0, (centre + spread) / denominator))


def resampled_means(values: np.ndarray, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """[resamples, ...]: the mean over the rows of ``values`` resampled with replacement (a bootstrap of the mean)."""
    return values[rng.integers(0, len(values), (resamples, len(values)))].mean(axis=1)
