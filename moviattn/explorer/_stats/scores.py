"""Field and word scores of a movie's shares (``shares.Shares``): raw share, share per item and lift,
with bootstrap intervals over a group's reviews; the top words and the words that stand out (their
lift's interval above 1). ``MovieAggregate`` offers each function here as a method of the same name."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...metrics import resampled_means
from ...morphology import Unit
from ...registry import choose
from .._compute.sequence import INFO_FIELDS
from .groups import EmptyGroup, Group
from .segment_words import Word, word_matrix
from .shares import Shares
from .words import DEFAULT_WORDS, RESAMPLES, SEED, lift, lift_intervals

#: What a word is ranked by (a score, not a ``reduce.MEASURES`` measure: that says what a cell holds): its raw share, or its share over the reference reviews' share.
SCORES = ("share", "lift")
#: The default ranking of the aggregate views, chosen by ``evaluate --aggregate`` (docs/evaluation.md).
DEFAULT_SCORE = "lift"


@dataclass(frozen=True)
class WordScore:
    """A word's mean share over a group's reviews, the reference's share and their ratio (with its 95 %
    bootstrap interval over the group's reviews where asked for: ``standing_out``)."""

    word: Word
    share: float
    reference: float | None
    lift: float | None
    low: float | None = None
    high: float | None = None

    def value(self, score: str) -> float:
        """The number a view ranks by (``SCORES``)."""
        value = self.share if score == "share" else self.lift
        if value is None:
            raise ValueError("this aggregate has no reference reviews, so no lift; use score 'share'")
        return value


@dataclass(frozen=True)
class FieldScore:
    """An info field's raw share, its share per item (over its share of the info items) and its lift,
    each with a 95 % bootstrap interval over the group's reviews (``intervals``: name → (low, high))."""

    name: str
    units: int
    share: float
    per_unit: float
    lift: float | None
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)


def _field_names(aggregate: Shares) -> list[str]:
    return [name for name, _ in INFO_FIELDS if any(u.field == name for u in aggregate.info_units)]


def field_share(aggregate: Shares, polarity: str | None = None) -> dict[str, float]:
    """Info share summed per field (over its items), in info order."""
    return {f.name: f.share for f in field_scores(aggregate, aggregate.group(polarity), resamples=0)}


def field_scores(aggregate: Shares, group: Group, *, resamples: int = RESAMPLES, seed: int = SEED) -> list[FieldScore]:
    """Per field: raw share, per-item share (1 = as much as its number of items predicts) and lift,
    each with a 95 % percentile interval from resampling the group's reviews (none with 0 resamples)."""
    if group.empty:
        raise EmptyGroup(group.label)
    items = aggregate.words("info")
    names = _field_names(aggregate)
    membership = np.array([[w.field == name for name in names] for w in items], dtype=float).reshape(len(items), len(names))
    values = aggregate.per_review("info")[group.rows] @ word_matrix(items, len(aggregate.info_units)) @ membership  # [reviews, fields]
    counts = membership.sum(axis=0)
    expected = counts / max(counts.sum(), 1.0)
    reference = aggregate.info_reference @ word_matrix(items, len(aggregate.info_units)) @ membership if aggregate.info_reference is not None else None
    boot = resampled_means(values, resamples, np.random.default_rng(seed)) if resamples else None
    out = []
    for j, name in enumerate(names):
        share = float(values[:, j].mean())
        ref = float(reference[j]) if reference is not None else 0.0
        intervals: dict[str, tuple[float, float]] = {}
        if boot is not None:
            low, high = (float(v) for v in np.percentile(boot[:, j], [2.5, 97.5]))
            intervals = {"share": (low, high), "per_unit": (low / expected[j], high / expected[j])}
            if ref:
                intervals["lift"] = (low / ref, high / ref)
        out.append(FieldScore(name, int(counts[j]), share, share / expected[j], share / ref if ref else None, intervals))
    return out


def top_units(aggregate: Shares, segment: str, k: int = 10, polarity: str | None = None) -> list[tuple[Unit, float]]:
    """The k units of 'info' or 'plot' that receive the largest mean share (positions, not words)."""
    share = aggregate.shares(segment, aggregate.group(polarity))
    order = np.argsort(-share, kind="stable")[:k]
    return [(aggregate.units(segment)[i], float(share[i])) for i in order]


def word_values(aggregate: Shares, segment: str, rows: np.ndarray, words: list[Word], score: str) -> np.ndarray:
    """[rows, words]: each review's share of every word, or its lift (over the reference's word share)."""
    choose("score", score, SCORES)
    matrix = word_matrix(words, len(aggregate.units(segment)))
    values = aggregate.per_review(segment)[rows] @ matrix
    if score == "share":
        return values
    reference = aggregate.reference(segment)
    if reference is None:
        raise ValueError("this aggregate has no reference reviews, so no lift; use score 'share'")
    return lift(values, reference @ matrix)


def word_scores(aggregate: Shares, segment: str, group: Group, which: str = DEFAULT_WORDS) -> list[WordScore]:
    """Every word's mean share over the group, its reference share and lift (in word order)."""
    if group.empty:
        raise EmptyGroup(group.label)
    words = aggregate.words(segment, which)
    matrix = word_matrix(words, len(aggregate.units(segment)))
    share = aggregate.per_review(segment)[group.rows].mean(axis=0) @ matrix
    reference = aggregate.reference(segment)
    ref = reference @ matrix if reference is not None else None
    ratios = lift(share, ref) if ref is not None else None
    return [
        WordScore(w, float(share[j]), float(ref[j]) if ref is not None else None, float(ratios[j]) if ratios is not None else None)
        for j, w in enumerate(words)
    ]


def top_words(
    aggregate: Shares, segment: str, k: int = 10, polarity: str | None = None, *, score: str = DEFAULT_SCORE,
    which: str = DEFAULT_WORDS, group: Group | None = None,
) -> list[WordScore]:
    """The k words ranked by ``score``, ties by share then first position (a ranking, noise included:
    what reviews look at is ``standing_out``)."""
    choose("score", score, SCORES)
    scores = word_scores(aggregate, segment, group or aggregate.group(polarity), which)
    return sorted(scores, key=lambda s: (-s.value(score), -s.share, s.word.positions[0]))[:k]


def standing_out(
    aggregate: Shares, segment: str, k: int = 10, *, which: str = DEFAULT_WORDS, group: Group | None = None,
    resamples: int = RESAMPLES, seed: int = SEED,
) -> list[WordScore]:
    """Up to k words whose lift's 95 % interval (resampling the group's reviews, seeded) is above 1,
    ranked by lift: what reviews look at more than any review would. Empty when nothing stands out
    (the views then say ``NOTHING_STANDS_OUT``); ``ValueError`` without reference reviews."""
    group = group or aggregate.group()
    if group.empty:
        raise EmptyGroup(group.label)
    reference = aggregate.reference(segment)
    if reference is None:
        raise ValueError("this aggregate has no reference reviews, so nothing can stand out from them")
    words = aggregate.words(segment, which)
    matrix = word_matrix(words, len(aggregate.units(segment)))
    values = aggregate.per_review(segment)[group.rows] @ matrix
    ref = reference @ matrix
    mean, low, high = lift_intervals(values, ref, resamples=resamples, seed=seed)
    picked = sorted((j for j in range(len(words)) if low[j] > 1.0), key=lambda j: (-mean[j], words[j].positions[0]))[:k]
    return [WordScore(words[j], float(values[:, j].mean()), float(ref[j]), float(mean[j]), float(low[j]), float(high[j])) for j in picked]
