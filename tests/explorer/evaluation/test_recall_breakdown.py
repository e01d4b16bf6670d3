"""Where the aggregate's recall is lost: the same pairs as the evaluation, grouped, with movie-level intervals."""

from __future__ import annotations

import numpy as np
import pytest

from moviattn.data import Movie
from moviattn.explorer import MovieAggregate
from moviattn.explorer._evaluation import recall_breakdown as rb
from moviattn.explorer._evaluation.evaluation_aggregate import APP_DEFAULT, MovieEvidence, score_view, summarise
from moviattn.morphology import Unit


def _evidence(movie_id: str = "m1") -> MovieEvidence:
    nouns = ["형사", "살인", "마을", "시체", "범인", "경찰", "기자"]
    plot = [Unit(word, 3 * i, 3 * i + 2, "Noun", True) for i, word in enumerate(nouns)] + [Unit("달리다", 21, 24, "Verb", True)]
    shares = np.array([[0.4, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05], [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.3]])
    aggregate = MovieAggregate(
        movie_id=movie_id, info_units=[], plot_units=plot, review_ids=["a", "b"], ratings=[10, 2],
        info_per_review=np.zeros((2, 0)), plot_per_review=shares, plot_reference=np.full(8, 0.125), info_reference=np.zeros(0),
    )
    # review a mentions 형사 (its best word); review b mentions 달리다, its best unit, but a verb: the default
    # view cannot show it, so the six other nouns outrank it (a miss)
    return MovieEvidence(Movie(movie_id, "살인의 추억"), aggregate, [[0], [7]], [[], []], None, 0.0)


def test_pairs_are_the_evaluations_pairs_with_the_same_recall():
    evidence = _evidence()
    found = rb.pairs([evidence])
    assert [(p.word, p.showable, p.recall) for p in found] == [("형사", True, 1.0), ("달리다", False, 0.0)]
    assert np.mean([p.recall for p in found]) == pytest.approx(summarise("d", [score_view(evidence, APP_DEFAULT)]).plot_r5)


def test_word_kinds_in_order_title_name_reference_other(monkeypatch):
    monkeypatch.setattr(rb, "pos_tags", lambda text, analyser: (("x", "NNP"),) if text == "앤디" else (("x", "NNG"),))
    assert rb.word_kind("살인", "살인의 추억", "") == "title"
    assert rb.word_kind("앤디", "쇼생크 탈출", "앤디") == "name"  # a name before the reference's words
    assert rb.word_kind("최고", "쇼생크 탈출", "정말 최고의 영화") == "reference"
    assert rb.word_kind("감옥", "쇼생크 탈출", "정말 최고의 영화") == "other"


def test_recall_is_pooled_over_pairs_and_resampled_over_movies():
    pairs = [rb.Pair("a", 10, "x", "other", True, 1.0)] * 3 + [rb.Pair("b", 20, "y", "other", True, 0.0)]
    n, recall, low, high = rb.recall_interval(pairs)
    assert (n, recall) == (4, 0.75) and low <= recall <= high and low == 0.0 and high == 1.0
    assert rb.recall_interval(pairs[:3])[1:] == (1.0, 1.0, 1.0)  # one movie: no spread
    assert np.isnan(rb.recall_interval([])[1])


def test_length_thirds_split_the_movies_not_the_pairs():
    pairs = [rb.Pair(str(i), units, "x", "other", True, 1.0) for i, units in enumerate([5, 50, 500, 6, 60, 600]) for _ in range(i + 1)]
    thirds = rb.length_thirds(pairs)
    assert [name for name, _ in thirds] == ["synopsis 5–6 units (2 movies)", "synopsis 50–60 units (2 movies)", "synopsis 500–600 units (2 movies)"]
    assert sum(len(chosen) for _, chosen in thirds) == len(pairs)


def test_the_printed_breakdown_names_every_group_and_the_words_missed_most():
    text = rb.format_breakdown(rb.pairs([_evidence("m1"), _evidence("m2")]))
    assert "all pairs" in text and "word the view cannot show" in text and "missed most (expected misses): 달리다 2.0" in text
    assert all(f"word: {kind}" in text for kind in rb.KINDS)
