"""The page: header, model banner, settings panel and one tab per module of ``moviattn.ui.tabs``; launch.

``python app.py`` (Spaces) and ``python -m moviattn.ui`` both call ``main``.
"""

from __future__ import annotations

import argparse
import ctypes
import logging
import threading
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.exceptions import ComponentProcessingError, InvalidPathError
from pydantic import ValidationError

from ..aspects import chat_for
from ..defaults import DEFAULTS
from ..explorer import ResultCache, Settings, method_choices, precision_choices
from ..fetch import open_data
from ..limits import MAX_UPLOAD_SIZE
from ..machine import usable_cores
from ..models import default_device
from ..morphology import warm_up
from ..paths import malloc_arenas, server_name, server_port
from .panel import SettingsPanel
from .state import AppState, keep_jvm_at_exit
from .tabs import about, aspects, diary, next_movie, per_movie, sentiment, your_review

CSS = """
.ma-card h3 {margin: 0 0 .4em 0}
.ma-card table {border-collapse: collapse; margin-bottom: .5em}
.ma-card th {text-align: left; padding: 2px 12px 2px 0; color: var(--body-text-color-subdued); font-weight: 500}
.ma-card p {line-height: 1.6; max-height: 14em; overflow-y: auto}
.ma-warning {background: #fff4e5; color: #663c00; border-left: 4px solid #ff9800; padding: 6px 10px; margin: 4px 0; border-radius: 4px}
.ma-notice {color: var(--body-text-color-subdued); padding: 2px 0}
.ma-shaded {border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px; margin-bottom: 8px}
.ma-shaded-title {font-weight: 600; margin-bottom: 6px}
.ma-text {line-height: 2.0; font-size: 15px; max-height: 26em; overflow-y: auto}
.ma-unit {border-radius: 3px; padding: 1px 0}
#review-table.ma-replacing {pointer-events: none; opacity: .45; transition: opacity .15s}
.ma-legend {font-size: 12px; color: var(--body-text-color-subdued); margin-top: 6px}
/* phones (at 390 px the heatmap labels overlapped and the review table hid columns): heatmaps keep
   a readable width and scroll sideways inside their box; the table scrolls sideways with every column shown */
@media (max-width: 700px) {
  .ma-heatmap {overflow-x: auto}
  .ma-heatmap .js-plotly-plot {min-width: 640px}
  #review-table .table-wrap, #review-table .table-container {overflow-x: auto}
  #review-table table {min-width: 600px}
}
"""
log = logging.getLogger(__name__)
#: Times the server is started before giving up, when Gradio's start-up probe of localhost times out.
LAUNCH_TRIES = 5
#: Gradio's copies of uploads and downloads: checked every 10 minutes, removed after an hour (else they pile up).
GRADIO_CACHE_LIFETIME = (600, 3600)
FONTS = ["NanumGothic", "Noto Sans CJK KR", "Noto Sans KR", "Apple SD Gothic Neo", "Malgun Gothic", "sans-serif"]


#: What a caller is told when Gradio refuses an input before any handler runs (without this, Gradio answers
#: ``{"error": null}`` to an API caller: it shows only its own ``gr.Error`` messages unless every error is shown).
REFUSED_INPUTS: dict[type[Exception], str] = {
    InvalidPathError: "서버의 파일 경로는 받지 않습니다: 파일을 올려 주세요 "
                      "(a path on the server is refused: upload the file, e.g. with gradio_client's handle_file)",
    ValidationError: "입력 형식이 맞지 않습니다 (malformed input: a file must be an uploaded file, not a path or text)",
    ComponentProcessingError: "입력 값의 형식이 맞지 않습니다 (malformed input value)",
}


class Page(gr.Blocks):
    """The app's Blocks: an input that Gradio itself refuses (a raw server path, a malformed file object, a
    value a component cannot read) is answered with a message that names no server detail."""

    async def preprocess_data(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().preprocess_data(*args, **kwargs)
        except tuple(REFUSED_INPUTS) as exc:
            log.info("input refused before the handler: %s", exc)
            message = next(text for kind, text in REFUSED_INPUTS.items() if isinstance(exc, kind))
            raise gr.Error(message, print_exception=False) from None


def build_demo(state: AppState) -> gr.Blocks:
    """The whole page over one AppState."""
    keep_jvm_at_exit()
    model = state.model()
    with Page(title="moviattn · 영화 리뷰 어텐션", analytics_enabled=False, delete_cache=GRADIO_CACHE_LIFETIME) as demo:
        gr.Markdown(
            "# 영화 리뷰는 어디를 볼까? (moviattn)\n"
            "리뷰 문장이 영화 정보(감독·장르·출연 …)와 줄거리의 어느 부분에 주의(attention)를 주는지 보여 줍니다. "
            "*Where Korean movie reviews look in a movie's info and plot, by transformer attention* — "
            "그리고 감성 분석 설명, 일기로 영화 추천, 다음에 볼 영화 (sentiment explainers, diary → movies, next movie)."
        )
        banner = gr.HTML(state.banner(model))
        panel = SettingsPanel(state, model, banner)
        with gr.Tabs():
            with gr.Tab(per_movie.TITLE):
                per_movie.build(state, panel, demo)
            with gr.Tab(your_review.TITLE):
                your_review.build(state, panel)
            with gr.Tab(sentiment.TITLE):
                sentiment.build()
            with gr.Tab(diary.TITLE):
                diary.build(state)
            with gr.Tab(aspects.TITLE):
                aspects.build(state)
            with gr.Tab(next_movie.TITLE) as next_movie_tab:
                next_movie.build(state, next_movie_tab)
            with gr.Tab(about.TITLE):
                about.build()
    return demo


# ---------------------------------------------------------------- entry point


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="moviattn app (Gradio)", formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--data", default=DEFAULTS.data,
                        help="dataset: a folder, 'sample' or 'nsmc' (the 40 real movies, fetched on first use; the default on a Space) ($MOVIATTN_DATA)")
    parser.add_argument("--model", default=DEFAULTS.model, help="hub id, local path or 'offline' ($MOVIATTN_MODEL)")
    parser.add_argument("--allow-model", action="append", default=[], metavar="NAME",
                        help="another hub id or path users may switch to (repeatable; the default model and 'offline' always are)")
    parser.add_argument("--model-dir", help="users may also switch to any model folder directly under this folder, by its name")
    parser.add_argument("--cache-dir", default=None, help="result cache folder (default: $MOVIATTN_CACHE/results)")
    parser.add_argument("--no-cache", action="store_true", help="do not read or write cached results")
    parser.add_argument("--no-fill", action="store_true",
                        help="do not compute the shipped movies' answers in the background after start-up")
    parser.add_argument("--host", default=server_name(), help="e.g. 0.0.0.0 to listen on all interfaces ($GRADIO_SERVER_NAME)")
    parser.add_argument("--port", type=int, default=server_port(), help="($GRADIO_SERVER_PORT)")
    parser.add_argument("--share", action="store_true", help="create a public gradio.live link")
    parser.add_argument("--concurrency", type=int, default=usable_cores(),
                        help="heavy requests computed at once (default: the cores this process may use)")
    parser.add_argument("--method", default=DEFAULTS.method, choices=method_choices(),
                        help="qk: exact (default); cached_context: approximate, much faster movie aggregates")
    parser.add_argument("--precision", default=DEFAULTS.precision, choices=precision_choices(),
                        help="float32: exact (default); auto: bfloat16 where native")
    return parser.parse_args(argv)


def create_app(args: argparse.Namespace) -> gr.Blocks:
    """Load the dataset and the model once, warm the analyser, and build the queued page."""
    dataset, data_notice = open_data(args.data, fallback=True)
    args.data = dataset.source  # the folder actually served ('nsmc' names the fetched one): launch blocks it
    state = AppState(
        dataset, args.model.strip(), default_device(),
        None if args.no_cache else ResultCache(args.cache_dir), args.method, args.precision,
        tuple(name.strip() for name in args.allow_model), args.model_dir, data_notice=data_notice,
    )
    state.explorer().usable_settings(Settings())  # loads the model and starts the analyser's JVM now, not on the first click
    warm_up((r.text for reviews in state.dataset.reviews.values() for r in reviews), Settings().analyser)  # past its slow first calls
    threading.Thread(target=_prepare, args=(state, not args.no_fill), name="prepare-answers", daemon=True).start()
    return build_demo(state).queue(default_concurrency_limit=args.concurrency, max_size=64)


def _prepare(state: AppState, fill: bool) -> None:
    """In the background while the page serves: the movies' analysis, the aspect profiles of the conversation
    (read from their disk cache after the first start), then (``fill``) the store of answers."""
    state.warm_contexts()
    try:
        chat_for(state.dataset)
    except Exception:  # the conversation then computes them on its first message
        log.exception("aspects: the profiles could not be prepared")
    if fill:
        try:
            state.fill_store(DEFAULTS.scale, DEFAULTS.cmap)
        except Exception:  # a failed fill must not take the server down: visitors' requests compute as before
            log.exception("store: the background fill stopped")


def launch(demo: gr.Blocks, args: argparse.Namespace, **kwargs: Any):
    """Serve the page. Only what the app generated for a user is downloadable through ``/gradio_api/file=``
    (Gradio's own rule for returned files); the dataset folder is never served, and is blocked outright in
    case a later change adds an allowed path above it."""
    start = partial(
        demo.launch, server_name=args.host, server_port=args.port, share=args.share, max_file_size=MAX_UPLOAD_SIZE,
        theme=gr.themes.Soft(primary_hue="orange", font=FONTS), css=CSS, blocked_paths=[str(Path(args.data).resolve())],
        **kwargs,
    )
    for attempt in range(1, LAUNCH_TRIES):
        try:
            return start()
        except ValueError as exc:  # Gradio's 3-second probe of its own page times out on a loaded machine
            if "localhost is not accessible" not in str(exc):
                raise
            demo.close()
            log.warning("the server missed its start-up probe; starting it again (%d/%d)", attempt + 1, LAUNCH_TRIES)
    return start()


def limit_malloc_arenas(arenas: int | None = None) -> bool:
    """Cap glibc's malloc arenas (default: ``$MOVIATTN_MALLOC_ARENAS``, ``paths.malloc_arenas``) before the
    server starts its threads; whether the cap was set.

    glibc gives threads their own arenas (up to 8 per core) and rarely returns their freed pages, so a
    server whose requests run on many threads grows in RSS long after its caches are full (measured under
    the load benchmark, benchmarks/bench_load.py).
    """
    arenas = malloc_arenas() if arenas is None else arenas
    if arenas <= 0:
        return False
    try:
        return bool(ctypes.CDLL("libc.so.6").mallopt(-8, arenas))  # -8: M_ARENA_MAX
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to do
        return False


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, build the page and serve it."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("moviattn").setLevel(logging.INFO)  # the data fetch's and the store fill's progress
    limit_malloc_arenas()
    launch(create_app(args), args)
