"""From a diary to three movies: one call per request for the CLI and the tab.

``DiaryRecommender`` holds an encoder (any ``LoadedModel`` the emotion head fits; the shipped head is
for the offline multilingual-e5-small), model1 and the model2 variants, and caches each catalogue's
review emotions: the reviews' pooled layers are cached on disk (``encoding.cached_pooled_layers``,
keyed by the encoder and the review texts, i.e. by the dataset's content), the emotions in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ...data import Dataset
from ...models import LoadedModel
from ...registry import choose
from .emotions import EmotionModel, check_diary, layer_features
from .encoding import cached_pooled_layers, pooled_layers
from .genres import DEFAULT_VARIANT, GenreModel, variant
from .kote import EMOTIONS, LABELS
from .recommend import DEFAULT_MODE, MODES, Catalogue, build_catalogue, closest, emotion_scores, genre_scores, mode_scores, top_k


@dataclass(frozen=True)
class Analysis:
    """model1 (and the sentence embedding) for one diary."""

    text: str
    emotions: np.ndarray  # [4]
    labels: np.ndarray | None  # [44] or None
    embedding: np.ndarray  # [hidden], L2-normalised last-layer mean pool
    notices: tuple[str, ...] = ()

    def emotion_dict(self) -> dict[str, float]:
        return {e: float(p) for e, p in zip(EMOTIONS, self.emotions)}

    def top_labels(self, n: int = 5) -> list[tuple[str, float]]:
        if self.labels is None:
            return []
        return [(LABELS[i], float(self.labels[i])) for i in np.argsort(-self.labels, kind="stable")[:n]]


@dataclass(frozen=True)
class Pick:
    """One recommended movie and why."""

    movie_id: str
    title: str
    score: float
    genres: tuple[str, ...]
    profile: dict[str, float]  # the movie's mean review emotions
    reviews: tuple[tuple[str, dict[str, float]], ...]  # the reviews closest to the diary, with their emotions


@dataclass(frozen=True)
class Recommendation:
    analysis: Analysis
    mode: str
    model2: str
    genre_probabilities: dict[str, float]
    picks: tuple[Pick, ...]
    notices: tuple[str, ...] = field(default_factory=tuple)


@dataclass
class _CatalogueCache:
    texts: dict[str, list[str]]
    emotions: dict[str, np.ndarray]


class DiaryRecommender:
    """model1 → model2 → ranking, with the catalogue's review emotions cached."""

    def __init__(self, emotion_model: EmotionModel, genre_model: Callable[[str], GenreModel], cache: Path | None = None):
        """``genre_model`` gives a model2 variant by name; ``cache``: where review features are kept
        (default ``cache_dir("diary", "features")``)."""
        self.emotion_model = emotion_model
        self.genre_model = genre_model
        self.cache = cache
        self._catalogues: dict[int, tuple[Dataset, _CatalogueCache]] = {}

    @property
    def encoder(self) -> LoadedModel:
        return self.emotion_model.encoder

    def analyse(self, text: str) -> Analysis:
        """Check the diary, then its four emotions, 44 labels and embedding."""
        diary = check_diary(text, self.encoder)
        pooled = pooled_layers(self.encoder, [diary.text])
        scores = self.emotion_model.predict_features(layer_features(pooled, self.emotion_model.spec.layers))[0]
        labels = scores[len(EMOTIONS) :] if self.emotion_model.spec.with_labels else None
        return Analysis(diary.text, scores[: len(EMOTIONS)], labels, layer_features(pooled, [-1])[0], diary.notices)

    def prepare_catalogue(self, dataset: Dataset) -> None:
        """Compute the catalogue's review emotions now (the app's store fill), not on the first diary."""
        self._catalogue_cache(dataset)

    def _catalogue_cache(self, dataset: Dataset) -> _CatalogueCache:
        cached = self._catalogues.get(id(dataset))
        if cached is not None and cached[0] is dataset:
            return cached[1]
        texts = {m: [r.text for r in dataset.reviews_of(m) if r.text.strip()] for m in dataset.movies}
        flat = [t for m in dataset.movies for t in texts[m]]
        pooled = cached_pooled_layers(self.encoder, flat, self.cache) if flat else np.zeros((0, 1, 1))
        emotions = self.emotion_model.predict_features(layer_features(pooled, self.emotion_model.spec.layers))[:, : len(EMOTIONS)] if flat else np.zeros((0, 4))
        by_movie, start = {}, 0
        for movie_id in dataset.movies:
            by_movie[movie_id], start = emotions[start : start + len(texts[movie_id])], start + len(texts[movie_id])
        entry = _CatalogueCache(texts, by_movie)
        self._catalogues[id(dataset)] = (dataset, entry)
        return entry

    def recommend(self, text: str, dataset: Dataset, mode: str = DEFAULT_MODE, model2: str = DEFAULT_VARIANT, k: int = 3) -> Recommendation:
        """Three movies (``k``) of ``dataset`` for the diary ``text``, with the reasons and notices."""
        choose("mode", mode, MODES)
        chosen = variant(model2)
        analysis = self.analyse(text)
        notices = list(analysis.notices)
        genres = self.genre_model(chosen.name)
        reviews = self._catalogue_cache(dataset)
        catalogue: Catalogue = build_catalogue(dataset, reviews.emotions, genres.genres)
        x = analysis.emotions if chosen.input == "emotions" else analysis.embedding
        genre_probs = genres.predict(x[None, :])[0]
        unknown = sorted({g for m in dataset.movies.values() for g in m.genres} - set(genres.genres))
        if unknown:
            notices.append(f"model2가 모르는 장르는 모드 a에서 무시합니다 (genres unknown to model2, ignored by mode a): {', '.join(unknown)}")
        if mode != "b" and not catalogue.has_genres:
            notices.append("이 카탈로그에는 장르가 없어 모드 b(감정 프로필)로 추천합니다 (no genres in this catalogue: falling back to mode b).")
            mode = "b"
        empty = [m for m in catalogue.movie_ids if not len(reviews.emotions[m])]
        if empty and mode != "a":
            notices.append(f"리뷰가 없는 영화 {len(empty)}편은 감정 점수 0으로 둡니다 ({len(empty)} movies without reviews score 0 on emotions).")
        b = emotion_scores(analysis.emotions, catalogue)[0]
        a = genre_scores(genre_probs, catalogue)[0] if mode != "b" else None
        scores = mode_scores(mode, a, b)
        picks = []
        for i in top_k(scores, b, catalogue.movie_ids, k):
            movie_id = catalogue.movie_ids[i]
            movie = dataset.movies[movie_id]
            emotions = reviews.emotions[movie_id]
            nearest = closest(analysis.emotions, emotions, 2)
            picks.append(Pick(
                movie_id, movie.label, float(scores[i]), movie.genres,
                {e: float(v) for e, v in zip(EMOTIONS, np.nan_to_num(catalogue.profiles[i]))},
                tuple((reviews.texts[movie_id][j], {e: float(v) for e, v in zip(EMOTIONS, emotions[j])}) for j in nearest),
            ))
        return Recommendation(analysis, mode, chosen.name, {g: float(p) for g, p in zip(genres.genres, genre_probs)}, tuple(picks), tuple(notices))
