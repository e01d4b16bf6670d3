"""Off-policy estimates of a policy's hits per slate from a log: IPS, self-normalised IPS, doubly robust.

Written out rather than taken from Open Bandit Pipeline: ``obp`` 0.5.7 pins ``Pillow==9.1.1`` and
``PyYAML==6.0.0``, and its install failed here on Python 3.11 (Pillow 9.1.1 has no wheel and did not build). The item-level (independent) form is used, as
OBP's ``SlateIndependentIPS`` does: with the logged inclusion probability μ(a|x) and the evaluated
policy's π(a|x), each shown item a of slate i with reward r carries the weight w = π(a|x_i)/μ(a|x_i), and

- IPS:   V = 1/n Σ_i Σ_{a shown} w r                          (Horvitz-Thompson; unbiased where μ > 0 wherever π > 0)
- SNIPS: V = Σ_i Σ_a w r / (1/K_i Σ_i Σ_a w)                 (Swaminathan & Joachims 2015: divide by the mean weight per shown item)
- DR:    V = 1/n Σ_i [Σ_{a∈C_i} π(a|x_i) q(x_i,a) + Σ_{a shown} w (r − q(x_i,a))]   (Dudík et al. 2011)

with q a reward model (per-(context, movie) smoothed hit rate fitted on the same log). Intervals:
percentile bootstrap over slates (``BOOTSTRAP`` resamples, fixed seed), as OBP's ``estimate_interval``.
The assumption all three share: an item's reward does not depend on the other items of its slate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .data import LoggedSlate

BOOTSTRAP = 300
#: Pseudo-counts pulling the reward model's per-(context, movie) hit rate to the overall rate.
REWARD_MODEL_PRIOR = 2.0

#: π(a|x) for one logged slate: the evaluated policy's inclusion probabilities over its candidates.
Inclusion = Callable[[LoggedSlate], dict[str, float]]


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.value:.3f} [{self.low:.3f}, {self.high:.3f}]"


@dataclass(frozen=True)
class Terms:
    """Per-slate terms every estimator is a function of (so the bootstrap resamples slates once)."""

    weighted_reward: np.ndarray  # Σ_shown w r
    weight: np.ndarray  # Σ_shown w
    shown: np.ndarray  # items shown
    direct: np.ndarray  # Σ_{a∈C} π q
    weighted_model: np.ndarray  # Σ_shown w q


def reward_model(log: Sequence[LoggedSlate]) -> Callable[[str, str], float]:
    """q(context, movie): the smoothed hit rate of the movie in that context over the log."""
    hits: dict[tuple[str, str], float] = {}
    shown: dict[tuple[str, str], int] = {}
    for slate in log:
        for item in slate.items:
            key = (slate.context, item.movie_id)
            hits[key] = hits.get(key, 0.0) + slate.rewards[item.movie_id]
            shown[key] = shown.get(key, 0) + 1
    overall = sum(hits.values()) / max(sum(shown.values()), 1)
    return lambda context, movie: (hits.get((context, movie), 0.0) + REWARD_MODEL_PRIOR * overall) / (shown.get((context, movie), 0) + REWARD_MODEL_PRIOR)


def terms(log: Sequence[LoggedSlate], inclusion: Inclusion, q: Callable[[str, str], float]) -> Terms:
    rows = []
    for slate in log:
        pi = inclusion(slate)
        w = np.array([pi.get(i.movie_id, 0.0) / i.propensity for i in slate.items])
        r = np.array([slate.rewards[i.movie_id] for i in slate.items])
        qs = np.array([q(slate.context, i.movie_id) for i in slate.items])
        direct = sum(p * q(slate.context, m) for m, p in pi.items())
        rows.append(((w * r).sum(), w.sum(), len(slate.items), direct, (w * qs).sum()))
    return Terms(*(np.array(column, dtype=float) for column in zip(*rows)))


def _ips(t: Terms) -> float:
    return float(t.weighted_reward.mean())


def _snips(t: Terms) -> float:
    mean_weight = t.weight.sum() / max(t.shown.sum(), 1)
    return float(t.weighted_reward.mean() / mean_weight) if mean_weight > 0 else 0.0


def _dr(t: Terms) -> float:
    return float((t.direct + t.weighted_reward - t.weighted_model).mean())


ESTIMATORS: dict[str, Callable[[Terms], float]] = {"IPS": _ips, "SNIPS": _snips, "DR": _dr}


def _subset(t: Terms, index: np.ndarray) -> Terms:
    return Terms(*(getattr(t, f)[index] for f in Terms.__dataclass_fields__))


def estimate(log: Sequence[LoggedSlate], inclusion: Inclusion, seed: int = 0, resamples: int = BOOTSTRAP) -> dict[str, Estimate]:
    """Each estimator's value of the policy behind ``inclusion`` (hits per slate) with a 95 % bootstrap interval."""
    if not log:
        raise ValueError("no logged slates to evaluate; show some recommendations first (or run: feedback simulate)")
    t = terms(log, inclusion, reward_model(log))
    rng = np.random.default_rng(seed)
    draws = [_subset(t, rng.integers(0, len(log), len(log))) for _ in range(resamples)]
    return {name: Estimate(f(t), *np.percentile([f(d) for d in draws], [2.5, 97.5])) for name, f in ESTIMATORS.items()}
