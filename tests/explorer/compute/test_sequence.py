"""Hand-built sequences: segment spans, info fields, overlapping plot windows, refusing long reviews."""

from __future__ import annotations

import pytest

from moviattn.data import Movie, load_dataset
from moviattn.explorer._compute.sequence import (
    MIN_PLOT_TOKENS,
    ReviewTooLong,
    encode,
    identity_normalized,
    linearize_info,
    plot_window_starts,
    tokenize_segment,
)
from moviattn.text import normalize


def test_info_fields_are_addressable():
    movie = Movie(id="1", title_kr="괴물", year=2006, director=("봉준호",), genres=("SF", "드라마"), cast=("송강호",))
    info = linearize_info(movie)
    assert info.text == "제목: 괴물 / 감독: 봉준호 / 장르: SF, 드라마 / 출연: 송강호 / 개봉: 2006"
    spans = {f.name: info.text[f.start : f.end] for f in info.fields}
    assert spans == {"title": "괴물", "director": "봉준호", "genres": "SF, 드라마", "cast": "송강호", "year": "2006"}
    assert info.field_at(*[(f.start, f.end) for f in info.fields if f.name == "cast"][0]).label == "출연"
    assert info.field_at(0, 2) is None  # the label 제목 belongs to no field


def test_window_starts_cover_everything_with_overlap():
    assert plot_window_starts(100, 200) == [0]
    starts = plot_window_starts(1000, 300, overlap=0.5)
    assert starts[0] == 0 and starts[-1] == 700
    covered = set()
    for s in starts:
        covered |= set(range(s, s + 300))
    assert covered == set(range(1000))
    assert all(b - a == 150 for a, b in zip(starts[:-2], starts[1:-1]))


def _segments(model, movie, review_text):
    tokenizer = model.tokenizer
    info = tokenize_segment(tokenizer, "info", identity_normalized(linearize_info(movie).text))
    plot = tokenize_segment(tokenizer, "plot", normalize(movie.synopsis))
    review = tokenize_segment(tokenizer, "review", normalize(review_text))
    return info, plot, review


def test_long_synopsis_uses_overlapping_windows(tiny_roberta):
    movie = load_dataset().movie("s003")  # the sample's long synopsis
    info, plot, review = _segments(tiny_roberta, movie, "인터스텔라 최고의 영화")
    assert len(plot) > tiny_roberta.max_length  # longer than one 512-token window
    encoded = encode(info, plot, review, cls_id=tiny_roberta.cls_id, sep_id=tiny_roberta.sep_id, max_length=tiny_roberta.max_length)
    assert len(encoded.windows) >= 3
    covered = set()
    for window in encoded.windows:
        ids = window.input_ids
        assert len(ids) <= tiny_roberta.max_length
        assert ids[0] == tiny_roberta.cls_id and ids[-1] == tiny_roberta.sep_id
        assert ids[window.info.stop] == ids[window.plot.stop] == tiny_roberta.sep_id
        assert list(ids[window.info]) == list(info.token_ids)
        assert list(ids[window.review]) == list(review.token_ids)
        assert list(ids[window.plot]) == list(plot.token_ids[window.plot_tokens.start : window.plot_tokens.stop])
        covered |= set(window.plot_tokens)
    assert covered == set(range(len(plot)))


def test_too_long_review_is_refused_not_truncated(tiny_bert):
    movie = load_dataset().movie("s001")
    info, plot, review = _segments(tiny_bert, movie, "송강호 연기 최고 " * 200)
    with pytest.raises(ReviewTooLong, match=r"Review too long: \d+ tokens, at most \d+ fit"):
        encode(info, plot, review, cls_id=tiny_bert.cls_id, sep_id=tiny_bert.sep_id, max_length=tiny_bert.max_length)
    # a review that leaves exactly MIN_PLOT_TOKENS of room still fits
    room = tiny_bert.max_length - 4 - len(info) - MIN_PLOT_TOKENS
    fitting = review.__class__(review.name, review.text, review.token_ids[:room], review.offsets[:room])
    encoded = encode(info, plot, fitting, cls_id=tiny_bert.cls_id, sep_id=tiny_bert.sep_id, max_length=tiny_bert.max_length)
    assert all(len(w.input_ids) <= tiny_bert.max_length for w in encoded.windows)
