"""Faithfulness of a word-importance explanation, by the field's own measures (ERASER; ferret's names).

For one input of ``n`` units, an explanation scores each unit; the model gives the probability of a
target class (the class it predicts on the whole input). Following ferret (Attanasio et al. 2023), whose
definitions these reproduce:

- **rationales**: for each fraction ``f`` of the ERASER bins (1, 5, 10, 20, 50 %; DeYoung et al. 2020),
  the ``floor(f · n)`` top-scored units, only units scored above zero (``only_positive``, ferret's default);
  a bin with no unit, or with the same units as the bin before, is left out;
- ``aopc_compr`` (comprehensiveness, higher is better): the mean over the rationales of
  ``p(full) − p(full without the rationale)``; 0 where no rationale is left;
- ``aopc_suff`` (sufficiency, lower is better): the mean of ``p(full) − p(the rationale alone, in order)``;
  1 where no rationale is left (ferret's value: nothing was shown to suffice);
- ``taucorr_loo``: Kendall's τ-b between the explanation and leave-one-out importance
  ``p(full) − p(full without unit i)``; undefined (NaN) where either is constant.

The model is asked once for every variant of every input (``TargetProbability`` takes them all), so a
batched model scores the whole set in one pass. ferret itself does not install beside this project
(it pins transformers < 5, numpy < 2, captum < 0.8 and datasets < 3) and evaluates Hugging Face models
through their tokenizers only; these functions are tested against its definitions on hand-made models.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import kendalltau

from .metrics import resampled_means

#: ERASER's bins: the share of an input's units removed (comprehensiveness) or kept (sufficiency).
ERASER_FRACTIONS = (0.01, 0.05, 0.10, 0.20, 0.50)
#: Which measure is better higher (``True``) or lower.
HIGHER_IS_BETTER = {"aopc_compr": True, "aopc_suff": False, "taucorr_loo": True}

#: (input index, the positions of its units that are kept) → the target class's probability, for every request.
TargetProbability = Callable[[Sequence[tuple[int, np.ndarray]]], np.ndarray]


@dataclass(frozen=True)
class Faithfulness:
    """The three measures of one explanation of one input."""

    aopc_compr: float
    aopc_suff: float
    taucorr_loo: float


def rationales(
    importance: np.ndarray, fractions: Sequence[float] = ERASER_FRACTIONS, only_positive: bool = True,
) -> list[np.ndarray]:
    """The top units of each bin (most important first), empty and repeated bins left out."""
    importance = np.asarray(importance, dtype=np.float64)
    order = np.argsort(-importance, kind="stable")
    chosen: list[np.ndarray] = []
    for fraction in fractions:
        top = order[: int(fraction * len(importance))]
        if only_positive:
            top = top[importance[top] > 0]
        if len(top) and not (chosen and set(top.tolist()) == set(chosen[-1].tolist())):
            chosen.append(top)
    return chosen


def _without(n: int, removed: np.ndarray) -> np.ndarray:
    return np.setdiff1d(np.arange(n), removed)


def faithfulness(
    importances: Sequence[np.ndarray],
    target_probability: TargetProbability,
    fractions: Sequence[float] = ERASER_FRACTIONS,
    only_positive: bool = True,
) -> list[Faithfulness]:
    """``aopc_compr``, ``aopc_suff`` and ``taucorr_loo`` of each input's explanation (one unit score each)."""
    requests: list[tuple[int, np.ndarray]] = []
    plans = []
    for index, importance in enumerate(importances):
        n = len(importance)
        tops = rationales(importance, fractions, only_positive)
        start = len(requests)
        requests.append((index, np.arange(n)))
        requests += [(index, _without(n, top)) for top in tops]
        requests += [(index, np.sort(top)) for top in tops]
        requests += [(index, _without(n, np.array([i]))) for i in range(n)]
        plans.append((start, len(tops), n))
    probabilities = np.asarray(target_probability(requests), dtype=np.float64) if requests else np.empty(0)
    out = []
    for importance, (start, k, n) in zip(importances, plans):
        full = probabilities[start]
        removed = probabilities[start + 1 : start + 1 + k]
        alone = probabilities[start + 1 + k : start + 1 + 2 * k]
        loo = full - probabilities[start + 1 + 2 * k : start + 1 + 2 * k + n]
        out.append(Faithfulness(
            aopc_compr=float(np.mean(full - removed)) if k else 0.0,
            aopc_suff=float(np.mean(full - alone)) if k else 1.0,
            taucorr_loo=kendall_tau(loo, np.asarray(importance, dtype=np.float64)),
        ))
    return out


def kendall_tau(a: np.ndarray, b: np.ndarray) -> float:
    """Kendall's τ-b of two scorings of the same units; NaN where either is constant or there is one unit."""
    if len(a) < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(kendalltau(a, b).statistic)


def mean_interval(values: Sequence[float], resamples: int = 1000, seed: int = 13) -> tuple[float, float, float]:
    """Mean of the defined values and its 95 % percentile bootstrap interval (inputs resampled, seeded)."""
    x = np.asarray([v for v in values if not np.isnan(v)], dtype=np.float64)
    if not len(x):
        return float("nan"), float("nan"), float("nan")
    boot = resampled_means(x, resamples, np.random.default_rng(seed))
    low, high = np.percentile(boot, [2.5, 97.5])
    return float(x.mean()), float(low), float(high)
