"""Per-movie aggregates: which info fields and plot passages the reviews attend to.

Each review contributes the share of its attention that every unit receives
(the unit's column total over the segment's total, so a review's shares sum to
1); the movie aggregate is the plain mean over reviews, each weighted equally,
also split by rating (9-10 positive, 1-4 negative).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..morphology import Unit
from ..registry import choose
from ..text import NormalizedText
from .results import ReviewAttention, text_from_json, text_to_json, units_from_json, units_to_json
from .sequence import INFO_FIELDS
from .settings import Settings

POLARITIES = ("positive", "negative")


def attention_share(matrix: np.ndarray) -> np.ndarray:
    """A review's share of attention per target unit: column totals over the grand total."""
    totals = matrix.sum(axis=0)
    grand = totals.sum()
    return totals / grand if grand > 0 else np.zeros_like(totals)


def polarity_of(rating: int | None) -> str | None:
    """NSMC convention: 9-10 positive, 1-4 negative, others neither."""
    if rating is None:
        return None
    return "positive" if rating >= 9 else "negative" if rating <= 4 else None


@dataclass
class MovieAggregate:
    """Per-review attention shares of one movie's info and plot units, and their means."""

    movie_id: str
    info_units: list[Unit]
    plot_units: list[Unit]
    review_ids: list[str]
    ratings: list[int | None]
    info_per_review: np.ndarray  # [reviews, info units]
    plot_per_review: np.ndarray  # [reviews, plot units]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: The synopsis as analysed (what the shaded-plot view marks units in).
    plot_text: NormalizedText | None = None
    #: As ``ReviewAttention.notices``, and the settings actually used: attached by the explorer, not cached.
    notices: tuple[str, ...] = ()
    settings: Settings | None = None

    def _select(self, polarity: str | None) -> np.ndarray:
        if polarity is None:
            return np.arange(len(self.review_ids))
        choose("polarity", polarity, POLARITIES)
        return np.array([i for i, r in enumerate(self.ratings) if polarity_of(r) == polarity], dtype=int)

    def count(self, polarity: str | None = None) -> int:
        return len(self._select(polarity))

    def info_share(self, polarity: str | None = None) -> np.ndarray:
        rows = self._select(polarity)
        return self.info_per_review[rows].mean(axis=0) if len(rows) else np.zeros(len(self.info_units))

    def plot_share(self, polarity: str | None = None) -> np.ndarray:
        rows = self._select(polarity)
        return self.plot_per_review[rows].mean(axis=0) if len(rows) else np.zeros(len(self.plot_units))

    def field_share(self, polarity: str | None = None) -> dict[str, float]:
        """Info share summed per field, in info order."""
        share = self.info_share(polarity)
        names = [name for name, _ in INFO_FIELDS if any(u.field == name for u in self.info_units)]
        return {name: float(sum(s for s, u in zip(share, self.info_units) if u.field == name)) for name in names}

    def top_units(self, segment: str, k: int = 10, polarity: str | None = None) -> list[tuple[Unit, float]]:
        """The k units of 'info' or 'plot' that receive the largest mean share."""
        units, share = (
            (self.info_units, self.info_share(polarity)) if segment == "info" else (self.plot_units, self.plot_share(polarity))
        )
        order = np.argsort(-share, kind="stable")[:k]
        return [(units[i], float(share[i])) for i in order]

    def to_json(self) -> dict[str, Any]:
        return {
            "movie_id": self.movie_id,
            "info_units": units_to_json(self.info_units),
            "plot_units": units_to_json(self.plot_units),
            "review_ids": self.review_ids,
            "ratings": self.ratings,
            "info_per_review": self.info_per_review.tolist(),
            "plot_per_review": self.plot_per_review.tolist(),
            "skipped": [list(s) for s in self.skipped],
            "plot_text": text_to_json(self.plot_text) if self.plot_text is not None else None,
        }

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> "MovieAggregate":
        info_units, plot_units = units_from_json(item["info_units"]), units_from_json(item["plot_units"])
        n = len(item["review_ids"])
        return cls(
            movie_id=item["movie_id"],
            info_units=info_units,
            plot_units=plot_units,
            review_ids=item["review_ids"],
            ratings=item["ratings"],
            info_per_review=np.array(item["info_per_review"], dtype=np.float64).reshape(n, len(info_units)),
            plot_per_review=np.array(item["plot_per_review"], dtype=np.float64).reshape(n, len(plot_units)),
            skipped=[tuple(s) for s in item["skipped"]],
            plot_text=text_from_json(item["plot_text"]) if item.get("plot_text") else None,
        )


def aggregate_reviews(
    movie_id: str,
    results: list[ReviewAttention],
    review_ids: list[str],
    ratings: list[int | None],
    skipped: list[tuple[str, str]] | None = None,
) -> MovieAggregate:
    """Stack each review's attention shares; all results must share the movie's units."""
    if not results:
        raise ValueError("no review could be analysed for this movie")
    info_units, plot_units = results[0].info_units, results[0].plot_units
    for result in results:
        if result.info_units != info_units or result.plot_units != plot_units:
            raise ValueError("reviews of one movie must share the movie's info and plot units")
    return MovieAggregate(
        movie_id=movie_id,
        info_units=info_units,
        plot_units=plot_units,
        review_ids=list(review_ids),
        ratings=list(ratings),
        info_per_review=np.stack([attention_share(r.info) for r in results]),
        plot_per_review=np.stack([attention_share(r.plot) for r in results]),
        skipped=list(skipped or []),
        plot_text=results[0].plot_text,
    )
