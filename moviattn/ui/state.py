"""What one server process holds: the dataset, the result cache, the loaded models, the lazily loaded wings.

The GPU-bound calls go through module functions decorated with ``spaces.GPU`` on Hugging Face
ZeroGPU (a forked worker borrows a GPU per call); elsewhere they run in place.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from .. import machine
from ..data import Dataset, Movie, Review
from ..defaults import DEFAULTS
from ..errors import ModelLoadError
from ..explorer import (
    CONTEXTS_KEPT,
    KOREAN_FONT_HELP,
    Explorer,
    MovieAggregate,
    MovieReport,
    Progress,
    ResultCache,
    ReviewAttention,
    ReviewBatcher,
    ReviewRequest,
    Settings,
    cache_key,
    collect,
    korean_font,
    preview,
    reference_reviews,
    resolve_precision,
)
from ..fetch import COMPLETE_MARKER
from ..limits import check
from ..models import OFFLINE_ALIASES, LoadedModel, load_model
from ..paths import DEFAULT_MODEL, SAMPLE_DATA_DIR, on_space
from ..recommend.session.service import NextMovieService
from .common import notice_html, warning_html

log = logging.getLogger(__name__)

#: GPU seconds granted to one call on ZeroGPU: a fixed part (the worker's start, moving inputs) plus the
#: reviews' windows. A short grant keeps a visitor's place in ZeroGPU's queue and spends less daily quota;
#: the per-window figure is an upper estimate for an encoder of KLUE-RoBERTa-base's size (a 512-token
#: window with every layer's attention takes tens of milliseconds on a datacentre GPU), with a wide margin.
GPU_CALL_SECONDS = 8
GPU_SECONDS_PER_WINDOW = 0.1
GPU_MAX_SECONDS = 120
#: Characters of synopsis one window holds, roughly (512 tokens less the review and the info).
PLOT_CHARS_PER_WINDOW = 600


def gpu_seconds(movie: Movie, reviews: int) -> int:
    """The GPU grant for ``reviews`` reviews of ``movie`` (each review needs one window per plot part)."""
    windows = reviews * (1 + len(movie.synopsis) // PLOT_CHARS_PER_WINDOW)
    return int(min(GPU_MAX_SECONDS, GPU_CALL_SECONDS + math.ceil(GPU_SECONDS_PER_WINDOW * windows)))


def _review_gpu_seconds(state_id: int, model_name: str, request: ReviewRequest) -> int:
    return gpu_seconds(request.movie, 1)


def _aggregate_gpu_seconds(
    state_id: int, model_name: str, movie: Movie, reviews: list[Review], settings: Settings, progress: Progress | None
) -> int:
    return gpu_seconds(movie, len(reviews) + len(reference_reviews()))


try:  # ZeroGPU on Hugging Face Spaces: each model call borrows a GPU in a forked worker (importing it touches no CUDA)
    import spaces

    ZERO_GPU = True

    def gpu(duration: Callable[..., int]) -> Callable[[Callable], Callable]:
        return spaces.GPU(duration=duration)
except ImportError:  # not on Spaces: run in place
    ZERO_GPU = False

    def gpu(duration: Callable[..., int]) -> Callable[[Callable], Callable]:
        return lambda fn: fn


#: Drawn answers kept for reuse (a review's two heatmaps take tens of kB; an aggregate's views a few hundred).
VIEWS_KEPT = 256
#: Seconds between two looks at whether visitors' computations are still in flight, while the fill waits.
FILL_YIELD_SECONDS = 0.05
REVIEW_SORTS: dict[str, tuple[str, bool]] = {  # label → (field, descending)
    "평점 높은순 (rating ↓)": ("rating", True),
    "평점 낮은순 (rating ↑)": ("rating", False),
    "최신순 (newest)": ("date", True),
    "오래된순 (oldest)": ("date", False),
}
SENTIMENT_COLUMN = "감성 (pred)"
SENTIMENT_MODEL = "bilstm_attention"


def keep_jvm_at_exit() -> None:
    """Skip JPype's JVM shutdown at exit: after the analyser ran in a server's worker threads, that shutdown
    waits forever and the process never exits (the OS frees the JVM anyway)."""
    try:
        import jpype.config
    except ImportError:
        return
    jpype.config.onexit = False


def review_label(review: Review) -> str:
    rating = f"★{review.rating}" if review.rating is not None else "★?"
    return f"{rating} · {preview(review.text)}"


@lru_cache(maxsize=1)
def sentiment_api():
    """``moviattn.sentiment`` where its weights are shipped, else None (imported on first use)."""
    from .. import sentiment
    from ..sentiment.artifacts import WEIGHTS_DIR

    available = all((WEIGHTS_DIR / f"{m}.pt").exists() for m in sentiment.MODEL_EXPLAINERS)
    if not available:
        log.warning("sentiment explainers unavailable: weights not shipped in %s", WEIGHTS_DIR)
    return sentiment if all((WEIGHTS_DIR / f"{m}.pt").exists() for m in sentiment.MODEL_EXPLAINERS) else None


def review_columns(with_sentiment: bool) -> list[str]:
    """The review table's columns; the id stays last (a clicked row is read by its last cell)."""
    return ["평점", "날짜", "리뷰 (preview)", *([SENTIMENT_COLUMN] if with_sentiment else []), "id"]


def sentiment_cell(probability: float | None) -> str:
    """The predicted label and the model's probability of that label: '긍정 0.93', or '부정 0.93' for
    P(positive) = 0.07 ('부정 0.07' read as "7 % negative"), or '' for a review with no words."""
    if probability is None:
        return ""
    positive = probability >= 0.5
    return f"{'긍정' if positive else '부정'} {probability if positive else 1 - probability:.2f}"


def model_banner(model: LoadedModel, method: str = DEFAULTS.method, precision: str = DEFAULTS.precision) -> str:
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


def review_view_parts(model: str, movie: Movie, text: str, settings: Settings, scale: str, cmap: str) -> tuple:
    """What a review's drawing is kept by (the loaded model's name: a fallback is not the model asked for)."""
    return ("review", model, movie, text, settings, scale, cmap)


def aggregate_view_parts(
    model: str, movie: Movie, reviews: list[Review], settings: Settings, split: bool, scale: str, cmap: str
) -> tuple:
    """What an aggregate's drawing is kept by."""
    return ("aggregate", model, movie, [(r.id, r.text, r.rating, r.date) for r in reviews], settings, split, scale, cmap)


class ViewStore:
    """Drawn answers (figures as the JSON the browser draws, with their status lines' parts) by what they were
    drawn from: the newest in memory (bounded, least recently used out), all of them in the result cache
    (kind ``view``) where there is one, so the background fill's drawings survive a restart.

    A stored result still cost its figures' construction and serialisation on every click (a review's two
    heatmaps: tens of milliseconds; a movie aggregate's views: 0.2-0.5 s on this 2-core machine, all under
    the one GIL): under many visitors that was most of a request's time. The same inputs give the same
    drawing, so it is made once (by the fill, for the shipped movies' defaults) and then only read."""

    def __init__(self, kept: int, store: ResultCache | None) -> None:
        self._kept, self._store = kept, store
        self._views: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, parts: tuple, make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """The drawing for ``parts`` (JSON-serialisable, ``str`` for the rest), made by ``make`` where none is kept."""
        key = cache_key("view", *parts)
        with self._lock:
            if key in self._views:
                self._views.move_to_end(key)
                return self._views[key]
        view = self._store.get("view", key) if self._store is not None else None
        if view is None:
            view = make()
            if self._store is not None:
                self._store.put("view", key, view)
        with self._lock:
            self._views[key] = view
            while len(self._views) > self._kept:
                self._views.popitem(last=False)
        return view


@dataclass
class AppState:
    """The dataset, the result cache and the models of one server process; the wings load lazily."""

    dataset: Dataset
    default_model: str = DEFAULT_MODEL
    device: str = "cpu"
    cache: ResultCache | None = None
    #: Extraction method and precision of every explorer (``qk``/float32: exact; see ``moviattn.explorer._compute.attention``).
    method: str = DEFAULTS.method
    precision: str = DEFAULTS.precision
    #: What the model switch may load besides the default and ``offline``: the operator's names or paths
    #: (``--allow-model``), and any model folder directly under ``model_dir`` (``--model-dir``), by its name.
    allowed_models: tuple[str, ...] = ()
    model_dir: str | None = None
    #: Why the requested data is not what is served (the real NSMC movies could not be fetched), shown in the banner.
    data_notice: str | None = None
    _explorers: dict[str, Explorer] = field(default_factory=dict)
    _batchers: dict[str, ReviewBatcher] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _sentiments: dict[str, dict[str, str]] = field(default_factory=dict)
    #: The next-movie tab's data and models (fetched on first use on a Space; see ``NextMovieService``).
    next_movie: NextMovieService = field(default_factory=lambda: NextMovieService(allow_fetch=on_space()))
    #: Drawn answers (reviews and aggregates), reused for the same inputs (set from ``cache``).
    views: ViewStore = field(init=False)
    #: Visitor computations in flight: the store's background fill waits while there are any.
    _active: int = 0
    #: Request threads doing CPU work at once (review preparation, figures), set from the machine's cores.
    cpu_slots: threading.Semaphore = field(default_factory=lambda: threading.BoundedSemaphore(machine.cpu_slots()))

    def __post_init__(self) -> None:
        self.views = ViewStore(VIEWS_KEPT, self.cache)
        _STATES[id(self)] = self

    def model(self, name: str | None = None) -> LoadedModel:
        """A loaded model, by a name this server allows; only the default model falls back to the offline one.

        The model switch is public: a name outside the allow-list is refused before anything is looked up,
        and a failed load says only that, so no caller learns which server paths exist (the details go to the log)."""
        check(model_name=name)
        name = (name or self.default_model).strip()
        if not name:
            raise ModelLoadError("모델 이름이 비어 있습니다 (empty model name)")
        target = self._allowed_target(name)
        try:
            return self._load(target, name == self.default_model)
        except ModelLoadError:
            if name == self.default_model:
                raise
            log.warning("model %r (%s) failed to load", name, target, exc_info=True)
            raise ModelLoadError(f"{name!r} could not be loaded on this server") from None

    def model_names(self) -> list[str]:
        """The names the model switch accepts."""
        names = [self.default_model, "offline", *self.allowed_models]
        if self.model_dir and Path(self.model_dir).is_dir():
            names += sorted(p.name for p in Path(self.model_dir).iterdir() if (p / "config.json").is_file())
        return list(dict.fromkeys(names))

    def _allowed_target(self, name: str) -> str:
        """What to load for an allowed name (a model folder under ``model_dir`` by its path); ModelLoadError otherwise."""
        if name in (self.default_model, *OFFLINE_ALIASES, *self.allowed_models):
            return name
        if self.model_dir and name in self.model_names():
            return str(Path(self.model_dir) / name)
        raise ModelLoadError(f"{name!r} is not one of this server's models (choose one of: {', '.join(self.model_names())})")

    def _load(self, target: str, allow_fallback: bool) -> LoadedModel:
        return load_model(target, self.device, allow_fallback=allow_fallback)

    def explorer(self, name: str | None = None) -> Explorer:
        model = self.model(name)
        with self._lock:
            if model.name not in self._explorers:
                self._explorers[model.name] = Explorer(model, self.cache, method=self.method, precision=self.precision)
            return self._explorers[model.name]

    def warm_contexts(self) -> int:
        """Analyse the dataset movies' info and plot now (default settings, as many as the explorer keeps),
        so that no user's first click on a movie waits for it; the number of movies warmed."""
        explorer = self.explorer()
        settings, _ = explorer.usable_settings(Settings())
        movies = list(self.dataset.movies.values())[:CONTEXTS_KEPT]
        for movie in movies:
            explorer.context(movie, settings)
        return len(movies)

    @contextmanager
    def serving(self) -> Iterator[None]:
        """Marks a visitor's computation in flight (the background fill yields to it)."""
        with self._lock:
            self._active += 1
        try:
            yield
        finally:
            with self._lock:
                self._active -= 1

    def _yield_to_visitors(self, *_progress: int) -> None:
        """Between two batches of the fill: wait while a visitor's computation is in flight."""
        while self._active:
            time.sleep(FILL_YIELD_SECONDS)

    def fill_store(self, scale: str, cmap: str, settings: Settings = Settings()) -> dict[str, float]:
        """Compute ahead of visitors, with the default model, settings and colours, what a visitor of the shipped
        movies asks for: every review's result and drawing and every movie's aggregate and drawing (into the
        result cache, which persists on disk), the review table's sentiment column, and the diary's catalogue
        features.

        Runs in a background thread after start-up; it yields to visitors between batches of reviews (a
        visitor waits at most for the batch in progress). Already-stored results are read, not recomputed,
        so a restart with the same cache finishes in seconds. Returns counts and seconds (also logged)."""
        started = time.perf_counter()
        if self.cache is None:
            log.info("store: no result cache (--no-cache); nothing filled")
            return {"movies": 0, "reviews": 0, "seconds": 0.0}
        explorer = self.explorer()
        settings, _ = explorer.usable_settings(settings)
        movies = list(self.dataset.movies.values())
        reviews = 0
        for number, movie in enumerate(movies, start=1):
            self._yield_to_visitors()
            movie_reviews = self.dataset.reviews_of(movie.id)
            if ZERO_GPU:  # one GPU call per movie, sized by its reviews
                _movie_aggregate(id(self), self.default_model, movie, movie_reviews, settings, None)
            else:
                explorer.movie_aggregate(movie, movie_reviews, settings, progress=self._yield_to_visitors)
            self._draw_ahead(explorer, movie, movie_reviews, settings, scale, cmap)
            self.review_sentiments(movie.id)
            reviews += len(movie_reviews)
            log.info("store: %d/%d movies filled (%s, %d reviews), %.0f s", number, len(movies), movie.title_kr,
                     len(movie_reviews), time.perf_counter() - started)
        self._yield_to_visitors()
        from ..recommend import diary

        diary.shipped_recommender().prepare_catalogue(self.dataset)
        seconds = time.perf_counter() - started
        log.info("store: filled %d movies, %d reviews and the diary catalogue in %.0f s", len(movies), reviews, seconds)
        return {"movies": len(movies), "reviews": reviews, "seconds": seconds}

    def _draw_ahead(self, explorer: Explorer, movie: Movie, reviews: list[Review], settings: Settings, scale: str, cmap: str) -> None:
        """The drawings a visitor of ``movie`` is shown first (its stored results drawn, as the tab draws them)."""
        from ..explorer import aggregate_drawing, preview, review_drawing

        model = explorer.model.name
        for review in reviews:
            self._yield_to_visitors()
            try:
                self.views.get(review_view_parts(model, movie, review.text, settings, scale, cmap),
                               lambda: review_drawing(explorer.review_attention(movie, review.text, settings), scale=scale, cmap=cmap))
            except ValueError:  # an empty or emoji-only review: a visitor gets a message, nothing to draw
                continue
        labels = {r.id: preview(r.text) for r in reviews}
        self.views.get(aggregate_view_parts(model, movie, reviews, settings, False, scale, cmap),
                       lambda: aggregate_drawing(explorer.movie_aggregate(movie, reviews, settings), split=False, scale=scale,
                                                 cmap=cmap, review_labels=labels))

    def batcher(self, name: str | None = None) -> ReviewBatcher:
        """The model's review batcher: concurrent single-review requests computed together."""
        explorer = self.explorer(name)
        with self._lock:
            if explorer.model.name not in self._batchers:
                self._batchers[explorer.model.name] = ReviewBatcher(explorer, cpu=self.cpu_slots)
            return self._batchers[explorer.model.name]

    def banner(self, model: LoadedModel) -> str:
        """The model banner with this server's computation mode."""
        banner = model_banner(model, self.method, resolve_precision(self.precision, model.device))
        return banner + notice_html(f"데이터 (data): {self.data_line()}") + (warning_html(self.data_notice) if self.data_notice else "")

    def data_line(self) -> str:
        """What the served reviews are: the real NSMC movies, the invented sample, or someone's folder."""
        movies, reviews = len(self.dataset.movies), sum(map(len, self.dataset.reviews.values()))
        source = Path(self.dataset.source)
        if (source / COMPLETE_MARKER).is_file():
            return f"NSMC 실제 영화 {movies}편, 리뷰 {reviews:,}개 (real Naver reviews, e9t/nsmc, CC0)"
        if source.resolve() == SAMPLE_DATA_DIR.resolve():
            return f"예시 영화 {movies}편, 지어낸 리뷰 {reviews}개 (invented sample; python app.py --data nsmc for the real movies)"
        return f"{source.name}: 영화 {movies}편, 리뷰 {reviews:,}개"

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

    # ------------------------------------------------------------ computation (GPU-bound on Spaces)

    def review_attention(self, model_name: str, movie: Movie, text: str, settings: Settings) -> ReviewAttention:
        """One review's result; concurrent requests are batched (``ReviewBatcher``), except on ZeroGPU,
        where each call borrows a GPU in a forked worker and computes alone."""
        with self.serving():
            if ZERO_GPU:  # the analysis and a stored answer on the CPU; only the model's work borrows a GPU
                explorer = self.explorer(model_name)
                request = explorer.review_request(movie, text, settings)
                return explorer.cached_result(request) or _review_result(id(self), model_name, request)
            return self.batcher(model_name).review_attention(movie, text, settings)

    def movie_aggregate(
        self, model_name: str, movie: Movie, reviews: list[Review], settings: Settings, progress: Progress | None
    ) -> MovieAggregate:
        with self.serving():
            stored = self.explorer(model_name).stored_aggregate(movie, reviews, settings) if ZERO_GPU else None
            return stored or _movie_aggregate(id(self), model_name, movie, reviews, settings, progress)

    def movie_report(
        self, model_name: str, movie: Movie, reviews: list[Review], settings: Settings, progress: Progress | None
    ) -> MovieReport:
        """The movie's aggregate and every review's result for its report (cached results are read, not recomputed)."""
        with self.serving():
            return _movie_report(id(self), model_name, movie, reviews, settings, progress)


#: States by id: the GPU-bound functions take the id, since ZeroGPU pickles their arguments.
_STATES: dict[int, AppState] = {}


@gpu(_review_gpu_seconds)
def _review_result(state_id: int, model_name: str, request: ReviewRequest) -> ReviewAttention:
    return _STATES[state_id].explorer(model_name).review_results([request])[0]


@gpu(_aggregate_gpu_seconds)
def _movie_aggregate(
    state_id: int, model_name: str, movie: Movie, reviews: list[Review], settings: Settings, progress: Progress | None
) -> MovieAggregate:
    return _STATES[state_id].explorer(model_name).movie_aggregate(movie, reviews, settings, progress=progress)


@gpu(_aggregate_gpu_seconds)
def _movie_report(
    state_id: int, model_name: str, movie: Movie, reviews: list[Review], settings: Settings, progress: Progress | None
) -> MovieReport:
    state = _STATES[state_id]
    return collect(state.explorer(model_name), movie, reviews, settings, data=Path(state.dataset.source).name, progress=progress)
