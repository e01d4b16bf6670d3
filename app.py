"""moviattn dashboard: where Korean movie reviews look in a movie's info and plot (Gradio Blocks).

Run locally:  python app.py [--data DIR] [--model NAME] [--port N] [--share]
Environment:  MOVIATTN_DATA (dataset folder), MOVIATTN_MODEL (model name or 'offline').
On Hugging Face Spaces the same file is the app (ZeroGPU via ``spaces.GPU`` when present).

This file is the UI only: handlers call ``moviattn`` (``app_support`` for glue,
``interactive`` for the figures) and turn input errors into a message on the page.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from moviattn.app_support import (
    COLOR_MAPS, DEFAULT_CMAP, DEFAULT_SCALE, REVIEW_SORTS, USER_ERRORS, Dashboard, aggregate_views, custom_movie,
    export_aggregate, export_review, head_choices, head_value, keep_jvm_at_exit, movie_card_html, notice_html, preview, quality_note,
    reviews_from_upload, settings_from_controls, skipped_note, warning_html,
)
from moviattn.app_support import (
    LEXICON_LABELS, analogy_table, lexicon_tables, neighbour_table, sentiment_api, sentiment_views, similar_table, user_message,
)
from moviattn.attention import EXTRACTORS, LAYER_AGGREGATORS, NORMALIZATIONS, PRECISIONS
from moviattn.cache import ResultCache
from moviattn.aggregate import MovieAggregate
from moviattn.data import SAMPLE_DATA_DIR, Movie, Review, load_dataset
from moviattn.pipeline import Progress
from moviattn.results import ReviewAttention
from moviattn.interactive import review_info_figure, review_plot_figure
from moviattn.models import DEFAULT_MODEL, default_device
from moviattn.morphology import ANALYSER_FACTORIES
from moviattn.plotting import COLOR_SCALES
from moviattn.settings import Settings

try:  # ZeroGPU on Hugging Face Spaces: each model call borrows a GPU in a forked worker
    import spaces

    ZERO_GPU = True
    gpu: Callable[[Callable], Callable] = spaces.GPU(duration=120)
except ImportError:
    ZERO_GPU = False

    def gpu(fn: Callable) -> Callable:
        return fn

LAYER_AGG_LABELS = {"last_k": "마지막 k개 층 평균 (last k)", "mean": "모든 층 평균 (mean)", "single": "한 층 (single)", "rollout": "롤아웃 (rollout)"}
GRANULARITY_LABELS = {"morpheme": "형태소 (morpheme)", "eojeol": "어절 (eojeol)", "subword": "서브워드 (sub-word)"}
SCALE_LABELS = {"linear": "선형 (linear)", "log": "로그 (log)", "percentile": "백분위 자르기 (1–99% clip)"}
DATASET_SOURCE, CUSTOM_SOURCE = "데이터셋 영화 (dataset movie)", "직접 입력 (my own movie)"
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
    "sentiment": "**읽는 법:** 진한 단어일수록 감성 모델의 판단에 더 중요했다고 설명 방법(어텐션 또는 Grad-CAM)이 말합니다. " + NOTE_CAVEAT,
}
ABOUT = f"""
### 이 앱은 무엇을 보여 주나요? (what this shows)
입력은 `[CLS] 영화 정보 [SEP] 줄거리 [SEP] 리뷰 [SEP]` 한 줄입니다. 리뷰의 각 토큰이 영화 정보와 줄거리의 토큰에 주는
어텐션을 층·헤드에 걸쳐 합친 뒤, 토큰을 형태소(또는 어절·서브워드) 단위로 묶어 보여 줍니다
(받는 쪽은 합, 보내는 쪽은 평균). 긴 줄거리는 겹치는 창(window) 여러 개로 나누어 계산합니다.

- **층 합치기**: 마지막 k개 층 평균(기본), 모든 층 평균, 한 층, 롤아웃(Abnar & Zuidema 2020).
- **정규화**: `segment` = 정보·줄거리 각각에서 행의 합이 1 (기본), `raw` = 원래 어텐션 값.
- **색 스케일**: 백분위 자르기(기본)는 몇 개의 아주 큰 값 때문에 나머지가 모두 어두워지는 것을 막습니다.

{NOTE_CAVEAT}
"""
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
.ma-legend {font-size: 12px; color: var(--body-text-color-subdued); margin-top: 6px}
"""
FONTS = ["NanumGothic", "Noto Sans CJK KR", "Noto Sans KR", "Apple SD Gothic Neo", "Malgun Gothic", "sans-serif"]
N_CONTROLS = 10  # 8 settings + colour scale + colormap, in the order of Handlers._controls


#: Dashboards by id: the GPU-bound functions take the id, since ZeroGPU pickles their arguments.
_DASHBOARDS: dict[int, Dashboard] = {}


@gpu
def _review_attention(dash_id: int, model_name: str, movie: Movie, text: str, settings: Settings) -> ReviewAttention:
    return _DASHBOARDS[dash_id].explorer(model_name).review_attention(movie, text, settings)


@gpu
def _movie_aggregate(
    dash_id: int, model_name: str, movie: Movie, reviews: list[Review], settings: Settings, progress: Progress | None
) -> MovieAggregate:
    return _DASHBOARDS[dash_id].explorer(model_name).movie_aggregate(movie, reviews, settings, progress=progress)


def _controls(values: tuple) -> tuple[Settings, str, str]:
    """Settings, colour scale and colormap from the control panel's values."""
    return settings_from_controls(*values[:8]), values[8], values[9]


def _status(*lines: str | None) -> str:
    return "".join(notice_html(line) for line in lines if line)


class Handlers:
    """Event handlers over one Dashboard; each returns a message instead of raising on bad input."""

    def __init__(self, dash: Dashboard):
        self.dash, self.key = dash, id(dash)
        _DASHBOARDS[self.key] = dash

    # ------------------------------------------------------------ movies and reviews

    def select_movie(self, movie_id: str, sort: str) -> tuple[str, Any, Any]:
        """Info card, review table and review list of a movie (first review selected)."""
        try:
            movie = self.dash.dataset.movie(movie_id)
        except USER_ERRORS as exc:
            return warning_html(user_message(exc)), None, gr.update(choices=[], value=None)
        choices = self.dash.review_choices(movie.id, sort)
        return (
            movie_card_html(movie), self.dash.review_table(movie.id, sort),
            gr.update(choices=choices, value=choices[0][1] if choices else None),
        )

    @staticmethod
    def pick_row(evt: gr.SelectData) -> str:
        """The review id of a clicked table row (its last column)."""
        return evt.row_value[-1]

    def _review_views(self, model_name: str, movie, text: str, controls: tuple, head: str) -> tuple:
        started = time.perf_counter()
        explorer = self.dash.explorer(model_name)
        settings, scale, cmap = _controls(controls)
        settings, fallback = explorer.usable_settings(settings)
        result = _review_attention(self.key, model_name, movie, text, settings)
        seconds = time.perf_counter() - started
        status = _status(head, fallback, quality_note(settings, explorer.model), f"{result.model_name} · {seconds:.1f} s")
        return status, review_info_figure(result, scale=scale, cmap=cmap), review_plot_figure(result, scale=scale, cmap=cmap), result

    def show_review(self, model_name: str, movie_id: str, review_id: str, *controls: Any) -> tuple:
        """Both heatmaps of one of the movie's reviews: status, info figure, plot figure, result."""
        try:
            review = self.dash.review(movie_id, review_id)
            head = f"★{review.rating if review.rating is not None else '?'} · {preview(review.text, 120)}"
            return self._review_views(model_name, self.dash.dataset.movie(movie_id), review.text, controls, head)
        except USER_ERRORS as exc:
            return warning_html(user_message(exc)), None, None, None

    def custom_review(
        self, model_name: str, source: str, movie_id: str, title: str, director: str, genres: str, cast: str,
        country: str, year: str, synopsis: str, text: str, *controls: Any,
    ) -> tuple:
        """Both heatmaps of the user's review, against a dataset movie or the user's own info and plot."""
        try:
            movie = self._movie(source, movie_id, title, director, genres, cast, country, year, synopsis)
            return self._review_views(model_name, movie, text or "", controls, f"{movie.label}: {preview(text or '', 120)}")
        except USER_ERRORS as exc:
            return warning_html(user_message(exc)), None, None, None

    def _movie(self, source: str, movie_id: str, *fields: str):
        return custom_movie(*fields) if source == CUSTOM_SOURCE else self.dash.dataset.movie(movie_id)

    @staticmethod
    def static_review(result, scale: str, cmap: str) -> tuple:
        """Static PNGs (matplotlib, Korean font) and the CSV/JSON downloads of the shown result."""
        if result is None:
            return None, None, None
        files = export_review(result, scale=scale, cmap=cmap)
        return str(files["info_png"]), str(files["plot_png"]), [str(p) for p in files.values()]

    # ------------------------------------------------------------ aggregates

    def _aggregate(self, model_name, movie, reviews, split, controls, progress, extra: str | None = None) -> tuple:
        started = time.perf_counter()
        explorer = self.dash.explorer(model_name)
        settings, scale, cmap = _controls(controls)
        settings, fallback = explorer.usable_settings(settings)
        progress(0, desc="리뷰 분석 준비 중 (preparing)")
        report = None if ZERO_GPU else lambda done, total: progress((done, total), desc="리뷰 분석 중 (reviews)", unit="reviews")
        aggregate = _movie_aggregate(self.key, model_name, movie, reviews, settings, report)
        labels = {r.id: preview(r.text) for r in reviews}
        plot_text = explorer.context(movie, settings).plot.text.text
        views = aggregate_views(aggregate, plot_text, split=bool(split), scale=scale, cmap=cmap, review_labels=labels)
        seconds = time.perf_counter() - started
        status = _status(
            f"{movie.label} · 리뷰 {len(aggregate.review_ids)}개 (reviews) · {seconds:.1f} s", extra, fallback,
            skipped_note(aggregate), quality_note(settings, explorer.model),
        )
        second = views[1] if len(views) > 1 else None
        return (
            status, views[0].html, views[0].bars, views[0].matrix, gr.update(visible=second is not None),
            second.html if second else "", second.bars if second else None, second.matrix if second else None, aggregate,
        )

    @staticmethod
    def static_aggregate(aggregate: MovieAggregate | None, scale: str, cmap: str) -> list[str] | None:
        """PNG, CSV and JSON downloads of the shown aggregate."""
        if aggregate is None:
            return None
        return [str(p) for p in export_aggregate(aggregate, scale=scale, cmap=cmap).values()]

    @staticmethod
    def _aggregate_failed(exc: BaseException) -> tuple:
        return warning_html(user_message(exc)), "", None, None, gr.update(visible=False), "", None, None, None

    def movie_aggregate(self, model_name: str, movie_id: str, split: bool, *controls: Any, progress=gr.Progress()) -> tuple:
        """All reviews of a dataset movie: shaded synopsis, bars, reviews × plot (split by polarity on request)."""
        try:
            movie = self.dash.dataset.movie(movie_id)
            return self._aggregate(model_name, movie, self.dash.dataset.reviews_of(movie.id), split, controls, progress)
        except USER_ERRORS as exc:
            return self._aggregate_failed(exc)

    def upload_aggregate(
        self, model_name: str, source: str, movie_id: str, title: str, director: str, genres: str, cast: str,
        country: str, year: str, synopsis: str, upload: str | None, split: bool, *controls: Any, progress=gr.Progress(),
    ) -> tuple:
        """The aggregate over an uploaded CSV/JSON of reviews for the chosen or typed-in movie."""
        try:
            if not upload:
                raise ValueError("리뷰 파일(CSV/JSON)을 올려 주세요 (upload a CSV or JSON file of reviews)")
            movie = self._movie(source, movie_id, title, director, genres, cast, country, year, synopsis)
            reviews, cut = reviews_from_upload(upload)
            return self._aggregate(model_name, movie, reviews, split, controls, progress, extra=cut)
        except USER_ERRORS as exc:
            return self._aggregate_failed(exc)

    # ------------------------------------------------------------ model

    def switch_model(self, name: str, current: str) -> tuple:
        """Load another model; on failure keep the current one and say why."""
        try:
            model = self.dash.model(name)
        except USER_ERRORS as exc:
            model = self.dash.model(current)
            return current, self.dash.banner(model) + warning_html(user_message(exc)), gr.update(), gr.update(), gr.update()
        return name.strip(), self.dash.banner(model), *_model_controls(model.num_layers, model.num_heads)


def _model_controls(num_layers: int, num_heads: int) -> tuple:
    """Layer slider, last-k slider and head list sized for a model."""
    return (
        gr.update(minimum=-num_layers, maximum=num_layers - 1, value=Settings().layer),
        gr.update(minimum=1, maximum=num_layers, value=min(Settings().last_k, num_layers)),
        gr.update(choices=head_choices(num_heads), value=head_value(Settings())),
    )


# ---------------------------------------------------------------- sentiment tab


def explain_both(text: str) -> tuple[str, str]:
    """Both sentiment models on one text: (Bi-LSTM attention HTML, TextCNN Grad-CAM HTML), or a message and ''."""
    try:
        first, second = sentiment_views(text)
    except USER_ERRORS as exc:
        return warning_html(user_message(exc)), ""
    return first, second


def lexicon_view(method: str) -> tuple[Any, Any, str]:
    """Top-15 positive and negative words of a lexicon method, and a message ('' when fine)."""
    try:
        return (*lexicon_tables(method, 15), "")
    except USER_ERRORS as exc:
        return None, None, warning_html(user_message(exc))


def _table_or_message(fn: Callable, *words: str) -> tuple[Any, str]:
    try:
        return fn(*words), ""
    except USER_ERRORS as exc:
        return neighbour_table([]), warning_html(user_message(exc))  # an empty table keeps its column names


def similar_view(word: str) -> tuple[Any, str]:
    return _table_or_message(similar_table, word)


def analogy_view(a: str, b: str, c: str) -> tuple[Any, str]:
    return _table_or_message(analogy_table, a, b, c)


def _sentiment_tab() -> None:
    api = sentiment_api()
    if api is None:
        gr.Markdown("감성 분석 설명은 아직 사용할 수 없습니다 (sentiment explanations are not available in this build).")
        return
    text = gr.Textbox(label="리뷰 (review)", lines=3, max_length=2000, value="배우들 연기는 좋았는데 스토리가 너무 지루했다")
    button = gr.Button("두 모델로 설명 (explain with both models)", variant="primary")
    with gr.Row():
        views = [gr.HTML(elem_id="sentiment-bilstm"), gr.HTML(elem_id="sentiment-textcnn")]
    gr.Markdown(NOTES["sentiment"])
    gr.on([button.click, text.submit], explain_both, text, views, api_name="explain_sentiment")

    gr.Markdown("### 감성 사전 (polarity lexicons: top 15 words)")
    method = gr.Radio([(LEXICON_LABELS.get(m, m), m) for m in api.LEXICON_METHODS], value=api.LEXICON_METHODS[0], label="방법 (method)")
    *first, note = lexicon_view(api.LEXICON_METHODS[0])
    lexicon_note = gr.HTML(note)
    with gr.Row():
        tables = [gr.Dataframe(value, label=f"{name} 상위 단어 (top {polarity})", interactive=False, max_height=620)
                  for value, (name, polarity) in zip(first, (("긍정", "positive"), ("부정", "negative")))]
    method.change(lexicon_view, method, [*tables, lexicon_note], api_name="lexicon", concurrency_limit=None)

    gr.Markdown("### Target2Vec (단어 벡터: 문서 라벨을 아는 word2vec)")
    with gr.Row():
        with gr.Column():
            word = gr.Textbox(label="비슷한 단어 (similar words: 최악, 최악/Noun, 부정, 긍정)", value="최악")
            similar_button = gr.Button("찾기 (similar)")
            similar_note, similar_out = gr.HTML(), gr.Dataframe(label="이웃 단어 (neighbours)", interactive=False, max_height=300)
        with gr.Column():
            with gr.Row():
                a, b, c = (gr.Textbox(label=label, value=value, min_width=80) for label, value in (("A", "부정"), ("B", "최악"), ("C", "긍정")))
            analogy_button = gr.Button("A : B = C : ? (analogy)")
            analogy_note, analogy_out = gr.HTML(), gr.Dataframe(label="답 후보 (answers: nearest to B − A + C)", interactive=False, max_height=300)
    gr.on([similar_button.click, word.submit], similar_view, word, [similar_out, similar_note], api_name="similar_words", concurrency_limit=None)
    analogy_button.click(analogy_view, [a, b, c], [analogy_out, analogy_note], api_name="analogy", concurrency_limit=None)


# ---------------------------------------------------------------- layout


def _aggregate_outputs(name: str) -> list:
    """Status, then one or two columns (all, or positive | negative) of synopsis, bars and matrix, then files."""
    status = gr.HTML(elem_id=f"{name}-status")
    with gr.Row():
        with gr.Column():
            first = [gr.HTML(elem_classes="ma-aggregate"), gr.Plot(label="필드·줄거리 상위 (top fields and plot units)"), gr.Plot(label="리뷰 × 줄거리 (reviews × plot)")]
        with gr.Column(visible=False) as second_column:
            second = [gr.HTML(), gr.Plot(label="필드·줄거리 상위 (top fields and plot units)"), gr.Plot(label="리뷰 × 줄거리 (reviews × plot)")]
    files = gr.File(label="내려받기: PNG · CSV · JSON (downloads)", file_count="multiple")
    gr.Markdown(NOTES["aggregate"])
    return [status, *first, second_column, *second, gr.State()], [files]


def _review_outputs(name: str) -> tuple[list, list]:
    """(status, info heatmap, plot heatmap, result state) and (info PNG, plot PNG, files)."""
    status = gr.HTML(elem_id=f"{name}-status")
    with gr.Tabs():
        with gr.Tab("인터랙티브 (interactive)"):
            info_plot = gr.Plot(label="히트맵 1: 리뷰 × 영화 정보 (review × info)", elem_classes="ma-heatmap")
            plot_plot = gr.Plot(label="히트맵 2: 리뷰 × 줄거리 (review × plot)", elem_classes="ma-heatmap")
        with gr.Tab("정적 PNG (static)"):
            info_png = gr.Image(label="리뷰 × 영화 정보 (PNG)", type="filepath")
            plot_png = gr.Image(label="리뷰 × 줄거리 (PNG)", type="filepath")
    files = gr.File(label="내려받기: PNG · CSV · JSON (downloads)", file_count="multiple")
    gr.Markdown(NOTES["review"])
    return [status, info_plot, plot_plot, gr.State()], [info_png, plot_png, files]


def _movie_fields() -> list:
    with gr.Row():
        title = gr.Textbox(label="제목 (title)", max_length=300)
        director = gr.Textbox(label="감독 (director, 쉼표로 구분)", max_length=300)
        genres = gr.Textbox(label="장르 (genres)", max_length=300)
    with gr.Row():
        cast = gr.Textbox(label="출연 (cast)", max_length=300)
        country = gr.Textbox(label="국가 (country)", max_length=300)
        year = gr.Textbox(label="개봉 연도 (year)", max_length=4)
    synopsis = gr.Textbox(label="줄거리 (plot)", lines=5, max_length=5000)
    return [title, director, genres, cast, country, year, synopsis]


def build_demo(dash: Dashboard) -> gr.Blocks:
    """The whole page over one Dashboard."""
    keep_jvm_at_exit()
    handlers = Handlers(dash)
    model = dash.model()
    movies = dash.movie_choices()
    first_movie = movies[0][1] if movies else None
    defaults = Settings()
    with gr.Blocks(title="moviattn · 영화 리뷰 어텐션", analytics_enabled=False) as demo:
        gr.Markdown(
            "# 영화 리뷰는 어디를 볼까? (moviattn)\n"
            "리뷰 문장이 영화 정보(감독·장르·출연 …)와 줄거리의 어느 부분에 주의(attention)를 주는지 보여 줍니다. "
            "*Where Korean movie reviews look in a movie's info and plot, by transformer attention.*"
        )
        banner = gr.HTML(dash.banner(model))
        model_state = gr.State(dash.default_model)
        with gr.Accordion("설정 (settings) — 기본값으로 바로 볼 수 있습니다", open=False):
            with gr.Row():
                model_box = gr.Textbox(value=dash.default_model, label="모델 (model: hub id, path or 'offline')", scale=3)
                model_button = gr.Button("모델 바꾸기 (load)", scale=1)
            with gr.Row():
                layer_agg = gr.Radio([(LAYER_AGG_LABELS[k], k) for k in LAYER_AGGREGATORS], value=defaults.layer_agg, label="층 합치기 (layer aggregation)")
                layer = gr.Slider(-model.num_layers, model.num_layers - 1, value=defaults.layer, step=1, label="층 (layer; -1 = 마지막 last)", info="single / rollout")
                last_k = gr.Slider(1, model.num_layers, value=min(defaults.last_k, model.num_layers), step=1, label="마지막 k개 층 (last k)")
                head = gr.Dropdown(head_choices(model.num_heads), value=head_value(defaults), label="헤드 (head)")
            with gr.Row():
                normalization = gr.Radio(list(NORMALIZATIONS), value=defaults.normalization, label="정규화 (normalisation)", info="segment: 정보·줄거리 각각 행 합 1")
                granularity = gr.Radio([(GRANULARITY_LABELS[g], g) for g in GRANULARITY_LABELS], value=defaults.granularity, label="단위 (unit)")
                analyser = gr.Dropdown(list(ANALYSER_FACTORIES), value=defaults.analyser, label="형태소 분석기 (analyser)")
                content_only = gr.Checkbox(value=defaults.content_only, label="내용어만 (content words only)")
            with gr.Row():
                scale = gr.Radio([(SCALE_LABELS[s], s) for s in COLOR_SCALES], value=DEFAULT_SCALE, label="색 스케일 (colour scale)")
                cmap = gr.Dropdown(list(COLOR_MAPS), value=DEFAULT_CMAP, label="색상표 (colormap)")
        controls = [layer_agg, layer, last_k, head, normalization, granularity, analyser, content_only, scale, cmap]
        assert len(controls) == N_CONTROLS

        with gr.Tabs():
            with gr.Tab("영화별 보기 (per movie)"):
                with gr.Row():
                    with gr.Column(scale=2):
                        movie = gr.Dropdown(movies, value=first_movie, label="영화 (movie)")
                        card = gr.HTML()
                    with gr.Column(scale=3):
                        sort = gr.Radio(list(REVIEW_SORTS), value=next(iter(REVIEW_SORTS)), label="정렬 (sort)")
                        table = gr.Dataframe(label="리뷰 목록: 행을 누르면 분석합니다 (click a row)", interactive=False, max_height=300, wrap=True, column_widths=["56px", "100px", "auto", *(["96px"] if sentiment_api() else []), "90px"], elem_id="review-table")
                        review = gr.Dropdown([], label="리뷰 선택 (review)", allow_custom_value=True)
                review_out, review_static = _review_outputs("review")
                gr.Markdown("## 전체 리뷰 집계 (aggregate over all reviews)")
                with gr.Row():
                    aggregate_button = gr.Button("집계 계산 (compute aggregate)", variant="primary", scale=2, elem_id="aggregate-button")
                    split = gr.Checkbox(label="긍정 / 부정 나눠 보기 (split positive vs negative)", scale=1)
                aggregate_out, aggregate_files = _aggregate_outputs("aggregate")

            with gr.Tab("내 리뷰 (your review)"):
                source = gr.Radio([DATASET_SOURCE, CUSTOM_SOURCE], value=DATASET_SOURCE, label="영화 (movie)")
                own_movie = gr.Dropdown(movies, value=first_movie, label="데이터셋 영화 (dataset movie)")
                with gr.Group(visible=False) as custom_group:
                    fields = _movie_fields()
                own_text = gr.Textbox(label="내 리뷰 (your review)", lines=3, max_length=5000, placeholder="예: 송강호 연기 미쳤다 마지막 장면 소름")
                own_button = gr.Button("히트맵 보기 (analyse)", variant="primary")
                own_out, own_static = _review_outputs("own")
                gr.Markdown("### 리뷰 파일 집계 (aggregate an uploaded CSV/JSON: columns review|text|document, rating, date)")
                with gr.Row():
                    upload = gr.File(label="리뷰 파일 (CSV/TSV/JSON, ≤ 5 MB)", file_types=[".csv", ".tsv", ".json"], type="filepath")
                    with gr.Column():
                        upload_split = gr.Checkbox(label="긍정 / 부정 나눠 보기 (split)")
                        upload_button = gr.Button("파일 집계 (aggregate file)", variant="primary")
                upload_out, upload_files = _aggregate_outputs("upload")

            with gr.Tab("감성 분석 설명 (sentiment)"):
                _sentiment_tab()

            with gr.Tab("읽는 법 (about)"):
                gr.Markdown(ABOUT)

        # -------------------------------------------------------- events
        model_button.click(
            handlers.switch_model, [model_box, model_state], [model_state, banner, layer, last_k, head],
            api_name="switch_model", concurrency_id="model", concurrency_limit=1,
        )
        movie_events = dict(fn=handlers.select_movie, inputs=[movie, sort], outputs=[card, table, review], api_name="select_movie", concurrency_limit=None)
        gr.on([demo.load, movie.change, sort.change], **movie_events)
        table.select(handlers.pick_row, None, review, api_visibility="private", concurrency_limit=None)
        gr.on(
            [review.change, *(c.change for c in controls)], handlers.show_review, [model_state, movie, review, *controls],
            review_out, api_name="review_heatmaps", trigger_mode="always_last", concurrency_id="review",
        ).then(handlers.static_review, [review_out[-1], scale, cmap], review_static, api_visibility="private", concurrency_id="static")
        aggregate_button.click(
            handlers.movie_aggregate, [model_state, movie, split, *controls], aggregate_out,
            api_name="movie_aggregate", concurrency_id="aggregate", concurrency_limit=1,
        ).then(handlers.static_aggregate, [aggregate_out[-1], scale, cmap], aggregate_files, api_visibility="private", concurrency_id="static")
        source.change(lambda s: (gr.update(visible=s == DATASET_SOURCE), gr.update(visible=s == CUSTOM_SOURCE)), source, [own_movie, custom_group], api_visibility="private", concurrency_limit=None)
        own_inputs = [model_state, source, own_movie, *fields]
        gr.on(
            [own_button.click, own_text.submit], handlers.custom_review, [*own_inputs, own_text, *controls], own_out,
            api_name="custom_review", concurrency_id="review",
        ).then(handlers.static_review, [own_out[-1], scale, cmap], own_static, api_visibility="private", concurrency_id="static")
        upload_button.click(
            handlers.upload_aggregate, [*own_inputs, upload, upload_split, *controls], upload_out,
            api_name="upload_aggregate", concurrency_id="aggregate", concurrency_limit=1,
        ).then(handlers.static_aggregate, [upload_out[-1], scale, cmap], upload_files, api_visibility="private", concurrency_id="static")
    return demo



# ---------------------------------------------------------------- entry point


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="moviattn dashboard (Gradio)")
    parser.add_argument("--data", default=os.environ.get("MOVIATTN_DATA", str(SAMPLE_DATA_DIR)), help="dataset folder")
    parser.add_argument("--model", default=os.environ.get("MOVIATTN_MODEL", DEFAULT_MODEL), help="hub id, local path or 'offline'")
    parser.add_argument("--cache-dir", default=None, help="result cache folder (default: $MOVIATTN_CACHE/results)")
    parser.add_argument("--no-cache", action="store_true", help="do not read or write cached results")
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME"), help="e.g. 0.0.0.0 to listen on all interfaces")
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", 7860)))
    parser.add_argument("--share", action="store_true", help="create a public gradio.live link")
    parser.add_argument("--concurrency", type=int, default=2, help="heavy requests computed at once")
    parser.add_argument("--method", default="qk", choices=list(EXTRACTORS),
                        help="qk: exact (default); cached_context: approximate, much faster movie aggregates")
    parser.add_argument("--precision", default="float32", choices=["auto", *PRECISIONS],
                        help="float32: exact (default); auto: bfloat16 where native; int8: CPU, opt-in")
    return parser.parse_args(argv)


def create_app(args: argparse.Namespace) -> gr.Blocks:
    """Load the dataset and the model once, warm the analyser, and build the queued page."""
    dash = Dashboard(
        load_dataset(args.data), args.model.strip(), default_device(),
        None if args.no_cache else ResultCache(args.cache_dir), args.method, args.precision,
    )
    dash.explorer().usable_settings(Settings())  # loads the model and starts the analyser's JVM now, not on the first click
    return build_demo(dash).queue(default_concurrency_limit=args.concurrency, max_size=64)


def launch(demo: gr.Blocks, args: argparse.Namespace, **kwargs: Any):
    theme = gr.themes.Soft(primary_hue="orange", font=FONTS)
    return demo.launch(
        server_name=args.host, server_port=args.port, share=args.share, max_file_size="5mb",
        theme=theme, css=CSS, allowed_paths=[str(Path(args.data).resolve())], **kwargs,
    )


if __name__ == "__main__":
    arguments = parse_args()
    launch(create_app(arguments), arguments)
