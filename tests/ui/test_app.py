"""The app's functions called directly: views (interactive), glue without Gradio and each tab's handlers."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import numpy as np
import pytest
from app_helpers import KNOWN_MODEL, tiny_dashboard
from gradio.components.plot import PlotData

from moviattn.data import DataError, Movie
from moviattn.explorer import (
    VISIBLE_COLUMNS,
    VISIBLE_ROWS,
    MovieAggregate,
    Settings,
    aggregate_views,
    heatmap_figure,
    is_report,
    movie_card_html,
    quality_note,
    shaded_text_html,
)
from moviattn.limits import InputTooLong
from moviattn.morphology import Unit
from moviattn.ui import explorer_outputs, page
from moviattn.ui.common import export_aggregate, export_review
from moviattn.ui.panel import SettingsPanel, read_choice
from moviattn.ui.review_table import REVIEW_SORTS, SENTIMENT_COLUMN, review_columns, sentiment_api, sentiment_cell
from moviattn.ui.tabs import per_movie, sentiment, your_review
from moviattn.ui.user_inputs import MAX_UPLOAD_REVIEWS, custom_movie, reviews_from_upload

SCRIPT = "<script>alert('x')</script>"
DEFAULT_CONTROLS = {
    "measure": "attention", "layer_agg": "last_k", "layer": -1, "last_k": 3, "head": "mean", "normalization": "segment",
    "granularity": "eojeol", "analyser": "okt", "content_only": False, "scale": "percentile", "cmap": "viridis",
}


@pytest.fixture(scope="module")
def dash(tiny_bert, tmp_path_factory):
    return tiny_dashboard(tiny_bert, tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def handlers(dash, tiny_bert):
    """Each tab's handlers bound to the state, as the page wires them."""
    with gr.Blocks():
        panel = SettingsPanel(dash, tiny_bert, gr.HTML())
    return SimpleNamespace(
        select_movie=partial(per_movie.select_movie, dash), show_review=partial(per_movie.show_review, dash),
        movie_aggregate=partial(per_movie.movie_aggregate, dash), movie_report=partial(per_movie.movie_report, dash),
        custom_review=partial(your_review.custom_review, dash),
        upload_aggregate=partial(your_review.upload_aggregate, dash), switch_model=panel.switch_model,
    )


@pytest.fixture(scope="module")
def aggregate(handlers) -> MovieAggregate:
    return handlers.movie_aggregate(KNOWN_MODEL, "s001", False, DEFAULT_CONTROLS, progress=lambda *a, **k: None, draw=False).result


def _texts(fig) -> str:
    """A figure's JSON text: a handler's stored drawing (``PlotData``) or a Plotly figure."""
    if isinstance(fig, PlotData):
        return json.dumps(json.loads(fig.plot), ensure_ascii=False)
    return json.dumps(fig.to_plotly_json(), ensure_ascii=False, default=str)


# ---------------------------------------------------------------- interactive views


def test_heatmap_keeps_repeated_labels_apart_and_escapes_markup():
    matrix = np.arange(6, dtype=float).reshape(2, 3) / 10
    fig = heatmap_figure(matrix, ["좋다", SCRIPT], ["영화", "영화", "<b>굵게</b>"])
    trace = fig.data[0]
    assert len(set(trace.x)) == 3  # one category per unit: the two '영화' columns stay two columns
    assert list(fig.layout.xaxis.ticktext[:2]) == ["영화", "영화"]
    text = _texts(fig)
    assert "<script>" not in text and "&lt;script&gt;" in text and "&lt;b&gt;굵게&lt;/b&gt;" in text
    assert trace.y[0].startswith("좋다") and trace.x[0].startswith("영화") and trace.customdata[0][0] == 0
    assert trace.hovertemplate == "%{y} → %{x}<br>0.%{customdata:04d}<extra></extra>"


def test_long_axes_open_on_a_window_with_a_range_slider():
    many = heatmap_figure(np.ones((50, 200)), [str(i) for i in range(50)], [str(i) for i in range(200)])
    assert many.layout.xaxis.rangeslider.visible
    assert tuple(many.layout.xaxis.range) == (-0.5, VISIBLE_COLUMNS - 0.5)
    assert tuple(many.layout.yaxis.range) == (VISIBLE_ROWS - 0.5, -0.5)
    few = heatmap_figure(np.ones((2, 3)), ["a", "b"], ["c", "d", "e"])
    assert not few.layout.xaxis.rangeslider.visible


def test_rows_below_the_window_are_announced():
    """A 50-row heatmap opens on 40 rows and says that 10 more are below."""
    many = heatmap_figure(np.ones((50, 5)), [str(i) for i in range(50)], [str(i) for i in range(5)])
    assert any("showing 40 of 50 rows; 10 more below" in a.text for a in many.layout.annotations)
    few = heatmap_figure(np.ones((40, 5)), [str(i) for i in range(40)], [str(i) for i in range(5)])
    assert not any("more below" in (a.text or "") for a in few.layout.annotations)


@pytest.mark.parametrize("scale", ["linear", "log", "percentile"])
def test_colour_scales(scale):
    matrix = np.array([[0.0, 1e-4, 1e-2], [0.5, 0.2, 1.0]])
    fig = heatmap_figure(matrix, ["a", "b"], ["c", "d", "e"], scale=scale, cmap="magma")
    trace = fig.data[0]
    assert trace.zmin < trace.zmax
    if scale == "log":
        assert "log" in trace.colorbar.title.text


def test_shaded_text_escapes_and_shades_by_attention():
    text = f"좋은 {SCRIPT} 영화\n끝"
    units = [Unit("좋은", 0, 2, "Adjective", True), Unit("영화", text.index("영화"), text.index("영화") + 2, "Noun", True)]
    page = shaded_text_html(text, units, np.array([0.1, 0.9]), title="<i>t</i>")
    assert "<script>" not in page and "&lt;script&gt;" in page and "&lt;i&gt;t&lt;/i&gt;" in page
    assert page.count('class="ma-unit"') == 2 and "<br>" in page
    shades = [float(s.split(",")[-1].split(")")[0]) for s in page.split("background:rgba(")[1:3]]
    assert shades[0] < shades[1]


# ---------------------------------------------------------------- glue


@pytest.mark.parametrize("sort", list(REVIEW_SORTS))
def test_review_lists_sort_by_rating_and_date(dash, sort):
    reviews = dash.sorted_reviews("s001", sort)
    key, descending = REVIEW_SORTS[sort]
    values = [getattr(r, key) for r in reviews if getattr(r, key) is not None]
    assert values == sorted(values, reverse=descending)
    table = dash.review_table("s001", sort)
    assert list(table["id"]) == [r.id for r in reviews]
    assert [value for _, value in dash.review_choices("s001", sort)] == [r.id for r in reviews]


def test_movie_card_escapes_user_text():
    card = movie_card_html(Movie("m", f"제목{SCRIPT}", director=("봉준호",), synopsis="줄\n거리"))
    assert "<script>" not in card and "&lt;script&gt;" in card and "봉준호" in card and "줄<br>거리" in card


def test_custom_movie_validates_fields():
    movie = custom_movie("괴물", "봉준호", "드라마, 스릴러", "송강호", "한국", "2006", "한강에 괴물이 나타난다.")
    assert movie.genres == ("드라마", "스릴러") and movie.year == 2006
    with pytest.raises(DataError, match="year"):
        custom_movie("괴물", "", "", "", "", "20x6", "줄거리")
    with pytest.raises(DataError, match="synopsis"):
        custom_movie("괴물", "", "", "", "", "", "")
    with pytest.raises(InputTooLong, match="줄거리"):
        custom_movie("괴물", "", "", "", "", "", "가" * 6000)
    with pytest.raises(InputTooLong, match="영화 정보"):
        custom_movie("괴물" * 200, "", "", "", "", "", "줄거리")


def test_uploads_with_wrong_columns_or_too_many_rows(tmp_path):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("comment,stars\n좋아요,10\n", encoding="utf-8")
    with pytest.raises(DataError, match="no review text"):
        reviews_from_upload(wrong)
    many = tmp_path / "many.json"
    many.write_text(json.dumps([{"review": f"리뷰 {i}", "rating": 5} for i in range(MAX_UPLOAD_REVIEWS + 5)]), encoding="utf-8")
    reviews, notice = reviews_from_upload(many)
    assert len(reviews) == MAX_UPLOAD_REVIEWS and notice


# ---------------------------------------------------------------- handlers


def test_select_movie_fills_card_table_and_first_review(handlers, dash):
    shown = handlers.select_movie("s002", next(iter(REVIEW_SORTS)))
    card, table, review = shown["card"], shown["table"], shown["review"]
    assert dash.dataset.movie("s002").title_kr in card
    assert len(table) == len(dash.dataset.reviews_of("s002"))
    assert review["value"] == table["id"][0]
    assert "ma-warning" in handlers.select_movie("nope", next(iter(REVIEW_SORTS)))["card"]


def test_show_review_gives_both_heatmaps_and_files(handlers, dash):
    review = dash.dataset.reviews_of("s001")[0]
    shown = handlers.show_review(KNOWN_MODEL, "s001", review.id, DEFAULT_CONTROLS)
    assert set(shown) == {"status", "info", "plot"}  # a drawing needs no result
    assert "ma-warning" not in shown["status"] and KNOWN_MODEL in shown["status"]
    info, plot = json.loads(shown["info"].plot), json.loads(shown["plot"].plot)
    assert info["data"][0]["z"] is not None and plot["data"][0]["z"] is not None
    assert {"감독", "출연"} <= {a["text"].replace("<b>", "").replace("</b>", "") for a in info["layout"]["annotations"]}
    result = handlers.show_review(KNOWN_MODEL, "s001", review.id, DEFAULT_CONTROLS, draw=False).result
    files = explorer_outputs.static_review(result, "percentile", "viridis")
    assert files["info_png"].endswith(".png") and len(files["files"]) == 4


def test_the_make_files_path_gets_the_result_without_drawing(handlers, dash, monkeypatch):
    review = dash.dataset.reviews_of("s001")[1]
    movie = dash.dataset.movie("s001")
    drawn = dash.review_attention(KNOWN_MODEL, movie, review.text, read_choice(DEFAULT_CONTROLS).settings)
    calls = []
    monkeypatch.setattr(explorer_outputs, "review_drawing", lambda *a, **k: calls.append(a))
    monkeypatch.setattr(explorer_outputs, "aggregate_drawing", lambda *a, **k: calls.append(a))
    shown = handlers.show_review(KNOWN_MODEL, "s001", review.id, DEFAULT_CONTROLS, draw=False)
    np.testing.assert_array_equal(shown.result.plot, drawn.plot)
    assert (shown.view.scale, shown.view.cmap) == ("percentile", "viridis")
    aggregate = handlers.movie_aggregate(KNOWN_MODEL, "s001", False, DEFAULT_CONTROLS, progress=lambda *a, **k: None, draw=False)
    assert aggregate.result.review_ids and calls == []


def test_report_button_returns_the_report_of_what_is_on_screen(handlers, dash):
    report = handlers.movie_report(KNOWN_MODEL, "s001", DEFAULT_CONTROLS, progress=lambda *a, **k: None)
    status, path = report["status"], report["file"]
    text = Path(path).read_text(encoding="utf-8")
    assert is_report(Path(path)) and "ma-warning" not in status and "리뷰 20개" in status
    assert dash.dataset.movie("s001").title_kr in text and "scale=percentile" in text and "granularity=eojeol" in text
    assert text.count('class="ma-review"') == len(dash.dataset.reviews_of("s001"))
    report = handlers.movie_report(KNOWN_MODEL, "nope", DEFAULT_CONTROLS, progress=lambda *a, **k: None)
    assert "ma-warning" in report["status"] and "file" not in report


@pytest.mark.parametrize(
    "text, expected",
    [("", "no text"), ("😀🎬👍", "no text"), (("좋은 영화 " * 1000)[:5000], "too long|does not fit|길")],
)
def test_bad_reviews_give_a_message(handlers, text, expected):
    shown = handlers.custom_review(KNOWN_MODEL, "데이터셋 영화 (dataset movie)", "s001", *[""] * 7, text, DEFAULT_CONTROLS)
    status = shown["status"]
    assert "ma-warning" in status and set(shown) == {"status"}  # the wiring empties the other outputs
    import re

    assert re.search(expected, status, re.IGNORECASE), status


def test_html_review_is_analysed_and_shown_as_text(handlers):
    shown = handlers.custom_review(
        KNOWN_MODEL, your_review.CUSTOM_SOURCE, "", "괴물", "봉준호", "드라마", "송강호", "한국", "2006", "한강에 괴물이 나타난다.",
        f"송강호 {SCRIPT} 최고", DEFAULT_CONTROLS,
    )
    status, info, plot = shown["status"], shown["info"], shown["plot"]
    assert info is not None and "ma-warning" not in status, status
    assert "<script>" not in status and "&lt;script&gt;" in status
    assert "<script>" not in _texts(info) and "&lt;script&gt;" in _texts(plot)


def test_bad_settings_give_a_message(handlers):
    controls = {**DEFAULT_CONTROLS, "layer_agg": "single", "layer": 99}
    status = handlers.show_review(KNOWN_MODEL, "s001", "s001r001", controls)["status"]
    assert "ma-warning" in status and "out of range" in status
    status = handlers.show_review(KNOWN_MODEL, "s001", "s001r001", {**controls, "measure": "magic"})["status"]
    assert "ma-warning" in status and "unknown measure" in status


def test_movie_aggregate_reports_progress_and_views(handlers, aggregate):
    calls = []
    out = handlers.movie_aggregate(KNOWN_MODEL, "s001", True, DEFAULT_CONTROLS, progress=lambda *a, **k: calls.append(a))
    assert calls and "리뷰 20개" in out["status"] and "ma-shaded" in out["synopsis"]
    figures = [json.loads(out[name].plot) for name in ("difference", "fields", "words", "matrix", "time")]
    assert out["difference_column"]["visible"] is True and all(figure["data"] for figure in figures[:4])
    assert figures[4]["layout"]["title"]["text"] and list(out["trends"].columns)[0] == "단어 (word)"
    assert len(explorer_outputs.static_aggregate(aggregate, "linear", "viridis")["files"]) == 4


@pytest.mark.slow
def test_aggregate_view_shows_difference_only_on_request(aggregate):
    one = aggregate_views(aggregate, split=False, scale="linear", cmap="viridis")
    two = aggregate_views(aggregate, split=True, scale="linear", cmap="viridis")
    assert one.difference is None and two.difference.data
    assert len(one.words.data) == 2  # share and lift side by side
    files = export_aggregate(aggregate, scale="log", cmap="magma")
    assert all(path.stat().st_size > 0 for path in files.values())
    payload = json.loads(files["json"].read_text(encoding="utf-8"))
    assert set(payload) == {"summary", "aggregate"} and payload["summary"]["groups"]["all"]["plot_words"]


def test_upload_aggregate_bad_files_and_good_file(handlers, tmp_path):
    source = "데이터셋 영화 (dataset movie)"
    noop = lambda *a, **k: None  # noqa: E731
    missing = handlers.upload_aggregate(KNOWN_MODEL, source, "s001", *[""] * 7, None, False, DEFAULT_CONTROLS, progress=noop)
    assert "ma-warning" in missing["status"] and missing["difference_column"]["visible"] is False
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("comment,stars\n좋아요,10\n", encoding="utf-8")
    status = handlers.upload_aggregate(KNOWN_MODEL, source, "s001", *[""] * 7, str(wrong), False, DEFAULT_CONTROLS, progress=noop)["status"]
    assert "ma-warning" in status and "no review text" in status
    good = tmp_path / "good.csv"
    good.write_text("review,rating\n송강호 연기 최고,10\n지루했다,2\n😀,5\n", encoding="utf-8")
    status = handlers.upload_aggregate(KNOWN_MODEL, source, "s001", *[""] * 7, str(good), True, DEFAULT_CONTROLS, progress=noop)["status"]
    assert "ma-warning" not in status and "skipped" in status and "리뷰 2개" in status
    shown = handlers.upload_aggregate(KNOWN_MODEL, source, "s001", *[""] * 7, str(good), True, DEFAULT_CONTROLS, progress=noop, draw=False)
    assert shown.result.group().count == 2


def test_switch_model_keeps_serving_on_an_unknown_name(handlers):
    state, banner, *_ = handlers.switch_model("no/such-model", KNOWN_MODEL)
    assert state == KNOWN_MODEL and "ma-warning" in banner and "no/such-model" in banner
    state, banner, layer, last_k, head = handlers.switch_model(KNOWN_MODEL, KNOWN_MODEL)
    assert state == KNOWN_MODEL and "ma-warning" not in banner and layer["minimum"] == -3


def test_model_switch_loads_only_allowed_names(tiny_bert, tmp_path):
    """A name outside the operator's list is refused before any lookup; a failed load of an
    allowed one says so without the server's paths."""
    from moviattn.data import load_dataset
    from moviattn.errors import ModelLoadError
    from moviattn.ui.state import AppState

    real = AppState(load_dataset(), KNOWN_MODEL)  # the real loader behind it: never reached for these names
    for name in ("/etc/passwd", "/etc", "../../x", "no/such-model"):
        with pytest.raises(ModelLoadError, match="is not one of this server's models") as info:
            real.model(name)
        assert "JSON" not in str(info.value) and "config" not in str(info.value)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "config.json").write_text("{}", encoding="utf-8")
    dash = tiny_dashboard(tiny_bert)
    dash.model_dir, dash.allowed_models = str(tmp_path), ("org/extra",)
    assert dash.model_names() == [KNOWN_MODEL, "offline", "org/extra", "mine"]
    with pytest.raises(ModelLoadError) as info:
        dash.model("mine")  # allowed, then fails to load: no path in the message
    assert "could not be loaded on this server" in str(info.value) and str(tmp_path) not in str(info.value)
    with pytest.raises(ModelLoadError, match="not one of"):
        dash.model(str(tmp_path / "mine"))  # the folder by its server path is not a name users may type


def test_smaller_page_fixes(dash, tiny_bert):
    """The about tab's defaults come from Settings; sliders without effect are inactive;
    the settings box names the model that runs (the offline one after a fallback)."""
    from dataclasses import replace

    from moviattn.ui.panel import sliders_in_use
    from moviattn.ui.tabs import about

    assert "모든 층 평균 (mean)" in about.ABOUT and "최댓값 (max)" in about.ABOUT and "마지막 k개 층 평균(기본)" not in about.ABOUT
    assert sliders_in_use("mean") == (False, False) and sliders_in_use("last_k") == (False, True)
    assert sliders_in_use("single") == sliders_in_use("rollout") == (True, False)
    with gr.Blocks():
        fallen_back = SettingsPanel(dash, replace(tiny_bert, name="multilingual-e5-small", notice="offline"), gr.HTML())
        normal = SettingsPanel(dash, tiny_bert, gr.HTML())
    assert fallen_back.model_box.value == "multilingual-e5-small" and normal.model_box.value == KNOWN_MODEL


def test_build_demo_and_cli(dash):
    demo = page.build_demo(dash)
    names = {d.api_name for d in demo.fns.values() if d.api_name}
    assert {"review_heatmaps", "movie_aggregate", "movie_report", "custom_review", "upload_aggregate", "select_movie", "switch_model"} <= names
    args = page.parse_args(["--model", "offline", "--port", "7870", "--share"])
    assert (args.model, args.port, args.share, args.method, args.precision) == ("offline", 7870, True, "qk", "float32")


def test_approximate_mode_is_announced_and_used(tiny_bert):
    dash = tiny_dashboard(tiny_bert)
    dash.method, dash.precision = "cached_context", "bfloat16"
    assert "approximate" in dash.banner(tiny_bert) and "bfloat16" in dash.banner(tiny_bert)
    explorer = dash.explorer()
    assert (explorer.method, explorer.precision) == ("cached_context", "bfloat16")
    movie = dash.dataset.movie("s001")
    aggregate = explorer.movie_aggregate(movie, dash.dataset.reviews_of("s001"))
    assert abs(aggregate.plot_share().sum() - 1) < 1e-6
    assert "approximate" not in tiny_dashboard(tiny_bert).banner(tiny_bert)


@pytest.mark.slow
def test_exports_are_readable(handlers, dash):
    review = dash.dataset.reviews_of("s003")[0]
    result = handlers.show_review(KNOWN_MODEL, "s003", review.id, DEFAULT_CONTROLS, draw=False).result
    files = export_review(result, scale="linear", cmap="viridis")
    import pandas as pd

    table = pd.read_csv(files["csv"])
    assert set(table["segment"]) == {"info", "plot"} and len(table) == result.info.size + result.plot.size
    assert json.loads(files["json"].read_text(encoding="utf-8"))["model_name"] == KNOWN_MODEL


def test_quality_note_never_breaks_the_page(tiny_bert):
    note = quality_note(Settings(), tiny_bert.name, tiny_bert.num_layers, tiny_bert.num_heads)  # an unmeasured model: no line, no error
    assert note is None or isinstance(note, str)


# ---------------------------------------------------------------- the predicted-sentiment column (the sentiment tab: tabs/test_sentiment.py)

needs_sentiment = pytest.mark.skipif(sentiment_api() is None, reason="sentiment weights not shipped")


@needs_sentiment
def test_review_table_gets_a_predicted_sentiment_column(dash):
    table = dash.review_table("s001", next(iter(REVIEW_SORTS)))
    assert list(table.columns) == review_columns(True) and table.columns[-1] == "id"
    cells = [c for c in table[SENTIMENT_COLUMN] if c]
    assert cells and all(c.split()[0] in ("긍정", "부정") and 0 <= float(c.split()[1]) <= 1 for c in cells)
    assert dash.review_sentiments("s001") is dash.review_sentiments("s001")  # computed once per movie
    assert sentiment_cell(None) == "" and sentiment_cell(0.93) == "긍정 0.93" and sentiment_cell(0.07) == "부정 0.93"
    probs = sentiment_api().predict_positive(["정말 최고의 영화", "", "😀😀", "최악이다 돈 아까움"])
    assert probs[1] is None and probs[2] is None and probs[0] > 0.5 > probs[3]


def test_malloc_arenas_are_capped_on_glibc_and_left_alone_with_zero():
    import platform

    assert page.limit_malloc_arenas(0) is False
    if platform.libc_ver()[0] == "glibc":
        assert page.limit_malloc_arenas(2) is True


# ---------------------------------------------------------------- defects found by a hostile run


def _row_click(row: list) -> gr.SelectData:
    return gr.SelectData(None, {"index": [0, 0], "value": row[0] if row else None, "row_value": row})


def test_a_click_on_another_movies_row_changes_nothing(dash):
    """Defect 1 (the server's half; the page holds the table while a new list comes, see the browser test): a
    row of the old list, clicked after the movie changed, is not analysed as a review of the new movie."""
    old_row = dash.review_table("s001", next(iter(REVIEW_SORTS))).iloc[2].tolist()
    new_row = dash.review_table("s002", next(iter(REVIEW_SORTS))).iloc[2].tolist()
    assert per_movie.pick_row(dash, "s002", _row_click(new_row)) == new_row[-1]
    for movie_id, row in (("s002", old_row), ("nope", new_row), ("s002", [])):
        assert isinstance(per_movie.pick_row(dash, movie_id, _row_click(row)), type(gr.skip()))


@needs_sentiment
@pytest.mark.parametrize("text", ["!!!", "?!. …", "~~ ;; ^^"])
def test_explain_sentiment_refuses_punctuation_only_like_every_endpoint(handlers, text):
    """Defect 2: /explain_sentiment gave P = 0.28 for punctuation; the explorer refuses such a text, so it does too."""
    message = sentiment.explain_both(text)["bilstm_attention"]
    assert "ma-warning" in message and "no words" in message
    status = handlers.custom_review(KNOWN_MODEL, "데이터셋 영화 (dataset movie)", "s001", *[""] * 7, text, DEFAULT_CONTROLS)["status"]
    assert "ma-warning" in status and "no text" in status
    assert sentiment_api().predict_positive([text]) == [None]  # the review table's cell stays empty too


@pytest.mark.parametrize("name", ["layer", "last_k"])
@pytest.mark.parametrize("value", [2.5, "2.5", "x", None, float("nan")])
def test_a_fractional_layer_is_refused_not_rounded(handlers, name, value):
    """A layer of 2.5 was once silently taken as 2."""
    controls = {**DEFAULT_CONTROLS, "layer_agg": "single", "last_k": 2, "scale": "linear", name: value}
    shown = handlers.show_review(KNOWN_MODEL, "s001", "s001r001", controls)
    assert "ma-warning" in shown["status"] and name in shown["status"] and "not a whole number" in shown["status"]
    assert "info" not in shown
    controls[name] = 2.0  # a whole number sent as a float (Gradio's sliders do) is fine
    assert "ma-warning" not in handlers.show_review(KNOWN_MODEL, "s001", "s001r001", controls)["status"]


def test_unknown_ids_do_not_name_the_data_folder(handlers, dash):
    """Defect 4: the message for an unknown review id named the server's data folder."""
    folder = str(dash.dataset.source)
    review = handlers.show_review(KNOWN_MODEL, "s001", "s999r001", DEFAULT_CONTROLS)["status"]
    movie = handlers.show_review(KNOWN_MODEL, "s999", "s001r001", DEFAULT_CONTROLS)["status"]
    card = handlers.select_movie("s999", next(iter(REVIEW_SORTS)))["card"]
    assert "s999r001" in review and "s999" in movie and "s999" in card
    assert all("ma-warning" in m and folder not in m and "movie_data" not in m for m in (review, movie, card))


def _components(demo: gr.Blocks, kind: type) -> list:
    return [block for block in demo.blocks.values() if isinstance(block, kind)]


def test_empty_tables_have_their_headers(dash):
    """Defect 6: an empty table (before its first result, or after a message) was headed "1 2 3"."""
    tables = _components(page.build_demo(dash), gr.Dataframe)
    assert len(tables) >= 5
    for table in tables:
        headers = table.postprocess(None).headers
        assert headers and not any(header.isdigit() for header in headers), headers


def test_aggregate_placeholders_name_their_own_button(dash):
    """Defect 7: the upload section's plots said to press '집계 계산', the per-movie section's button."""
    waiting = [json.dumps(plot.value, ensure_ascii=False) for plot in _components(page.build_demo(dash), gr.Plot)]
    upload = [text for text in waiting if your_review.UPLOAD_BUTTON in text]
    per_movie_section = [text for text in waiting if per_movie.AGGREGATE_BUTTON in text]
    assert len(upload) == len(per_movie_section) == 5  # fields, words, difference, time, reviews × plot: each section's own


def test_review_table_columns_fit_its_width():
    """Defect 8: sized to its text, the preview column pushed 감성 (pred) and id out of a 1,400-px page; the
    columns now share the table's width (checked at 1,400 px in the browser test)."""
    for with_sentiment in (True, False):
        widths = per_movie.column_widths(review_columns(with_sentiment))
        assert all(w.endswith("%") for w in widths) and sum(float(w[:-1]) for w in widths) == 100
        assert float(widths[2][:-1]) >= 45  # the preview keeps about half


def test_static_pngs_have_no_badge_over_their_title(dash):
    """Defect 9: Gradio's label badge covered the start of the PNG's own title."""
    images = _components(page.build_demo(dash), gr.Image)
    assert images and all(image.show_label is False for image in images)
