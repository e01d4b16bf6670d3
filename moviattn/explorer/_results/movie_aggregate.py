"""Per-movie aggregates: which info fields and plot words the reviews attend to, and how that differs.

Each review contributes the share of its attention that every unit receives
(the unit's column total over the segment's total, so a review's shares sum to
1); the movie aggregate is the plain mean over reviews, each weighted equally,
also by group: rating (9-10 positive, 1-4 negative) and review period.

Views read **words, not positions**: plot units with the same lemma, tag and
field (``word_key``; 하는/한다 → 하다) are one word whose share is the sum of its
units' (the positions stay for the shaded synopsis), and an info item (one name,
genre, country, the title: ``words.info_items``) is one word. By default only the
words that may lead the view (``words.LEADING_CLASSES``), and a word is shown
as what reviews look at only when its interval over the movie's reviews is above
the reference (``standing_out``). Beside the raw share each word
has a **lift**: its share over the share it receives from a fixed reference
set of generic reviews placed in the same movie context (``reference_reviews``,
the explorer attaches their mean as ``*_reference``). What any review attends
to there — the synopsis's first and last units, separators, words every review
looks at — has a lift near 1; a position-only effect cancels exactly. Fields
get the same two corrections (per unit: the share over the field's share of
items, so a field of three names is compared with three names' worth; lift: over
the reference's field share), since a field's raw share mostly tracks its length
(Spearman 0.93 over the NSMC movies; docs/evaluation.md), each with a bootstrap interval over reviews.

Why generic sentences and not a sample of other movies' reviews: a review of
another movie still mentions its own people and plot, which may match words of
this movie (형사, 가족) and cancel real signal; generic sentences name nothing,
work for a single user-supplied movie, and are the same for every dataset.

Groups say when they are empty (``EmptyGroup``: "no reviews in this group",
never zeros) and are *thin* below ``THIN_GROUP`` reviews. The difference view
(positive minus negative) gives each word a seeded bootstrap interval over
reviews (each group resampled with replacement).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...morphology import Unit
from ...registry import choose
from ...text import NormalizedText
from .._compute.settings import Settings
from .._stats import changes, exports, scores
from .._stats.groups import EmptyGroup, Group, periods, polarity_group
from .._stats.segment_words import Word, group_words, info_words
from .._stats.shares import SEGMENTS, attention_share
from .._stats.words import DEFAULT_WORDS, LEADING_CLASSES, unit_lemmas
from .review import ReviewAttention, text_from_json, text_to_json, units_from_json, units_to_json


@dataclass
class MovieAggregate:
    """Per-review attention shares of one movie's info and plot units, their means and group views.

    The data, its groups and its words live here; the statistics are plain functions of ``_stats``
    (``scores``, ``changes``, ``exports``) offered as methods of the same name."""

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
    #: Review dates (ISO ``YYYY-MM-DD`` or None), in review order; empty where none were given.
    dates: list[str | None] = field(default_factory=list)
    #: Mean shares of the reference reviews in this movie's context (``reference_reviews``), attached by the explorer.
    info_reference: np.ndarray | None = None
    plot_reference: np.ndarray | None = None
    #: As ``ReviewAttention.notices``, and the settings actually used: attached by the explorer, not cached.
    notices: tuple[str, ...] = ()
    settings: Settings | None = None
    #: Word classes that may lead the views (``words.LEADING_CLASSES``; the evaluation passes each fold's).
    leading: frozenset[str] = LEADING_CLASSES
    _memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    # ------------------------------------------------------------ groups

    def group(self, polarity: str | None = None) -> Group:
        """All reviews, or those of one polarity."""
        return polarity_group(self.ratings, polarity)

    def count(self, polarity: str | None = None) -> int:
        return self.group(polarity).count

    def periods(self) -> list[Group]:
        """Review periods by date (``groups.periods``)."""
        return periods(self.dates)

    def units(self, segment: str) -> list[Unit]:
        choose("segment", segment, SEGMENTS)
        return self.info_units if segment == "info" else self.plot_units

    def per_review(self, segment: str) -> np.ndarray:
        choose("segment", segment, SEGMENTS)
        return self.info_per_review if segment == "info" else self.plot_per_review

    def reference(self, segment: str) -> np.ndarray | None:
        """The reference reviews' mean share per unit, or None where not attached."""
        choose("segment", segment, SEGMENTS)
        return self.info_reference if segment == "info" else self.plot_reference

    def shares(self, segment: str, group: Group) -> np.ndarray:
        """Mean share per unit over a group's reviews (``EmptyGroup`` when it has none)."""
        if group.empty:
            raise EmptyGroup(group.label)
        return self.per_review(segment)[group.rows].mean(axis=0)

    def info_share(self, polarity: str | None = None) -> np.ndarray:
        return self.shares("info", self.group(polarity))

    def plot_share(self, polarity: str | None = None) -> np.ndarray:
        return self.shares("plot", self.group(polarity))

    # ------------------------------------------------------------ words

    def lemmas(self) -> list[str]:
        """Each plot unit's lemma by the analyser the aggregate was made with (surfaces where unknown)."""
        if "lemmas" not in self._memo:
            analyser = self.settings.analyser if self.settings is not None and self.settings.granularity == "morpheme" else None
            text = self.plot_text.text if self.plot_text is not None else ""
            self._memo["lemmas"] = unit_lemmas(self.plot_units, text, analyser)
        return self._memo["lemmas"]

    def words(self, segment: str, which: str = DEFAULT_WORDS) -> list[Word]:
        """The plot's words (lemmas; ``which`` of ``words.WORD_SETS``) or the info's items."""
        choose("segment", segment, SEGMENTS)
        key = f"{segment}/{which}"
        if key not in self._memo:
            self._memo[key] = (
                info_words(self.info_units) if segment == "info"
                else group_words(self.plot_units, which, self.lemmas(), self.leading)
            )
        return self._memo[key]

    # ------------------------------------------------------------ statistics (``_stats``), as methods

    field_share = scores.field_share
    field_scores = scores.field_scores
    top_units = scores.top_units
    word_values = scores.word_values
    word_scores = scores.word_scores
    top_words = scores.top_words
    standing_out = scores.standing_out
    difference = changes.difference
    time_view = changes.time_view
    summary = exports.summary
    word_rows = exports.word_rows

    # ------------------------------------------------------------ JSON

    def to_json(self) -> dict[str, Any]:
        return {
            "movie_id": self.movie_id,
            "info_units": units_to_json(self.info_units),
            "plot_units": units_to_json(self.plot_units),
            "review_ids": self.review_ids,
            "ratings": self.ratings,
            "dates": self.dates,
            "info_per_review": self.info_per_review.tolist(),
            "plot_per_review": self.plot_per_review.tolist(),
            "skipped": [list(s) for s in self.skipped],
            "plot_text": text_to_json(self.plot_text) if self.plot_text is not None else None,
            "info_reference": self.info_reference.tolist() if self.info_reference is not None else None,
            "plot_reference": self.plot_reference.tolist() if self.plot_reference is not None else None,
        }

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> "MovieAggregate":
        info_units, plot_units = units_from_json(item["info_units"]), units_from_json(item["plot_units"])
        n = len(item["review_ids"])

        def optional(key: str) -> np.ndarray | None:
            return np.array(item[key], dtype=np.float64) if item.get(key) is not None else None

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
            dates=list(item.get("dates") or []),
            info_reference=optional("info_reference"),
            plot_reference=optional("plot_reference"),
        )


def aggregate_reviews(
    movie_id: str,
    results: list[ReviewAttention],
    review_ids: list[str],
    ratings: list[int | None],
    skipped: list[tuple[str, str]] | None = None,
    dates: list[dt.date | None] | None = None,
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
        dates=[d.isoformat() if d else None for d in dates] if dates is not None else [],
    )
