"""The attention explorer, through one door: this module's ``_EXPORTS`` are the only names the app, the
benchmarks, the other wings and the tests outside ``tests/explorer`` import (``tests/explorer/test_door.py`` fails on any
other way in). What it does: where a review's tokens look in the movie's info and plot.

``[CLS] movie info [SEP] plot [SEP] review [SEP]`` through a pretrained encoder; the review→info and
review→plot attention blocks reduced over heads and layers, merged into morphemes, per review
(``ReviewAttention``) and per movie (``MovieAggregate``). Behind the door, files by role in private
sub-packages, each importing only those below it: ``_compute`` (settings and their choices, sequence,
extractors, gradient measures, reduction, units) → ``_stats`` (words, groups, scores, changes, exports) →
``_results`` (``ReviewAttention``, ``MovieAggregate``) → ``_run`` (``Explorer``, its cache, batching, the
bulk commands) → ``_evaluation`` (the research harness, the app's quality note) → ``_draw`` (figures,
cards, the HTML report) → ``_commands`` (one module per command, registered by ``cli``).
"""

from __future__ import annotations

from .._lazy import lazy_exports

_EXPORTS = {
    "Settings": "_compute.settings", "GRANULARITIES": "_compute.choices",
    "setting_choices": "_compute.choices", "pooled_heads": "_compute.choices", "setting_name": "_compute.settings", "ONE_HEAD": "_compute.choices",
    "method_choices": "_compute.choices", "precision_choices": "_compute.choices",
    "LEADING_RULES": "_compute.choices", "DEFAULT_LEADING_RULE": "_compute.choices",
    "ReviewTooLong": "_compute.sequence",
    "EXTRACTORS": "_compute.attention", "extract_attention": "_compute.attention",
    "PRECISIONS": "_compute.precision", "resolve_precision": "_compute.precision",
    "MEASURES": "_compute.reduce", "HEAD_AGGREGATORS": "_compute.reduce", "LAYER_AGGREGATORS": "_compute.reduce", "NORMALIZATIONS": "_compute.reduce", "rollout": "_compute.reduce",
    "ReviewAttention": "_results.review",
    "MovieAggregate": "_results.movie_aggregate", "aggregate_reviews": "_results.movie_aggregate", "POLARITIES": "_stats.groups",
    "ResultCache": "_run.cache",
    "Explorer": "_run.pipeline", "EmptyReview": "_run.preparation",
    "map_attention_shares": "_run.bulk",
    "compute_on_ray": "_run.bulk_ray", "Job": "_run.bulk_ray",
    "review_info_heatmap": "_draw.plotting", "review_plot_heatmap": "_draw.plotting", "aggregate_bars": "_draw.plotting",
    "save_png": "_draw.plotting", "COLOR_SCALES": "_draw.plotting",
    "quality_note": "_evaluation.quality",
    # what the app (``moviattn.ui``), the benchmarks and the other wings use; nothing outside reaches past this table
    "heatmap": "_draw.plotting", "KOREAN_FONT_HELP": "_draw.plotting", "korean_font": "_draw.plotting",
    "MovieReport": "_draw.html_report", "collect": "_draw.html_report", "report_html": "_draw.html_report", "write_report": "_draw.html_report", "report_filename": "_draw.html_report", "is_report": "_draw.html_report",
    "reference_reviews": "_stats.shares", "DEFAULT_SCORE": "_stats.scores",
    "ReviewBatcher": "_run.batching", "WAIT_S": "_run.batching",
    "cache_key": "_run.cache",
    "ReviewRequest": "_run.pipeline", "Progress": "_run.pipeline", "BATCH_SIZE": "_run.pipeline", "CONTEXTS_KEPT": "_run.pipeline",
    "CONTEXTS": "_compute.context_cache",
    "window_attention": "_compute.reduce", "combine_windows": "_compute.reduce", "merge": "_compute.units",
    "movie_card_html": "_draw.cards", "preview": "_draw.cards", "review_drawing": "_draw.cards", "aggregate_drawing": "_draw.cards", "aggregate_views": "_draw.cards",
    "NOTES": "_draw.cards", "NOTE_CAVEAT": "_draw.cards",
    "review_info_figure": "_draw.interactive", "review_plot_figure": "_draw.interactive", "heatmap_figure": "_draw.interactive", "message_figure": "_draw.interactive",
    "shaded_text_html": "_draw.interactive", "review_rows": "_draw.interactive", "TRENDS_COLUMNS": "_draw.aggregate_charts",
    "VISIBLE_ROWS": "_draw.interactive", "VISIBLE_COLUMNS": "_draw.interactive",
    "aggregate_quality_note": "_evaluation.quality",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
