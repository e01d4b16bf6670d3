"""Preparing a movie and its reviews for the model: the movie's context (its info and plot tokenised and
cut into units once for all its reviews: ``build_context``) and each review encoded beside it with its
units and its result-cache key (``ReviewPreparer``, picklable for the Ray engine's CPU tasks)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from transformers import PreTrainedTokenizerBase

from ...data import Movie
from ...models import LoadedModel
from ...morphology import Unit
from ...text import has_words, normalize
from .._compute.sequence import EncodedReview, InfoText, Segment, encode, identity_normalized, linearize_info, tokenize_segment
from .._compute.settings import Settings
from .._compute.units import membership, segment_units
from .cache import cache_key


class EmptyReview(ValueError):
    """Nothing is left of the review to analyse (empty, or only emoji/symbols)."""


@dataclass(frozen=True)
class MovieContext:
    """A movie's info and plot, tokenised and split into units once for all its reviews."""

    info_text: InfoText
    info: Segment
    plot: Segment
    info_units: list[Unit]
    plot_units: list[Unit]
    info_weights: np.ndarray
    plot_weights: np.ndarray

    @property
    def analysed_texts(self) -> list[str]:
        """The texts cut into units on their own (each info field's value, the plot), each in its language."""
        return [self.info_text.text[f.start : f.end] for f in self.info_text.fields] + [self.plot.text.text]


@dataclass(frozen=True)
class PreparedReview:
    encoded: EncodedReview
    units: list[Unit]
    weights: np.ndarray
    key: str


@dataclass(frozen=True)
class ReviewPreparer:
    """What preparing a review needs of a model: its tokenizer, limits and the names its cache key holds.

    Picklable without the weights, so reviews can be prepared (normalised, analysed, tokenised) in
    processes that hold no model (the Ray engine's CPU tasks, ``bulk_ray``)."""

    tokenizer: PreTrainedTokenizerBase
    model_name: str
    cls_id: int
    sep_id: int
    max_length: int
    method: str
    precision: str

    @classmethod
    def of(cls, model: LoadedModel, method: str, precision: str) -> "ReviewPreparer":
        return cls(model.tokenizer, model.name, model.cls_id, model.sep_id, model.max_length, method, precision)

    def key(self, context: MovieContext, review_text: str, settings: Settings) -> str:
        """The result cache's key of a review beside a movie (no analysis needed: it hashes the texts)."""
        return cache_key(
            "review", self.model_name, self.method, self.precision, settings.key_json([*context.analysed_texts, review_text]),
            context.info_text.text, context.plot.text.text, review_text,
        )

    def prepare(self, context: MovieContext, review_text: str, settings: Settings) -> PreparedReview:
        """The review normalised, tokenised beside the movie's windows and split into units
        (EmptyReview, ReviewTooLong for what cannot be analysed)."""
        text = normalize(review_text)
        if not has_words(text.text):
            raise EmptyReview(
                "리뷰에 분석할 글자가 없습니다 (빈 글이거나 이모지·기호만 있습니다). "
                "The review has no text to analyse (empty, or only emoji/symbols)."
            )
        review = tokenize_segment(self.tokenizer, "review", text)
        encoded = encode(context.info, context.plot, review, cls_id=self.cls_id, sep_id=self.sep_id, max_length=self.max_length)
        units = segment_units(review, settings.granularity, settings.analyser)
        return PreparedReview(encoded, units, membership(units, review), self.key(context, text.original, settings))


def build_context(tokenizer: PreTrainedTokenizerBase, movie: Movie, granularity: str, analyser: str) -> MovieContext:
    """A movie's tokenised info and plot with their units and membership weights (``Explorer.context`` keeps them)."""
    info_text = linearize_info(movie)
    info = tokenize_segment(tokenizer, "info", identity_normalized(info_text.text))
    plot = tokenize_segment(tokenizer, "plot", normalize(movie.synopsis))
    info_units = segment_units(info, granularity, analyser, info=info_text)
    plot_units = segment_units(plot, granularity, analyser)
    return MovieContext(
        info_text, info, plot, info_units, plot_units, membership(info_units, info), membership(plot_units, plot)
    )
