"""Sentiment explainers for Korean movie reviews (NSMC).

A Bi-LSTM with attention and a TextCNN explained by Grad-CAM, both over Okt ``word/POS``
units; polarity lexicons (TF-IDF, log-odds, Grad-CAM); Target2Vec word vectors that know
the document label (binary, and on three labels with the seed-003 comparison, analogy scores,
mislabelled reviews, neutral words and per-review phrase chains). Trained weights ship in
``weights/`` and load lazily.
"""

from __future__ import annotations

from .artifacts import shipped_seed003, shipped_target2vec, shipped_target2vec3
from .chain import PhraseChain, phrase_chain
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


def compare_words(word: str) -> tuple[str, dict[str, dict[str, list]]]:
    """Seed 003's comparison for a stored query word: its key and, per model, ``{"similar": [[w, cos]...], "context": [...]}``."""
    table = shipped_seed003()["comparison"]
    t2v = shipped_target2vec3()
    key = t2v.resolve(word) if t2v.knows(word) else word.strip()
    if key not in table:
        stored = ", ".join(w.rsplit("/", 1)[0] for w in table)
        raise ValueError(f"비교가 저장되지 않은 단어입니다 / no stored comparison for {word!r}; stored: {stored}")
    return key, table[key]


__all__ = [
    "EXPLAINERS",
    "PhraseChain",
    "LEXICON_METHODS",
    "MODEL_EXPLAINERS",
    "SentimentExplanation",
    "Target2Vec",
    "analogy",
    "compare_words",
    "explain_sentiment",
    "lexicon_table",
    "phrase_chain",
    "predict_positive",
    "shipped_seed003",
    "similar_words",
]
