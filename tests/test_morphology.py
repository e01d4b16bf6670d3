"""Morpheme units aligned by character offsets, with the eojeol fallback for rewritten surfaces."""

from __future__ import annotations

import pytest

from moviattn.morphology import AnalyserUnavailable, eojeol_units, is_available, morpheme_units, pos_tags

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
