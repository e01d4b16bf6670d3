"""moviattn: where Korean movie reviews look in a movie's info and plot, by transformer attention.

Public API (imported lazily, so ``import moviattn`` stays light until a name is used)::

    from moviattn import load_dataset, load_model, Explorer, Settings
    data = load_dataset()                       # the shipped sample (movie_data/)
    explorer = Explorer(load_model("klue/roberta-base"))   # falls back to the offline model
    result = explorer.review_attention(data.movie("s001"), "송강호 연기 미쳤다", Settings())
    result.info, result.plot                     # review units × info units / × plot units
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Movie": "data", "Review": "data", "Dataset": "data", "DataError": "data",
    "load_dataset": "data", "load_reviews_file": "data", "reviews_from_hf": "data", "SAMPLE_DATA_DIR": "data",
    "normalize": "text", "NormalizedText": "text",
    "Unit": "morphology", "AnalyserUnavailable": "morphology",
    "load_model": "models", "LoadedModel": "models", "DEFAULT_MODEL": "models",
    "ModelLoadError": "offline_model", "OFFLINE_MODEL_ID": "offline_model",
    "Settings": "settings",
    "ReviewTooLong": "sequence",
    "HEAD_AGGREGATORS": "attention", "LAYER_AGGREGATORS": "attention", "NORMALIZATIONS": "attention",
    "EXTRACTORS": "attention", "extract_attention": "attention", "rollout": "attention",
    "ReviewAttention": "results",
    "MovieAggregate": "aggregate", "aggregate_reviews": "aggregate",
    "ResultCache": "cache",
    "Explorer": "pipeline", "EmptyReview": "pipeline",
    "review_info_heatmap": "plotting", "review_plot_heatmap": "plotting", "aggregate_bars": "plotting",
    "save_png": "plotting", "korean_font": "plotting",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'moviattn' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)


def __dir__() -> list[str]:
    return __all__
