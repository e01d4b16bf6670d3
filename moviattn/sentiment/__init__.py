"""Sentiment explainers for Korean movie reviews (NSMC).

A Bi-LSTM with attention and a TextCNN explained by Grad-CAM, both over Okt ``word/POS``
units; polarity lexicons (TF-IDF, log-odds, Grad-CAM); Target2Vec word vectors that know
the document label. Trained weights ship in ``weights/`` and load lazily.
"""

from __future__ import annotations

from .artifacts import shipped_target2vec
from .explain import EXPLAINERS, MODEL_EXPLAINERS, SentimentExplanation, explain_sentiment, predict_positive
from .lexicon import METHODS as LEXICON_METHODS
from .lexicon import lexicon_table
from .target2vec import Target2Vec


def similar_words(word: str, k: int = 10) -> list[tuple[str, float]]:
    """Target2Vec neighbours of ``word`` (``최악/Noun``, bare ``최악``, or the labels ``부정``/``긍정``)."""
    return shipped_target2vec().similar(word, k)


def analogy(a: str, b: str, c: str, k: int = 5) -> list[tuple[str, float]]:
    """``a : b = c : ?`` with Target2Vec, e.g. ``analogy("부정", "최악/Noun", "긍정")`` for 최악 : 부정 = ? : 긍정."""
    return shipped_target2vec().analogy(a, b, c, k)


__all__ = [
    "EXPLAINERS",
    "LEXICON_METHODS",
    "MODEL_EXPLAINERS",
    "SentimentExplanation",
    "Target2Vec",
    "analogy",
    "explain_sentiment",
    "lexicon_table",
    "predict_positive",
    "similar_words",
]
