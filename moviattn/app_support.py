"""Glue between the Gradio dashboard (``app.py``) and the library: no Gradio imports here.

One ``Dashboard`` per process holds the dataset, the result cache and one
``Explorer`` per loaded model; the functions around it turn UI control values
into ``Settings``, results into the views and files the page shows, and
exceptions into messages a reader can act on. Everything here is plain Python,
so the tests call it without starting a server.
"""

from __future__ import annotations

import html
import json
import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import interactive
from .aggregate import POLARITIES, MovieAggregate
from .attention import resolve_precision
from .cache import ResultCache
from .data import DataError, Dataset, Movie, Review, load_reviews_file, movie_from_record
from .models import DEFAULT_MODEL, LoadedModel, load_model
from .morphology import AnalyserUnavailable, Unit
from .offline_model import ModelLoadError
from .pipeline import Explorer
from .plotting import KOREAN_FONT_HELP, aggregate_bars, heatmap, korean_font, review_info_heatmap, review_plot_heatmap, save_png
from .results import ReviewAttention
from .settings import Settings

#: Exceptions that mean "the input or the setting is wrong": shown as a message, never as a traceback.
USER_ERRORS = (ValueError, DataError, ModelLoadError, AnalyserUnavailable, OSError)
MAX_SYNOPSIS_CHARS = 5000
MAX_FIELD_CHARS = 300
MAX_UPLOAD_REVIEWS = 300
PREVIEW_CHARS = 40
#: Exported files older than this are removed when new ones are written.
EXPORT_MAX_AGE_S = 3600

REVIEW_SORTS: dict[str, tuple[str, bool]] = {  # label → (field, descending)
    "평점 높은순 (rating ↓)": ("rating", True),
    "평점 낮은순 (rating ↑)": ("rating", False),
    "최신순 (newest)": ("date", True),
    "오래된순 (oldest)": ("date", False),
}
HEAD_CHOICES = {"평균 (mean)": "mean", "최댓값 (max)": "max"}
COLOR_MAPS = ("viridis", "magma", "cividis", "YlOrRd", "Blues", "Greys")
DEFAULT_SCALE = "percentile"
DEFAULT_CMAP = "viridis"
SENTIMENT_COLUMN = "감성 (pred)"
SENTIMENT_MODEL = "bilstm_attention"
SENTIMENT_TITLES = {"bilstm_attention": "Bi-LSTM + 어텐션 (attention)", "textcnn": "TextCNN + Grad-CAM"}
LEXICON_LABELS = {"tfidf": "TF-IDF", "logodds": "로그 오즈 (log-odds, z)", "gradcam": "Grad-CAM (TextCNN)"}
LEXICON_COLUMNS = {"rank": "순위", "word": "단어 (word)", "score": "점수 (score)", "count": "빈도 (count)"}
NEIGHBOUR_COLUMNS = ["단어 (word)", "코사인 (cosine)"]


def keep_jvm_at_exit() -> None:
    """Skip JPype's JVM shutdown at exit: after the analyser ran in a server's worker threads, that shutdown
    waits forever and the process never exits (the OS frees the JVM anyway)."""
    try:
        import jpype.config
    except ImportError:
        return
    jpype.config.onexit = False


def user_message(exc: BaseException) -> str:
    """One readable line for an error caused by input or settings."""
    if isinstance(exc, ModelLoadError):
        return f"모델을 불러올 수 없습니다 (cannot load the model): {exc}. 지금 모델을 계속 사용합니다 (keeping the current model)."
    if isinstance(exc, AnalyserUnavailable):
        return f"형태소 분석기를 쓸 수 없습니다 (analyser unavailable): {exc}"
    if isinstance(exc, DataError):
        return f"입력 데이터 오류 (data error): {exc}"
    return f"{exc}"


def warning_html(message: str) -> str:
    return f'<div class="ma-warning">{html.escape(message)}</div>'


def notice_html(message: str) -> str:
    return f'<div class="ma-notice">{html.escape(message)}</div>'


# ---------------------------------------------------------------- settings


def head_choices(num_heads: int) -> list[tuple[str, str]]:
    """Head control: the mean, the max, or one head by number."""
    return list(HEAD_CHOICES.items()) + [(f"head {h}", str(h)) for h in range(num_heads)]


def head_value(settings: Settings) -> str:
    """The head control's value for a setting (inverse of the mapping in ``settings_from_controls``)."""
    return settings.head_agg if settings.head_agg in HEAD_CHOICES.values() else str(settings.head)


def settings_from_controls(
    layer_agg: str, layer: int, last_k: int, head: str, normalization: str,
    granularity: str, analyser: str, content_only: bool,
) -> Settings:
    """Settings from the control panel (``head`` is 'mean', 'max' or a head number)."""
    head_agg, head_index = (head, 0) if head in HEAD_CHOICES.values() else ("single", int(head))
    return Settings(
        layer_agg=layer_agg, layer=int(layer), last_k=int(last_k), head_agg=head_agg, head=head_index,
        normalization=normalization, granularity=granularity, analyser=analyser, content_only=bool(content_only),
    )


def quality_note(settings: Settings, model: LoadedModel) -> str | None:
    """The evaluation's one-line verdict on a setting for this model, where that module exists."""
    try:
        from .evaluation import quality_note as note  # type: ignore[attr-defined]
    except ImportError:
        return None
    try:
        return note(settings, model.name, model.num_layers, model.num_heads)
    except Exception:  # an advisory line must never break the page
        return None


# ---------------------------------------------------------------- the dashboard


@dataclass
class Dashboard:
    """The dataset, the result cache and the models of one server process."""

    dataset: Dataset
    default_model: str = DEFAULT_MODEL
    device: str = "cpu"
    cache: ResultCache | None = None
    #: Extraction method and precision of every explorer (``qk``/float32: exact; see ``moviattn.attention``).
    method: str = "qk"
    precision: str = "float32"
    _explorers: dict[str, Explorer] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _sentiments: dict[str, dict[str, str]] = field(default_factory=dict)

    def model(self, name: str | None = None) -> LoadedModel:
        """A loaded model; only the default model falls back to the offline one, a typed name must load."""
        name = (name or self.default_model).strip()
        if not name:
            raise ModelLoadError("모델 이름이 비어 있습니다 (empty model name)")
        return load_model(name, self.device, allow_fallback=name == self.default_model)

    def explorer(self, name: str | None = None) -> Explorer:
        model = self.model(name)
        with self._lock:
            if model.name not in self._explorers:
                self._explorers[model.name] = Explorer(model, self.cache, method=self.method, precision=self.precision)
            return self._explorers[model.name]

    def banner(self, model: LoadedModel) -> str:
        """The model banner with this server's computation mode."""
        return model_banner(model, self.method, resolve_precision(self.precision, model.device))

    # ------------------------------------------------------------ movies and reviews

    def movie_choices(self) -> list[tuple[str, str]]:
        return [(movie.label, movie.id) for movie in self.dataset.movies.values()]

    def sorted_reviews(self, movie_id: str, sort: str) -> list[Review]:
        """The movie's reviews sorted by rating or date; unknown values last."""
        key, descending = REVIEW_SORTS.get(sort, next(iter(REVIEW_SORTS.values())))
        reviews = self.dataset.reviews_of(movie_id)
        known = [r for r in reviews if getattr(r, key) is not None]
        unknown = [r for r in reviews if getattr(r, key) is None]
        return sorted(known, key=lambda r: getattr(r, key), reverse=descending) + unknown

    def review(self, movie_id: str, review_id: str) -> Review:
        for review in self.dataset.reviews_of(movie_id):
            if review.id == review_id:
                return review
        raise DataError(self.dataset.source, f"movie {movie_id} has no review {review_id!r}")

    def review_choices(self, movie_id: str, sort: str) -> list[tuple[str, str]]:
        return [(review_label(r), r.id) for r in self.sorted_reviews(movie_id, sort)]

    def review_sentiments(self, movie_id: str) -> dict[str, str]:
        """Review id → predicted-sentiment cell (Bi-LSTM), computed once per movie; empty when unavailable."""
        if movie_id not in self._sentiments:
            api = sentiment_api()
            if api is None:
                return {}
            reviews = self.dataset.reviews_of(movie_id)
            cells = [sentiment_cell(p) for p in api.predict_positive([r.text for r in reviews], SENTIMENT_MODEL)]
            self._sentiments[movie_id] = {r.id: cell for r, cell in zip(reviews, cells)}
        return self._sentiments[movie_id]

    def review_table(self, movie_id: str, sort: str) -> pd.DataFrame:
        """Rating, date, preview, predicted sentiment (when the sentiment models ship) and the id, last."""
        sentiments = self.review_sentiments(movie_id)
        columns = review_columns(sentiment_api() is not None)
        rows = [
            {"평점": r.rating if r.rating is not None else "", "날짜": r.date.isoformat() if r.date else "",
             "리뷰 (preview)": preview(r.text), SENTIMENT_COLUMN: sentiments.get(r.id, ""), "id": r.id}
            for r in self.sorted_reviews(movie_id, sort)
        ]
        return pd.DataFrame(rows, columns=columns)


def preview(text: str, length: int = PREVIEW_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def review_label(review: Review) -> str:
    rating = f"★{review.rating}" if review.rating is not None else "★?"
    return f"{rating} · {preview(review.text)}"


def movie_card_html(movie: Movie) -> str:
    """The movie's info card (every value escaped)."""
    rows = [
        ("감독 (director)", ", ".join(movie.director)), ("장르 (genres)", ", ".join(movie.genres)),
        ("출연 (cast)", ", ".join(movie.cast)), ("국가 (country)", ", ".join(movie.country)),
        ("개봉 (year)", str(movie.year or "")),
    ]
    title = html.escape(movie.title_kr) + (f" <small>({html.escape(movie.title_en)})</small>" if movie.title_en else "")
    cells = "".join(f"<tr><th>{name}</th><td>{html.escape(value) or '—'}</td></tr>" for name, value in rows)
    synopsis = interactive.escape_keep_lines(movie.synopsis) or "—"
    return (
        f'<div class="ma-card"><h3>{title}</h3><table>{cells}</table>'
        f'<details open><summary>줄거리 (synopsis)</summary><p>{synopsis}</p></details></div>'
    )


def custom_movie(
    title: str, director: str, genres: str, cast: str, country: str, year: str | int | None, synopsis: str
) -> Movie:
    """A movie from the user's own info and plot (comma-separated lists), validated like a dataset record."""
    values = {"title_kr": title, "director": director, "genres": genres, "cast": cast, "country": country}
    for name, value in values.items():
        if len(value or "") > MAX_FIELD_CHARS:
            raise DataError("직접 입력 (your movie)", f"longer than {MAX_FIELD_CHARS} characters", None, name)
    if len(synopsis or "") > MAX_SYNOPSIS_CHARS:
        raise DataError("직접 입력 (your movie)", f"longer than {MAX_SYNOPSIS_CHARS} characters", None, "synopsis")
    if not (synopsis or "").strip():
        raise DataError("직접 입력 (your movie)", "줄거리를 입력하세요 (the plot must not be empty)", None, "synopsis")
    record = {"movie_id": "custom", **values, "year": year, "synopsis": synopsis}
    return movie_from_record(record, "직접 입력 (your movie)", "movie")


def reviews_from_upload(path: str | Path) -> tuple[list[Review], str | None]:
    """Reviews of an uploaded CSV/TSV/JSON file (first MAX_UPLOAD_REVIEWS), and a notice when cut."""
    reviews = load_reviews_file(path)
    if not reviews:
        raise DataError(Path(path).name, "no reviews in the file")
    if len(reviews) > MAX_UPLOAD_REVIEWS:
        return reviews[:MAX_UPLOAD_REVIEWS], f"리뷰 {len(reviews)}개 중 앞의 {MAX_UPLOAD_REVIEWS}개만 분석합니다 (first {MAX_UPLOAD_REVIEWS} of {len(reviews)} reviews)."
    return reviews, None


# ---------------------------------------------------------------- page notes


def model_banner(model: LoadedModel, method: str = "qk", precision: str = "float32") -> str:
    """Which model, device and computation are active, the fallback notice, and the font warning (HTML)."""
    parts = [notice_html(f"모델 (model): {model.describe()}")]
    if method == "cached_context":
        parts.append(notice_html(
            f"근사 계산 (approximate): 영화 정보·줄거리를 리뷰 없이 한 번만 계산합니다 — cached context, {precision}"
        ))
    elif precision != "float32":
        parts.append(notice_html(f"정밀도 (precision): {precision}"))
    if model.notice:
        parts.append(warning_html(f"오프라인 모델 사용 중 (offline fallback): {model.notice}"))
    if korean_font() is None:
        parts.append(warning_html(KOREAN_FONT_HELP))
    return "".join(parts)


# ---------------------------------------------------------------- aggregate views


@dataclass
class AggregateView:
    """One side of the aggregate view: shaded synopsis, bar chart and reviews × plot matrix."""

    html: str
    bars: Any
    matrix: Any


def aggregate_views(
    aggregate: MovieAggregate, plot_text: str, *, split: bool, scale: str, cmap: str,
    review_labels: dict[str, str] | None = None,
) -> list[AggregateView]:
    """All reviews as one view, or positive and negative reviews as two views on a shared scale."""
    polarities: list[str | None] = list(POLARITIES) if split else [None]
    shares = [aggregate.plot_share(p) for p in polarities]
    vmax = max(float(s.max(initial=0.0)) for s in shares)
    field_max = max(max(aggregate.field_share(p).values(), default=0.0) for p in polarities)
    ranges = (field_max, vmax) if split else None
    visible_columns = interactive.VISIBLE_COLUMNS // 2 if split else interactive.VISIBLE_COLUMNS
    views = []
    for polarity, share in zip(polarities, shares):
        label = interactive.POLARITY_LABELS[polarity]
        views.append(
            AggregateView(
                interactive.shaded_text_html(
                    plot_text, aggregate.plot_units, share, scale=scale, vmax=vmax,
                    title=f"{label} · 리뷰 {aggregate.count(polarity)}개 (reviews)",
                ),
                interactive.aggregate_bars_figure(aggregate, polarity=polarity, ranges=ranges),
                interactive.reviews_plot_figure(
                    aggregate, polarity=polarity, review_labels=review_labels, scale=scale, cmap=cmap,
                    visible_columns=visible_columns,
                ),
            )
        )
    return views


def skipped_note(aggregate: MovieAggregate) -> str:
    if not aggregate.skipped:
        return ""
    listed = "; ".join(f"{rid}: {why}" for rid, why in aggregate.skipped[:3])
    more = f" … (+{len(aggregate.skipped) - 3})" if len(aggregate.skipped) > 3 else ""
    return f"리뷰 {len(aggregate.skipped)}개는 건너뛰었습니다 (skipped): {listed}{more}"


# ---------------------------------------------------------------- files


def _export_dir(stem: str) -> Path:
    """A fresh folder for one export under the system temp dir; old exports are removed."""
    base = Path(tempfile.gettempdir()) / "moviattn-exports"
    base.mkdir(exist_ok=True)
    now = time.time()
    for old in base.iterdir():
        if now - old.stat().st_mtime > EXPORT_MAX_AGE_S:
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


def aggregate_table(aggregate: MovieAggregate) -> pd.DataFrame:
    """Mean attention share of every info and plot unit, over all, positive and negative reviews."""
    rows = []
    for segment, units in (("info", aggregate.info_units), ("plot", aggregate.plot_units)):
        shares = {
            p or "all": (aggregate.info_share(p) if segment == "info" else aggregate.plot_share(p)) for p in (None, *POLARITIES)
        }
        for j, unit in enumerate(units):
            rows.append({"segment": segment, "index": j, "unit": unit.text, "field": unit.field or "",
                         **{f"share_{name}": float(values[j]) for name, values in shares.items()}})
    return pd.DataFrame(rows)


def export_aggregate(aggregate: MovieAggregate, *, scale: str, cmap: str, stem: str = "movie") -> dict[str, Path]:
    """Bar-chart and reviews × plot PNGs, per-unit shares as CSV, per-review shares as JSON."""
    folder = _export_dir(stem)
    rows = interactive.review_rows(aggregate)
    matrix = heatmap(
        aggregate.plot_per_review[rows], [f"★{aggregate.ratings[i]} {aggregate.review_ids[i]}" for i in rows],
        [u.text for u in aggregate.plot_units], title="리뷰 × 줄거리 (reviews × plot)", scale=scale, cmap=cmap,
    )
    files = {
        "bars_png": save_png(aggregate_bars(aggregate), folder / f"{stem}_bars.png"),
        "matrix_png": save_png(matrix, folder / f"{stem}_reviews_plot.png"),
        "csv": folder / f"{stem}_shares.csv",
        "json": folder / f"{stem}_aggregate.json",
    }
    aggregate_table(aggregate).to_csv(files["csv"], index=False, encoding="utf-8-sig")
    files["json"].write_text(json.dumps(aggregate.to_json(), ensure_ascii=False), encoding="utf-8")
    return files


# ---------------------------------------------------------------- sentiment (moviattn.sentiment)


@lru_cache(maxsize=1)
def sentiment_api():
    """``moviattn.sentiment`` if it imports and its weights are shipped, else None."""
    try:
        from . import sentiment
        from .sentiment.artifacts import WEIGHTS_DIR
    except ImportError as exc:  # a missing dependency means "not available", said in the log
        logging.getLogger(__name__).warning("sentiment explainers unavailable: %s", exc)
        return None
    return sentiment if all((WEIGHTS_DIR / f"{m}.pt").exists() for m in sentiment.MODEL_EXPLAINERS) else None


def review_columns(with_sentiment: bool) -> list[str]:
    """The review table's columns; the id stays last (a clicked row is read by its last cell)."""
    return ["평점", "날짜", "리뷰 (preview)", *([SENTIMENT_COLUMN] if with_sentiment else []), "id"]


def sentiment_cell(probability: float | None) -> str:
    """'긍정 0.93' / '부정 0.07' (P(positive)), or '' for a review with no words."""
    if probability is None:
        return ""
    return f"{'긍정' if probability >= 0.5 else '부정'} {probability:.2f}"


def sentiment_views(text: str) -> list[str]:
    """Each shipped model's verdict, P(positive) and the text shaded by its explanation (HTML); ValueError on bad text."""
    api = sentiment_api()
    if api is None:
        raise ValueError("감성 분석 모델이 없습니다 (sentiment models are not available)")
    views = []
    for model in api.MODEL_EXPLAINERS:
        result = api.explain_sentiment(text or "", model)
        units = [Unit(text[s:e], s, e, "", True) for s, e in result.spans]
        verdict = "긍정 (positive)" if result.label == "positive" else "부정 (negative)"
        title = f"{SENTIMENT_TITLES.get(model, model)}: {verdict} · P(positive) = {result.positive_probability:.2f}"
        views.append(interactive.shaded_text_html(text, units, np.asarray(result.importance), title=title))
    return views


def lexicon_tables(method: str, k: int = 15) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Top ``k`` positive and top ``k`` negative words of a shipped lexicon, with Korean column names."""
    api = sentiment_api()
    if api is None:
        raise ValueError("감성 사전이 없습니다 (lexicons are not available)")
    tables = []
    for polarity in ("positive", "negative"):
        table = api.lexicon_table(method, polarity, k).round({"score": 3})
        tables.append(table.rename(columns=LEXICON_COLUMNS))
    return tables[0], tables[1]


def neighbour_table(rows: Sequence[tuple[str, float]]) -> pd.DataFrame:
    return pd.DataFrame([(w, round(s, 3)) for w, s in rows], columns=NEIGHBOUR_COLUMNS)


def similar_table(word: str, k: int = 10) -> pd.DataFrame:
    """Target2Vec neighbours of a word (``최악`` or ``최악/Noun``, labels ``부정``/``긍정``); ValueError on an unknown word."""
    api = sentiment_api()
    if api is None or not (word or "").strip():
        raise ValueError("단어를 입력하세요 (type a word)" if api else "Target2Vec을 쓸 수 없습니다 (not available)")
    return neighbour_table(api.similar_words(word, k))


def analogy_table(a: str, b: str, c: str, k: int = 10) -> pd.DataFrame:
    """``a : b = c : ?`` with Target2Vec, e.g. 부정 : 최악 = 긍정 : ?; ValueError on an empty or unknown word."""
    api = sentiment_api()
    if api is None or not all((w or "").strip() for w in (a, b, c)):
        raise ValueError("세 단어를 모두 입력하세요 (type all three words)" if api else "Target2Vec을 쓸 수 없습니다 (not available)")
    return neighbour_table(api.analogy(a, b, c, k))
