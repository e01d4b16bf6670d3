"""The per-movie tab's review table: reviews sorted by rating or date, their previews and, where the
sentiment wing's weights ship, each review's predicted sentiment (computed once per movie)."""

from __future__ import annotations

import logging
from functools import lru_cache

import pandas as pd

from ..data import Dataset, Review
from ..explorer import preview

log = logging.getLogger(__name__)

REVIEW_SORTS: dict[str, tuple[str, bool]] = {  # label → (field, descending)
    "평점 높은순 (rating ↓)": ("rating", True),
    "평점 낮은순 (rating ↑)": ("rating", False),
    "최신순 (newest)": ("date", True),
    "오래된순 (oldest)": ("date", False),
}
SENTIMENT_COLUMN = "감성 (pred)"
SENTIMENT_MODEL = "bilstm_attention"



def review_label(review: Review) -> str:
    rating = f"★{review.rating}" if review.rating is not None else "★?"
    return f"{rating} · {preview(review.text)}"


@lru_cache(maxsize=1)
def sentiment_api():
    """``moviattn.sentiment`` where its weights are shipped, else None (imported on first use)."""
    from .. import sentiment
    from ..sentiment.artifacts import WEIGHTS_DIR

    available = all((WEIGHTS_DIR / f"{m}.pt").exists() for m in sentiment.MODEL_EXPLAINERS)
    if not available:
        log.warning("sentiment explainers unavailable: weights not shipped in %s", WEIGHTS_DIR)
    return sentiment if all((WEIGHTS_DIR / f"{m}.pt").exists() for m in sentiment.MODEL_EXPLAINERS) else None


def review_columns(with_sentiment: bool) -> list[str]:
    """The review table's columns; the id stays last (a clicked row is read by its last cell)."""
    return ["평점", "날짜", "리뷰 (preview)", *([SENTIMENT_COLUMN] if with_sentiment else []), "id"]


def sentiment_cell(probability: float | None) -> str:
    """The predicted label and the model's probability of that label: '긍정 0.93', or '부정 0.93' for
    P(positive) = 0.07 ('부정 0.07' read as "7 % negative"), or '' for a review with no words."""
    if probability is None:
        return ""
    positive = probability >= 0.5
    return f"{'긍정' if positive else '부정'} {probability if positive else 1 - probability:.2f}"


class ReviewTable:
    """One dataset's reviews as the per-movie tab lists them."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self._sentiments: dict[str, dict[str, str]] = {}

    def sorted_reviews(self, movie_id: str, sort: str) -> list[Review]:
        """The movie's reviews sorted by rating or date; unknown values last."""
        key, descending = REVIEW_SORTS.get(sort, next(iter(REVIEW_SORTS.values())))
        reviews = self.dataset.reviews_of(movie_id)
        known = [r for r in reviews if getattr(r, key) is not None]
        unknown = [r for r in reviews if getattr(r, key) is None]
        return sorted(known, key=lambda r: getattr(r, key), reverse=descending) + unknown

    def review_choices(self, movie_id: str, sort: str) -> list[tuple[str, str]]:
        return [(review_label(r), r.id) for r in self.sorted_reviews(movie_id, sort)]

    def review_sentiments(self, movie_id: str) -> dict[str, str]:
        """Review id → predicted-sentiment cell (Bi-LSTM), computed once per movie; empty when unavailable."""
        if movie_id not in self._sentiments:
            api = sentiment_api()
            if api is None:
                return {}
            reviews = self.dataset.reviews_of(movie_id)
            cells = [sentiment_cell(p) for p in api.predict_positive([r.text for r in reviews], SENTIMENT_MODEL)]
            self._sentiments[movie_id] = {r.id: cell for r, cell in zip(reviews, cells)}
        return self._sentiments[movie_id]

    def review_table(self, movie_id: str, sort: str) -> pd.DataFrame:
        """Rating, date, preview, predicted sentiment (when the sentiment models ship) and the id, last."""
        sentiments = self.review_sentiments(movie_id)
        columns = review_columns(sentiment_api() is not None)
        rows = [
            {"평점": r.rating if r.rating is not None else "", "날짜": r.date.isoformat() if r.date else "",
             "리뷰 (preview)": preview(r.text), SENTIMENT_COLUMN: sentiments.get(r.id, ""), "id": r.id}
            for r in self.sorted_reviews(movie_id, sort)
        ]
        return pd.DataFrame(rows, columns=columns)
