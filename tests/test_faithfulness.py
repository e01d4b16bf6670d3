"""The field's faithfulness measures against their definitions (ERASER's AOPC, ferret's τ against leave-one-out)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from moviattn.faithfulness import ERASER_FRACTIONS, faithfulness, kendall_tau, mean_interval, rationales


def additive(weights: list[np.ndarray], squash: bool = False):
    """A model whose target probability is the kept units' share of the weight (or a sigmoid of their sum)."""

    def target_probability(requests):
        out = []
        for i, kept in requests:
            total = weights[i][kept].sum()
            out.append(1 / (1 + math.exp(-total)) if squash else total / weights[i].sum())
        return np.array(out)

    return target_probability


def test_rationales_take_the_floor_of_each_bin_and_drop_empty_and_repeated_bins():
    importance = np.arange(20, 0, -1, dtype=float)  # unit 0 most important
    tops = rationales(importance)
    # 1 % of 20 -> 0 units (dropped), 5 % -> 1, 10 % -> 2, 20 % -> 4, 50 % -> 10
    assert [t.tolist() for t in tops] == [[0], [0, 1], [0, 1, 2, 3], list(range(10))]
    assert [t.tolist() for t in rationales(np.ones(10) * [1, 0, 0, 0, 0, 0, 0, 0, 0, 0])] == [[0]]  # zeros never join
    assert rationales(np.zeros(10)) == [] and rationales(-np.ones(10)) == []
    assert len(rationales(-np.arange(10.0), only_positive=False)) == 3


def test_aopc_by_hand_on_a_linear_model():
    w = np.array([5.0, 1, 1, 1, 1, 1, 1, 1, 1, 2])  # sum 15
    [scores] = faithfulness([w], additive([w]))
    # rationales of 10 units: 10 % -> [0], 20 % -> [0, 9], 50 % -> [0, 9, 1, 2, 3]
    removed = np.array([5, 7, 10]) / 15
    assert scores.aopc_compr == pytest.approx(removed.mean())
    assert scores.aopc_suff == pytest.approx((1 - removed).mean())  # p(full) = 1, p(rationale alone) = its share
    assert scores.taucorr_loo == pytest.approx(1.0)  # leave-one-out of a linear model is the weight itself


def test_a_perfect_ranking_beats_a_random_one_and_tau_of_the_same_order_is_one():
    rng = np.random.default_rng(0)
    weights = [rng.normal(0, 1, rng.integers(8, 30)) for _ in range(200)]
    model = additive(weights, squash=True)
    perfect = faithfulness(weights, model)
    random = faithfulness([rng.random(len(w)) for w in weights], model)
    mean = lambda rows, m: np.nanmean([getattr(r, m) for r in rows])
    assert mean(perfect, "aopc_compr") > mean(random, "aopc_compr") + 0.05
    assert mean(perfect, "aopc_suff") < mean(random, "aopc_suff") - 0.05
    assert mean(perfect, "taucorr_loo") == pytest.approx(1.0)  # a sigmoid of a sum: LOO is monotone in the weight
    assert abs(mean(random, "taucorr_loo")) < 0.05


def test_no_rationale_scores_as_ferret_does_and_kendall_tau_edges():
    w = np.ones(6)
    [scores] = faithfulness([-w], additive([w]))  # nothing scored above zero: nothing removed, nothing suffices
    assert (scores.aopc_compr, scores.aopc_suff) == (0.0, 1.0) and math.isnan(scores.taucorr_loo)  # constant LOO
    assert kendall_tau(np.arange(5.0), np.arange(5.0) * 3) == pytest.approx(1.0)
    assert kendall_tau(np.arange(5.0), -np.arange(5.0)) == pytest.approx(-1.0)
    assert math.isnan(kendall_tau(np.array([1.0]), np.array([2.0])))
    assert faithfulness([], additive([])) == [] and ERASER_FRACTIONS == (0.01, 0.05, 0.10, 0.20, 0.50)


def test_mean_interval_ignores_undefined_values_and_is_seeded():
    mean, low, high = mean_interval([1.0, 2.0, 3.0, float("nan")])
    assert mean == 2.0 and low <= mean <= high and (mean, low, high) == mean_interval([1.0, 2.0, 3.0])
    assert all(math.isnan(x) for x in mean_interval([float("nan")]))
