"""The sentiment tab ("감성 분석 (sentiment)"): both models' explanations, the lexicons and the Target2Vec queries,
called as the tab's handlers (moved from ``tests/ui/test_app.py``)."""

from __future__ import annotations

import pytest

from moviattn.ui.review_table import sentiment_api
from moviattn.ui.tabs import sentiment

needs_sentiment = pytest.mark.skipif(sentiment_api() is None, reason="sentiment weights not shipped")


@needs_sentiment
def test_explain_both_shows_both_verdicts():
    views = sentiment.explain_both("최악의 영화. 시간이 아까웠다 <b>x</b>")
    bilstm, textcnn = views["bilstm_attention"], views["textcnn"]
    assert "Bi-LSTM" in bilstm and "TextCNN" in textcnn
    assert all("부정 (negative)" in view and "P(positive)" in view for view in (bilstm, textcnn))
    assert "<b>x</b>" not in bilstm and "ma-warning" not in bilstm + textcnn
    for bad in ("", "   ", "😀😀"):
        views = sentiment.explain_both(bad)
        assert set(views) == {"bilstm_attention"}  # the message, in the first model's place; the other is emptied
        assert "ma-warning" in views["bilstm_attention"] and "Traceback" not in views["bilstm_attention"]


@needs_sentiment
@pytest.mark.parametrize("method", ["tfidf", "logodds", "gradcam"])
def test_lexicon_view_has_15_words_per_side(method):
    shown = sentiment.lexicon_view(method)
    positive, negative = shown["positive"], shown["negative"]
    assert shown["note"] == "" and len(positive) == len(negative) == 15
    assert list(positive["순위"]) == list(range(1, 16)) and "단어 (word)" in negative.columns
    if method != "tfidf":  # TF-IDF summed per label (the seed's baseline) ranks 영화, 너무, 진짜 high on both sides
        assert set(positive["단어 (word)"]).isdisjoint(negative["단어 (word)"])
    assert "ma-warning" in sentiment.lexicon_view("nope")["note"]


@needs_sentiment
def test_target2vec_queries_and_bad_words():
    shown = sentiment.similar_view("최악")
    table, message = shown["table"], shown["note"]
    assert message == "" and len(table) == 10 and "최악/Noun" not in set(table["단어 (word)"])
    shown = sentiment.analogy_view("부정", "최악", "긍정")  # 부정 : 최악 = 긍정 : ?
    table, message = shown["table"], shown["note"]
    assert message == "" and len(table) > 0 and table["단어 (word)"][0] == "최고/Noun"
    for shown in (sentiment.similar_view("없는단어xyz"), sentiment.similar_view(" "), sentiment.analogy_view("부정", "", "긍정")):
        table, message = shown["table"], shown["note"]
        assert len(table) == 0 and "ma-warning" in message and "Traceback" not in message
