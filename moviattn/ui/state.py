"""What one server process holds: the dataset, the result cache, the loaded models, the lazily loaded wings.

The GPU-bound calls go through module functions decorated with ``spaces.GPU`` on Hugging Face
ZeroGPU (a forked worker borrows a GPU per call); elsewhere they run in place.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import machine
from ..data import Dataset, Movie, Review
from ..defaults import DEFAULTS
from ..errors import ModelLoadError
from ..explorer import (
    CONTEXTS_KEPT,
    Explorer,
    MovieAggregate,
    MovieReport,
    Progress,
    ResultCache,
    ReviewAttention,
    ReviewBatcher,
    ReviewRequest,
    Settings,
    collect,
    reference_reviews,
    resolve_precision,
)
from ..limits import check
from ..models import OFFLINE_ALIASES, LoadedModel, load_model
from ..paths import DEFAULT_MODEL, on_space
from ..recommend.session.service import NextMovieService
from .banner import data_line, server_banner
from .drawings import VIEWS_KEPT, DrawingStore, draw_ahead
from .review_table import ReviewTable

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


#: Seconds between two looks at whether visitors' computations are still in flight, while the fill waits.
FILL_YIELD_SECONDS = 0.05
def keep_jvm_at_exit() -> None:
    """Skip JPype's JVM shutdown at exit: after the analyser ran in a server's worker threads, that shutdown
    waits forever and the process never exits (the OS frees the JVM anyway)."""
    try:
        import jpype.config
    except ImportError:
        return
    jpype.config.onexit = False


@dataclass
class AppState:
    """The dataset, the result cache and the models of one server process; the wings load lazily."""

    dataset: Dataset
    default_model: str = DEFAULT_MODEL
    device: str = "cpu"
    cache: ResultCache | None = None
    #: Extraction method and precision of every explorer (``qk``/float32: exact; see ``moviattn.explorer.EXTRACTORS``).
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
    #: The per-movie tab's review table (sorting, previews, predicted sentiment).
    reviews: ReviewTable = field(init=False)
    #: The next-movie tab's data and models (fetched on first use on a Space; see ``NextMovieService``).
    next_movie: NextMovieService = field(default_factory=lambda: NextMovieService(allow_fetch=on_space()))
    #: Drawn answers (reviews and aggregates), reused for the same inputs (set from ``cache``).
    views: DrawingStore = field(init=False)
    #: Visitor computations in flight: the store's background fill waits while there are any.
    _active: int = 0
    #: Request threads doing CPU work at once (review preparation, figures), set from the machine's cores.
    cpu_slots: threading.Semaphore = field(default_factory=lambda: threading.BoundedSemaphore(machine.cpu_slots()))

    def __post_init__(self) -> None:
        self.views = DrawingStore(VIEWS_KEPT, self.cache)
        self.reviews = ReviewTable(self.dataset)
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
            draw_ahead(self.views, explorer, movie, movie_reviews, settings, scale, cmap, pause=self._yield_to_visitors)
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

    def batcher(self, name: str | None = None) -> ReviewBatcher:
        """The model's review batcher: concurrent single-review requests computed together."""
        explorer = self.explorer(name)
        with self._lock:
            if explorer.model.name not in self._batchers:
                self._batchers[explorer.model.name] = ReviewBatcher(explorer, cpu=self.cpu_slots)
            return self._batchers[explorer.model.name]

    def banner(self, model: LoadedModel) -> str:
        """The model banner with this server's computation mode and what the served reviews are."""
        return server_banner(model, self.method, resolve_precision(self.precision, model.device), self.dataset, self.data_notice)

    def data_line(self) -> str:
        return data_line(self.dataset)

    # ------------------------------------------------------------ movies and reviews

    def movie_choices(self) -> list[tuple[str, str]]:
        return [(movie.label, movie.id) for movie in self.dataset.movies.values()]

    def sorted_reviews(self, movie_id: str, sort: str) -> list[Review]:
        return self.reviews.sorted_reviews(movie_id, sort)

    def review_choices(self, movie_id: str, sort: str) -> list[tuple[str, str]]:
        return self.reviews.review_choices(movie_id, sort)

    def review_sentiments(self, movie_id: str) -> dict[str, str]:
        return self.reviews.review_sentiments(movie_id)

    def review_table(self, movie_id: str, sort: str) -> pd.DataFrame:
        return self.reviews.review_table(movie_id, sort)


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
