"""Languages: script-count detection, the Chinese and English segmenters (offsets, punctuation, mixed scripts,
emoji), 'auto' (Korean text to Okt), cache-key names, and the one-language encoder's notice.

Every sentence here was written for these tests (labelled: invented, not from a corpus)."""

from __future__ import annotations

import pytest

from moviattn.data import load_dataset
from moviattn.explorer import Explorer, Settings
from moviattn.languages import CHINESE, ENGLISH, KOREAN, detect_language, has_hangul, no_korean_notice
from moviattn.models import LoadedModel
from moviattn.morphology import analysers_used, is_available, lemma_spans, morpheme_units, resolve_analyser

MOVIE = load_dataset().movie("s001")


def _check_offsets(text: str, analyser: str) -> list:
    units = morpheme_units(text, analyser)
    for unit in units:
        assert text[unit.start : unit.end] == unit.text and not unit.text.isspace()
    assert all(a.end <= b.start for a, b in zip(units, units[1:]))
    return units


@pytest.mark.parametrize(("text", "language"), [
    ("송강호 연기 미쳤다", KOREAN), ("ㅋㅋ", KOREAN), ("1994", KOREAN), ("", KOREAN),
    ("太棒了", CHINESE), ("好", CHINESE), ("这部 movie 太好看了", CHINESE), ("I really loved 寄生虫 a lot", ENGLISH),
    ("Best movie ever", ENGLISH), ("ok", ENGLISH), ("반지의 제왕 (The Lord Of The Rings)", KOREAN),
    ("Keanu Reeves 最高", ENGLISH), ("宋康昊演技真棒 Song", CHINESE), ("👍👍 good!!", ENGLISH),
])
def test_detection_on_short_and_mixed_texts(text, language):
    assert detect_language(text) == language


def test_chinese_words_punctuation_and_mixed_scripts():
    units = _check_offsets("基努·里维斯的表演太精彩了，我觉得Keanu Reeves演得很好😀!! 송강호 최고", "jieba")
    texts = [u.text for u in units]
    assert texts[:4] == ["基努", "·", "里维斯", "的"] and "表演" in texts  # no longer one unit
    assert "Keanu" in texts and "Reeves" in texts and "송강호" in texts  # Latin words and a Hangul run whole
    tags = {u.text: u.tag for u in units}
    assert tags["的"].startswith("Particle") and tags["，"] == "Punctuation" and tags["😀"] == "Punctuation"
    assert {u.text for u in units if not u.content} >= {"的", "，", "!"}


def test_english_words_numbers_lemmas_and_other_scripts():
    text = "The movies don't lie... 3.5/5, sci-fi at its best! 寄生虫 송강호"
    units = _check_offsets(text, "english")
    assert [u.text for u in units] == [
        "The", "movies", "don't", "lie", "...", "3.5", "/", "5", ",", "sci-fi", "at", "its", "best", "!", "寄生虫", "송강호",
    ]
    tags = {u.text: u.tag for u in units}
    assert tags["The"] == "Function" and tags["movies"] == "Word" and tags["3.5"] == "Number" and tags["寄生虫"] == "Foreign"
    lemmas = lemma_spans(text, "english")
    assert lemmas[(4, 10)] == "movie" and (0, 3) not in lemmas  # capitalised words keep their surface (names)


@pytest.mark.skipif(not is_available("okt"), reason="no Java runtime for KoNLPy")
def test_auto_sends_korean_to_okt_and_others_to_their_segmenter():
    korean = "송강호 연기 미쳤다 ㅋㅋ good"
    assert morpheme_units(korean) == morpheme_units(korean, "okt") and lemma_spans(korean) == lemma_spans(korean, "okt")
    assert morpheme_units("这部电影太无聊了") == morpheme_units("这部电影太无聊了", "jieba")
    assert resolve_analyser("auto", "the story was boring") == "english" and resolve_analyser("kiwi", "太棒了") == "kiwi"


def test_cache_keys_name_auto_by_the_analysers_used():
    assert analysers_used("auto", ["송강호", "1994", "연기 최고"]) == "okt"
    assert analysers_used("auto", ["송강호", "太棒了"]) == "auto:jieba+okt"
    assert analysers_used("kiwi", ["太棒了"]) == "kiwi"
    korean = ["기생충", "송강호 연기"]
    assert Settings().key_json(korean) == Settings(analyser="okt").key_json(korean) == Settings(analyser="okt").to_json()


def test_no_korean_notice_is_one_check():
    assert has_hangul("ㅋㅋ") and not has_hangul("这部电影太无聊了")
    assert no_korean_notice("재밌다", "x") is None and "한글이 없습니다" in no_korean_notice("the story was boring", "x")


def _as_klue(model: LoadedModel) -> LoadedModel:
    return LoadedModel(model.model, model.tokenizer, "klue/roberta-base")


def test_one_language_encoder_notice(tiny_bert):
    klue = _as_klue(tiny_bert)
    assert klue.language == KOREAN and tiny_bert.language is None
    assert klue.language_notice(["송강호 최고"]) is None and tiny_bert.language_notice(["太棒了"]) is None
    assert "multilingual-e5-small" in klue.language_notice(["太棒了"]) and "중국어" in klue.language_notice(["太棒了"])
    result = Explorer(klue).review_attention(MOVIE, "宋康昊的演技真棒", Settings(granularity="eojeol"))
    assert any("multilingual-e5-small" in n for n in result.notices)
    assert not Explorer(klue).review_attention(MOVIE, "송강호 최고", Settings(granularity="eojeol")).notices


@pytest.mark.skipif(not is_available("okt"), reason="no Java runtime for KoNLPy")
def test_a_csv_in_three_languages_gets_each_review_its_segmenter(tiny_bert, tmp_path):
    from moviattn.ui.user_inputs import reviews_from_upload

    path = tmp_path / "mixed.csv"
    path.write_text("review,rating\n송강호 연기 최고,10\n宋康昊的演技真棒,9\nThe story was boring,2\n", encoding="utf-8")
    reviews, _ = reviews_from_upload(path)
    explorer = Explorer(_as_klue(tiny_bert))
    kept, results, skipped = explorer.review_attentions(MOVIE, reviews, Settings())
    assert not skipped
    assert [[u.text for u in r.review_units] for r in results] == [
        [u.text for u in morpheme_units("송강호 연기 최고", "okt")], ["宋康昊", "的", "演技", "真棒"], ["The", "story", "was", "boring"],
    ]
    aggregate = explorer.movie_aggregate(MOVIE, reviews, Settings())
    assert any("multilingual-e5-small" in n for n in aggregate.notices)
