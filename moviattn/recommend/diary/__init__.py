"""From a diary to three movies (seed 001): Korean text → four emotions (model1) → genres (model2) → ranking.

model1 is a head on the offline multilingual-e5-small trained on KOTE; model2 maps emotion vectors (or
sentence embeddings) of NSMC reviews to their movies' genres; the ranking compares the diary with each
movie's genres (mode a), its reviews' mean emotions (b) or both (c). Shipped heads load lazily; the
encoder is loaded on the first request.
"""

from __future__ import annotations

from functools import cache

from .artifacts import shipped_emotion_head, shipped_genre_model, shipped_metrics
from .emotions import MAX_CHARS, EmotionModel, check_diary
from .genres import DEFAULT_VARIANT, VARIANTS
from .kote import EMOTIONS, EMOTIONS_KR, LABELS
from .pipeline import Analysis, DiaryRecommender, Pick, Recommendation
from .recommend import DEFAULT_MODE, MODES


@cache
def shipped_recommender(model: str = "offline") -> DiaryRecommender:
    """The recommender over the shipped heads and the encoder ``model`` (loaded once per process)."""
    from ...models import load_model

    head, spec = shipped_emotion_head()
    return DiaryRecommender(EmotionModel(load_model(model, allow_fallback=False), head, spec), shipped_genre_model)


__all__ = [
    "DEFAULT_MODE",
    "DEFAULT_VARIANT",
    "EMOTIONS",
    "EMOTIONS_KR",
    "LABELS",
    "MAX_CHARS",
    "MODES",
    "VARIANTS",
    "Analysis",
    "DiaryRecommender",
    "EmotionModel",
    "Pick",
    "Recommendation",
    "check_diary",
    "shipped_emotion_head",
    "shipped_genre_model",
    "shipped_metrics",
    "shipped_recommender",
]
