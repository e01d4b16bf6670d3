"""The shared ranking metrics on hand-computed cases, ties included."""

from __future__ import annotations

import math

import numpy as np
import pytest

from moviattn.metrics import counts_against, metric, rank_counts, summarise, uniform_counts
from moviattn.registry import UnknownChoice

# target item 2 scores 2.0: one competitor above (3.0), one tied (item 3), one below
SCORES = np.array([[3.0, 1.0, 2.0, 2.0]])


def test_rank_counts_and_the_three_tie_rules():
    counts = rank_counts(SCORES, [2])
    assert (counts.higher.tolist(), counts.tied.tolist()) == ([1], [1])
    assert metric("recall", counts, 2, "conservative")[0] == 0.0  # rank 3
    assert metric("recall", counts, 2, "optimistic")[0] == 1.0  # rank 2
    assert metric("recall", counts, 2, "expected")[0] == pytest.approx(0.5)  # rank 2 or 3
    assert metric("mrr", counts, None, "conservative")[0] == pytest.approx(1 / 3)
    assert metric("mrr", counts, None, "expected")[0] == pytest.approx((1 / 2 + 1 / 3) / 2)
    assert metric("ndcg", counts, 10, "expected")[0] == pytest.approx((1 / math.log2(3) + 1 / math.log2(4)) / 2)
    assert metric("mrr", counts, 2, "expected")[0] == pytest.approx((1 / 2) / 2)  # rank 3 is past the cut-off


def test_excluded_items_do_not_compete_but_the_target_always_counts():
    exclude = np.array([[True, False, True, False]])  # item 0 seen before; the target's own flag is ignored
    counts = rank_counts(SCORES, [2], exclude)
    assert (counts.higher.tolist(), counts.tied.tolist()) == ([0], [1])
    assert metric("hit", counts, 1, "conservative")[0] == 0.0 and metric("hit", counts, 1, "optimistic")[0] == 1.0


def test_uniform_ranking_is_the_exact_random_baseline():
    counts = uniform_counts(9, n_queries=3)
    assert metric("recall", counts, 3).tolist() == pytest.approx([0.3] * 3)
    assert metric("mrr", counts)[0] == pytest.approx(sum(1 / r for r in range(1, 11)) / 10)
    assert metric("recall", counts, 3, "conservative")[0] == 0.0


def test_counts_against_a_shared_pool_and_summaries():
    counts = counts_against([0.5, 0.9], [0.1, 0.5, 0.7])
    assert counts.higher.tolist() == [1, 0] and counts.tied.tolist() == [1, 0]
    summary = summarise(counts, ["recall", "mrr"], [1, None])
    assert summary["recall@1"] == pytest.approx((0 + 1) / 2)
    assert summary["mrr"] == pytest.approx(((1 / 2 + 1 / 3) / 2 + 1) / 2)


def test_bad_names_and_cutoffs():
    counts = uniform_counts(3)
    with pytest.raises(UnknownChoice, match="unknown metric 'map'; choose one of recall, hit, mrr, ndcg"):
        metric("map", counts)
    with pytest.raises(ValueError, match="unknown tie rule"):
        metric("mrr", counts, ties="random")
    with pytest.raises(ValueError, match="k must be at least 1"):
        metric("recall", counts, 0)
    with pytest.raises(ValueError, match="targets"):
        rank_counts(SCORES, [0, 1])
