"""Ranking a catalogue's movies for one diary, three ways (``MODES``), with a deterministic tie-break.

- ``a`` (the seed's way): cosine between the diary's genre probabilities (model2) and each movie's
  0/1 genre vector;
- ``b`` (hypothesis 1 directly): cosine between the diary's four emotions and the movie's mean review
  emotions, both *centred* on the catalogue's mean review emotion — model1's probabilities are all
  positive, so uncentred cosines measure mostly the shared level (every review is a bit angry) and not
  which way this movie leans; works for any movie with reviews, no genres needed;
- ``c``: ``BLEND`` · a + (1 − ``BLEND``) · b (both are cosines in [−1, 1]).

Ties: many movies share one genre set, so mode ``a`` ties often. Scores are rounded to 1e-9 (so float
noise does not decide), then ties are broken by the mode-``b`` score (the emotion profile), then by
movie id (ascending): the same diary and catalogue always give the same three movies. The evaluation
does not use this rule: it scores ties by their exact expectation (``moviattn.metrics``, ``expected``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ...data import Dataset
from ...registry import choose

MODES: Mapping[str, str] = {
    "a": "장르 (seed: diary genre probabilities vs movie genres)",
    "b": "감정 (H1: diary emotions vs the movie's mean review emotions)",
    "c": "혼합 (blend of a and b)",
}
BLEND = 0.5
DEFAULT_MODE = "b"
ROUND = 9


@dataclass(frozen=True)
class Catalogue:
    """The movies to recommend from, with what each mode compares the diary to."""

    movie_ids: tuple[str, ...]
    genres: tuple[str, ...]  # the genre vocabulary (model2's outputs)
    genre_matrix: np.ndarray  # float [movies, genres], 0/1
    profiles: np.ndarray  # float [movies, 4], mean review emotions (NaN rows: no reviews)
    centre: np.ndarray  # float [4], mean over all reviews

    @property
    def has_genres(self) -> bool:
        return bool(self.genre_matrix.any())


def genre_matrix(dataset: Dataset, movie_ids: Sequence[str], genres: Sequence[str]) -> np.ndarray:
    """0/1 ``[movies, genres]``; genres outside the vocabulary are dropped."""
    index = {g: j for j, g in enumerate(genres)}
    matrix = np.zeros((len(movie_ids), len(genres)))
    for i, movie_id in enumerate(movie_ids):
        for genre in dataset.movies[movie_id].genres:
            if genre in index:
                matrix[i, index[genre]] = 1.0
    return matrix


def build_catalogue(dataset: Dataset, review_emotions: Mapping[str, np.ndarray], genres: Sequence[str]) -> Catalogue:
    """A catalogue from a dataset and each movie's review emotions ``[reviews, 4]`` (may be empty)."""
    movie_ids = tuple(dataset.movies)
    if not movie_ids:
        raise ValueError("the catalogue has no movies")
    rows = [review_emotions.get(m, np.zeros((0, 4))) for m in movie_ids]
    everything = np.concatenate(rows) if any(len(r) for r in rows) else np.zeros((0, 4))
    profiles = np.array([r.mean(0) if len(r) else np.full(4, np.nan) for r in rows])
    centre = everything.mean(0) if len(everything) else np.zeros(4)
    return Catalogue(movie_ids, tuple(genres), genre_matrix(dataset, movie_ids, genres), profiles, centre)


def _unit(a: np.ndarray) -> np.ndarray:
    a = np.nan_to_num(np.asarray(a, dtype=np.float64))
    norm = np.linalg.norm(a, axis=-1, keepdims=True)
    return np.divide(a, norm, out=np.zeros_like(a), where=norm > 1e-12)


def cosine(queries: np.ndarray, items: np.ndarray) -> np.ndarray:
    """Cosine similarities ``[queries, items]``; a zero or NaN vector scores 0 against everything.

    ``items`` is ``[items, d]`` (shared by every query) or ``[queries, items, d]`` (one set per query).
    """
    q, m = _unit(np.atleast_2d(queries)), _unit(items)
    return q @ m.T if m.ndim == 2 else np.einsum("qmd,qd->qm", m, q)


def genre_scores(genre_probabilities: np.ndarray, catalogue: Catalogue) -> np.ndarray:
    """Mode a: ``[queries, movies]``."""
    return cosine(genre_probabilities, catalogue.genre_matrix)


def emotion_scores(emotions: np.ndarray, catalogue: Catalogue, profiles: np.ndarray | None = None) -> np.ndarray:
    """Mode b: centred cosine ``[queries, movies]``; ``profiles`` (``[movies, 4]`` or per query
    ``[queries, movies, 4]``) overrides the catalogue's, e.g. leave-one-out in the evaluation."""
    profiles = catalogue.profiles if profiles is None else profiles
    return cosine(np.atleast_2d(emotions) - catalogue.centre, profiles - catalogue.centre)


def blend(a: np.ndarray, b: np.ndarray, weight: float = BLEND) -> np.ndarray:
    """Mode c."""
    return weight * a + (1.0 - weight) * b


def mode_scores(mode: str, a: np.ndarray | None, b: np.ndarray) -> np.ndarray:
    """The scores of ``mode`` from the two cosines (``a`` may be None only for mode b)."""
    choose("mode", mode, MODES)
    if mode == "b":
        return b
    if a is None:
        raise ValueError(f"mode {mode!r} needs genre scores")
    return a if mode == "a" else blend(a, b)


def top_k(scores: np.ndarray, tiebreak: np.ndarray, movie_ids: Sequence[str], k: int = 3) -> list[int]:
    """Indices of the ``k`` best movies: score, then ``tiebreak`` (both descending), then id (ascending)."""
    order = np.lexsort((np.asarray(movie_ids), -np.round(tiebreak, ROUND), -np.round(scores, ROUND)))
    return [int(i) for i in order[:k]]


def closest(target: np.ndarray, vectors: np.ndarray, n: int = 2) -> list[int]:
    """Indices of the ``n`` rows of ``vectors`` nearest ``target`` (Euclidean; ties by position)."""
    if len(vectors) == 0:
        return []
    distance = np.round(np.linalg.norm(np.asarray(vectors) - np.asarray(target), axis=1), ROUND)
    return [int(i) for i in np.argsort(distance, kind="stable")[:n]]
