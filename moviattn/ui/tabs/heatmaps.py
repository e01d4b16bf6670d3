"""The heatmap and aggregate outputs that the explorer's two tabs share, and the requests behind them.

A request shows its status and interactive figures; the static PNGs and the CSV/JSON downloads are made
on demand, by the "make files" button (rendering both PNGs took 4.8 s per review with matplotlib, the
whole wait of a browser user for what most never open, issue 14). Both are triggers of **one** listener,
and one listener's requests of a session run one after another, in order (``always_last`` drops the
ones overtaken): a new result clears the files, and the button makes them from the inputs of what is
on screen (kept in a ``gr.State`` by the request that drew it; its result comes from the cache). So a
download can never belong to another review than the one shown, nor can a late result of an older
request overwrite a newer one. (Earlier a follow-up ``.then`` event made the files from a shared state,
and a click during a computation let an older review's files land after the newer review's figures.)
The named API endpoints answer the interactive outputs only, through a hidden button.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Sequence
from typing import Any

import gradio as gr
import pandas as pd
from gradio.components.plot import PlotData

from ...data import Movie, Review
from ...explorer.aggregate import DEFAULT_SCORE, MovieAggregate
from ...explorer.interactive import TRENDS_COLUMNS, message_figure
from ...explorer.pipeline import BATCH_SIZE, Progress
from ...explorer.quality import aggregate_quality_note, quality_note
from ...explorer.results import ReviewAttention
from ...explorer.settings import Settings
from ...explorer.views import NOTES, aggregate_drawing, review_drawing
from ...machine import review_concurrency
from ..common import export_aggregate, export_review, status_html, table_headers
from ..panel import SettingsPanel
from ..state import ZERO_GPU, AppState, aggregate_view_parts, preview, review_view_parts

#: What a review heatmap shows before its first result.
WAITING_REVIEW = "리뷰를 고르거나 입력하면 히트맵이 여기에 나타납니다 (pick or type a review)"


def waiting_for(button: str) -> str:
    """What an aggregate plot shows before its first result: which button to press (each section has its own)."""
    return f"‘{button}’ 버튼을 누르면 여기에 나타납니다 (press that button)"
#: Where the static PNGs come from.
MAKE_FILES_HINT = "아래 ‘PNG · CSV · JSON 만들기’를 누르면 화면의 리뷰로 PNG와 내려받기 파일을 만듭니다 (press the make-files button below)."
#: Single-review requests in their handlers at once: a model batch waiting, plus the CPU slots (``moviattn.machine``).
REVIEW_CONCURRENCY = review_concurrency(BATCH_SIZE)
#: What the aggregate outputs show after a user error (the message goes first).
AGGREGATE_BLANK = (None, "", None, None, gr.update(visible=False), None, None, None, None, None)


def _note(settings: Settings | None, state: AppState, model_name: str) -> str | None:
    model = state.explorer(model_name).model
    return quality_note(settings, model.name, model.num_layers, model.num_heads) if settings is not None else None


def review_views(state: AppState, model_name: str, movie: Movie, text: str, values: tuple, head: str, draw: bool = True) -> tuple:
    """Status, interactive info and plot heatmaps (the store's drawing where it has one: no result is read),
    then the result they were drawn from (only the result, after three ``None``, when not ``draw``: the
    make-files button needs nothing else; ``None`` when drawing, which needs nothing more)."""
    started = time.perf_counter()
    settings, scale, cmap = SettingsPanel.read(values)
    if not draw:
        return None, None, None, state.review_attention(model_name, movie, text, settings)

    def draw_result() -> dict[str, Any]:
        result = state.review_attention(model_name, movie, text, settings)
        with state.cpu_slots:
            return review_drawing(result, scale=scale, cmap=cmap)

    model = state.explorer(model_name).model
    drawing = state.views.get(review_view_parts(model.name, movie, text, settings, scale, cmap), draw_result)
    seconds = time.perf_counter() - started
    status = status_html(head, *drawing["notices"], _note(_used(drawing), state, model_name), f"{drawing['model']} · {seconds:.1f} s")
    return status, _plot(drawing["info"]), _plot(drawing["plot"]), None


def _used(drawing: dict[str, Any]) -> Settings | None:
    """The settings a drawing was made with (after any fallback)."""
    return Settings.from_dict(json.loads(drawing["settings"])) if drawing["settings"] else None


def _plot(figure_json: str | None) -> PlotData | None:
    """A stored figure as ``gr.Plot`` sends it (Plotly's JSON, not parsed and serialised again)."""
    return PlotData(type="plotly", plot=figure_json) if figure_json is not None else None


def reviews_progress(progress: Any) -> Progress | None:
    """A movie's progress over its reviews on the page's bar (none on ZeroGPU, where the computation runs
    in a forked worker that cannot reach the page)."""
    progress(0, desc="리뷰 분석 준비 중 (preparing)")
    return None if ZERO_GPU else lambda done, total: progress((done, total), desc="리뷰 분석 중 (reviews)", unit="reviews")


def aggregate_outputs(
    state: AppState, model_name: str, movie: Movie, reviews: list[Review], split: bool, values: tuple, progress: Any,
    extra: str | None = None, draw: bool = True,
) -> tuple:
    """Status, shaded synopsis, fields, top words, the difference view (shown on request), the time view,
    reviews × plot (the store's drawing where it has one: no aggregate is read), then ``None``; only the
    aggregate, after ``None`` for the others, when not ``draw`` (the make-files button)."""
    started = time.perf_counter()
    settings, scale, cmap = SettingsPanel.read(values)
    if not draw:
        aggregate = state.movie_aggregate(model_name, movie, reviews, settings, reviews_progress(progress))
        return (*(None,) * (len(AGGREGATE_BLANK) - 1), aggregate)

    def draw_aggregate() -> dict[str, Any]:
        aggregate = state.movie_aggregate(model_name, movie, reviews, settings, reviews_progress(progress))
        labels = {r.id: preview(r.text) for r in reviews}
        return aggregate_drawing(aggregate, split=bool(split), scale=scale, cmap=cmap, review_labels=labels)

    model = state.explorer(model_name).model
    drawing = state.views.get(aggregate_view_parts(model.name, movie, reviews, settings, bool(split), scale, cmap), draw_aggregate)
    seconds = time.perf_counter() - started
    used = _used(drawing)
    status = status_html(
        f"{movie.label} · 리뷰 {drawing['reviews']}개 (reviews) · {seconds:.1f} s", extra, *drawing["notices"],
        _note(used, state, model_name), aggregate_quality_note(used, DEFAULT_SCORE, model.name) if used is not None else None,
    )
    return (
        status, drawing["html"], _plot(drawing["fields"]), _plot(drawing["words"]), gr.update(visible=drawing["difference"] is not None),
        _plot(drawing["difference"]), _plot(drawing["time"]), pd.DataFrame(**drawing["trends"]), _plot(drawing["matrix"]), None,
    )


def static_review(result: ReviewAttention | None, scale: str, cmap: str) -> tuple:
    """Static PNGs (matplotlib, Korean font) and the CSV/JSON downloads of the shown result."""
    if result is None:
        return None, None, None
    files = export_review(result, scale=scale, cmap=cmap)
    return str(files["info_png"]), str(files["plot_png"]), [str(p) for p in files.values()]


def static_aggregate(aggregate: MovieAggregate | None, scale: str, cmap: str) -> tuple[list[str] | None]:
    """PNG, CSV and JSON downloads of the shown aggregate (one output: the file list)."""
    if aggregate is None:
        return (None,)
    return ([str(p) for p in export_aggregate(aggregate, scale=scale, cmap=cmap).values()],)


def _without_result(handler: Callable[..., tuple]) -> Callable[..., tuple]:
    """The API endpoint: ``handler``'s outputs without its result."""

    @functools.wraps(handler)
    def run(*args: Any, **kwargs: Any) -> tuple:
        return tuple(handler(*args, **kwargs)[:-1])

    return run


class _Outputs:
    """Shown outputs (the API's too), file outputs made on demand, and the wiring of one handler to both."""

    shown: list[Any]
    files: list[Any]
    #: The files' outputs (a tuple, one value per ``files``) from a result and the colour settings.
    make_files: Callable[..., tuple]
    #: Whether the handler reports progress (takes ``progress=``).
    reports_progress = False

    def _files_area(self, name: str) -> Any:
        """The make-files button and the downloads under it."""
        self._make = gr.Button("PNG · CSV · JSON 만들기 (make static PNGs and downloads)", size="sm", elem_id=f"{name}-make-files")
        self._shown_inputs = gr.State(None)
        return gr.File(label="내려받기: PNG · CSV · JSON (downloads)", file_count="multiple", elem_id=f"{name}-files")

    def _page_event(self, handler: Callable[..., tuple]) -> Callable[..., tuple]:
        """The page's listener: a new result (files cleared), or the files of the result on screen."""
        no_files = (None,) * len(self.files)

        def run(event: gr.EventData, progress: gr.Progress = gr.Progress(), *args: Any) -> tuple:
            *inputs, shown_inputs = args
            options = {"progress": progress} if self.reports_progress else {}
            if getattr(event.target, "_id", None) != self._make._id:
                *shown, _ = handler(*inputs, **options)
                return (*shown, *no_files, tuple(inputs))
            skipped = tuple(gr.skip() for _ in self.shown)
            if shown_inputs is None:  # nothing drawn yet
                return (*skipped, *no_files, None)
            *_, result = handler(*shown_inputs, draw=False, **options)  # cached: the very result on screen
            return (*skipped, *self.make_files(result, *SettingsPanel.colours(shown_inputs)), shown_inputs)

        return run

    def wire(
        self, triggers: Sequence[Any], handler: Callable[..., tuple], inputs: list[Any], *, api_name: str,
        trigger_mode: str | None = None, **queue: Any,
    ) -> None:
        """The page's listener over every output, and the named API endpoint over the shown ones.

        ``handler`` returns the shown outputs then its result; ``queue`` (concurrency options) applies to both."""
        gr.on(
            [*triggers, self._make.click], self._page_event(handler), [*inputs, self._shown_inputs],
            [*self.shown, *self.files, self._shown_inputs], api_visibility="private", trigger_mode=trigger_mode, **queue,
        )
        self._api.click(_without_result(handler), inputs, self.shown, api_name=api_name, **queue)


class ReviewOutputs(_Outputs):
    """Status and the two interactive heatmaps; under them static PNGs and downloads.

    Single-review events run up to ``REVIEW_CONCURRENCY`` at once (unless a tab says otherwise): their
    model work is batched below (``AppState.review_attention``), so more requests in flight make larger
    batches, and a cached request is not queued behind computing ones; their own CPU work (preparing the
    review, drawing the figures) takes one of ``AppState.cpu_slots`` at a time."""

    make_files = staticmethod(static_review)

    def wire(self, triggers: Sequence[Any], handler: Callable[..., tuple], inputs: list[Any], **options: Any) -> None:
        options.setdefault("concurrency_limit", REVIEW_CONCURRENCY)
        super().wire(triggers, handler, inputs, **options)

    def __init__(self, name: str):
        status = gr.HTML(elem_id=f"{name}-status")
        with gr.Tabs():
            with gr.Tab("인터랙티브 (interactive)"):
                waiting = message_figure(WAITING_REVIEW, muted=True)
                info_plot = gr.Plot(waiting, label="히트맵 1: 리뷰 × 영화 정보 (review × info)", elem_classes="ma-heatmap")
                plot_plot = gr.Plot(waiting, label="히트맵 2: 리뷰 × 줄거리 (review × plot)", elem_classes="ma-heatmap")
            with gr.Tab("정적 PNG (static)"):
                gr.Markdown(MAKE_FILES_HINT)
                # no label badge: it covered the start of the PNG's own title, which names the heatmap (issue 26)
                info_png = gr.Image(label="리뷰 × 영화 정보 (PNG)", show_label=False, type="filepath")
                plot_png = gr.Image(label="리뷰 × 줄거리 (PNG)", show_label=False, type="filepath")
        files = self._files_area(name)
        gr.Markdown(NOTES["review"])
        self._api = gr.Button(visible=False)
        self.shown = [status, info_plot, plot_plot]
        self.files = [info_png, plot_png, files]


class AggregateOutputs(_Outputs):
    """Status, shaded synopsis, fields and top words, positive − negative (on request), the time view,
    reviews × plot, then files; before a result the plots name ``button``, the one that computes them."""

    make_files = staticmethod(static_aggregate)
    reports_progress = True

    def __init__(self, name: str, button: str):
        status = gr.HTML(elem_id=f"{name}-status")
        waiting = message_figure(waiting_for(button), muted=True)
        synopsis = gr.HTML(elem_classes="ma-aggregate")
        with gr.Row():
            fields = gr.Plot(waiting, label="영화 정보 필드: 점유율 · 길이 보정 · lift (info fields)")
            words = gr.Plot(waiting, label="줄거리 단어: 점유율 · lift (top plot words)")
        with gr.Column(visible=False) as difference_column:
            difference = gr.Plot(waiting, label="긍정 − 부정 차이 (positive − negative)")
        with gr.Row():
            time_plot = gr.Plot(waiting, label="기간별 필드 점유율 (by review period)", scale=3)
            trends = gr.Dataframe(
                label="처음 → 마지막 기간에 오르고 내린 단어, 기본 점수(lift) (words that rise and fall)", interactive=False, scale=2,
                **table_headers(TRENDS_COLUMNS),
            )
        matrix = gr.Plot(waiting, label="리뷰 × 줄거리 (reviews × plot)")
        files = self._files_area(name)
        gr.Markdown(NOTES["aggregate"])
        self._api = gr.Button(visible=False)
        self.shown = [status, synopsis, fields, words, difference_column, difference, time_plot, trends, matrix]
        self.files = [files]
