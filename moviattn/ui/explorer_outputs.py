"""The heatmap and aggregate outputs that the explorer's two tabs share, and the requests behind them.

A request shows its status and interactive figures; the static PNGs and the CSV/JSON downloads are made
on demand, by the "make files" button (rendering both PNGs took 4.8 s per review with matplotlib, the
whole wait of a browser user for what most never open). Both are triggers of **one** listener,
and one listener's requests of a session run one after another, in order (``always_last`` drops the
ones overtaken): a new result clears the files, and the button makes them from the inputs of what is
on screen (kept in a ``gr.State`` by the request that drew it; its result comes from the cache). So a
download can never belong to another review than the one shown, nor can a late result of an older
request overwrite a newer one. (Earlier a follow-up ``.then`` event made the files from a shared state,
and a click during a computation let an older review's files land after the newer review's figures.)
The named API endpoints answer the interactive outputs only, through a hidden button.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr
import pandas as pd
from gradio.components.plot import PlotData

from ..data import Movie, Review
from ..explorer import (
    BATCH_SIZE,
    DEFAULT_SCORE,
    NOTES,
    TRENDS_COLUMNS,
    MovieAggregate,
    Progress,
    ReviewAttention,
    Settings,
    aggregate_drawing,
    aggregate_quality_note,
    message_figure,
    preview,
    quality_note,
    review_drawing,
)
from ..machine import review_concurrency
from .common import by_component, export_aggregate, export_review, shows_errors, status_html, table_headers
from .drawings import aggregate_view_parts, review_view_parts
from .panel import PanelChoice, SettingsPanel, read_choice
from .state import ZERO_GPU, AppState

#: What a review heatmap shows before its first result.
WAITING_REVIEW = "리뷰를 고르거나 입력하면 히트맵이 여기에 나타납니다 (pick or type a review)"


def waiting_for(button: str) -> str:
    """What an aggregate plot shows before its first result: which button to press (each section has its own)."""
    return f"‘{button}’ 버튼을 누르면 여기에 나타납니다 (press that button)"
#: Where the static PNGs come from.
MAKE_FILES_HINT = "아래 ‘PNG · CSV · JSON 만들기’를 누르면 화면의 리뷰로 PNG와 내려받기 파일을 만듭니다 (press the make-files button below)."
#: Single-review requests in their handlers at once: a model batch waiting, plus the CPU slots (``moviattn.machine``).
REVIEW_CONCURRENCY = review_concurrency(BATCH_SIZE)


@dataclass(frozen=True)
class ShownResult:
    """What the make-files button makes its files from: the result on screen and the view it was drawn in."""

    result: Any
    view: PanelChoice


def _note(settings: Settings | None, state: AppState, model_name: str) -> str | None:
    model = state.explorer(model_name).model
    return quality_note(settings, model.name, model.num_layers, model.num_heads) if settings is not None else None


def review_views(
    state: AppState, model_name: str, movie: Movie, text: str, controls: Mapping[str, Any], head: str, draw: bool = True
) -> dict[str, Any] | ShownResult:
    """The shown outputs of ``ReviewOutputs`` by name: status, interactive info and plot heatmaps (the store's
    drawing where it has one: no result is read); when not ``draw``, the result (the make-files button)."""
    started = time.perf_counter()
    view = read_choice(controls)
    if not draw:
        return ShownResult(state.review_attention(model_name, movie, text, view.settings), view)

    def draw_result() -> dict[str, Any]:
        result = state.review_attention(model_name, movie, text, view.settings)
        with state.cpu_slots:
            return review_drawing(result, scale=view.scale, cmap=view.cmap)

    model = state.explorer(model_name).model
    drawing = state.views.get(review_view_parts(model.name, movie, text, view.settings, view.scale, view.cmap), draw_result)
    seconds = time.perf_counter() - started
    status = status_html(head, *drawing["notices"], _note(_used(drawing), state, model_name), f"{drawing['model']} · {seconds:.1f} s")
    return {"status": status, "info": _plot(drawing["info"]), "plot": _plot(drawing["plot"])}


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
    state: AppState, model_name: str, movie: Movie, reviews: list[Review], split: bool, controls: Mapping[str, Any],
    progress: Any, extra: str | None = None, draw: bool = True,
) -> dict[str, Any] | ShownResult:
    """The shown outputs of ``AggregateOutputs`` by name: status, shaded synopsis, fields, top words, the
    difference view (shown on request), the time view, reviews × plot (the store's drawing where it has one:
    no aggregate is read); when not ``draw``, the aggregate (the make-files button)."""
    started = time.perf_counter()
    view = read_choice(controls)
    if not draw:
        return ShownResult(state.movie_aggregate(model_name, movie, reviews, view.settings, reviews_progress(progress)), view)

    def draw_aggregate() -> dict[str, Any]:
        aggregate = state.movie_aggregate(model_name, movie, reviews, view.settings, reviews_progress(progress))
        labels = {r.id: preview(r.text) for r in reviews}
        return aggregate_drawing(aggregate, split=bool(split), scale=view.scale, cmap=view.cmap, review_labels=labels)

    model = state.explorer(model_name).model
    parts = aggregate_view_parts(model.name, movie, reviews, view.settings, bool(split), view.scale, view.cmap)
    drawing = state.views.get(parts, draw_aggregate)
    seconds = time.perf_counter() - started
    used = _used(drawing)
    status = status_html(
        f"{movie.label} · 리뷰 {drawing['reviews']}개 (reviews) · {seconds:.1f} s", extra, *drawing["notices"],
        _note(used, state, model_name), aggregate_quality_note(used, DEFAULT_SCORE, model.name) if used is not None else None,
    )
    return {
        "status": status, "synopsis": drawing["html"], "fields": _plot(drawing["fields"]), "words": _plot(drawing["words"]),
        "difference_column": gr.update(visible=drawing["difference"] is not None), "difference": _plot(drawing["difference"]),
        "time": _plot(drawing["time"]), "trends": pd.DataFrame(**drawing["trends"]), "matrix": _plot(drawing["matrix"]),
    }


def static_review(result: ReviewAttention, scale: str, cmap: str) -> dict[str, Any]:
    """Static PNGs (matplotlib, Korean font) and the CSV/JSON downloads of the shown result, by output name."""
    files = export_review(result, scale=scale, cmap=cmap)
    return {"info_png": str(files["info_png"]), "plot_png": str(files["plot_png"]), "files": [str(p) for p in files.values()]}


def static_aggregate(aggregate: MovieAggregate, scale: str, cmap: str) -> dict[str, Any]:
    """PNG, CSV and JSON downloads of the shown aggregate, by output name."""
    return {"files": [str(p) for p in export_aggregate(aggregate, scale=scale, cmap=cmap).values()]}


class _Outputs:
    """Shown outputs (the API's too) and file outputs made on demand, each by name, and the wiring of one
    handler to both. A handler returns the shown outputs by name (``shows_errors`` fills in ``blank`` after a
    user error) or, when not drawing, a ``ShownResult``."""

    shown: dict[str, Any]
    files: dict[str, Any]
    #: What a shown output shows after a user error, where not empty (the message goes to ``status``).
    blank: dict[str, Any] = {}
    #: The files' outputs by name from a result and the colours.
    make_files: Callable[..., dict[str, Any]]
    #: Whether the handler reports progress (takes ``progress=``).
    reports_progress = False

    @classmethod
    def shows_errors(cls, handler: Callable[..., Any]) -> Callable[..., Any]:
        """Decorate a handler of these outputs: a user error becomes a message in ``status``."""
        return shows_errors(blank=cls.blank)(handler)

    def _files_area(self, name: str) -> Any:
        """The make-files button and the downloads under it."""
        self._make = gr.Button("PNG · CSV · JSON 만들기 (make static PNGs and downloads)", size="sm", elem_id=f"{name}-make-files")
        self._shown_inputs = gr.State(None)
        return gr.File(label="내려받기: PNG · CSV · JSON (downloads)", file_count="multiple", elem_id=f"{name}-files")

    def _page_event(self, handler: Callable[..., Any]) -> Callable[..., dict[Any, Any]]:
        """The page's listener: a new result (files cleared), or the files of the result on screen."""
        no_files = by_component(self.files, {})

        def run(event: gr.EventData, progress: gr.Progress = gr.Progress(), *args: Any) -> dict[Any, Any]:
            *inputs, shown_inputs = args
            options = {"progress": progress} if self.reports_progress else {}
            if event.target is None or event.target.elem_id != self._make.elem_id:
                return {**by_component(self.shown, handler(*inputs, **options)), **no_files, self._shown_inputs: tuple(inputs)}
            if shown_inputs is None:  # nothing drawn yet
                return no_files
            shown = handler(*shown_inputs, draw=False, **options)  # cached: the very result on screen
            if not isinstance(shown, ShownResult):  # a user error: nothing to make files of
                return no_files
            return by_component(self.files, self.make_files(shown.result, shown.view.scale, shown.view.cmap))

        return run

    def _api_event(self, handler: Callable[..., Any]) -> Callable[..., dict[Any, Any]]:
        """The named API endpoint: the shown outputs only."""
        if self.reports_progress:
            def run_with_progress(progress: gr.Progress = gr.Progress(), *args: Any) -> dict[Any, Any]:
                return by_component(self.shown, handler(*args, progress=progress))

            return run_with_progress

        def run(*args: Any) -> dict[Any, Any]:
            return by_component(self.shown, handler(*args))

        return run

    def wire(
        self, triggers: Sequence[Any], handler: Callable[..., Any], inputs: list[Any], panel: SettingsPanel, *,
        api_name: str, trigger_mode: str | None = None, **queue: Any,
    ) -> None:
        """The page's listener over every output, and the named API endpoint over the shown ones; the inputs
        are ``inputs`` then the panel's controls, which ``handler`` takes as one mapping by name.

        ``queue`` (concurrency options) applies to both."""
        listener = panel.takes_controls(handler)
        gr.on(
            [*triggers, self._make.click], self._page_event(listener), [*inputs, *panel.inputs, self._shown_inputs],
            [*self.shown.values(), *self.files.values(), self._shown_inputs], api_visibility="private",
            trigger_mode=trigger_mode, **queue,
        )
        self._api.click(self._api_event(listener), [*inputs, *panel.inputs], list(self.shown.values()), api_name=api_name, **queue)


class ReviewOutputs(_Outputs):
    """Status and the two interactive heatmaps; under them static PNGs and downloads.

    Single-review events run up to ``REVIEW_CONCURRENCY`` at once (unless a tab says otherwise): their
    model work is batched below (``AppState.review_attention``), so more requests in flight make larger
    batches, and a cached request is not queued behind computing ones; their own CPU work (preparing the
    review, drawing the figures) takes one of ``AppState.cpu_slots`` at a time."""

    make_files = staticmethod(static_review)

    def wire(self, triggers: Sequence[Any], handler: Callable[..., Any], inputs: list[Any], panel: SettingsPanel, **options: Any) -> None:
        options.setdefault("concurrency_limit", REVIEW_CONCURRENCY)
        super().wire(triggers, handler, inputs, panel, **options)

    def __init__(self, name: str):
        status = gr.HTML(elem_id=f"{name}-status")
        with gr.Tabs():
            with gr.Tab("인터랙티브 (interactive)"):
                waiting = message_figure(WAITING_REVIEW, muted=True)
                info_plot = gr.Plot(waiting, label="히트맵 1: 리뷰 × 영화 정보 (review × info)", elem_classes="ma-heatmap")
                plot_plot = gr.Plot(waiting, label="히트맵 2: 리뷰 × 줄거리 (review × plot)", elem_classes="ma-heatmap")
            with gr.Tab("정적 PNG (static)"):
                gr.Markdown(MAKE_FILES_HINT)
                # no label badge: it covered the start of the PNG's own title, which names the heatmap
                info_png = gr.Image(label="리뷰 × 영화 정보 (PNG)", show_label=False, type="filepath")
                plot_png = gr.Image(label="리뷰 × 줄거리 (PNG)", show_label=False, type="filepath")
        files = self._files_area(name)
        gr.Markdown(NOTES["review"])
        self._api = gr.Button(visible=False)
        self.shown = {"status": status, "info": info_plot, "plot": plot_plot}
        self.files = {"info_png": info_png, "plot_png": plot_png, "files": files}


class AggregateOutputs(_Outputs):
    """Status, shaded synopsis, fields and top words, positive − negative (on request), the time view,
    reviews × plot, then files; before a result the plots name ``button``, the one that computes them."""

    make_files = staticmethod(static_aggregate)
    reports_progress = True
    blank = {"synopsis": "", "difference_column": gr.update(visible=False)}

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
        self.shown = {
            "status": status, "synopsis": synopsis, "fields": fields, "words": words, "difference_column": difference_column,
            "difference": difference, "time": time_plot, "trends": trends, "matrix": matrix,
        }
        self.files = {"files": files}
