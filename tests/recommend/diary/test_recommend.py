"""The cosine ranking and its tie-break on a hand-made catalogue."""

from __future__ import annotations

import numpy as np
import pytest

from moviattn.recommend.diary.recommend import (
    blend,
    build_catalogue,
    closest,
    cosine,
    emotion_scores,
    genre_matrix,
    genre_scores,
    mode_scores,
    top_k,
)

GENRES = ("드라마", "코미디", "액션")


def _catalogue(tiny_catalogue):
    emotions = {
        "m1": np.array([[0.9, 0.3, 0.1, 0.1], [0.8, 0.2, 0.1, 0.0]]),
        "m2": np.array([[0.1, 0.1, 0.2, 0.9]]),
        "m3": np.array([[0.1, 0.1, 0.9, 0.2]]),
        "m4": np.zeros((0, 4)),
    }
    return build_catalogue(tiny_catalogue, emotions, GENRES)


def test_catalogue(tiny_catalogue):
    catalogue = _catalogue(tiny_catalogue)
    assert catalogue.genre_matrix.tolist() == [[1, 1, 0], [1, 0, 0], [1, 1, 0], [0, 0, 0]]
    assert np.allclose(catalogue.profiles[0], [0.85, 0.25, 0.1, 0.05]) and np.isnan(catalogue.profiles[3]).all()
    assert np.allclose(catalogue.centre, np.mean([[0.9, 0.3, 0.1, 0.1], [0.8, 0.2, 0.1, 0.0], [0.1, 0.1, 0.2, 0.9], [0.1, 0.1, 0.9, 0.2]], axis=0))
    assert genre_matrix(tiny_catalogue, ["m4"], GENRES).sum() == 0


def test_cosine_edge_cases():
    assert cosine(np.array([1.0, 0.0]), np.array([[2.0, 0.0], [0.0, 3.0], [0.0, 0.0], [np.nan, np.nan]])).tolist() == [[1.0, 0.0, 0.0, 0.0]]
    per_query = cosine(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[[1.0, 0.0]], [[1.0, 0.0]]]))
    assert per_query.tolist() == [[1.0], [0.0]]


def test_genre_ties_broken_by_emotion_then_id(tiny_catalogue):
    catalogue = _catalogue(tiny_catalogue)
    diary_genres = np.array([0.9, 0.8, 0.0])  # drama + comedy: m1 and m3 tie exactly in mode a
    a = genre_scores(diary_genres, catalogue)[0]
    assert a[0] == pytest.approx(a[2]) and a[0] > a[1] > a[3] == 0
    joyful = emotion_scores(np.array([0.9, 0.3, 0.0, 0.0]), catalogue)[0]
    assert top_k(a, joyful, catalogue.movie_ids, 3) == [0, 2, 1]  # m1 (joyful reviews) before m3 (angry)
    angry = emotion_scores(np.array([0.0, 0.0, 0.9, 0.1]), catalogue)[0]
    assert top_k(a, angry, catalogue.movie_ids, 3) == [2, 0, 1]
    flat = np.zeros(4)
    assert top_k(flat, flat, catalogue.movie_ids, 4) == [0, 1, 2, 3]  # everything tied: by id


def test_modes(tiny_catalogue):
    catalogue = _catalogue(tiny_catalogue)
    a = genre_scores(np.array([0.0, 0.0, 1.0]), catalogue)[0]
    b = emotion_scores(np.array([0.1, 0.1, 0.2, 0.9]), catalogue)[0]
    assert int(np.argmax(b)) == 1 and b[3] == 0  # the sad movie; no reviews → 0
    assert np.allclose(mode_scores("c", a, b), blend(a, b)) and np.allclose(mode_scores("b", None, b), b)
    with pytest.raises(ValueError, match="unknown mode 'd'; choose one of a, b, c"):
        mode_scores("d", a, b)
    with pytest.raises(ValueError, match="needs genre scores"):
        mode_scores("a", None, b)


def test_closest_reviews():
    vectors = np.array([[0.0, 0.0], [1.0, 1.0], [0.9, 1.0], [0.0, 0.0]])
    assert closest(np.array([1.0, 1.0]), vectors, 2) == [1, 2]
    assert closest(np.array([0.0, 0.0]), vectors, 2) == [0, 3]  # a tie keeps review order
    assert closest(np.array([0.0, 0.0]), np.zeros((0, 2))) == []
