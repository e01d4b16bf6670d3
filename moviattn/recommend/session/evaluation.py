"""Next-item evaluation: every query ranks its target against all items, with the shared metrics.

No sampled negatives (they inflate scores 3–5×). Items already in the user's history can be excluded
(``exclude_seen``, default on: a user rates a movie once, so re-recommending it is a wasted slot;
RecBole's sequential evaluation keeps them, so comparisons with it switch this off). Ties are
conservative (the target goes after every item with the same score), so a model that scores many
items equally, e.g. a count model with zero counts, earns nothing for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from tqdm.auto import tqdm

from ...metrics import RankCounts, rank_counts, summarise
from .splits import Queries

#: (metric, cut-off) reported everywhere: the seed's Recall/MRR@20 and the published HR/NDCG@10.
REPORTED = (("recall", 20), ("mrr", 20), ("hit", 10), ("ndcg", 10))
TIES = "conservative"


class Scorer(Protocol):
    """Anything that scores every item for a batch of contexts (the items seen so far, in order)."""

    sequence_aware: bool

    def scores(self, contexts: Sequence[np.ndarray], users: np.ndarray) -> np.ndarray: ...


def seen_mask(histories: Sequence[np.ndarray], n_items: int) -> np.ndarray:
    """Bool ``[len(histories), n_items]``: True where the item is in that history."""
    mask = np.zeros((len(histories), n_items), dtype=bool)
    rows = np.repeat(np.arange(len(histories)), [len(h) for h in histories])
    mask[rows, np.concatenate(histories) if len(histories) else []] = True
    return mask


def rank_all(model: Scorer, queries: Queries, exclude_seen: bool = True, batch_size: int = 512, progress: bool = False) -> RankCounts:
    """Rank counts of every query's target among all items."""
    contexts = queries.contexts(getattr(model, "sequence_aware", False))
    higher, tied = [], []
    for lo in tqdm(
        range(0, len(queries), batch_size), desc="evaluating", disable=not progress or len(queries) < 10 * batch_size, leave=False
    ):
        hi = min(lo + batch_size, len(queries))
        scores = model.scores(contexts[lo:hi], queries.users[lo:hi])
        exclude = seen_mask(queries.history[lo:hi], scores.shape[1]) if exclude_seen else None
        counts = rank_counts(scores, queries.targets[lo:hi], exclude)
        higher.append(counts.higher)
        tied.append(counts.tied)
    return RankCounts(np.concatenate(higher), np.concatenate(tied))


def summary(counts: RankCounts) -> dict[str, float]:
    """The reported metrics (``recall@20``, ``mrr@20``, ``hit@10``, ``ndcg@10``) with conservative ties."""
    return {f"{name}@{k}": summarise(counts, [name], [k], TIES)[f"{name}@{k}"] for name, k in REPORTED}


def evaluate(model: Scorer, queries: Queries, exclude_seen: bool = True, batch_size: int = 512, progress: bool = False) -> dict[str, float]:
    """Reported metrics of ``model`` on ``queries``."""
    return summary(rank_all(model, queries, exclude_seen, batch_size, progress))
