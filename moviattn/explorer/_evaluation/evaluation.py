"""Explanation quality: which attention settings point at what a review talks about.

Two tests, both run on the units the app shows (``Explorer.prepared_review``),
every setting computed from ONE extraction of full attention maps per review:

* Mention test. A content unit of a review that literally matches a unit of the
  movie info (name, genre, title word, ...) or of the plot (a content morpheme
  that is not one of the words most synopses share) is a *mention*; its
  targets are the matching units. For every (review unit, target) pair the
  target's *filtered* rank is taken in the review unit's attention row: other
  targets of the same mention are left out of the competition, ties are broken
  at random (the expectation over tie orders is computed exactly). Recall@1,
  recall@5 and MRR are averaged over pairs, per segment, at unit level and at
  review level (the review's own attention share, all its mentioned targets).
  Row normalisation divides a row by a positive number, so unit-level ranks do
  not depend on it; the review level uses the setting's normalisation as the
  app does.
* Deletion test (not lexical). The plot is cut into blocks of ``block`` units;
  deleting the block a setting attends to most should lower the similarity of
  the review and the remaining plot (mean-pooled embeddings of the same model)
  more than deleting a random block. The random expectation is exact (the mean
  over all blocks); the gain is reported with a 95% t interval over reviews.

Baselines: ``random`` (exact expectation), ``position`` (earlier units first;
for the deletion test the first block), ``length`` (longer units first, the
block with most characters: a unit's attention is the sum over its tokens, so
long units get more by construction) and ``string`` (a unit that matches the
review word ranks first: the ceiling of the literal test; for the deletion test
the block holding most mentioned units, ties averaged).

The movie aggregate is scored by ``evaluation_aggregate`` (``evaluate --aggregate``) with the same
mention and deletion tests, by leave-movies-out cross-validation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import torch

from ...data import Dataset, Movie
from ...models import LoadedModel, embed
from ...morphology import Unit
from .._compute.attention import extract_attention
from .._compute.choices import ONE_HEAD, pooled_heads
from .._compute.reduce import LAYER_AGGREGATORS, MEASURES, NORMALIZATIONS, combine_windows, window_attention
from .._compute.sequence import Window
from .._compute.settings import Settings, setting_name
from .._compute.units import merge
from .._run.pipeline import Explorer
from .._run.preparation import MovieContext
from .._stats.shares import attention_share
from .mentions import KS, Mention, common_words, find_mentions, pair_metrics, random_metrics

if TYPE_CHECKING:
    from .._run.preparation import PreparedReview

SEGMENTS = ("info", "plot")
LEVELS = ("unit", "review")
BASELINES = ("random", "position", "length", "string")
#: Units per plot block in the deletion test.
BLOCK_UNITS = 8

# ---------------------------------------------------------------- settings


def settings_grid(num_layers: int, num_heads: int, base: Settings = Settings(), last_ks: Sequence[int] = (2, 4, 6)) -> list[tuple[str, Settings]]:
    """Named settings: each layer × (each pooled head aggregation, each head), then per pooled head aggregation
    the all-layer mean, last-k means and rollout; named by ``settings.setting_name``, pooled heads from ``choices.pooled_heads``."""
    settings = []
    for layer in range(num_layers):
        settings += [replace(base, layer_agg="single", layer=layer, head_agg=head_agg) for head_agg in pooled_heads()]
        settings += [replace(base, layer_agg="single", layer=layer, head_agg=ONE_HEAD, head=h) for h in range(num_heads)]
    for head_agg in pooled_heads():
        settings.append(replace(base, layer_agg="mean", head_agg=head_agg))
        settings += [replace(base, layer_agg="last_k", last_k=k, head_agg=head_agg) for k in last_ks if k <= num_layers]
        settings.append(replace(base, layer_agg="rollout", layer=-1, head_agg=head_agg))
    return [(setting_name(s, num_layers, num_heads, with_measure=False), s) for s in settings]


# ---------------------------------------------------------------- one review, all settings


@dataclass(frozen=True)
class UnitScores:
    """One review's unit matrices under one setting, as the app shows them."""

    info: np.ndarray  # [review units, info units]
    plot: np.ndarray  # [review units, plot units]


def review_scores(
    maps: Sequence[torch.Tensor], explorer_item: PreparedReview, context: MovieContext, grid: Sequence[tuple[str, Settings]]
) -> list[UnitScores]:
    """Every setting's unit matrices from full maps [layers, heads, L, L] of the review's windows."""
    encoded, weights = explorer_item.encoded, explorer_item.weights
    review_rows = [m[:, :, w.review] for m, w in zip(maps, encoded.windows)]
    out = []
    for _, settings in grid:
        full = LAYER_AGGREGATORS[settings.layer_agg].needs_full
        per_window = [window_attention(m if full else r, w, settings) for m, r, w in zip(maps, review_rows, encoded.windows)]
        tokens = combine_windows(encoded, per_window)
        normalize_rows = NORMALIZATIONS[settings.normalization]
        out.append(UnitScores(
            normalize_rows(merge(tokens.info, weights, context.info_weights)),
            normalize_rows(merge(tokens.plot, weights, context.plot_weights)),
        ))
    return out


def head_diagnostics(maps: Sequence[torch.Tensor], windows: Sequence[Window]) -> np.ndarray:
    """[3, layers, heads]: mean mass a review token puts on special tokens (sink), on itself and its
    neighbours (positional), and on the info+plot segments (cross), averaged over the review's tokens."""
    sums, count = None, 0
    for m, w in zip(maps, windows):
        rows = m[:, :, w.review]  # [layers, heads, R, L]
        specials = [0, w.info.stop, w.plot.stop, len(w.input_ids) - 1]
        sink = rows[..., specials].sum(-1)
        local = torch.arange(rows.shape[2])
        near = torch.zeros(rows.shape[:3], dtype=rows.dtype)
        for d in (-1, 0, 1):  # the token itself and its review neighbours
            keep = (local + d >= 0) & (local + d < rows.shape[2])
            near[:, :, keep] += rows[:, :, local[keep], w.review.start + local[keep] + d]
        cross = rows[..., w.info].sum(-1) + rows[..., w.plot].sum(-1)
        stats = torch.stack([sink.sum(-1), near.sum(-1), cross.sum(-1)]).double().numpy()
        sums = stats if sums is None else sums + stats
        count += rows.shape[2]
    return sums / max(count, 1)


def _blocks(n_units: int, size: int = BLOCK_UNITS) -> list[tuple[int, int]]:
    """Non-overlapping [start, end) unit blocks of equal size; the last one is aligned to the end."""
    if n_units <= size:
        return [(0, n_units)]
    starts = list(range(0, n_units - size + 1, size))
    if starts[-1] + size < n_units:
        starts.append(n_units - size)
    return [(s, s + size) for s in starts]


def _best_block(share: np.ndarray, blocks: Sequence[tuple[int, int]]) -> np.ndarray:
    """Weights over blocks: uniform over the blocks of highest total (ties share)."""
    totals = np.array([share[s:e].sum() for s, e in blocks])
    best = np.isclose(totals, totals.max(), rtol=1e-12, atol=0.0)
    return best / best.sum()


# ---------------------------------------------------------------- accumulation


@dataclass
class EvaluationResult:
    """Sums per (setting, movie, level, segment) of [pairs, recall@1, recall@5, reciprocal rank], and more."""

    names: list[str]  # settings then baselines
    settings: list[Settings | None]
    movie_ids: list[str]
    sums: np.ndarray  # [names, movies, levels, segments, 1 + len(KS) + 1]
    review_movies: list[str]
    review_ids: list[str]
    heads: np.ndarray  # [3, layers, heads] summed over reviews
    n_reviews: int
    model_name: str
    gains: np.ndarray | None = None  # [reviews, names] deletion gain (attended block drop − mean drop)

    def metrics(self, movies: Sequence[str] | None = None) -> np.ndarray:
        """[names, levels, segments, 1 + len(KS) + 1]: pair count, then mean recall@k and MRR."""
        return pair_means(self.sums, self.movie_ids, movies)

    def deletion(self, movies: Sequence[str] | None = None) -> np.ndarray:
        """[names, 3]: mean deletion gain and its 95% t interval over reviews of the given movies."""
        if self.gains is None:
            return np.full((len(self.names), 3), np.nan)
        return gain_interval(self.gains, self.review_movies, movies)


def pair_means(sums: np.ndarray, movie_ids: Sequence[str], movies: Sequence[str] | None) -> np.ndarray:
    """Sums [names, movies, ..., 1 + metrics] over the given movies: pair count, then the metrics' means."""
    cols = [movie_ids.index(m) for m in movies] if movies is not None else slice(None)
    total = sums[:, cols].sum(axis=1)
    counts = total[..., :1]
    means = np.divide(total[..., 1:], counts, out=np.full_like(total[..., 1:], np.nan), where=counts > 0)
    return np.concatenate([counts, means], axis=-1)


def gain_interval(gains: np.ndarray, review_movies: Sequence[str], movies: Sequence[str] | None) -> np.ndarray:
    """[names, 3]: mean of [reviews, names] gains and its 95% t interval over the reviews of ``movies``."""
    keep = np.array([movies is None or m in movies for m in review_movies], dtype=bool)
    keep &= ~np.isnan(gains[:, 0])
    kept = gains[keep]
    if len(kept) < 2:
        return np.full((gains.shape[1], 3), np.nan)
    mean = kept.mean(axis=0)
    half = 1.96 * kept.std(axis=0, ddof=1) / np.sqrt(len(kept))
    return np.stack([mean, mean - half, mean + half], axis=1)


def split_movies(movie_ids: Sequence[str]) -> tuple[list[str], list[str]]:
    """Two halves by a fixed hash of the movie id (sha256 order), reproducible across runs."""
    order = sorted(movie_ids, key=lambda m: hashlib.sha256(m.encode("utf-8")).hexdigest())
    half = (len(order) + 1) // 2
    return sorted(order[:half]), sorted(order[half:])


def _baseline_scores(units: Sequence[Unit], gold: Sequence[int]) -> dict[str, np.ndarray]:
    string = np.zeros(len(units))
    string[list(gold)] = 1.0
    return {"position": -np.arange(len(units), dtype=np.float64), "length": _lengths(units), "string": string}


def _lengths(units: Sequence[Unit]) -> np.ndarray:
    """Characters per unit: longer units hold more tokens, and a unit receives the sum over its tokens."""
    return np.array([len(u.text) for u in units], dtype=np.float64)


def _add_pairs(sums: np.ndarray, name_index: int, movie: int, level: int, segment: int, metrics: np.ndarray) -> None:
    sums[name_index, movie, level, segment, 0] += len(metrics)
    sums[name_index, movie, level, segment, 1:] += metrics.sum(axis=0)


def _score_review(
    result: EvaluationResult, movie_index: int, scores: Sequence[UnitScores], mentions: Sequence[Mention],
    context: MovieContext, n_settings: int,
) -> None:
    targets = {"info": context.info_units, "plot": context.plot_units}
    base = {b: n_settings + i for i, b in enumerate(BASELINES)}
    for s_index, segment in enumerate(SEGMENTS):
        rows = [m for m in mentions if m.segment == segment]
        if not rows:
            continue
        review_gold = sorted({t for m in rows for t in m.targets})
        for level_index, level in enumerate(LEVELS):
            units = rows if level == "unit" else [None]
            for mention in units:
                gold = mention.targets if mention is not None else review_gold
                for i, unit_scores in enumerate(scores):
                    matrix = getattr(unit_scores, segment)
                    vector = matrix[mention.row] if mention is not None else attention_share(matrix)
                    _add_pairs(result.sums, i, movie_index, level_index, s_index, pair_metrics(vector, gold))
                _add_pairs(result.sums, base["random"], movie_index, level_index, s_index, random_metrics(len(targets[segment]), len(gold)))
                for name, vector in _baseline_scores(targets[segment], gold).items():
                    _add_pairs(result.sums, base[name], movie_index, level_index, s_index, pair_metrics(vector, gold))


def _without(text: str, units: Sequence[Unit], block: tuple[int, int]) -> str:
    start, end = units[block[0]].start, units[block[1] - 1].end
    return (text[:start] + " " + text[end:]).strip()


def block_drops(model: LoadedModel, context: MovieContext, review_texts: Sequence[str]) -> np.ndarray:
    """[reviews, blocks]: how much each review's similarity to the plot drops when one block is deleted."""
    plot = context.plot.text.text
    blocks = _blocks(len(context.plot_units))
    passages = [plot] + [_without(plot, context.plot_units, b) for b in blocks]
    movie_vectors = embed(model, passages, "passage")
    review_vectors = embed(model, review_texts, "query")
    similarity = review_vectors @ movie_vectors.T  # [reviews, 1 + blocks]
    return similarity[:, :1] - similarity[:, 1:]


def _deletion_gains(
    model: LoadedModel, context: MovieContext, review_texts: Sequence[str], choices: Sequence[np.ndarray]
) -> np.ndarray:
    """[reviews, names]: similarity drop when deleting each setting's block, minus the mean drop over blocks."""
    drops = block_drops(model, context, review_texts)
    return np.stack([choice @ drop - drop.mean() for choice, drop in zip(choices, drops)])


# ---------------------------------------------------------------- driver


def evaluate(
    explorer: Explorer,
    dataset: Dataset,
    movie_ids: Sequence[str] | None = None,
    *,
    base: Settings = Settings(),
    limit_reviews: int | None = None,
    mentions_only: bool = True,
    deletion: bool = True,
    progress: Callable[[int, str], None] | None = None,
) -> EvaluationResult:
    """Run both tests on every setting of ``settings_grid`` over the movies' reviews.

    ``limit_reviews`` keeps each movie's first N analysable reviews (dataset
    order, newest first); with ``mentions_only`` only reviews with at least one
    mention count (the others add nothing to the mention test, and the forward
    pass is the cost). ``progress(reviews done, movie label)`` is called per review.
    """
    model = explorer.model
    maps_measure = MEASURES[base.measure].maps
    if maps_measure is None:
        raise ValueError(
            f"the setting grid needs a map measure ({', '.join(m for m, v in MEASURES.items() if v.maps)}); "
            f"score {base.measure!r} with --aggregate --measures {base.measure}"
        )
    grid = [(n if base.measure == "attention" else f"{base.measure}:{n}", s) for n, s in settings_grid(model.num_layers, model.num_heads, base)]
    movies: list[Movie] = [dataset.movie(m) for m in (movie_ids or list(dataset.movies))]
    contexts = {m.id: explorer.context(m, base) for m in movies}
    common = common_words([explorer.context(m, base).plot_units for m in dataset.movies.values()])
    names = [n for n, _ in grid] + list(BASELINES)
    result = EvaluationResult(
        names=names, settings=[s for _, s in grid] + [None] * len(BASELINES), movie_ids=[m.id for m in movies],
        sums=np.zeros((len(names), len(movies), len(LEVELS), len(SEGMENTS), len(KS) + 2)),
        review_movies=[], review_ids=[], heads=np.zeros((3, model.num_layers, model.num_heads)),
        n_reviews=0, model_name=model.name,
    )
    all_gains = []
    for movie_index, movie in enumerate(movies):
        context = contexts[movie.id]
        prepared, kept, found = [], [], []
        for review in dataset.reviews_of(movie.id):
            if limit_reviews is not None and len(prepared) >= limit_reviews:
                break
            try:
                item = explorer.prepared_review(movie, review.text, base)
            except ValueError:  # empty or too long: the app skips them too
                continue
            mentions = find_mentions(item.units, context.info_units, context.plot_units, common)
            if mentions or not mentions_only:
                prepared.append(item)
                kept.append(review)
                found.append(mentions)
        blocks = _blocks(len(context.plot_units))
        choices = []
        for start in range(0, len(prepared), explorer.batch_size):
            chunk = prepared[start : start + explorer.batch_size]
            windows = [w for p in chunk for w in p.encoded.windows]
            maps = extract_attention(
                model, windows, method=explorer.method, full=True, precision=explorer.precision, batch_size=explorer.batch_size,
                measure=maps_measure,
            )
            position = 0
            for offset, item in enumerate(chunk):
                review, mentions = kept[start + offset], found[start + offset]
                count = len(item.encoded.windows)
                item_maps = maps[position : position + count]
                position += count
                scores = review_scores(item_maps, item, context, grid)
                _score_review(result, movie_index, scores, mentions, context, len(grid))
                result.heads += head_diagnostics(item_maps, item.encoded.windows)
                plot_gold = sorted({t for m in mentions if m.segment == "plot" for t in m.targets})
                choice = np.stack(
                    [_best_block(attention_share(s.plot), blocks) for s in scores]
                    + [np.full(len(blocks), 1.0 / len(blocks)), np.eye(len(blocks))[0], _best_block(_lengths(context.plot_units), blocks),
                       _best_block(np.isin(np.arange(len(context.plot_units)), plot_gold).astype(float), blocks)]
                )
                choices.append(choice)
                result.review_movies.append(movie.id)
                result.review_ids.append(review.id)
                result.n_reviews += 1
                if progress:
                    progress(result.n_reviews, movie.label)
        if deletion and prepared:  # a movie without synopsis has nothing to delete: NaN rows, left out of the means
            all_gains.append(
                _deletion_gains(model, context, [r.text for r in kept], choices)
                if context.plot_units else np.full((len(kept), len(names)), np.nan)
            )
    if deletion and all_gains:
        result.gains = np.concatenate(all_gains)
    return result
