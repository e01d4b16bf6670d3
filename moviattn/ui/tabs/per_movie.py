"""Tab "영화별 보기 (per movie)": a dataset movie's card and reviews, one review's heatmaps, the aggregate,
and the movie's report as one HTML file.

A page opened as ``?movie=<id>`` (the links of the recommender tabs) starts on that movie.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import gradio as gr

from ...explorer import movie_card_html, preview
from ...limits import check, check_all
from ..common import by_component, by_name, export_report, shows_errors, status_html, table_headers
from ..explorer_outputs import (
    REVIEW_CONCURRENCY,
    AggregateOutputs,
    ReviewOutputs,
    ShownResult,
    aggregate_outputs,
    review_views,
    reviews_progress,
)
from ..panel import SettingsPanel, read_choice
from ..review_table import REVIEW_SORTS, SENTIMENT_COLUMN, review_columns, sentiment_api
from ..state import AppState

TITLE = "영화별 보기 (per movie)"
AGGREGATE_BUTTON = "집계 계산 (compute aggregate)"
#: Shares of the review table's width (%) of every column but the preview (at the phone layout's 600-px minimum
#: the narrowest is 54 px).
REVIEW_COLUMN_SHARES = {"평점": 9, "날짜": 14, SENTIMENT_COLUMN: 13, "id": 12}


def column_widths(columns: list[str]) -> list[str]:
    """The review table's column widths in % of its width, the preview taking what the others leave: sized to
    its text (``auto``), the preview pushed the 감성 and id columns out of a 1,400-px page."""
    fixed = {name: share for name, share in REVIEW_COLUMN_SHARES.items() if name in columns}
    return [f"{fixed.get(name, 100 - sum(fixed.values()))}%" for name in columns]


@shows_errors("card", blank={"review": gr.update(choices=[], value=None)})
def select_movie(state: AppState, movie_id: str, sort: str) -> dict[str, Any]:
    """Info card, review table and review list of a movie (first review selected), by output name."""
    check_all("choice", [movie_id, sort])
    movie = state.dataset.movie(movie_id)
    choices = state.review_choices(movie.id, sort)
    return {
        "card": movie_card_html(movie), "table": state.review_table(movie.id, sort),
        "review": gr.update(choices=choices, value=choices[0][1] if choices else None),
    }


#: The review table takes no clicks from the moment the movie or the sort changes until the new list has been
#: on screen for half a second: a click aimed at the old list landed on the new list's row at the same place
#: and analysed a review nobody clicked (7 of 10 tries within 1-3 s of switching, in a browser test).
HOLD_TABLE_JS = "() => { document.getElementById('review-table')?.classList.add('ma-replacing'); }"
RELEASE_TABLE_JS = "() => { setTimeout(() => document.getElementById('review-table')?.classList.remove('ma-replacing'), 500); }"


def pick_row(state: AppState, movie_id: str, evt: gr.SelectData) -> Any:
    """The review id of a clicked table row (its last column), if it is one of the chosen movie's reviews;
    a click on a row of another movie's list (the old list, still on screen) changes nothing."""
    review_id = (evt.row_value or [None])[-1]
    if movie_id not in state.dataset.movies or review_id not in {r.id for r in state.dataset.reviews_of(movie_id)}:
        return gr.skip()
    return review_id


def linked_movie(state: AppState, request: gr.Request) -> Any:
    """The movie named by the page's ``?movie=<id>``, where it is one of the dataset's (else no change)."""
    movie_id = request.query_params.get("movie") if request is not None else None
    return gr.update(value=movie_id) if movie_id in state.dataset.movies else gr.update()


@ReviewOutputs.shows_errors
def show_review(
    state: AppState, model_name: str, movie_id: str, review_id: str, controls: Mapping[str, Any], draw: bool = True
) -> dict[str, Any] | ShownResult:
    """Both heatmaps of one of the movie's reviews (``ReviewOutputs``' shown outputs by name)."""
    check_all("choice", [movie_id, review_id])
    review = state.dataset.review(movie_id, review_id)
    head = f"★{review.rating if review.rating is not None else '?'} · {preview(review.text, 120)}"
    return review_views(state, model_name, state.dataset.movie(movie_id), review.text, controls, head, draw)


@AggregateOutputs.shows_errors
def movie_aggregate(
    state: AppState, model_name: str, movie_id: str, split: bool, controls: Mapping[str, Any], progress=gr.Progress(),
    draw: bool = True,
) -> dict[str, Any] | ShownResult:
    """All reviews of a dataset movie: shaded synopsis, fields and words (share and lift), the time view,
    reviews × plot, and positive − negative on request."""
    check(choice=movie_id)
    movie = state.dataset.movie(movie_id)
    return aggregate_outputs(state, model_name, movie, state.dataset.reviews_of(movie.id), split, controls, progress, draw=draw)


@shows_errors()
def movie_report(state: AppState, model_name: str, movie_id: str, controls: Mapping[str, Any], progress=gr.Progress()) -> dict[str, Any]:
    """The report of what the tab shows (this model and these settings, all the movie's reviews) as one
    self-contained HTML file: status and the file, by output name. After 집계 계산 the results come from the cache."""
    check(choice=movie_id)
    movie = state.dataset.movie(movie_id)
    view = read_choice(controls)
    report = state.movie_report(model_name, movie, state.dataset.reviews_of(movie.id), view.settings, reviews_progress(progress))
    path = export_report(report, scale=view.scale, cmap=view.cmap)
    status = status_html(f"{movie.label} · 보고서 (report): 리뷰 {len(report.reviews)}개 — 서버 없이 브라우저로 엽니다 (opens in any browser, offline)")
    return {"status": status, "file": str(path)}


def build(state: AppState, panel: SettingsPanel, demo: gr.Blocks) -> None:
    movies = state.movie_choices()
    with gr.Row():
        with gr.Column(scale=2):
            movie = gr.Dropdown(movies, value=movies[0][1] if movies else None, label="영화 (movie)")
            card = gr.HTML()
        with gr.Column(scale=3):
            sort = gr.Radio(list(REVIEW_SORTS), value=next(iter(REVIEW_SORTS)), label="정렬 (sort)")
            columns = review_columns(sentiment_api() is not None)
            table = gr.Dataframe(
                label="리뷰 목록: 행을 누르면 분석합니다 (click a row)", interactive=False, max_height=300, wrap=True,
                column_widths=column_widths(columns), elem_id="review-table", **table_headers(columns),
            )
            review = gr.Dropdown([], label="리뷰 선택 (review)", allow_custom_value=True)
    review_out = ReviewOutputs("review")
    gr.Markdown("## 전체 리뷰 집계 (aggregate over all reviews)")
    with gr.Row():
        aggregate_button = gr.Button(AGGREGATE_BUTTON, variant="primary", scale=2, elem_id="aggregate-button")
        split = gr.Checkbox(label="긍정 − 부정 차이 보기 (positive − negative difference)", scale=1)
        report_button = gr.Button("보고서 (HTML)", scale=1, elem_id="report-button")
    with gr.Row():
        report_outputs = {
            "status": gr.HTML(elem_id="report-status"),
            "file": gr.File(label="보고서: HTML 한 파일 (report: one self-contained HTML file)", elem_id="report-file"),
        }
    aggregate_out = AggregateOutputs("aggregate", AGGREGATE_BUTTON)

    def open_linked(request: gr.Request) -> Any:
        return linked_movie(state, request)

    def click_row(movie_id: str, evt: gr.SelectData) -> Any:
        return pick_row(state, movie_id, evt)

    report = panel.takes_controls(partial(movie_report, state))

    def make_report(progress: gr.Progress = gr.Progress(), *args: Any) -> dict[Any, Any]:
        return by_component(report_outputs, report(*args, progress=progress))

    movie_outputs = {"card": card, "table": table, "review": review}
    show_movie = by_name(partial(select_movie, state), movie_outputs)
    gr.on([movie.change, sort.change], None, js=HOLD_TABLE_JS)
    gr.on(
        [movie.change, sort.change], show_movie, [movie, sort], list(movie_outputs.values()), api_name="select_movie", concurrency_limit=None,
    ).then(None, js=RELEASE_TABLE_JS)
    # on page load: first the movie a ?movie= link names, then its card (one chain, so no older request lands last)
    demo.load(open_linked, None, movie, api_visibility="private", concurrency_limit=None).then(
        show_movie, [movie, sort], list(movie_outputs.values()), api_visibility="private", concurrency_limit=None,
    )
    table.select(click_row, movie, review, api_visibility="private", concurrency_limit=None)
    review_out.wire(
        [review.change, *(c.change for c in panel.inputs)], partial(show_review, state), [panel.model_state, movie, review], panel,
        api_name="review_heatmaps", trigger_mode="always_last", concurrency_id="review",
    )
    report_button.click(
        make_report, [panel.model_state, movie, *panel.inputs], list(report_outputs.values()),
        api_name="movie_report", concurrency_id="aggregate", concurrency_limit=1,
    )
    # a shipped movie's aggregate is mostly a stored drawing (milliseconds): as many at once as single reviews, not
    # queued one at a time behind an upload or a report (one at a time, above); one that computes waits on the model
    aggregate_out.wire(
        [aggregate_button.click], partial(movie_aggregate, state), [panel.model_state, movie, split], panel,
        api_name="movie_aggregate", concurrency_id="movie_aggregate", concurrency_limit=REVIEW_CONCURRENCY,
    )
