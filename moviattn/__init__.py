"""moviattn: a Korean movie-review lab — where reviews look in a movie's info and plot, what makes them
positive or negative, and which movie to watch next.

Wings (sub-packages) over a shared base (``data``, ``text``, ``morphology``, ``models``, ``metrics``):
``explorer`` (attention explorer), ``sentiment`` (sentiment explainers), ``recommend`` (recommenders),
and ``ui`` (the Gradio app). Public API (imported lazily, so ``import moviattn`` stays light)::

    from moviattn import load_dataset, load_model, Explorer, Settings
    data = load_dataset()                       # the shipped sample (movie_data/)
    explorer = Explorer(load_model("klue/roberta-base"))   # falls back to the offline model
    result = explorer.review_attention(data.movie("s001"), "송강호 연기 미쳤다", Settings())
    result.info, result.plot                     # review units × info units / × plot units
"""

from __future__ import annotations

from ._lazy import lazy_exports

_EXPORTS = {
    "Movie": "data", "Review": "data", "Dataset": "data", "DataError": "errors",
    "load_dataset": "data", "load_reviews_file": "data", "reviews_from_hf": "data", "SAMPLE_DATA_DIR": "paths",
    "normalize": "text", "NormalizedText": "text",
    "Unit": "morphology", "AnalyserUnavailable": "errors",
    "load_model": "models", "LoadedModel": "models", "DEFAULT_MODEL": "paths",
    "ModelLoadError": "errors", "OFFLINE_MODEL_ID": "offline_model",
    "USER_ERRORS": "errors", "UnknownChoice": "registry", "DEFAULTS": "defaults", "Defaults": "defaults",
    # the explorer's names through its door (``moviattn.explorer``), never its modules
    **{name: "explorer" for name in (
        "Settings", "ReviewTooLong", "HEAD_AGGREGATORS", "LAYER_AGGREGATORS", "NORMALIZATIONS", "rollout",
        "EXTRACTORS", "extract_attention", "PRECISIONS", "ReviewAttention", "MovieAggregate", "aggregate_reviews",
        "ResultCache", "Explorer", "EmptyReview", "review_info_heatmap", "review_plot_heatmap", "aggregate_bars",
        "save_png", "korean_font",
    )},
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
