"""Morpheme units aligned by character offsets, with the eojeol fallback for rewritten surfaces."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from moviattn.morphology import JVM_OPTIONS, AnalyserUnavailable, eojeol_units, is_available, morpheme_units, pos_tags, warm_up

SENTENCE = "송강호 연기는 정말 최고였다ㅋㅋ 했다"


def _spans_are_exact(text, units):
    return all(text[u.start : u.end] == u.text for u in units)


@pytest.mark.skipif(not is_available("okt"), reason="no Java runtime for KoNLPy")
def test_okt_units_hand_checked():
    units = morpheme_units(SENTENCE, "okt")
    assert [(u.text, u.tag) for u in units] == [
        ("송강호", "Noun"), ("연기", "Noun"), ("는", "Josa"), ("정말", "Noun"),
        ("최고", "Noun"), ("였다", "Verb"), ("ㅋㅋ", "KoreanParticle"), ("했다", "Verb"),
    ]
    assert _spans_are_exact(SENTENCE, units)
    assert [u.text for u in units if u.content] == ["송강호", "연기", "정말", "최고", "였다", "했다"]


@pytest.mark.skipif(not is_available("komoran"), reason="no Java runtime for KoNLPy")
def test_komoran_rewritten_word_falls_back_to_its_eojeol():
    # Komoran analyses 했다 as 하/VV + 았/EP + 다/EC: the surface 했다 is not spelled out,
    # so the word stays one unit carrying the morphemes' tags.
    assert ("하", "VV") in pos_tags("했다", "komoran")
    units = morpheme_units(SENTENCE, "komoran")
    assert _spans_are_exact(SENTENCE, units)
    last = units[-1]
    assert (last.text, last.start, last.end) == ("했다", 18, 20)
    assert last.tag.startswith("VV+") and last.content
    texts = [u.text for u in units]
    assert texts[:4] == ["송강호", "연기", "는", "정말"]
    # units tile the words without overlaps or gaps inside a word
    assert all(a.end <= b.start for a, b in zip(units, units[1:]))


@pytest.mark.slow
@pytest.mark.skipif(not is_available("kkma"), reason="no Java runtime for KoNLPy")
def test_kkma_loanword_split_falls_back_without_shifting_later_words():
    text = "터미네이터 2는 재밌다"
    units = morpheme_units(text, "kkma")
    assert _spans_are_exact(text, units)
    assert units[0].text == "터미네이터"  # Kkma rewrites it (트/VV 어/ECS ...): one eojeol unit
    assert [u.text for u in units][1:3] == ["2", "는"]


def test_eojeol_units():
    units = eojeol_units("봉준호 감독 , 최고!")
    assert [(u.text, u.content) for u in units] == [("봉준호", True), ("감독", True), (",", False), ("최고!", True)]
    assert _spans_are_exact("봉준호 감독 , 최고!", units)


def test_unknown_analyser_is_a_clear_error():
    with pytest.raises(AnalyserUnavailable, match="unknown analyser 'nope'"):
        pos_tags("영화", "nope")


def _tiles_each_word(text, units):
    """Units inside every eojeol spell it exactly, in order, without gaps or overlaps."""
    from moviattn.text import eojeol_spans

    return all("".join(u.text for u in units if s <= u.start and u.end <= e) == text[s:e] for s, e in eojeol_spans(text))


@pytest.mark.slow
@pytest.mark.skipif(not is_available("kiwi"), reason="kiwipiepy is not installed")
def test_kiwi_units_hand_checked_and_split_where_okt_keeps_the_word():
    units = morpheme_units(SENTENCE, "kiwi")
    # Kiwi splits 최고였다 into 최고 + 였 (이/VCP + 었/EP share the character) + 다, and 했다 into
    # 했 (하/VV + 었/EP) + 다; Okt keeps 였다 and 했다 whole (test_okt_units_hand_checked).
    assert [(u.text, u.tag) for u in units] == [
        ("송강호", "NNP"), ("연기", "NNG"), ("는", "JX"), ("정말", "MAG"), ("최고", "NNG"),
        ("였", "VCP+EP"), ("다", "EC"), ("ㅋㅋ", "SW"), ("했", "VV+EP"), ("다", "EF"),
    ]
    assert [u.text for u in units if u.content] == ["송강호", "연기", "정말", "최고", "했"]
    assert _spans_are_exact(SENTENCE, units) and _tiles_each_word(SENTENCE, units)


@pytest.mark.skipif(not is_available("kiwi"), reason="kiwipiepy is not installed")
def test_kiwi_offsets_round_trip_where_its_forms_rewrite_the_text():
    text = "걸어서 집에 갔다. Netflix에서 10점 만점"
    units = morpheme_units(text, "kiwi")  # Kiwi's first form is 걷 (the lemma); the unit keeps the text's 걸
    assert [(u.text, u.start, u.end, u.tag) for u in units[:2]] == [("걸", 0, 1, "VV-I"), ("어서", 1, 3, "EC")]
    assert ("갔", "VV+EP") in [(u.text, u.tag) for u in units] and (".", "SF") in [(u.text, u.tag) for u in units]
    assert [u.text for u in units if u.content] == ["걸", "집", "갔", "Netflix", "10", "만점"]
    assert _spans_are_exact(text, units) and _tiles_each_word(text, units)


@pytest.mark.skipif(not is_available("okt"), reason="no Java runtime for KoNLPy")
def test_warm_up_analyses_a_few_texts_into_the_cache():
    texts = ["", "   ", "워밍업 첫 리뷰 재밌다", "워밍업 둘째 리뷰 별로", "워밍업 셋째 리뷰"]
    before = pos_tags.cache_info().currsize
    assert warm_up(iter(texts), "okt", count=2) == 2  # blank texts skipped, then stops at count
    assert pos_tags.cache_info().currsize == before + 2
    hits = pos_tags.cache_info().hits
    pos_tags("워밍업 둘째 리뷰 별로", "okt")
    assert pos_tags.cache_info().hits == hits + 1
    assert warm_up(texts, "no-such-analyser") == 0  # cannot start here: nothing to warm, no error


@pytest.mark.skipif(shutil.which("java") is None, reason="no Java runtime: the analyser's JVM is not started")
def test_the_jvm_starts_small_and_leaves_signals_to_python():
    """Okt's JVM gets the options that keep its memory small (and -Xrs), whoever starts it first."""
    script = (
        "from moviattn.morphology import pos_tags; import jpype; pos_tags('영화가 좋다', 'okt'); "
        "print(list(jpype.java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True).stdout
    for option in JVM_OPTIONS:
        assert option in out
