"""The two hostile inputs of issue 36: sentiment verdicts on text with no Korean, and a URL in place of a file."""

from __future__ import annotations

import asyncio

import gradio as gr
import pytest
from app_helpers import KNOWN_MODEL, tiny_dashboard
from gradio.data_classes import FileData
from test_app import DEFAULT_CONTROLS

from moviattn.ui.review_table import sentiment_api
from moviattn.ui.tabs import sentiment, your_review
from moviattn.ui.user_inputs import reviews_from_upload

URL = "http://127.0.0.1:7861/gradio_api/info"


def test_a_url_file_argument_is_never_fetched(monkeypatch):
    def fetch(*args, **kwargs):
        raise AssertionError("the server fetched a URL")

    monkeypatch.setattr(gr.processing_utils, "async_ssrf_protected_download", fetch)
    with gr.Blocks():
        upload = your_review.never_fetching(gr.File(file_types=[".csv", ".tsv", ".json"], type="filepath"))
    assert asyncio.run(upload.async_move_resource_to_block_cache(URL)) == URL
    assert upload.preprocess(FileData(path=URL)) == URL
    with pytest.raises(ValueError, match="upload a CSV"):
        reviews_from_upload(URL)


def test_the_upload_handler_answers_a_url_with_the_message(tiny_bert, tmp_path):
    dash = tiny_dashboard(tiny_bert, tmp_path)
    source = your_review.DATASET_SOURCE
    shown = your_review.upload_aggregate(
        dash, KNOWN_MODEL, source, "s001", *[""] * 7, URL, False, DEFAULT_CONTROLS, progress=lambda *a, **k: None
    )
    assert "ma-warning" in shown["status"] and "upload a CSV" in shown["status"]


@pytest.mark.skipif(sentiment_api() is None, reason="sentiment models are not shipped here")
@pytest.mark.parametrize("text", ["这部电影太无聊了，演员的表演也很差，浪费时间。", "the story was boring and way too long"])
def test_sentiment_verdicts_on_text_without_korean_are_marked(text):
    api = sentiment_api()
    result = api.explain_sentiment(text)
    chain = api.phrase_chain(text)
    assert result.outside_training and chain.notice == result.notice and "한글이 없습니다" in result.notice
    assert "학습 범위 밖" in sentiment.verdict_line(result) and "학습 범위 밖" in sentiment.chain_text(text)
    korean = api.explain_sentiment("스토리가 지루하고 너무 길다")
    assert not korean.outside_training and "학습 범위 밖" not in sentiment.verdict_line(korean)
