"""The explorer: movie + review text + settings in, unit-level attention out, cached.

It ties the steps together (normalise, tokenise, lay out windows, extract and
aggregate attention, merge tokens into units) and reuses the tokenisation and
morphological analysis of a movie's info and plot across its reviews.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache, partial

from ...data import Movie, Review
from ...defaults import DEFAULTS
from ...models import LoadedModel
from ...morphology import AnalyserUnavailable, pos_tags
from .._compute.precision import resolve_precision
from .._compute.reduce import NORMALIZATIONS, combine_windows, window_matrices
from .._compute.settings import Settings
from .._compute.units import merge
from .._results.movie_aggregate import MovieAggregate, aggregate_reviews
from .._results.review import ReviewAttention
from .._stats.shares import reference_reviews
from .cache import ResultCache, cache_key
from .preparation import MovieContext, PreparedReview, ReviewPreparer, build_context

#: Called with (reviews done, reviews in all) while a movie is computed.
Progress = Callable[[int, int], None]
#: Movie contexts kept per explorer (least recently used dropped).
CONTEXTS_KEPT = 64
#: Locks that make concurrent requests for one movie's context build it once (striped: bounded memory).
CONTEXT_LOCKS = 16
#: Windows run through the model at once (batches of 16 or 32 were no faster on CPU: docs/performance.md).
BATCH_SIZE = 8


def windows_notice(n_windows: int) -> str | None:
    """Say so when a long plot was covered by several overlapping windows."""
    if n_windows <= 1:
        return None
    return f"줄거리가 길어 겹치는 창 {n_windows}개로 나누어 계산했습니다 (plot covered by {n_windows} overlapping windows)"


def skipped_notice(skipped: Sequence[tuple[str, str]]) -> str | None:
    """The reviews an aggregate left out, the first three with their reasons."""
    if not skipped:
        return None
    listed = "; ".join(f"{rid}: {why}" for rid, why in skipped[:3])
    more = f" … (+{len(skipped) - 3})" if len(skipped) > 3 else ""
    return f"리뷰 {len(skipped)}개는 건너뛰었습니다 (skipped): {listed}{more}"


def _notices(*lines: str | None) -> tuple[str, ...]:
    return tuple(line for line in lines if line)


@dataclass(frozen=True)
class ReviewRequest:
    """One review prepared beside its movie under usable settings (``Explorer.review_request``);
    requests of the same ``group`` can be computed in one batch (``Explorer.review_results``)."""

    movie: Movie
    settings: Settings
    context: MovieContext
    prepared: PreparedReview
    fallback: str | None

    @property
    def group(self) -> tuple[Movie, Settings]:
        return self.movie, self.settings


def _referenced(aggregate: MovieAggregate, reference: MovieAggregate) -> MovieAggregate:
    """``aggregate`` with the reference reviews' mean shares (the lift's denominator) attached."""
    return replace(aggregate, info_reference=reference.info_share(), plot_reference=reference.plot_share())


def _finished(aggregate: MovieAggregate, fallback: str | None, settings: Settings, language: str | None) -> MovieAggregate:
    """The aggregate as returned: its notices (eojeol fallback, the encoder's language, reviews skipped) and the settings used."""
    return replace(aggregate, notices=_notices(fallback, language, skipped_notice(aggregate.skipped)), settings=settings)


def _with_notices(request: ReviewRequest, result: ReviewAttention, model: LoadedModel) -> ReviewAttention:
    language = model.language_notice([request.context.plot.text.text, request.prepared.encoded.review.text.text])
    return replace(result, notices=_notices(request.fallback, language, windows_notice(result.n_windows)))


def computed_results(
    model: LoadedModel, context: MovieContext, prepared: Sequence[PreparedReview], settings: Settings,
    *, method: str, precision: str, batch_size: int,
) -> list[ReviewAttention]:
    """Prepared reviews of one movie computed together (their windows batched): unit-level results."""
    windows = [w for p in prepared for w in p.encoded.windows]
    matrices = window_matrices(model, windows, settings, method=method, precision=precision, batch_size=batch_size)
    results, position = [], 0
    for item in prepared:
        count = len(item.encoded.windows)
        per_window = matrices[position : position + count]
        position += count
        tokens = combine_windows(item.encoded, per_window)
        normalize_rows = NORMALIZATIONS[settings.normalization]
        result = ReviewAttention(
            review_text=item.encoded.review.text,
            plot_text=context.plot.text,
            info_text=context.info_text.text,
            review_units=item.units,
            info_units=context.info_units,
            plot_units=context.plot_units,
            info=normalize_rows(merge(tokens.info, item.weights, context.info_weights)),
            plot=normalize_rows(merge(tokens.plot, item.weights, context.plot_weights)),
            n_windows=tokens.n_windows,
            settings=settings,
            model_name=model.name,
        )
        results.append(result.content_only() if settings.content_only else result)
    return results


class Explorer:
    """Computes and caches review→info/plot attention for one loaded model."""

    def __init__(
        self,
        model: LoadedModel,
        cache: ResultCache | None = None,
        *,
        method: str = DEFAULTS.method,
        precision: str = DEFAULTS.precision,
        batch_size: int = BATCH_SIZE,
    ):
        self.model, self.cache = model, cache
        self.method, self.batch_size = method, batch_size
        self.precision = resolve_precision(precision, model.device)  # 'auto' becomes the mode actually run
        self.preparer = ReviewPreparer.of(model, method, self.precision)
        self._context = lru_cache(maxsize=CONTEXTS_KEPT)(partial(build_context, model.tokenizer))
        self._context_locks = [threading.Lock() for _ in range(CONTEXT_LOCKS)]

    # ------------------------------------------------------------ preparation

    def usable_settings(self, settings: Settings) -> tuple[Settings, str | None]:
        """The settings, or eojeol units with a notice when the morphological analyser cannot start."""
        settings.validate(self.model.num_layers, self.model.num_heads)
        if settings.granularity != "morpheme":
            return settings, None
        try:
            pos_tags("영화", settings.analyser)
        except AnalyserUnavailable as exc:
            return replace(settings, granularity="eojeol"), f"형태소 분석 대신 어절 단위로 표시합니다 (showing eojeol units): {exc}"
        return settings, None

    def context(self, movie: Movie, settings: Settings) -> MovieContext:
        """Tokenised info and plot with their units (cached per movie text and unit settings).

        Built once when many requests ask for it at once: a server's first requests for a movie all
        missed the cache and each ran the morphological analysis of its synopsis."""
        key = (movie, settings.granularity, settings.analyser)
        with self._context_locks[hash(key) % CONTEXT_LOCKS]:
            return self._context(*key)

    def prepared_review(self, movie: Movie, review_text: str, settings: Settings) -> PreparedReview:
        """A review encoded beside the movie, with its units and membership weights, exactly as the app
        prepares it (for the evaluation, which extracts maps once and applies many settings)."""
        return self._prepare(self.context(movie, settings), review_text, settings)

    def _prepare(self, context: MovieContext, review_text: str, settings: Settings) -> PreparedReview:
        return self.preparer.prepare(context, review_text, settings)

    # ------------------------------------------------------------ computation

    def _compute(self, context: MovieContext, prepared: Sequence[PreparedReview], settings: Settings) -> list[ReviewAttention]:
        return computed_results(self.model, context, prepared, settings, method=self.method, precision=self.precision,
                                batch_size=self.batch_size)

    def _cached_or_computed(
        self, context: MovieContext, prepared: Sequence[PreparedReview], settings: Settings, progress: Progress | None = None
    ) -> list[ReviewAttention]:
        found: dict[int, ReviewAttention] = {}
        if self.cache is not None:
            for i, item in enumerate(prepared):
                stored = self.cache.get("review", item.key)
                if stored is not None:
                    found[i] = ReviewAttention.from_json(stored)
        missing = [i for i in range(len(prepared)) if i not in found]
        done = len(found)
        if progress:
            progress(done, len(prepared))
        for start in range(0, len(missing), self.batch_size):
            chunk = missing[start : start + self.batch_size]
            for i, result in zip(chunk, self._compute(context, [prepared[i] for i in chunk], settings)):
                found[i] = result
                if self.cache is not None:
                    self.cache.put("review", prepared[i].key, result.to_json())
            done += len(chunk)
            if progress:
                progress(done, len(prepared))
        return [found[i] for i in range(len(prepared))]

    def review_attention(self, movie: Movie, review_text: str, settings: Settings = Settings()) -> ReviewAttention:
        """One review's attention to the movie's info and plot, with its notices (EmptyReview /
        ReviewTooLong on bad input; eojeol units, with a notice, where the analyser cannot start)."""
        return self.review_results([self.review_request(movie, review_text, settings)])[0]

    def review_request(self, movie: Movie, review_text: str, settings: Settings = Settings()) -> ReviewRequest:
        """The first half of ``review_attention``: the settings made usable and the review prepared (so bad
        input fails here, in the caller's thread), ready to be computed alone or with others (``batching``)."""
        settings, fallback = self.usable_settings(settings)
        context = self.context(movie, settings)
        return ReviewRequest(movie, settings, context, self._prepare(context, review_text, settings), fallback)

    def cached_result(self, request: ReviewRequest) -> ReviewAttention | None:
        """The request's result from the result cache, with its notices, or None (nothing is computed)."""
        stored = self.cache.get("review", request.prepared.key) if self.cache is not None else None
        return _with_notices(request, ReviewAttention.from_json(stored), self.model) if stored is not None else None

    def review_results(self, requests: Sequence[ReviewRequest]) -> list[ReviewAttention]:
        """The second half of ``review_attention`` for requests of one movie and settings, computed together
        (windows batched, results cached), each result equal to its own ``review_attention``."""
        if len({request.group for request in requests}) > 1:
            raise ValueError("requests of one batch must share their movie and settings")
        if not requests:
            return []
        first = requests[0]
        results = self._cached_or_computed(first.context, [r.prepared for r in requests], first.settings)
        return [_with_notices(request, result, self.model) for request, result in zip(requests, results)]

    def review_attentions(
        self, movie: Movie, reviews: Sequence[Review], settings: Settings = Settings(), progress: Progress | None = None
    ) -> tuple[list[Review], list[ReviewAttention], list[tuple[str, str]]]:
        """Every review that can be analysed with its result (batched, cached), and (id, reason) for the others.

        A cached review is read by its key before anything else (no analysis or tokenisation: three
        quarters of the time of a cached review went there, which bounded the Ray engine's driver).
        ``settings`` must be usable here (``usable_settings``): callers that aggregate pass them on."""
        settings.validate(self.model.num_layers, self.model.num_heads)
        context = self.context(movie, settings)
        slots: list[ReviewAttention | PreparedReview] = []
        kept, skipped = [], []
        for review in reviews:
            stored = self.cache.get("review", self.preparer.key(context, review.text, settings)) if self.cache is not None else None
            try:
                slots.append(ReviewAttention.from_json(stored) if stored is not None else self._prepare(context, review.text, settings))
                kept.append(review)
            except ValueError as exc:  # EmptyReview, ReviewTooLong: skip and say why
                skipped.append((review.id, str(exc)))
        todo = [i for i, slot in enumerate(slots) if isinstance(slot, PreparedReview)]
        hits = len(slots) - len(todo)
        counted = (lambda done, total: progress(hits + done, hits + total)) if progress else None
        for i, result in zip(todo, self._cached_or_computed(context, [slots[i] for i in todo], settings, counted)):
            slots[i] = result
        return kept, slots, skipped

    def movie_aggregate(
        self, movie: Movie, reviews: Sequence[Review], settings: Settings = Settings(), progress: Progress | None = None,
        *, reference: bool = True,
    ) -> MovieAggregate:
        """Mean attention shares over all reviews that can be analysed; the others are listed as skipped.

        The aggregate carries the analysed synopsis, its notices (eojeol fallback, reviews skipped) and,
        with ``reference``, the reference reviews' shares in this movie's context that the lift divides
        by (``with_reference``; bulk callers that only want per-review shares pass False)."""
        settings, fallback = self.usable_settings(settings)
        aggregate = self._movie_aggregate(movie, reviews, settings, progress)
        if reference:
            aggregate = self.with_reference(movie, aggregate, settings)
        return _finished(aggregate, fallback, settings, self._language_notice(movie, reviews))

    def aggregate_and_results(
        self, movie: Movie, reviews: Sequence[Review], settings: Settings, progress: Progress | None = None
    ) -> tuple[MovieAggregate, list[ReviewAttention]]:
        """The aggregate of the reviews that can be analysed (their ids, ratings and dates; the others skipped) and
        their results, computed now: what ``movie_aggregate`` caches and ``precompute`` writes, built in this one place."""
        kept, results, skipped = self.review_attentions(movie, reviews, settings, progress)
        aggregate = aggregate_reviews(
            movie.id, results, [r.id for r in kept], [r.rating for r in kept], skipped, [r.date for r in kept]
        )
        return aggregate, results

    def with_reference(self, movie: Movie, aggregate: MovieAggregate, settings: Settings) -> MovieAggregate:
        """The aggregate with the reference reviews' mean shares attached (computed once per movie,
        model and settings, then cached like any aggregate: the key holds the reference texts)."""
        return _referenced(aggregate, self._movie_aggregate(movie, reference_reviews(), settings, None))

    def stored_aggregate(self, movie: Movie, reviews: Sequence[Review], settings: Settings = Settings()) -> MovieAggregate | None:
        """``movie_aggregate`` (with its reference) from the result cache alone, or None where a part is not
        stored: no model work (on ZeroGPU, a stored answer borrows no GPU)."""
        settings, fallback = self.usable_settings(settings)
        aggregate, reference = (self._stored(self._aggregate_key(movie, group, settings)) for group in (reviews, reference_reviews()))
        if aggregate is None or reference is None:
            return None
        return _finished(_referenced(aggregate, reference), fallback, settings, self._language_notice(movie, reviews))

    def _language_notice(self, movie: Movie, reviews: Sequence[Review]) -> str | None:
        return self.model.language_notice([movie.synopsis, *(r.text for r in reviews)])

    def _aggregate_key(self, movie: Movie, reviews: Sequence[Review], settings: Settings) -> str:
        context = self.context(movie, settings)
        return cache_key(
            "movie", self.model.name, self.method, self.precision,
            settings.key_json([*context.analysed_texts, *(r.text for r in reviews)]), context.info_text.text,
            context.plot.text.text, [(r.id, r.text, r.rating, r.date.isoformat() if r.date else None) for r in reviews],
        )

    def _stored(self, key: str) -> MovieAggregate | None:
        stored = self.cache.get("movie", key) if self.cache is not None else None
        return MovieAggregate.from_json(stored) if stored is not None else None

    def _movie_aggregate(
        self, movie: Movie, reviews: Sequence[Review], settings: Settings, progress: Progress | None
    ) -> MovieAggregate:
        key = self._aggregate_key(movie, reviews, settings)
        if (stored := self._stored(key)) is not None:
            return stored
        aggregate, _ = self.aggregate_and_results(movie, reviews, settings, progress)
        if self.cache is not None:
            self.cache.put("movie", key, aggregate.to_json())
        return aggregate
