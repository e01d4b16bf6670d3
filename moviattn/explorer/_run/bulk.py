"""Bulk precompute through ``datasets.map(batched=True)``: review rows in, attention shares out.

The same function runs in one process, in ``num_proc`` worker processes, on a GPU
(an Explorer on ``cuda``) or on several machines (each mapping its shard of the
dataset), and ``datasets`` caches the mapped result on disk. Rows are grouped by
movie inside a batch, so the movie's tokenised, analysed info and plot are reused
and its reviews share length-bucketed forward passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from ...data import Movie, Review
from .._compute.settings import Settings
from .cache import cache_key
from .pipeline import Explorer

#: Columns added to each row.
OUTPUT_COLUMNS = ("info_share", "plot_share", "skipped")


def attention_shares(
    batch: dict[str, list[Any]],
    *,
    explorer: Explorer,
    movies: Mapping[str, Movie],
    settings: Settings,
    text_column: str = "review",
    movie_column: str = "movie_id",
) -> dict[str, list[Any]]:
    """A ``datasets.map(batched=True)`` function: each review's share of attention per info and plot unit.

    ``info_share``/``plot_share`` follow the movie's units (``explorer.context(movie, settings)``);
    a review that cannot be analysed (empty, too long) gets empty lists and the reason in ``skipped``.
    """
    texts, movie_ids = batch[text_column], batch[movie_column]
    ratings = batch.get("rating", [None] * len(texts))
    out: dict[str, list[Any]] = {name: [None] * len(texts) for name in OUTPUT_COLUMNS}
    for movie_id in dict.fromkeys(movie_ids):  # each movie once, in order of appearance
        rows = [i for i, m in enumerate(movie_ids) if m == movie_id]
        reviews = [Review(str(i), texts[i] or "", ratings[i]) for i in rows]
        try:
            aggregate = explorer.movie_aggregate(movies[movie_id], reviews, settings, reference=False)
        except ValueError as exc:  # not one review of this movie could be analysed
            for i in rows:
                out["info_share"][i], out["plot_share"][i], out["skipped"][i] = [], [], str(exc)
            continue
        position = {review_id: n for n, review_id in enumerate(aggregate.review_ids)}
        reasons = dict(aggregate.skipped)
        for i in rows:
            n = position.get(str(i))
            out["info_share"][i] = aggregate.info_per_review[n].tolist() if n is not None else []
            out["plot_share"][i] = aggregate.plot_per_review[n].tolist() if n is not None else []
            out["skipped"][i] = reasons.get(str(i))
    return out


def map_attention_shares(
    dataset: Any,
    explorer: Explorer,
    movies: Mapping[str, Movie],
    settings: Settings = Settings(),
    *,
    batch_size: int = 100,
    text_column: str = "review",
    movie_column: str = "movie_id",
    **map_kwargs: Any,
) -> Any:
    """``dataset.map`` with ``attention_shares``, batched; extra keywords go to ``map`` (``num_proc``, ``desc``...).

    The fingerprint is named from the model, precision, settings and the input's fingerprint, so
    ``datasets`` does not try to hash the model and re-running on the same input hits its cache.
    """
    settings, _ = explorer.usable_settings(settings)
    function = partial(
        attention_shares, explorer=explorer, movies=movies, settings=settings,
        text_column=text_column, movie_column=movie_column,
    )
    fingerprint = cache_key(
        "bulk", explorer.model.name, explorer.method, explorer.precision, settings.to_json(),
        getattr(dataset, "_fingerprint", None), text_column, movie_column,
    )[:32]
    map_kwargs.setdefault("desc", "attention shares")
    return dataset.map(function, batched=True, batch_size=batch_size, new_fingerprint=fingerprint, **map_kwargs)
