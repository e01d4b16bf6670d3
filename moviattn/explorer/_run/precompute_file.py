"""One movie's entry of a ``precompute`` file, written from the ``MovieAggregate`` and results that
``Explorer.aggregate_and_results`` built (the same code the app's aggregates come from: ids, ratings, dates, skipped)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ...data import POLARITIES, Movie
from .._results.movie_aggregate import MovieAggregate
from .._results.review import ReviewAttention

#: The per-review matrices a precompute entry keeps per review, not stacked in its aggregate.
STACKED = ("info_per_review", "plot_per_review")


def rounded(values: Any, digits: int = 5) -> Any:
    """Floats (nested lists of them) rounded for a JSON file."""
    return [rounded(v, digits) for v in values] if isinstance(values, list) else round(float(values), digits)


def polarity_entry(aggregate: MovieAggregate, polarity: str) -> dict[str, Any]:
    """Count and shares of one polarity; an empty one says so instead of zeros."""
    group = aggregate.group(polarity)
    item = group.to_json()
    if not group.empty:
        item.update(field_share=aggregate.field_share(polarity), plot_share=rounded(aggregate.plot_share(polarity).tolist()))
    return item


def precompute_entry(movie: Movie, aggregate: MovieAggregate, results: list[ReviewAttention]) -> dict[str, Any]:
    """``{"movie", "aggregate", "reviews"}`` of one movie: the aggregate's JSON (dates kept) less its stacked
    matrices, its shares, and each analysed review's units and attention rows."""
    return {
        "movie": dict(asdict(movie)),
        "aggregate": {
            **{k: v for k, v in aggregate.to_json().items() if k not in STACKED},
            "info_share": rounded(aggregate.info_share().tolist()),
            "plot_share": rounded(aggregate.plot_share().tolist()),
            "field_share": {k: round(v, 5) for k, v in aggregate.field_share().items()},
            "by_polarity": {p: polarity_entry(aggregate, p) for p in POLARITIES},
        },
        "reviews": [
            {
                "review_id": rid,
                "rating": rating,
                "text": result.review_text.original,
                "units": [u.text for u in result.review_units],
                "info_attention": rounded(result.info.tolist()),
                "plot_attention": rounded(result.plot.tolist()),
            }
            for rid, rating, result in zip(aggregate.review_ids, aggregate.ratings, results)
        ],
    }
