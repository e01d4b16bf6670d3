"""Normalisation keeps a map back to the exact original characters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moviattn.text import MAX_REPEAT, eojeol_spans, normalize


def test_repeats_whitespace_and_symbols_map_back():
    original = "정말  재밌닼ㅋㅋㅋㅋㅋㅋ ★최고★\t\n!!!!!"
    norm = normalize(original)
    assert norm.text == "정말 재밌닼ㅋㅋㅋ 최고 !!!"
    start = norm.text.index("ㅋ")
    # the three kept ㅋ cover all six typed ones
    assert norm.original_slice(start, start + 3) == "ㅋㅋㅋㅋㅋㅋ"
    word = norm.text.index("최고")
    assert norm.original_slice(word, word + 2) == "최고"
    assert norm.original_span(0, len(norm.text)) == (0, len(original))


def test_decomposed_jamo_compose_and_map_to_their_group():
    original = "\u1100\u1161\u11a8 가"  # 각 typed as three conjoining jamo
    norm = normalize(original)
    assert norm.text == "각 가"
    assert norm.original_span(0, 1) == (0, 3)


def test_emoji_only_and_empty_become_empty():
    assert normalize("😀😀👍").text == ""
    assert normalize("   ").text == ""


@pytest.mark.slow
@given(st.text(alphabet="가나다ㅋ !.\t😀\u1100\u1161 ab", max_size=40))
def test_every_normalised_character_maps_inside_the_original(text):
    norm = normalize(text)
    assert len(norm.spans) == len(norm.text)
    previous_end = 0
    for char, (start, end) in zip(norm.text, norm.spans):
        assert 0 <= start < end <= len(text) and start >= previous_end - 1
        previous_end = end
    assert "  " not in norm.text and norm.text == norm.text.strip()
    assert all(norm.text[i : i + MAX_REPEAT + 1] != norm.text[i] * (MAX_REPEAT + 1) for i in range(len(norm.text)))


def test_eojeol_spans():
    assert eojeol_spans("송강호 연기 최고") == [(0, 3), (4, 6), (7, 9)]
