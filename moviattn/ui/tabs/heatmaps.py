"""The heatmap and aggregate outputs that the explorer's two tabs share, and the requests behind them.

Each page request computes once and returns every output from that one result: status, figures,
static PNGs and downloads. (A follow-up ``.then`` event made the files from a shared ``gr.State``; a
click during a computation let an older review's files land after the newer review's figures, issue 14.)
Since one listener's requests of a session run one after another, in order (``always_last`` drops the
ones overtaken), a late result can no longer overwrite a newer one. The named API endpoints answer
the interactive outputs only, through a hidden button, so their signatures stay as they were.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from typing import Any

import gradio as gr

from ...data import Movie, Review
from ...explorer.aggregate import MovieAggregate
from ...explorer.interactive import review_info_figure, review_plot_figure
from ...explorer.quality import quality_note
from ...explorer.results import ReviewAttention
from ...explorer.settings import Settings
from ..common import export_aggregate, export_review, status_html
from ..explorer_views import aggregate_views
from ..panel import SettingsPanel
from ..state import ZERO_GPU, AppState, preview

NOTE_CAVEAT = (
    "주의(attention ≠ explanation): 어텐션은 모델이 *어디를 보는지*를 보여줄 뿐, *왜* 그렇게 판단했는지의 증거는 아닙니다 "
    "(Jain & Wallace 2019, *Attention is not Explanation*; Wiegreffe & Pinter 2019, *Attention is not not Explanation*)."
)
NOTES = {
    "review": "**읽는 법 (how to read):** 행 = 리뷰의 단위(형태소 등), 열 = 영화 정보(감독·장르·출연 …로 묶음) 또는 줄거리 단위. "
              "칸이 밝을수록 그 리뷰 단위가 그 열을 더 많이 봅니다. 마우스를 올리면 두 단위와 값이 보입니다; "
              "드래그 = 확대, 더블클릭 = 원래대로, 아래 슬라이더 = 가로 스크롤. " + NOTE_CAVEAT,
    "aggregate": "**읽는 법:** 줄거리의 배경색이 진할수록 이 영화의 리뷰들이 평균적으로 그 부분에 더 많은 주의를 줍니다 "
                 "(리뷰마다 합이 1인 몫의 평균). 막대 = 영화 정보 필드별·줄거리 단위별 평균 몫; 행렬 = 리뷰(평점순) × 줄거리. "
                 + NOTE_CAVEAT,
}
#: What the aggregate outputs show after a user error (the message goes first).
AGGREGATE_BLANK = (None, "", None, None, gr.update(visible=False), "", None, None, None)


def _note(settings: Settings | None, state: AppState, model_name: str) -> str | None:
    model = state.explorer(model_name).model
    return quality_note(settings, model.name, model.num_layers, model.num_heads) if settings is not None else None


def review_views(state: AppState, model_name: str, movie: Movie, text: str, values: tuple, head: str) -> tuple:
    """Status, interactive info and plot heatmaps, and the result they were drawn from."""
    started = time.perf_counter()
    settings, scale, cmap = SettingsPanel.read(values)
    result = state.review_attention(model_name, movie, text, settings)
    seconds = time.perf_counter() - started
    status = status_html(head, *result.notices, _note(result.settings, state, model_name), f"{result.model_name} · {seconds:.1f} s")
    return status, review_info_figure(result, scale=scale, cmap=cmap), review_plot_figure(result, scale=scale, cmap=cmap), result


def aggregate_outputs(
    state: AppState, model_name: str, movie: Movie, reviews: list[Review], split: bool, values: tuple, progress: Any,
    extra: str | None = None,
) -> tuple:
    """Status, one or two columns of (shaded synopsis, bars, reviews × plot), and the aggregate."""
    started = time.perf_counter()
    settings, scale, cmap = SettingsPanel.read(values)
    progress(0, desc="리뷰 분석 준비 중 (preparing)")
    report = None if ZERO_GPU else lambda done, total: progress((done, total), desc="리뷰 분석 중 (reviews)", unit="reviews")
    aggregate = state.movie_aggregate(model_name, movie, reviews, settings, report)
    labels = {r.id: preview(r.text) for r in reviews}
    views = aggregate_views(aggregate, split=bool(split), scale=scale, cmap=cmap, review_labels=labels)
    seconds = time.perf_counter() - started
    status = status_html(
        f"{movie.label} · 리뷰 {len(aggregate.review_ids)}개 (reviews) · {seconds:.1f} s", extra, *aggregate.notices,
        _note(aggregate.settings, state, model_name),
    )
    second = views[1] if len(views) > 1 else None
    return (
        status, views[0].html, views[0].bars, views[0].matrix, gr.update(visible=second is not None),
        second.html if second else "", second.bars if second else None, second.matrix if second else None, aggregate,
    )


def static_review(result: ReviewAttention | None, scale: str, cmap: str) -> tuple:
    """Static PNGs (matplotlib, Korean font) and the CSV/JSON downloads of the shown result."""
    if result is None:
        return None, None, None
    files = export_review(result, scale=scale, cmap=cmap)
    return str(files["info_png"]), str(files["plot_png"]), [str(p) for p in files.values()]


def static_aggregate(aggregate: MovieAggregate | None, scale: str, cmap: str) -> list[str] | None:
    """PNG, CSV and JSON downloads of the shown aggregate."""
    if aggregate is None:
        return None
    return [str(p) for p in export_aggregate(aggregate, scale=scale, cmap=cmap).values()]


def _with_files(handler: Callable[..., tuple], files: Callable[..., Any]) -> Callable[..., tuple]:
    """The page's event: ``handler``'s outputs without its result (last), then ``files`` of that same result."""

    @functools.wraps(handler)
    def run(*args: Any, **kwargs: Any) -> tuple:
        *shown, result = handler(*args, **kwargs)
        made = files(result, *SettingsPanel.colours(args))
        return (*shown, *(made if isinstance(made, tuple) else (made,)))

    return run


def _without_result(handler: Callable[..., tuple]) -> Callable[..., tuple]:
    """The API endpoint: ``handler``'s outputs without its result."""

    @functools.wraps(handler)
    def run(*args: Any, **kwargs: Any) -> tuple:
        return tuple(handler(*args, **kwargs)[:-1])

    return run


class _Outputs:
    """Shown outputs (the API's too), file outputs, and the wiring of one handler to both."""

    shown: list[Any]
    files: list[Any]
    make_files: Callable[..., Any]

    def wire(
        self, triggers: Sequence[Any], handler: Callable[..., tuple], inputs: list[Any], *, api_name: str,
        trigger_mode: str | None = None, **queue: Any,
    ) -> None:
        """The page's event over every output, and the named API endpoint over the shown ones.

        ``handler`` returns the shown outputs then its result; ``queue`` (concurrency options) applies to both."""
        gr.on(
            triggers, _with_files(handler, self.make_files), inputs, [*self.shown, *self.files],
            api_visibility="private", trigger_mode=trigger_mode, **queue,
        )
        self._api.click(_without_result(handler), inputs, self.shown, api_name=api_name, **queue)


class ReviewOutputs(_Outputs):
    """Status and the two interactive heatmaps; under them static PNGs and downloads."""

    make_files = staticmethod(static_review)

    def __init__(self, name: str):
        status = gr.HTML(elem_id=f"{name}-status")
        with gr.Tabs():
            with gr.Tab("인터랙티브 (interactive)"):
                info_plot = gr.Plot(label="히트맵 1: 리뷰 × 영화 정보 (review × info)", elem_classes="ma-heatmap")
                plot_plot = gr.Plot(label="히트맵 2: 리뷰 × 줄거리 (review × plot)", elem_classes="ma-heatmap")
            with gr.Tab("정적 PNG (static)"):
                info_png = gr.Image(label="리뷰 × 영화 정보 (PNG)", type="filepath")
                plot_png = gr.Image(label="리뷰 × 줄거리 (PNG)", type="filepath")
        files = gr.File(label="내려받기: PNG · CSV · JSON (downloads)", file_count="multiple", elem_id=f"{name}-files")
        gr.Markdown(NOTES["review"])
        self._api = gr.Button(visible=False)
        self.shown = [status, info_plot, plot_plot]
        self.files = [info_png, plot_png, files]


class AggregateOutputs(_Outputs):
    """Status, then one or two columns (all, or positive | negative) of synopsis, bars and matrix, then files."""

    make_files = staticmethod(static_aggregate)

    def __init__(self, name: str):
        status = gr.HTML(elem_id=f"{name}-status")
        with gr.Row():
            with gr.Column():
                first = [gr.HTML(elem_classes="ma-aggregate"), gr.Plot(label="필드·줄거리 상위 (top fields and plot units)"), gr.Plot(label="리뷰 × 줄거리 (reviews × plot)")]
            with gr.Column(visible=False) as second_column:
                second = [gr.HTML(), gr.Plot(label="필드·줄거리 상위 (top fields and plot units)"), gr.Plot(label="리뷰 × 줄거리 (reviews × plot)")]
        files = gr.File(label="내려받기: PNG · CSV · JSON (downloads)", file_count="multiple", elem_id=f"{name}-files")
        gr.Markdown(NOTES["aggregate"])
        self._api = gr.Button(visible=False)
        self.shown = [status, *first, second_column, *second]
        self.files = [files]
