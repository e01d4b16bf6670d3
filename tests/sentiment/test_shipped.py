"""The shipped weights load and give sensible verdicts, explanations, lexicons and Target2Vec answers."""

from __future__ import annotations

import pytest

from moviattn.sentiment import analogy, explain_sentiment, lexicon_table, similar_words
from moviattn.sentiment.data import CONTENT_TAGS

POSITIVE = "정말 재미있고 감동적인 최고의 영화입니다. 강력 추천!"
NEGATIVE = "최악의 영화. 스토리도 지루하고 시간이 아까웠다"


@pytest.mark.parametrize("model", ["bilstm_attention", "textcnn"])
def test_obvious_reviews(model: str) -> None:
    positive = explain_sentiment(POSITIVE, model)
    negative = explain_sentiment(NEGATIVE, model)
    assert positive.positive_probability > 0.8 and positive.label == "positive"
    assert negative.positive_probability < 0.2 and negative.label == "negative"
    for result, text in ((positive, POSITIVE), (negative, NEGATIVE)):
        assert len(result.tokens) == len(result.spans) == len(result.importance)
        assert max(result.importance) == pytest.approx(1.0)
        assert all(0 <= s <= 1 for s in result.importance)
        for token, (start, end) in zip(result.tokens, result.spans):
            assert text[start:end] == token.rsplit("/", 1)[0]


def test_spans_point_into_the_original_text() -> None:
    text = "😍😍 최고최고!!!!!!  강추"
    result = explain_sentiment(text)
    assert [text[s:e] for s, e in result.spans][-1] == "강추"


@pytest.mark.parametrize("text", ["", "   ", "😍😍😍", "!!! ?..", "~~;;"])
def test_bad_input_is_a_clear_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="review"):
        explain_sentiment(text)


def test_unknown_model_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown model"):
        explain_sentiment(POSITIVE, "bert")


@pytest.mark.parametrize("method", ["tfidf", "logodds", "gradcam"])
def test_lexicon_tables(method: str) -> None:
    table = lexicon_table(method, "negative", k=15)
    assert list(table.columns) == ["rank", "word", "score", "count"] and len(table) == 15
    assert table["rank"].tolist() == list(range(1, 16))
    with pytest.raises(ValueError):
        lexicon_table(method, "neutral")


@pytest.mark.parametrize("method", ["tfidf", "logodds", "gradcam"])
def test_lexicons_list_content_words_only(method: str) -> None:
    """TF-IDF's lists were headed by particles (의/Josa, 이/Josa) on both sides."""
    for polarity in ("positive", "negative"):
        words = lexicon_table(method, polarity, k=500)["word"]
        assert len(words) == 500 and set(words.str.rsplit("/", n=1).str[-1]) <= CONTENT_TAGS


@pytest.mark.slow
def test_target2vec_queries() -> None:
    neighbours = similar_words("최악/Noun", k=5)
    assert len(neighbours) == 5 and all(w != "최악/Noun" for w, _ in neighbours)
    assert similar_words("최악", k=5) == neighbours
    assert len(analogy("부정", "최악/Noun", "긍정", k=3)) == 3
    with pytest.raises(ValueError, match="unknown word"):
        similar_words("완전히없는단어xyz")
