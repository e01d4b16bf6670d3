"""How attention changes between groups: positive minus negative per word with a seeded bootstrap
interval (``difference``), and field shares per review period with the words that rise and fall from the
first period to the last (``time_view``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...metrics import resampled_means
from .groups import EmptyGroup, Group, periods
from .scores import DEFAULT_SCORE, FieldScore, field_scores, word_values
from .segment_words import Word
from .shares import Shares
from .words import DEFAULT_WORDS, RESAMPLES, SEED


@dataclass(frozen=True)
class WordDifference:
    """Positive minus negative value of one word, with a bootstrap 95 % interval."""

    word: Word
    positive: float
    negative: float
    difference: float
    low: float
    high: float


@dataclass(frozen=True)
class Period:
    """One review period of the time view: the group and its field shares."""

    group: Group
    fields: list[FieldScore]


@dataclass(frozen=True)
class WordTrend:
    """A word's value in the first and the last non-empty period."""

    word: Word
    first: float
    last: float

    @property
    def change(self) -> float:
        return self.last - self.first


def difference(
    aggregate: Shares, segment: str = "plot", k: int = 10, *, score: str = DEFAULT_SCORE, which: str = DEFAULT_WORDS,
    resamples: int = RESAMPLES, seed: int = SEED,
) -> list[WordDifference]:
    """The k words whose mean value differs most between positive and negative reviews, with a 95 %
    percentile interval from resampling each group's reviews with replacement (seeded)."""
    positive, negative = aggregate.group("positive"), aggregate.group("negative")
    for group in (positive, negative):
        if group.empty:
            raise EmptyGroup(group.label)
    words = aggregate.words(segment, which)
    pos = word_values(aggregate, segment, positive.rows, words, score)
    neg = word_values(aggregate, segment, negative.rows, words, score)
    rng = np.random.default_rng(seed)
    boot = resampled_means(pos, resamples, rng) - resampled_means(neg, resamples, rng)
    low, high = np.percentile(boot, [2.5, 97.5], axis=0)
    diff = pos.mean(axis=0) - neg.mean(axis=0)
    order = np.argsort(-np.abs(diff), kind="stable")[:k]
    return [
        WordDifference(words[j], float(pos[:, j].mean()), float(neg[:, j].mean()), float(diff[j]), float(low[j]), float(high[j]))
        for j in order
    ]


def time_view(
    aggregate: Shares, segment: str = "plot", k: int = 5, *, score: str = DEFAULT_SCORE, which: str = DEFAULT_WORDS,
) -> tuple[list[Period], list[WordTrend]]:
    """Field shares per period, and the k words that rise most and the k that fall most from the
    first to the last non-empty period (rising first, then falling)."""
    by_period = [Period(g, [] if g.empty else field_scores(aggregate, g, resamples=0)) for g in periods(aggregate.dates)]
    filled = [p.group for p in by_period if not p.group.empty]
    if len(filled) < 2:
        return by_period, []
    words = aggregate.words(segment, which)
    first = word_values(aggregate, segment, filled[0].rows, words, score).mean(axis=0)
    last = word_values(aggregate, segment, filled[-1].rows, words, score).mean(axis=0)
    change = last - first
    order = np.argsort(-change, kind="stable")
    picked = [j for j in order[:k] if change[j] > 0] + [j for j in order[::-1][:k] if change[j] < 0]
    return by_period, [WordTrend(words[j], float(first[j]), float(last[j])) for j in picked]
