"""A diary through the whole chain on the tiny BERT: shapes, probabilities, notices and bad input."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from moviattn.data import Dataset
from moviattn.recommend.diary.emotions import MAX_CHARS, check_diary

DIARY = "오늘은 친구랑 웃고 떠들어서 정말 행복했다. 내일도 기대된다."


def test_recommend_end_to_end(tiny_recommender, tiny_catalogue):
    result = tiny_recommender.recommend(DIARY, tiny_catalogue, "c", "mlp_bce")
    assert result.analysis.emotions.shape == (4,) and result.analysis.labels.shape == (44,)
    assert ((result.analysis.emotions >= 0) & (result.analysis.emotions <= 1)).all()
    assert result.analysis.embedding.shape == (32,) and np.isclose(np.linalg.norm(result.analysis.embedding), 1)
    assert set(result.genre_probabilities) == {"드라마", "코미디", "액션"}
    assert all(0 <= p <= 1 for p in result.genre_probabilities.values())
    assert len(result.picks) == 3 and len({p.movie_id for p in result.picks}) == 3
    assert all(len(p.reviews) == 2 and set(p.profile) == {"joy", "optimism", "anger", "sadness"} for p in result.picks)
    assert result.mode == "c" and len(result.analysis.top_labels(5)) == 5
    again = tiny_recommender.recommend(DIARY, tiny_catalogue, "c", "mlp_bce")
    assert [p.movie_id for p in again.picks] == [p.movie_id for p in result.picks]  # deterministic


@pytest.mark.parametrize("model2", ["random_forest", "mlp_mse+embedding"])
def test_each_mode_and_model2(tiny_recommender, tiny_catalogue, model2):
    for mode in "abc":
        result = tiny_recommender.recommend(DIARY, tiny_catalogue, mode, model2)
        assert result.mode == mode and result.model2 == model2 and len(result.picks) == 3


def test_catalogue_without_genres_falls_back_to_b(tiny_recommender, tiny_catalogue):
    bare = Dataset({m: replace(movie, genres=()) for m, movie in tiny_catalogue.movies.items()}, tiny_catalogue.reviews, "bare")
    result = tiny_recommender.recommend(DIARY, bare, "a", "mlp_bce")
    assert result.mode == "b" and any("falling back to mode b" in n for n in result.notices)


def test_unknown_genres_and_movies_without_reviews(tiny_recommender, tiny_catalogue):
    odd = Dataset(
        {**tiny_catalogue.movies, "m5": replace(tiny_catalogue.movies["m1"], id="m5", genres=("서부극",))},
        tiny_catalogue.reviews, "odd",
    )
    result = tiny_recommender.recommend(DIARY, odd, "c", "mlp_bce", k=5)
    assert any("서부극" in n for n in result.notices) and any("without reviews" in n for n in result.notices)
    assert next(p for p in result.picks if p.movie_id == "m5").reviews == ()


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "empty"), ("   ", "empty"), ("😀😀🎉", "emoji or symbols only"), ("!!!", "emoji or symbols only"),
        ("슬", "one character"), ("가" * 20_000, "too long"),
    ],
)
def test_bad_diaries(text, message, tiny_recommender, tiny_catalogue):
    with pytest.raises(ValueError, match=message):
        check_diary(text)
    with pytest.raises(ValueError, match=message):
        tiny_recommender.recommend(text, tiny_catalogue)


def test_unknown_names(tiny_recommender, tiny_catalogue):
    with pytest.raises(ValueError, match="unknown mode 'x'; choose one of a, b, c"):
        tiny_recommender.recommend(DIARY, tiny_catalogue, "x")
    with pytest.raises(ValueError, match="unknown model2 'svm'"):
        tiny_recommender.recommend(DIARY, tiny_catalogue, "a", "svm")


def test_non_korean_and_long_diaries_are_read_with_a_notice(tiny_bert):
    english = check_diary("Today I was so happy with my friends.")
    assert english.text.startswith("Today") and any("no Korean" in n for n in english.notices)
    long = check_diary("오늘은 " * 400, tiny_bert)
    assert any("first 256 tokens" in n for n in long.notices)
    assert check_diary("오늘 좋았다 😀").notices == ()
    assert len("가" * MAX_CHARS) == MAX_CHARS and check_diary("가" * MAX_CHARS)
