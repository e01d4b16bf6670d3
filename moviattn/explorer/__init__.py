"""The attention explorer, through one door: this module's ``_EXPORTS`` are the only names the app, the
benchmarks, the other wings and the tests outside ``tests/explorer`` import (``tests/explorer/test_door.py`` fails on any
other way in). What it does: where a review's tokens look in the movie's info and plot.

``[CLS] movie info [SEP] plot [SEP] review [SEP]`` through a pretrained encoder; the review→info and
review→plot attention blocks reduced over heads and layers (``reduce``), merged into morphemes
(``units``), per review (``ReviewAttention``) and per movie (``MovieAggregate``). Modules by step:
``settings`` → ``sequence`` → ``attention`` (extractors; ``precision``, ``context_cache``) and
``attribution`` (gradient measures) → ``reduce`` (the measure registry and reductions) → ``units`` → ``results``/``aggregate`` → ``pipeline`` (``Explorer``, cached by
``cache``); ``bulk`` (``datasets.map``) and ``bulk_ray`` (the bulk commands on Ray Data), ``plotting``/``interactive`` (views), ``evaluation``
(the research harness) and ``quality`` (the app's one-line note).
"""

from __future__ import annotations

from .._lazy import lazy_exports

_EXPORTS = {
    "Settings": "settings", "GRANULARITIES": "choices",
    "setting_choices": "choices", "pooled_heads": "choices", "setting_name": "settings", "ONE_HEAD": "choices",
    "method_choices": "choices", "precision_choices": "choices",
    "ReviewTooLong": "sequence",
    "EXTRACTORS": "attention", "extract_attention": "attention",
    "PRECISIONS": "precision", "resolve_precision": "precision",
    "MEASURES": "reduce", "HEAD_AGGREGATORS": "reduce", "LAYER_AGGREGATORS": "reduce", "NORMALIZATIONS": "reduce", "rollout": "reduce",
    "ReviewAttention": "results",
    "MovieAggregate": "aggregate", "aggregate_reviews": "aggregate", "POLARITIES": "aggregate",
    "ResultCache": "cache",
    "Explorer": "pipeline", "EmptyReview": "pipeline",
    "map_attention_shares": "bulk",
    "compute_on_ray": "bulk_ray", "Job": "bulk_ray",
    "review_info_heatmap": "plotting", "review_plot_heatmap": "plotting", "aggregate_bars": "plotting",
    "save_png": "plotting", "COLOR_SCALES": "plotting",
    "quality_note": "quality",
    # what the app (``moviattn.ui``), the benchmarks and the other wings use; nothing outside reaches past this table
    "heatmap": "plotting", "KOREAN_FONT_HELP": "plotting", "korean_font": "plotting",
    "MovieReport": "report", "collect": "report", "report_html": "report", "write_report": "report", "report_filename": "report", "is_report": "report",
    "reference_reviews": "aggregate", "DEFAULT_SCORE": "aggregate",
    "ReviewBatcher": "batching", "WAIT_S": "batching",
    "cache_key": "cache",
    "ReviewRequest": "pipeline", "Progress": "pipeline", "BATCH_SIZE": "pipeline", "CONTEXTS_KEPT": "pipeline",
    "CONTEXTS": "context_cache",
    "window_attention": "reduce", "combine_windows": "reduce", "merge": "units",
    "movie_card_html": "views", "preview": "views", "review_drawing": "views", "aggregate_drawing": "views", "aggregate_views": "views",
    "NOTES": "views", "NOTE_CAVEAT": "views",
    "review_info_figure": "interactive", "review_plot_figure": "interactive", "heatmap_figure": "interactive", "message_figure": "interactive",
    "shaded_text_html": "interactive", "review_rows": "interactive", "TRENDS_COLUMNS": "interactive",
    "VISIBLE_ROWS": "interactive", "VISIBLE_COLUMNS": "interactive",
    "aggregate_quality_note": "quality",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
