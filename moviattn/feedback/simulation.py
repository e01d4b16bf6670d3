"""Simulated visitors through the app's own path (request → ``FeedbackService.present`` → reaction → log).

Preferences are fixed in advance from real data: each visitor is one NSMC review used as a diary
(``../shared/data/nsmc``; the shipped sample where it is absent); the visitor likes the movie the review
was written for (👍 with probability ``LIKE_OWN``) and another movie with a chance that grows with its
Naver rating when it shares a genre. Today's scores come from a character n-gram TF-IDF of the review
against each movie's other reviews (a cheap stand-in for the diary encoder: the loop, not the encoder,
is measured); the context is the genre of the review's best-scored movie. ``estimator_bias`` checks the
estimators on a synthetic problem whose true value is computed exactly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from ..paths import SAMPLE_DATA_DIR, shared_data
from .data import LoggedSlate, ShownItem
from .estimators import estimate
from .policies import POLICIES, ThompsonPolicy
from .service import FeedbackService
from .store import FeedbackStore

LIKE_OWN = 0.9
LIKE_OTHER = 0.25  # × rating/10, for a movie sharing a genre
K = 3


@dataclass(frozen=True)
class Visitor:
    diary: str
    context: str
    scores: dict[str, float]
    likes: dict[str, float]  # movie → P(👍)


def _movies_and_reviews() -> tuple[list[dict], dict[str, list[str]]]:
    root = shared_data("nsmc")
    if root is not None:
        movies = json.loads((root / "movies.json").read_text())
        reviews = {m["movie_id"]: [r["review"] for r in json.loads((root / "reviews" / f"{m['movie_id']}.json").read_text())] for m in movies}
        return movies, reviews
    from ..data import load_dataset

    dataset = load_dataset(SAMPLE_DATA_DIR)
    movies = [{"movie_id": i, "genres": list(m.genres), "naver_rating": 7.0} for i, m in dataset.movies.items()]
    return movies, {i: [r.text for r in dataset.reviews_of(i)] for i in dataset.movies}


def visitors(n: int, seed: int = 0) -> list[Visitor]:
    """``n`` visitors, fixed by ``seed``: a held-out review each, today's scores and their preferences."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    movies, reviews = _movies_and_reviews()
    rng = np.random.default_rng(seed)
    ids = [m["movie_id"] for m in movies]
    picked = [(ids[i], rng.integers(len(reviews[ids[i]]))) for i in rng.integers(0, len(ids), n)]
    held = {(m, int(j)) for m, j in picked}
    docs = [" ".join(t for j, t in enumerate(reviews[m]) if (m, j) not in held) for m in ids]
    vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), min_df=2, sublinear_tf=True).fit(docs)
    movie_vectors = vectoriser.transform(docs)
    genres = {m["movie_id"]: set(m["genres"]) for m in movies}
    rating = {m["movie_id"]: float(m.get("naver_rating") or 7.0) for m in movies}
    out = []
    for movie, j in picked:
        text = reviews[movie][int(j)]
        similarity = (vectoriser.transform([text]) @ movie_vectors.T).toarray()[0]
        scores = {m: float(s) for m, s in zip(ids, similarity)}
        best = max(scores, key=scores.get)
        likes = {m: LIKE_OTHER * rating[m] / 10 if genres[m] & genres[movie] else 0.0 for m in ids}
        likes[movie] = LIKE_OWN
        out.append(Visitor(text, sorted(genres[best])[0] if genres[best] else "-", scores, likes))
    return out


def run_visitors(service: FeedbackService, people: list[Visitor], surface: str = "diary", seed: int = 0, run: str = "") -> float:
    """Each visitor requests a slate and reacts to every shown movie; the online hit rate (hits / shown).
    ``run`` tells runs apart, so the visitors of one run are not those of another."""
    rng = np.random.default_rng(seed)
    hits = shown = 0
    for number, person in enumerate(people):
        visitor = service.visitor(f"simulated-{run}-{surface}-{seed}-{number}")
        slate = service.present(visitor, surface, person.context, person.scores, K).slate
        for item in slate.items:
            liked = rng.random() < person.likes[item.movie_id]
            service.react(visitor, slate, item.movie_id, "👍" if liked else "관심 없음")
            hits, shown = hits + liked, shown + 1
    return hits / max(shown, 1)


def policy_inclusion(log: list[LoggedSlate], name: str):
    """π(a|x) of policy ``name`` for each logged slate; the bandit learns from the whole log first."""
    policy = POLICIES[name]()
    if isinstance(policy, ThompsonPolicy):
        for slate in log:
            for item in slate.items:
                policy.update(slate.context, item.movie_id, 1, slate.rewards[item.movie_id])
    return lambda slate: policy.inclusion(slate.context, slate.candidates, K)


def simulate(n: int, url: str, seed: int = 0) -> list[dict]:
    """Online hit rate of each policy over the same ``n`` visitors, and each log's off-policy estimates of every policy."""
    people = visitors(n, seed)
    rows = []
    for logging_policy in POLICIES:
        store = FeedbackStore(url)
        service = FeedbackService(store, {"simulated": logging_policy}, seed=seed, salt="simulation")
        online = run_visitors(service, people, "simulated", seed, logging_policy)
        log = [s for s in store.logged_slates("simulated") if s.policy == logging_policy]
        for target in POLICIES:
            rows.append({"logged by": logging_policy, "online hit rate": online, "evaluated": target,
                         **{name: e for name, e in estimate(log[-n:], policy_inclusion(log[-n:], target), seed).items()}})
        store.close()
    return rows


def estimator_bias(slates: int = 2000, movies: int = 20, seed: int = 0) -> dict[str, float]:
    """Each estimator's error (estimate − true hits per slate) for a target policy on a synthetic log with known rewards."""
    rng = np.random.default_rng(seed)
    truth = rng.beta(1, 4, size=movies)
    ids = [f"m{i}" for i in range(movies)]
    logging = ThompsonPolicy(exploration=0.3)
    target = POLICIES["static"]()
    candidates = {m: float(s) for m, s in zip(ids, rng.normal(size=movies))}
    mu = logging.inclusion("x", candidates, K)
    pi = target.inclusion("x", candidates, K)
    log = []
    for _ in range(slates):
        shown = logging.slate("x", candidates, K, rng)
        log.append(LoggedSlate("synthetic", "thompson", "x", tuple(ShownItem(m, p, mu[m], candidates[m]) for p, m in enumerate(shown)),
                               candidates, {m: float(rng.random() < truth[ids.index(m)]) for m in shown}))
    true_value = sum(pi[m] * truth[i] for i, m in enumerate(ids))
    found = estimate(log, lambda s: pi, seed)
    return {"true": float(true_value), **{name: e.value - true_value for name, e in found.items()}}
