"""A movie's report as one self-contained HTML file, and a static site of them (``moviattn report``).

A report is a view like the per-movie tab: it reads the explorer's results (``collect``: the aggregate
and every review's result, the same cached results the tab shows) and draws them with the tab's own
figures (``interactive``, ``views``): the movie card, the aggregate (shaded synopsis, info fields, top
words, positive − negative with intervals, the time view, reviews × plot) and each review's two
heatmaps, interactive (hover, zoom), with the model, settings, data and date it was made from. A reader
finds a review by its text or rating and opens it. The file needs no server and requests nothing from
the network: the plotting library is embedded once, and every text from the data is HTML-escaped.

Size. ``plotly.min.js`` alone is 4.8 MB (4,815,814 bytes in plotly 7.1), so a plain embedding leaves
almost nothing of a 5 MB budget for a 100-review movie, whose heatmaps hold 211,000 cells (10200 터미네이터 2,
Okt morphemes) to 813,000 (24452 매트릭스, the longest synopsis of the 40 NSMC movies); the app's figures of
the first are 10.6 MB of JSON, most of it per-cell hover text. The report therefore embeds plotly.js
gzip-compressed and base64-encoded (1.96 MB), inflated by the browser's own ``DecompressionStream`` before
the first figure (Chrome 80, Firefox 113, Safari 16.4 and later), and its data as one gzip'd JSON: each
review heatmap is the app's figure without its per-cell arrays (``CELL_ARRAYS``), its values as integers
(``SIGNIFICANT_DIGITS`` of the matrix's largest value), kept apart from the figures, and its unit labels
stored once per movie; the browser rebuilds the cells and the hover text (the app's "row → column, value")
and draws a review's two heatmaps with ``Plotly.newPlot`` only when the reader opens it. The aggregate's
figures are embedded as the app sends them. Measured (offline model, default settings): 2.77 MB for
터미네이터 2 and 4.32 MB for 매트릭스, the largest. With 5 digits per value they were 2.92 and 4.90 MB, and
with each review's cells beside its figure instead of apart the first was 3.03 MB (gzip then finds a
figure's layout too far back to repeat it).
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import html
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from urllib.parse import quote

import numpy as np
import plotly.io as pio
import plotly.offline

from ...data import Dataset, Movie, Review
from ...defaults import DEFAULTS
from ...paths import refuse_to_overwrite, starts_with, write_atomically
from .._compute.sequence import FIELD_LABELS
from .._compute.settings import Settings
from .._evaluation.quality import aggregate_quality_note, quality_note
from .._results.movie_aggregate import MovieAggregate
from .._results.review import ReviewAttention
from .._run.cache import ResultCache
from .._run.pipeline import Explorer, Progress
from .._stats.scores import DEFAULT_SCORE
from .._stats.words import NOTHING_STANDS_OUT_KR
from .cards import NOTES, aggregate_views, movie_card_html, preview
from .interactive import COLOUR_LEVELS, colour_range, escape, review_info_figure, review_plot_figure

#: What a report or a site index starts with: how ``report`` recognises the files it may replace.
SIGNATURE = "<!DOCTYPE html>\n<!-- moviattn report"
INDEX = "index.html"
#: A heatmap trace's per-cell arrays: left out of the file and rebuilt in the browser.
CELL_ARRAYS = ("z", "hovertext", "text", "customdata")
#: Significant digits of a heatmap's largest value that every cell keeps: 4 give 10,000 colour levels and,
#: for a largest value between 0.1 and 1 (attention shares), a step of 0.0001, which is the rounding of the
#: app's 4-decimal hover itself; the log scale colours values down to a millionth of the largest
#: (``plotting.color_norm``), so it keeps 6.
SIGNIFICANT_DIGITS = 4
LOG_SIGNIFICANT_DIGITS = 6
PLOTLY_CONFIG = {"responsive": True, "displaylogo": False}
#: Words per movie on the site's index.
INDEX_WORDS = 5


@dataclass(frozen=True)
class MovieReport:
    """What a report shows: the movie, the reviews analysed with their results, the aggregate, and what
    they were made from (model, computation, data folder, date) with the notices the tab would show."""

    movie: Movie
    reviews: list[Review]
    results: list[ReviewAttention]
    aggregate: MovieAggregate
    model: str
    computation: str
    data: str
    created: str
    notes: tuple[str, ...] = ()

    @property
    def settings(self) -> Settings:
        """The settings actually used (after an eojeol fallback, say)."""
        return self.aggregate.settings or self.results[0].settings


def collect(
    explorer: Explorer, movie: Movie, reviews: Sequence[Review], settings: Settings, *, data: str,
    progress: Progress | None = None, created: str | None = None,
) -> MovieReport:
    """The aggregate and every review's result, as the tab computes them (cached: a movie the tab or
    ``aggregate`` already computed is read, not computed again).

    The aggregate computes the reviews' results and the second call reads them back from the result
    cache; an explorer without one gets a cache in a temporary folder for this report, so that no review
    is computed twice."""
    if explorer.cache is None:
        with TemporaryDirectory(prefix="moviattn-report-") as folder:
            scratch = Explorer(explorer.model, ResultCache(folder), method=explorer.method,
                               precision=explorer.precision, batch_size=explorer.batch_size)
            return collect(scratch, movie, reviews, settings, data=data, progress=progress, created=created)
    aggregate = explorer.movie_aggregate(movie, reviews, settings, progress)
    kept, results, _ = explorer.review_attentions(movie, reviews, aggregate.settings)
    model = explorer.model
    approximate = " (근사 approximate)" if explorer.method == "cached_context" else ""
    notes = (
        *((f"오프라인 모델 사용 중 (offline fallback): {model.notice}",) if model.notice else ()),
        *aggregate.notices,
        quality_note(aggregate.settings, model.name, model.num_layers, model.num_heads),
        aggregate_quality_note(aggregate.settings, DEFAULT_SCORE, model.name),
    )
    return MovieReport(
        movie, kept, results, aggregate, model.describe(), f"{explorer.method}{approximate} · {explorer.precision}", data,
        created or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), tuple(n for n in notes if n),
    )


# ---------------------------------------------------------------- embedded data


def _packed(text: str) -> str:
    """``text`` gzip-compressed and base64-encoded (inflated by the report's script)."""
    return base64.b64encode(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)).decode("ascii")


@lru_cache(maxsize=1)
def packed_plotly() -> str:
    """plotly.min.js as shipped with the ``plotly`` package, packed once per process."""
    return _packed(plotly.offline.get_plotlyjs())


def _resource(name: str) -> str:
    return (resources.files("moviattn.explorer") / "resources" / name).read_text(encoding="utf-8")


def _figure(figure: Any) -> dict[str, Any]:
    """A figure as the app sends it to the browser (Plotly's own JSON)."""
    return json.loads(pio.to_json(figure, validate=False))


def _cells(matrix: np.ndarray, digits: int) -> dict[str, Any]:
    """A matrix as integers times a step of ``digits`` significant digits of its largest value."""
    peak = float(np.abs(matrix).max()) if matrix.size else 0.0
    step = 10.0 ** (math.ceil(math.log10(peak)) - digits) if peak > 0 else 1.0
    return {"shape": list(matrix.shape), "step": step, "q": np.rint(matrix / step).astype(np.int64).ravel().tolist()}


class _Labels:
    """Label lists stored once however many heatmaps share them (every review shares the movie's columns)."""

    def __init__(self) -> None:
        self.lists: list[list[str]] = []
        self._index: dict[tuple[str, ...], int] = {}

    def index(self, labels: list[str]) -> int:
        key = tuple(labels)
        if key not in self._index:
            self._index[key] = len(self.lists)
            self.lists.append(labels)
        return self._index[key]


class _Heatmaps:
    """The reviews' heatmaps as stored: the app's figures without their cells, the cells as integers
    (kept apart from the figures, which then compress to almost nothing: their layouts repeat), and the
    labels of rows and columns once each."""

    def __init__(self, scale: str, cmap: str) -> None:
        self.scale, self.cmap = scale, cmap
        self.labels = _Labels()
        self.reviews: list[dict[str, Any]] = []
        self.cells: list[dict[str, Any]] = []

    def add(self, result: ReviewAttention) -> None:
        """Both heatmaps of a review, labelled as the app's hover labels them (info items with their field)."""
        rows = self.labels.index([escape(u.text) for u in result.review_units])
        items = result.by_item()
        info_cols = self.labels.index([
            escape(u.text) + (f" · {escape(FIELD_LABELS[u.field])}" if u.field in FIELD_LABELS else "") for u in items.info_units
        ])
        plot_cols = self.labels.index([escape(u.text) for u in result.plot_units])
        self.reviews.append({
            "info": self._heatmap(review_info_figure(result, scale=self.scale, cmap=self.cmap), items.info, rows, info_cols),
            "plot": self._heatmap(review_plot_figure(result, scale=self.scale, cmap=self.cmap), result.plot, rows, plot_cols),
        })

    def _heatmap(self, figure: Any, matrix: np.ndarray, rows: int, cols: int) -> dict[str, Any]:
        spec = figure.to_plotly_json()
        trace = next(t for t in spec["data"] if t["type"] == "heatmap")
        for key in CELL_ARRAYS:
            trace.pop(key, None)
        self.cells.append(_cells(matrix, LOG_SIGNIFICANT_DIGITS if self.scale == "log" else SIGNIFICANT_DIGITS))
        low, high = colour_range(matrix, self.scale)  # the app's figure holds colour levels of this range
        return {
            "figure": _figure(spec), "cells": len(self.cells) - 1, "rows": rows, "cols": cols,
            "levels": {"low": low, "high": high, "log": self.scale == "log", "count": COLOUR_LEVELS},
        }

    def to_json(self) -> dict[str, Any]:
        return {"reviews": self.reviews, "cells": self.cells, "labels": self.labels.lists}


# ---------------------------------------------------------------- the page


def _markdown(text: str) -> str:
    """The reading notes' Markdown (bold and italics only) as HTML, the text escaped."""
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(text))
    return re.sub(r"\*(.+?)\*", r"<i>\1</i>", text)


def _rows(pairs: Sequence[tuple[str, str]], css: str) -> str:
    cells = "".join(f"<tr><th>{html.escape(name)}</th><td>{html.escape(value)}</td></tr>" for name, value in pairs)
    return f'<table class="{css}">{cells}</table>'


def made_from(report: MovieReport, scale: str, cmap: str) -> list[tuple[str, str]]:
    """Model, computation, settings, data and date of a report, as (name, value) rows."""
    settings = ", ".join(f"{k}={v}" for k, v in asdict(report.settings).items())
    return [
        ("모델 (model)", report.model), ("계산 (computation)", report.computation),
        ("설정 (settings)", f"{settings}, scale={scale}, cmap={cmap}"), ("데이터 (data)", report.data),
        ("만든 날 (made)", f"{report.created} · moviattn, plotly.js {plotly.offline.get_plotlyjs_version()}"),
    ]


def _page(title: str, kind: str, body: str, scripts: str = "") -> str:
    return (
        f"{SIGNATURE} {kind} -->\n<html lang=\"ko\">\n<head>\n<meta charset=\"utf-8\">\n"
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{html.escape(title)}</title>\n'
        f"<style>\n{_resource('report.css')}</style>\n</head>\n<body>\n{body}\n{scripts}</body>\n</html>\n"
    )


def _review_item(index: int, review: Review) -> str:
    rating = str(review.rating) if review.rating is not None else ""
    date = review.date.isoformat() if review.date else ""
    return (
        f'<li class="ma-review" data-index="{index}" data-rating="{rating}"><details><summary>'
        f'<span class="ma-rating">★{rating or "?"}</span> <span class="ma-date">{date}</span> '
        f'<span class="ma-review-text">{html.escape(review.text)}</span></summary>'
        '<div class="ma-heatmap" data-heatmap="info"></div><div class="ma-heatmap" data-heatmap="plot"></div>'
        "</details></li>"
    )


def report_html(report: MovieReport, *, scale: str = DEFAULTS.scale, cmap: str = DEFAULTS.cmap) -> str:
    """The report as one HTML document (plotly.js and the data inside it)."""
    aggregate = report.aggregate
    view = aggregate_views(
        aggregate, split=True, scale=scale, cmap=cmap, review_labels={r.id: preview(r.text) for r in report.reviews},
    )
    figures = {"fields": view.fields, "words": view.words, "difference": view.difference, "time": view.time, "matrix": view.matrix}
    heatmaps = _Heatmaps(scale, cmap)
    for result in report.results:
        heatmaps.add(result)
    data = {"config": PLOTLY_CONFIG, "figures": {name: _figure(figure) for name, figure in figures.items()}, **heatmaps.to_json()}
    ratings = sorted({r.rating for r in report.reviews if r.rating is not None}, reverse=True)
    options = "".join(f'<option value="{r}">★{r}</option>' for r in ratings)
    trends = view.trends.to_html(index=False, border=0, classes="ma-trends") if len(view.trends) else ""
    label = report.movie.label
    body = f"""<header>
<h1>{html.escape(label)} · 리뷰가 보는 곳 (where its reviews look)</h1>
{_rows(made_from(report, scale, cmap), "ma-made")}
{"".join(f'<div class="ma-notice">{html.escape(note)}</div>' for note in report.notes)}
<p id="ma-loading" class="ma-notice">그림을 준비하는 중 (preparing the figures)…</p>
</header>
<section id="movie">{movie_card_html(report.movie)}</section>
<section id="aggregate">
<h2>전체 리뷰 집계 (aggregate over all {len(report.reviews)} reviews)</h2>
<p class="ma-muted">{_markdown(NOTES["aggregate"])}</p>
{view.html}
<div class="ma-row"><div data-figure="fields"></div><div data-figure="words"></div></div>
<div data-figure="difference"></div>
<div class="ma-row"><div data-figure="time"></div><div><h3>처음 → 마지막 기간에 오르고 내린 단어 (words that rise and fall)</h3>{trends}</div></div>
<div data-figure="matrix"></div>
</section>
<section id="reviews">
<h2>리뷰별 히트맵 (each review's heatmaps)</h2>
<p class="ma-muted">{_markdown(NOTES["review"])}</p>
<div class="ma-find"><input id="ma-find-text" type="search" placeholder="리뷰 찾기 (find a review by its text)" aria-label="리뷰 찾기">
<select id="ma-find-rating" aria-label="평점 (rating)"><option value="">모든 평점 (all ratings)</option>{options}</select>
<span id="ma-find-count" class="ma-muted"></span></div>
<ol class="ma-reviews">{"".join(_review_item(i, r) for i, r in enumerate(report.reviews))}</ol>
</section>
<footer>moviattn · {html.escape(label)} · {html.escape(report.created)}</footer>"""
    scripts = (
        f'<script id="ma-plotly" type="application/octet-stream">{packed_plotly()}</script>\n'
        f'<script id="ma-data" type="application/octet-stream">{_packed(json.dumps(data, ensure_ascii=False, separators=(",", ":")))}</script>\n'
        f"<script>\n{_resource('report.js')}</script>\n"
    )
    return _page(f"{label} · moviattn 보고서 (report)", "of one movie", body, scripts)


# ---------------------------------------------------------------- files


def is_report(path: Path) -> bool:
    """Whether ``path`` is a report or a site index written by ``report`` (which it may replace)."""
    return starts_with(path, SIGNATURE.encode("utf-8"))


def report_filename(movie_id: str) -> str:
    """The report's file name on a site: the movie id where it is a plain name, else a hash of it."""
    if re.fullmatch(r"[A-Za-z0-9_-]+", movie_id):
        return f"{movie_id}.html"
    return f"movie-{hashlib.sha256(movie_id.encode('utf-8')).hexdigest()[:12]}.html"


def write_report(report: MovieReport, path: Path, *, scale: str = DEFAULTS.scale, cmap: str = DEFAULTS.cmap) -> int:
    """Write the report to ``path`` (atomically); its size in bytes."""
    text = report_html(report, scale=scale, cmap=cmap)
    write_atomically(Path(path), text)
    return len(text.encode("utf-8"))


@dataclass(frozen=True)
class SiteEntry:
    """One movie of a site: its report (None where the movie has no reviews), file name and size."""

    movie: Movie
    report: MovieReport | None
    filename: str | None
    size: int = 0


def index_html(entries: Sequence[SiteEntry], made: Sequence[tuple[str, str]]) -> str:
    """The site's index: what the reports were made from, and one row per movie with a link to its report
    and the plot words its reviews look at most (by the tab's default score)."""
    rows = []
    for entry in entries:
        movie, report = entry.movie, entry.report
        title = html.escape(movie.label)
        if report is None:
            rows.append(f"<tr><td>{title}</td><td>{html.escape(', '.join(movie.genres))}</td><td>0</td><td>리뷰 없음 (no reviews)</td><td></td></tr>")
            continue
        aggregate = report.aggregate
        top = (aggregate.standing_out("plot", INDEX_WORDS) if _score(aggregate) == "lift"
               else aggregate.top_words("plot", INDEX_WORDS, score=_score(aggregate)))
        words = ", ".join(s.word.text for s in top) or NOTHING_STANDS_OUT_KR
        rows.append(
            f'<tr><td><a href="{quote(entry.filename or "")}">{title}</a></td><td>{html.escape(", ".join(movie.genres))}</td>'
            f"<td>{len(report.reviews)}</td><td>{html.escape(words)}</td><td>{entry.size / 1e6:.1f} MB</td></tr>"
        )
    body = f"""<header><h1>moviattn · 영화 리뷰가 보는 곳 (where movie reviews look)</h1>
{_rows(made, "ma-made")}</header>
<p class="ma-muted">영화마다 보고서 한 파일: 영화 정보, 전체 리뷰 집계, 리뷰마다 두 히트맵 (one self-contained report per movie).</p>
<table class="ma-trends"><thead><tr><th>영화 (movie)</th><th>장르 (genres)</th><th>리뷰 (reviews)</th>
<th>리뷰가 가장 보는 줄거리 단어 (plot words the reviews look at most)</th><th>크기 (size)</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>"""
    return _page("moviattn · 영화 리뷰 보고서 (movie review reports)", "site index", body)


def _score(aggregate: MovieAggregate) -> str:
    return DEFAULT_SCORE if aggregate.plot_reference is not None else "share"


def write_site(
    explorer: Explorer, dataset: Dataset, directory: Path, settings: Settings, *, data: str, scale: str = DEFAULTS.scale,
    cmap: str = DEFAULTS.cmap, force: bool = False, progress: Callable[[int, int], None] | None = None,
) -> list[SiteEntry]:
    """One report per movie of ``dataset`` and an index linking them, in ``directory`` (a static site:
    any web host, or a static Hugging Face Space, serves it as it is). Files there that are not earlier
    reports are refused before anything is computed, unless ``force``."""
    directory = Path(directory)
    movies = list(dataset.movies.values())
    names = {movie.id: report_filename(movie.id) for movie in movies}
    for name in [INDEX, *names.values()]:
        refuse_to_overwrite(directory / name, force, is_report, "a moviattn report")
    total, done, entries, made = sum(len(dataset.reviews_of(m.id)) for m in movies), 0, [], None
    for movie in movies:
        reviews = dataset.reviews_of(movie.id)
        if not reviews:
            entries.append(SiteEntry(movie, None, None))
            continue
        step = (lambda d, _t, before=done: progress(before + d, total)) if progress else None
        report = collect(explorer, movie, reviews, settings, data=data, progress=step)
        size = write_report(report, directory / names[movie.id], scale=scale, cmap=cmap)
        entries.append(SiteEntry(movie, report, names[movie.id], size))
        made = made or made_from(report, scale, cmap)
        done += len(reviews)
    write_atomically(directory / INDEX, index_html(entries, made or []))
    return entries
