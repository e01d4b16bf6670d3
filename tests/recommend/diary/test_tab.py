"""The diary tab: the handler as a plain function and the event through gradio_client."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from moviattn.data import load_dataset
from moviattn.recommend.diary.artifacts import WEIGHTS_DIR

pytestmark = pytest.mark.skipif(not (WEIGHTS_DIR / "metrics.json").exists(), reason="no shipped weights")


def test_handler_turns_bad_input_into_a_message():
    from moviattn.ui.tabs.diary import recommend_view

    state = SimpleNamespace(dataset=load_dataset())
    for text, message in (("", "empty"), ("😀😀", "emoji"), ("가" * 20_000, "too long"), ("슬", "one character")):
        shown = recommend_view(state, text, "b", "mlp_bce")
        notice = shown["notices"]
        assert "ma-warning" in notice and message in notice and "emotions" not in shown and shown["cards"] == ""
    assert "unknown mode" in recommend_view(state, "오늘은 좋았다", "q", "mlp_bce")["notices"]


@pytest.mark.server
def test_tab_through_gradio_client():
    import gradio as gr
    from gradio_client import Client

    from moviattn.ui.tabs import diary as tab

    state = SimpleNamespace(dataset=load_dataset())
    with gr.Blocks() as demo:
        with gr.Tab(tab.TITLE):
            tab.build(state)
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1")
    try:
        client = Client(demo.local_url, verbose=False)
        notice, emotions, genres, cards, evaluation, *feedback = client.predict(
            "오늘 시험에 합격했다! 너무 기쁘고 앞으로가 기대된다.", "a", "random_forest", False, api_name="/diary_recommend")
        assert cards.count('href="?movie=') == 3 and "장르 (genres)" in cards
        assert {c["label"] for c in emotions["confidences"]} == {"기쁨 (joy)", "낙관 (optimism)", "분노 (anger)", "슬픔 (sadness)"}
        assert genres["confidences"] and "hit@3" in evaluation
        warned, *rest = client.predict("😀", "b", "mlp_bce", False, api_name="/diary_recommend")
        assert "ma-warning" in warned
    finally:
        demo.close()
