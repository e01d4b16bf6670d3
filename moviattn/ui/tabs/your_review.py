"""Tab "내 리뷰 (your review)": the user's own review (and movie) as heatmaps; an uploaded file of reviews as an aggregate."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.data_classes import FileData
from gradio_client.utils import is_http_url_like

from ...data import Movie
from ...explorer import preview
from ...limits import LIMITS, MAX_UPLOAD_BYTES, check, check_all
from ..explorer_outputs import AggregateOutputs, ReviewOutputs, ShownResult, aggregate_outputs, review_views
from ..panel import SettingsPanel
from ..state import AppState
from ..user_inputs import UPLOAD_THE_FILE, custom_movie, reviews_from_upload

TITLE = "내 리뷰 (your review)"
UPLOAD_BUTTON = "파일 집계 (aggregate file)"
DATASET_SOURCE, CUSTOM_SOURCE = "데이터셋 영화 (dataset movie)", "직접 입력 (my own movie)"


def never_fetching(upload: gr.File) -> gr.File:
    """The file input, made never to fetch a URL: Gradio downloads a file argument whose path is a URL (an API
    caller's ``{"path": "http://…", "meta": {"_type": "gradio.FileData"}}``) before any handler runs; here the
    URL stays a string, which ``reviews_from_upload`` answers with its "upload the file" message. (The
    instance's methods are wrapped: a ``gr.File`` subclass would make Gradio write a ``.pyi`` beside this module.)"""
    move, preprocess = upload.async_move_resource_to_block_cache, upload.preprocess

    async def move_unless_url(url_or_file_path: str | Path | None) -> str | None:
        if url_or_file_path is not None and is_http_url_like(str(url_or_file_path)):
            return str(url_or_file_path)
        return await move(url_or_file_path)

    def preprocess_unless_url(payload: Any) -> Any:
        if isinstance(payload, FileData) and is_http_url_like(payload.path):
            return payload.path  # not checked against file_types: the handler refuses it by name
        return preprocess(payload)

    upload.async_move_resource_to_block_cache, upload.preprocess = move_unless_url, preprocess_unless_url
    return upload


def chosen_movie(state: AppState, source: str, movie_id: str, *fields: str) -> Movie:
    """The dataset movie, or the user's own from the typed-in fields (each checked against its limit first)."""
    check_all("choice", [source, movie_id])
    return custom_movie(*fields) if source == CUSTOM_SOURCE else state.dataset.movie(movie_id)


@ReviewOutputs.shows_errors
def custom_review(
    state: AppState, model_name: str, source: str, movie_id: str, title: str, director: str, genres: str, cast: str,
    country: str, year: str, synopsis: str, text: str, controls: Mapping[str, Any], draw: bool = True,
) -> dict[str, Any] | ShownResult:
    """Both heatmaps of the user's review, against a dataset movie or the user's own info and plot."""
    check(review=text)
    movie = chosen_movie(state, source, movie_id, title, director, genres, cast, country, year, synopsis)
    return review_views(state, model_name, movie, text or "", controls, f"{movie.label}: {preview(text or '', 120)}", draw)


@AggregateOutputs.shows_errors
def upload_aggregate(
    state: AppState, model_name: str, source: str, movie_id: str, title: str, director: str, genres: str, cast: str,
    country: str, year: str, synopsis: str, upload: str | None, split: bool, controls: Mapping[str, Any],
    progress=gr.Progress(), draw: bool = True,
) -> dict[str, Any] | ShownResult:
    """The aggregate over an uploaded CSV/JSON of reviews for the chosen or typed-in movie."""
    if not upload:
        raise ValueError(UPLOAD_THE_FILE)
    movie = chosen_movie(state, source, movie_id, title, director, genres, cast, country, year, synopsis)
    reviews, cut = reviews_from_upload(upload)
    return aggregate_outputs(state, model_name, movie, reviews, split, controls, progress, extra=cut, draw=draw)


def _movie_fields() -> list:
    with gr.Row():
        title = gr.Textbox(label="제목 (title)", max_length=LIMITS["field"].chars)
        director = gr.Textbox(label="감독 (director, 쉼표로 구분)", max_length=LIMITS["field"].chars)
        genres = gr.Textbox(label="장르 (genres)", max_length=LIMITS["field"].chars)
    with gr.Row():
        cast = gr.Textbox(label="출연 (cast)", max_length=LIMITS["field"].chars)
        country = gr.Textbox(label="국가 (country)", max_length=LIMITS["field"].chars)
        year = gr.Textbox(label="개봉 연도 (year)", max_length=LIMITS["year"].chars)
    synopsis = gr.Textbox(label="줄거리 (plot)", lines=5, max_length=LIMITS["synopsis"].chars)
    return [title, director, genres, cast, country, year, synopsis]


def build(state: AppState, panel: SettingsPanel) -> None:
    movies = state.movie_choices()
    source = gr.Radio([DATASET_SOURCE, CUSTOM_SOURCE], value=DATASET_SOURCE, label="영화 (movie)")
    own_movie = gr.Dropdown(movies, value=movies[0][1] if movies else None, label="데이터셋 영화 (dataset movie)")
    with gr.Group(visible=False) as custom_group:
        fields = _movie_fields()
    own_text = gr.Textbox(label="내 리뷰 (your review)", lines=3, max_length=LIMITS["review"].chars, placeholder="예: 송강호 연기 미쳤다 마지막 장면 소름")
    own_button = gr.Button("히트맵 보기 (analyse)", variant="primary")
    own_out = ReviewOutputs("own")
    gr.Markdown("### 리뷰 파일 집계 (aggregate an uploaded CSV/JSON: columns review|text|document, rating, date)")
    with gr.Row():
        upload = never_fetching(gr.File(label=f"리뷰 파일 (CSV/TSV/JSON, ≤ {MAX_UPLOAD_BYTES // 2**20} MB)", file_types=[".csv", ".tsv", ".json"], type="filepath"))
        with gr.Column():
            upload_split = gr.Checkbox(label="긍정 − 부정 차이 보기 (difference)")
            upload_button = gr.Button(UPLOAD_BUTTON, variant="primary")
    upload_out = AggregateOutputs("upload", UPLOAD_BUTTON)

    source.change(
        lambda s: (gr.update(visible=s == DATASET_SOURCE), gr.update(visible=s == CUSTOM_SOURCE)), source, [own_movie, custom_group],
        api_visibility="private", concurrency_limit=None,
    )
    movie_inputs = [panel.model_state, source, own_movie, *fields]
    own_out.wire(
        [own_button.click, own_text.submit], partial(custom_review, state), [*movie_inputs, own_text], panel,
        api_name="custom_review", concurrency_id="review",
    )
    upload_out.wire(
        [upload_button.click], partial(upload_aggregate, state), [*movie_inputs, upload, upload_split], panel,
        api_name="upload_aggregate", concurrency_id="aggregate", concurrency_limit=1,
    )
