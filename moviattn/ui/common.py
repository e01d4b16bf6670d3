"""What every tab shares: user errors as a message on the page, small HTML helpers, links, downloads.

No Gradio import here: the handlers wrapped by ``shows_errors`` stay plain functions that tests call
without a server. Every handler returns its outputs by name; ``by_name`` maps them to the components.
"""

from __future__ import annotations

import functools
import html
import json
import logging
import shutil
import tempfile
import time
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd

from ..errors import USER_ERRORS, user_message
from ..explorer import (
    MovieAggregate,
    MovieReport,
    ReviewAttention,
    aggregate_bars,
    heatmap,
    report_filename,
    review_info_heatmap,
    review_plot_heatmap,
    review_rows,
    save_png,
    write_report,
)

log = logging.getLogger(__name__)

#: Exported files older than this are removed when new ones are written, and beyond the newest
#: EXPORT_MAX_FOLDERS the oldest too (Gradio serves its own copies; these are only the sources).
EXPORT_MAX_AGE_S = 3600
EXPORT_MAX_FOLDERS = 200


def warning_html(message: str) -> str:
    return f'<div class="ma-warning">{html.escape(message)}</div>'


def notice_html(message: str) -> str:
    return f'<div class="ma-notice">{html.escape(message)}</div>'


def status_html(*lines: str | None) -> str:
    """Notices, one per non-empty line."""
    return "".join(notice_html(line) for line in lines if line)


def _guarded(handler: Callable[..., Any], on_error: Callable[[str], Any]) -> Callable[..., Any]:
    """``handler``, with a user error answered by ``on_error(warning box)`` instead of a traceback on the page."""

    @functools.wraps(handler)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return handler(*args, **kwargs)
        except USER_ERRORS as exc:
            log.info("%s: %s", handler.__name__, exc)
            return on_error(warning_html(user_message(exc)))

    return guarded


def shows_errors(
    message_at: str = "status", blank: Mapping[str, Any] | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a handler that returns its outputs by name: a user error becomes a warning box in output
    ``message_at``, with ``blank``'s values in the outputs it names (``by_component`` empties the rest)."""
    return lambda handler: _guarded(handler, lambda message: {**(blank or {}), message_at: message})


def by_component(outputs: Mapping[str, Any], values: Mapping[str, Any]) -> dict[Any, Any]:
    """A handler's values by output name as Gradio takes them, by component: every output in ``outputs``,
    empty where ``values`` does not name it; a name that is no output is a mistake, refused."""
    unknown = sorted(set(values) - set(outputs))
    if unknown:
        raise KeyError(f"no output named {', '.join(unknown)}; the outputs are {', '.join(outputs)}")
    return {component: values.get(name) for name, component in outputs.items()}


def by_name(handler: Callable[..., Mapping[str, Any]], outputs: Mapping[str, Any]) -> Callable[..., dict[Any, Any]]:
    """A listener over ``outputs`` (name → component; pass ``list(outputs.values())`` as its outputs) from a
    handler that returns its values by name: the one place where names meet components."""

    def listener(*args: Any) -> dict[Any, Any]:  # not functools.wraps: Gradio would read the handler's signature
        return by_component(outputs, handler(*args))

    return listener


def table_headers(columns: Collection[str]) -> dict[str, Any]:
    """A ``gr.Dataframe``'s options that name its columns while it is empty (no result yet, or a message):
    without them Gradio heads an empty table "1 2 3"."""
    return {"headers": list(columns), "column_count": len(columns)}


def explorer_link(movie_id: str, label: str) -> str:
    """An HTML link that opens the attention explorer's per-movie tab on ``movie_id`` (``?movie=<id>``)."""
    return f'<a href="?movie={quote(movie_id)}" target="_self">{html.escape(label)}</a>'


# ---------------------------------------------------------------- downloads


def _export_dir(stem: str) -> Path:
    """A fresh folder for one export under the system temp dir; old exports are removed."""
    base = Path(tempfile.gettempdir()) / "moviattn-exports"
    base.mkdir(exist_ok=True)
    now = time.time()
    folders = []
    for old in base.iterdir():
        try:
            folders.append((old.stat().st_mtime, old))
        except FileNotFoundError:  # removed meanwhile by another request
            continue
    folders.sort(reverse=True)
    for index, (mtime, old) in enumerate(folders):
        if now - mtime > EXPORT_MAX_AGE_S or index >= EXPORT_MAX_FOLDERS - 1:
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{stem}-", dir=base))


def review_long_table(result: ReviewAttention) -> pd.DataFrame:
    """One row per (review unit, target unit): segment, units, info field and attention."""
    rows = []
    for segment, targets, matrix in (("info", result.info_units, result.info), ("plot", result.plot_units, result.plot)):
        for i, unit in enumerate(result.review_units):
            for j, target in enumerate(targets):
                rows.append({
                    "segment": segment, "review_index": i, "review_unit": unit.text, "target_index": j,
                    "target_unit": target.text, "field": target.field or "", "attention": float(matrix[i, j]),
                })
    return pd.DataFrame(rows)


def export_review(result: ReviewAttention, *, scale: str, cmap: str, stem: str = "review") -> dict[str, Path]:
    """Static PNGs of both heatmaps, the numbers as CSV and the full result as JSON."""
    folder = _export_dir(stem)
    files = {
        "info_png": save_png(review_info_heatmap(result, scale=scale, cmap=cmap), folder / f"{stem}_info.png"),
        "plot_png": save_png(review_plot_heatmap(result, scale=scale, cmap=cmap), folder / f"{stem}_plot.png"),
        "csv": folder / f"{stem}_attention.csv",
        "json": folder / f"{stem}_attention.json",
    }
    review_long_table(result).to_csv(files["csv"], index=False, encoding="utf-8-sig")
    files["json"].write_text(json.dumps(result.to_json(), ensure_ascii=False), encoding="utf-8")
    return files


def export_aggregate(aggregate: MovieAggregate, *, scale: str, cmap: str, stem: str = "movie") -> dict[str, Path]:
    """The shown aggregate as files: its chart and reviews × plot PNGs, every word's share and lift per
    group as CSV (blank where a group is empty), and as JSON what the view shows (``summary``) beside
    the per-review shares it was computed from."""
    folder = _export_dir(stem)
    rows = review_rows(aggregate)
    matrix = heatmap(
        aggregate.plot_per_review[rows], [f"★{aggregate.ratings[i]} {aggregate.review_ids[i]}" for i in rows],
        [u.text for u in aggregate.plot_units], title="리뷰 × 줄거리 (reviews × plot)", scale=scale, cmap=cmap,
    )
    files = {
        "bars_png": save_png(aggregate_bars(aggregate), folder / f"{stem}_bars.png"),
        "matrix_png": save_png(matrix, folder / f"{stem}_reviews_plot.png"),
        "csv": folder / f"{stem}_words.csv",
        "json": folder / f"{stem}_aggregate.json",
    }
    pd.DataFrame(aggregate.word_rows()).to_csv(files["csv"], index=False, encoding="utf-8-sig")
    payload = {"summary": aggregate.summary(), "aggregate": aggregate.to_json()}
    files["json"].write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return files


def export_report(report: MovieReport, *, scale: str, cmap: str) -> Path:
    """The movie's report as one self-contained HTML file (``moviattn.explorer.write_report``)."""
    path = _export_dir("report") / report_filename(report.movie.id)
    write_report(report, path, scale=scale, cmap=cmap)
    return path
