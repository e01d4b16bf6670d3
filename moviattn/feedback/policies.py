"""Who picks the slate from the static recommender's scores: the static baseline or Thompson sampling.

Both see the same candidates (movie → today's score, the visit's hidden movies already removed) and
return each shown movie's probability of being in the slate, so the log carries real propensities:
the static policy shows its top ``k`` (propensity 1; an estimator can evaluate nothing it never
showed — that is why the bandit explores), Thompson sampling draws a Beta posterior per
(context, movie) — context: the diary's dominant emotion, or the next-movie session's last movie —
adds it to the normalised score, and with probability ``EXPLORATION`` shows a uniformly random slate.
Its inclusion probabilities are estimated from ``PROPENSITY_DRAWS`` draws of the same sampler
(Monte Carlo, floored by the exploration term ε·k/n, which is exact); with 400 draws their standard
error is under 0.025, small beside the estimators' bootstrap intervals.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

import numpy as np

from ..registry import choose

#: Chance of a uniformly random slate (explicit exploration).
EXPLORATION = 0.1
#: Weight of the posterior draw beside the score, normalised to [0, 1] over the candidates.
BANDIT_WEIGHT = 1.0
PROPENSITY_DRAWS = 400


def _normalised(scores: np.ndarray) -> np.ndarray:
    spread = scores.max() - scores.min() if len(scores) else 0.0
    return (scores - scores.min()) / spread if spread > 0 else np.zeros_like(scores)


class StaticPolicy:
    """Today's recommender: the ``k`` best scores (ties by movie id), shown with certainty."""

    name, version = "static", "1"

    def inclusion(self, context: str, candidates: Mapping[str, float], k: int) -> dict[str, float]:
        """P(movie in the slate) for every candidate."""
        top = set(self.slate(context, candidates, k, np.random.default_rng(0)))
        return {m: float(m in top) for m in candidates}

    def slate(self, context: str, candidates: Mapping[str, float], k: int, rng: np.random.Generator) -> list[str]:
        return sorted(candidates, key=lambda m: (-candidates[m], m))[:k]

    def update(self, context: str, movie_id: str, shown: int, hits: float) -> None:
        """Static: learns nothing."""


class ThompsonPolicy:
    """Thompson sampling on (context, movie) hits over impressions, on top of the static scores, with ε exploration."""

    name, version = "thompson", "1"

    def __init__(self, exploration: float = EXPLORATION, weight: float = BANDIT_WEIGHT):
        self.exploration, self.weight = exploration, weight
        self.counts: dict[tuple[str, str], list[float]] = {}  # (context, movie) → [hits, shown]
        self._lock = threading.Lock()

    def update(self, context: str, movie_id: str, shown: int, hits: float) -> None:
        """Add ``shown`` impressions and ``hits`` hits (negative to take back an undone reaction)."""
        with self._lock:
            entry = self.counts.setdefault((context, movie_id), [0.0, 0.0])
            entry[0] += hits
            entry[1] += shown

    def _posterior(self, context: str, movies: list[str]) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            got = [self.counts.get((context, m), [0.0, 0.0]) for m in movies]
        hits = np.array([max(h, 0.0) for h, _ in got])
        misses = np.array([max(n - h, 0.0) for h, n in got])
        return 1.0 + hits, 1.0 + misses

    def _draws(self, context: str, candidates: Mapping[str, float], k: int, rng: np.random.Generator, n: int) -> tuple[list[str], np.ndarray]:
        movies = sorted(candidates)
        alpha, beta = self._posterior(context, movies)
        base = _normalised(np.array([candidates[m] for m in movies], dtype=float))
        values = base[None, :] + self.weight * rng.beta(alpha, beta, size=(n, len(movies)))
        return movies, np.argsort(-values, axis=1, kind="stable")[:, :k]

    def slate(self, context: str, candidates: Mapping[str, float], k: int, rng: np.random.Generator) -> list[str]:
        if rng.random() < self.exploration:
            return [str(m) for m in rng.permutation(sorted(candidates))[:k]]
        movies, order = self._draws(context, candidates, k, rng, 1)
        return [movies[i] for i in order[0]]

    def inclusion(self, context: str, candidates: Mapping[str, float], k: int, rng: np.random.Generator | None = None) -> dict[str, float]:
        """P(movie in the slate): ε·k/n exactly plus (1-ε) × the Monte Carlo frequency of the exploiting draws."""
        if not candidates:
            return {}
        movies, order = self._draws(context, candidates, k, rng or np.random.default_rng(0), PROPENSITY_DRAWS)
        frequency = np.bincount(order.ravel(), minlength=len(movies)) / PROPENSITY_DRAWS
        uniform = min(k, len(movies)) / len(movies)
        return {m: float(self.exploration * uniform + (1 - self.exploration) * f) for m, f in zip(movies, frequency)}


POLICIES = {"static": StaticPolicy, "thompson": ThompsonPolicy}


def make_policy(name: str) -> StaticPolicy | ThompsonPolicy:
    """A fresh policy by name (``static`` or ``thompson``)."""
    return choose("policy", name, POLICIES)()
