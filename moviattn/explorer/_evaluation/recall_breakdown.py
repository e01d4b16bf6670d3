"""Where the aggregate's review-level recall@5 is lost (``evaluate --aggregate --breakdown``; issue 35, item 5).

The same pairs as the recall@5 of ``evaluation_aggregate`` (a review and a plot word it mentions,
ranked among the view's words by the review's own scores), each with an expected recall@5, grouped by
what the docs expected to lose it and by what the measure suggests:

* **synopsis length**: thirds of the evaluated movies by plot units (cut where the dataset's movies
  fall, so on any dataset the thirds hold about as many movies);
* **kind of word**, first that applies: ``title`` (a word of the movie's title), ``name`` (a proper noun
  by Kiwi, ``NNP``, read out of context), ``reference`` (a word the lift's reference reviews use: a
  word any review says gets attention from them too, so its lift is flattened), ``other``;
* **why a miss**: the view cannot show the word (its class does not lead) or other words outrank it.

Intervals are 95 % bootstraps over movies of the pair-weighted recall (pairs of one movie are not
independent). Nothing here is fitted or chosen: it reads the evaluation's own pairs, so it can be run
on any dataset, the 40 or a user's, without tuning anything on held-out folds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from ...errors import AnalyserUnavailable
from ...metrics import resampled_means
from ...morphology import pos_tags
from .._stats.shares import reference_reviews
from .._stats.words import LEADING_CLASSES
from .evaluation_aggregate import APP_DEFAULT, MovieEvidence, View, view_words, word_owners, word_scores
from .mentions import KS, pair_metrics

KINDS = ("title", "name", "reference", "other")
RESAMPLES = 1000
SEED = 0
_R5 = KS.index(5)


@dataclass(frozen=True)
class Pair:
    """One (review, mentioned plot word) pair of the recall test, with what it is and its recall@5."""

    movie_id: str
    plot_units: int
    word: str
    kind: str
    showable: bool
    recall: float


def word_kind(word: str, title: str, reference_text: str) -> str:
    """The first of ``KINDS`` that applies to a plot word."""
    if word and word in title:
        return "title"
    try:
        tags = pos_tags(word, "kiwi")
    except AnalyserUnavailable:
        tags = ()
    if tags and tags[0][1].startswith("NNP"):
        return "name"
    return "reference" if word in reference_text else "other"


def pairs(evidence: Sequence[MovieEvidence], view: View = APP_DEFAULT, leading: frozenset[str] = LEADING_CLASSES) -> list[Pair]:
    """Every recall pair of ``view`` (the app's by default) over the movies' evidence."""
    reference_text = " ".join(r.text for r in reference_reviews())
    out = []
    for item in evidence:
        aggregate = replace(item.aggregate, leading=leading)
        words, showable, matrix = view_words(aggregate, view, leading)
        scores = np.where(showable, word_scores(aggregate.plot_per_review, view, matrix, aggregate.plot_reference), -np.inf)
        owner = word_owners(words, len(aggregate.plot_units))
        title = f"{item.movie.title_kr} {item.movie.title_en or ''}"
        kinds = [word_kind(w.text, title, reference_text) for w in words]
        for row, gold_units in enumerate(item.plot_gold):
            gold = sorted({owner[u] for u in gold_units} - {-1})
            if not gold:
                continue
            recalls = pair_metrics(scores[row], gold)[:, _R5]
            out += [Pair(item.movie.id, len(aggregate.plot_units), words[g].text, kinds[g], bool(showable[g]), float(r))
                    for g, r in zip(gold, recalls)]
    return out


def recall_interval(chosen: Sequence[Pair]) -> tuple[int, float, float, float]:
    """(pairs, recall@5, 95 % interval) with movies resampled: the ratio of summed recalls to pairs."""
    movies = sorted({p.movie_id for p in chosen})
    sums = np.array([[sum(p.recall for p in chosen if p.movie_id == m), sum(p.movie_id == m for p in chosen)] for m in movies])
    if not len(sums):
        return 0, float("nan"), float("nan"), float("nan")
    means = resampled_means(sums, RESAMPLES, np.random.default_rng(SEED))
    ratios = means[:, 0] / means[:, 1]
    return int(sums[:, 1].sum()), float(sums[:, 0].sum() / sums[:, 1].sum()), *(float(v) for v in np.percentile(ratios, [2.5, 97.5]))


def length_thirds(all_pairs: Sequence[Pair]) -> list[tuple[str, list[Pair]]]:
    """The pairs of the shortest, middle and longest third of the movies by plot units."""
    lengths = sorted({(p.plot_units, p.movie_id) for p in all_pairs})
    out = []
    for part in np.array_split(np.arange(len(lengths)), 3):
        if not len(part):
            continue
        movies = {lengths[i][1] for i in part}
        low, high = lengths[part[0]][0], lengths[part[-1]][0]
        out.append((f"synopsis {low}–{high} units ({len(movies)} movies)", [p for p in all_pairs if p.movie_id in movies]))
    return out


def breakdown(all_pairs: Sequence[Pair]) -> list[tuple[str, tuple[int, float, float, float]]]:
    """(group, (pairs, recall@5, low, high)) for all pairs, each length third and each kind of word,
    then the share of pairs missed because the view cannot show the word."""
    groups = [("all pairs", list(all_pairs)), *length_thirds(all_pairs)]
    groups += [(f"word: {kind}", [p for p in all_pairs if p.kind == kind]) for kind in KINDS]
    groups.append(("word the view cannot show", [p for p in all_pairs if not p.showable]))
    return [(name, recall_interval(chosen)) for name, chosen in groups]


def format_breakdown(all_pairs: Sequence[Pair], view: View = APP_DEFAULT) -> str:
    """The printed table, and the words missed most often."""
    lines = [f"where {view.name}'s review-level recall@5 is lost (95 % interval over movies):",
             f"{'group':44s} {'pairs':>6s} {'r@5':>6s} {'95 % interval':>16s}"]
    for name, (n, recall, low, high) in breakdown(all_pairs):
        lines.append(f"{name:44s} {n:6d} {recall:6.3f} ({low:.3f}, {high:.3f})" if n else f"{name:44s} {n:6d}")
    missed: dict[str, float] = {}
    for p in all_pairs:
        missed[p.word] = missed.get(p.word, 0.0) + 1.0 - p.recall
    top = sorted(missed.items(), key=lambda kv: -kv[1])[:15]
    lines.append("missed most (expected misses): " + ", ".join(f"{w} {m:.1f}" for w, m in top))
    return "\n".join(lines)
