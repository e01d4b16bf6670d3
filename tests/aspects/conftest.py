"""Shared by the aspect tests: a small hand-made inventory, and profiles built from hand-made phrases."""

from __future__ import annotations

import pytest

from moviattn.aspects.inventory import Aspect, Inventory
from moviattn.aspects.phrases import AspectPhrase
from moviattn.aspects.profiles import MovieProfile, profile_movie
from moviattn.data import Dataset, Movie, Review


@pytest.fixture(scope="session")
def small_inventory() -> Inventory:
    return Inventory((
        Aspect("스토리", ("스토리", "전개", "내용"), (30, 10, 8)),
        Aspect("연기", ("연기", "배우"), (25, 9)),
        Aspect("음악", ("음악", "그래픽", "영상"), (12, 6, 5)),
        Aspect("재미", ("재미",), (40,)),
    ))


def phrase(aspect: str, polarity: str, text: str = "구절") -> AspectPhrase:
    return AspectPhrase(aspect, aspect, text, 0, len(text), polarity, 0.9 if polarity == "positive" else 0.1, "clause")


def profile_of(movie_id: str, praised: dict[str, int], blamed: dict[str, int], reviews: int = 20) -> tuple[list[Review], MovieProfile]:
    """``reviews`` reviews of a movie: the first ones praise/blame the given aspects (one aspect each), the rest say nothing."""
    items = [(a, "positive") for a, n in praised.items() for _ in range(n)] + [(a, "negative") for a, n in blamed.items() for _ in range(n)]
    assert len(items) <= reviews
    made = [Review(f"{movie_id}-{i}", "리뷰", 10 if i < len(items) and items[i][1] == "positive" else 2) for i in range(reviews)]
    phrases = [[phrase(a, p, f"{a} {'좋다' if p == 'positive' else '별로'} {movie_id}")] for a, p in items] + [[]] * (reviews - len(items))
    return made, profile_movie(movie_id, made, phrases)


@pytest.fixture
def small_world() -> tuple[Dataset, dict[str, MovieProfile]]:
    """Four movies: 지루한 영화 (its critics blame 재미 and 스토리), one praised per aspect, and a pair of sequels."""
    specs = {
        "m1": ("지루한 영화", {"연기": 3}, {"재미": 6, "스토리": 4}),
        "m2": ("이야기 명작", {"스토리": 12, "연기": 2}, {}),
        "m3": ("노래 영화", {"음악": 10}, {}),
        "m4": ("웃긴 영화 1", {"재미": 9, "연기": 6}, {}),
        "m5": ("웃긴 영화 2", {"재미": 8}, {"스토리": 2}),
    }
    movies, reviews, profiles = {}, {}, {}
    for movie_id, (title, praised, blamed) in specs.items():
        movies[movie_id] = Movie(movie_id, title)
        reviews[movie_id], profiles[movie_id] = profile_of(movie_id, praised, blamed)
    return Dataset(movies, reviews, "small"), profiles
