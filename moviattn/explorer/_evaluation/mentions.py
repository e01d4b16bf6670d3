"""The mention test's parts: which units of a review mention the movie's info or plot (``find_mentions``;
words most synopses share do not count), and the filtered rank of each mentioned target in an attention
row, ties broken at random in exact expectation (``pair_metrics``: recall@k and MRR)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ...metrics import RankCounts, counts_against, uniform_counts
from ...metrics import metric as ranking_metric
from ...morphology import Unit
from .._stats.shares import SEGMENTS
from .._stats.words import surface_form

KS = (1, 5)
#: A plot word found in at least this share of the synopses is too common to count as a mention.
COMMON_WORD_SHARE = 0.25

# ---------------------------------------------------------------- ranks


def pair_metrics(scores: np.ndarray, gold: Sequence[int], ks: Sequence[int] = KS) -> np.ndarray:
    """[len(gold), len(ks) + 1]: expected recall@k per k and reciprocal rank of each gold target.

    The rank is filtered (the other gold targets do not compete) and ties are broken uniformly at
    random, the expectation taken exactly (``moviattn.metrics``, tie rule ``expected``).
    """
    scores = np.asarray(scores, dtype=np.float64)
    others = np.ones(len(scores), dtype=bool)
    others[list(gold)] = False
    return _metric_columns(counts_against(scores[list(gold)], scores[others]), ks)


def random_metrics(n_candidates: int, n_gold: int, ks: Sequence[int] = KS) -> np.ndarray:
    """Exact expectation of ``pair_metrics`` under a uniformly random ranking (same for every gold)."""
    return _metric_columns(uniform_counts(n_candidates - n_gold, n_gold), ks)


def _metric_columns(counts: RankCounts, ks: Sequence[int]) -> np.ndarray:
    columns = [ranking_metric("recall", counts, k) for k in ks] + [ranking_metric("mrr", counts)]
    return np.stack(columns, axis=1) if len(counts) else np.zeros((0, len(ks) + 1))


# ---------------------------------------------------------------- mentions


#: Tags of predicates and modifiers (Okt, Sejong, Hannanum): their surface forms match by accident
#: (하는데, 없다, 계속), so only nominal content units (nouns, names, foreign words, numbers) are matched.
_NOT_NOMINAL = ("Verb", "Adjective", "Adverb", "VV", "VA", "MAG", "P", "M")


def mention_key(unit: Unit) -> str | None:
    """The normalised surface a nominal content unit is matched by, or None (other units, 1-character words)."""
    if not unit.content or unit.tag.startswith(_NOT_NOMINAL):
        return None
    key = surface_form(unit.text)
    return key if len(key) >= 2 and any(c.isalnum() for c in key) else None


def common_words(plot_units: Sequence[Sequence[Unit]], share: float = COMMON_WORD_SHARE) -> frozenset[str]:
    """Keys found in at least ``share`` of the synopses (words like 영화, 그, 이야기)."""
    counts: dict[str, int] = {}
    for units in plot_units:
        for key in {mention_key(u) for u in units} - {None}:
            counts[key] = counts.get(key, 0) + 1
    return frozenset(k for k, c in counts.items() if c >= share * len(plot_units))


@dataclass(frozen=True)
class Mention:
    """Review unit ``row`` literally mentions ``targets`` (unit indices) of ``segment``."""

    row: int
    segment: str
    targets: tuple[int, ...]


def find_mentions(
    review_units: Sequence[Unit], info_units: Sequence[Unit], plot_units: Sequence[Unit], common: frozenset[str] = frozenset()
) -> list[Mention]:
    """Every review content unit whose surface matches info units, or plot units outside ``common``."""
    index: dict[str, dict[str, list[int]]] = {"info": {}, "plot": {}}
    for segment, units in (("info", info_units), ("plot", plot_units)):
        for i, unit in enumerate(units):
            key = mention_key(unit)
            if key is not None and not (segment == "plot" and key in common):
                index[segment].setdefault(key, []).append(i)
    mentions = []
    for row, unit in enumerate(review_units):
        key = mention_key(unit)
        for segment in SEGMENTS:
            if key is not None and key in index[segment]:
                mentions.append(Mention(row, segment, tuple(index[segment][key])))
    return mentions
