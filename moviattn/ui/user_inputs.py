"""A user's own movie and reviews, validated for the app (the cards and drawings it shows come from ``moviattn.explorer``)."""

from __future__ import annotations

from pathlib import Path

from ..data import Movie, Review, load_reviews_file, movie_from_record
from ..errors import DataError
from ..limits import LIMITS, MAX_UPLOAD_REVIEWS, InputTooLong, check, check_all

#: What a file input answers when given no file, or a URL in place of one (never fetched by the server).
UPLOAD_THE_FILE = "리뷰 파일(CSV/JSON)을 올려 주세요 (upload a CSV or JSON file of reviews; a URL is not fetched)"


def custom_movie(
    title: str, director: str, genres: str, cast: str, country: str, year: str | int | None, synopsis: str
) -> Movie:
    """A movie from the user's own info and plot (comma-separated lists): each text within its limit
    (``InputTooLong``), then validated like a dataset record."""
    values = {"title_kr": title, "director": director, "genres": genres, "cast": cast, "country": country}
    check_all("field", list(values.values()))
    check(year=year, synopsis=synopsis)
    if not (synopsis or "").strip():
        raise DataError("직접 입력 (your movie)", "줄거리를 입력하세요 (the plot must not be empty)", None, "synopsis")
    record = {"movie_id": "custom", **values, "year": year, "synopsis": synopsis}
    return movie_from_record(record, "직접 입력 (your movie)", "movie")


def reviews_from_upload(path: str | Path) -> tuple[list[Review], str | None]:
    """Reviews of an uploaded CSV/TSV/JSON file (first MAX_UPLOAD_REVIEWS), and a notice when cut.

    Errors name the file as the user called it (Gradio keeps that name in its temp folder) and a
    review longer than the review limit is refused here, before anything is tokenised; a URL in place of a
    file is refused by name (``UPLOAD_THE_FILE``), never fetched."""
    if str(path).startswith(("http://", "https://", "//")):
        raise ValueError(UPLOAD_THE_FILE)
    name = Path(path).name
    reviews = load_reviews_file(path, source=name)
    if not reviews:
        raise DataError(name, "no reviews in the file")
    for number, review in enumerate(reviews[:MAX_UPLOAD_REVIEWS], start=1):
        if len(review.text) > LIMITS["review"].chars:
            raise DataError(name, str(InputTooLong("review", len(review.text))), number, "review")
    if len(reviews) > MAX_UPLOAD_REVIEWS:
        return reviews[:MAX_UPLOAD_REVIEWS], f"리뷰 {len(reviews)}개 중 앞의 {MAX_UPLOAD_REVIEWS}개만 분석합니다 (first {MAX_UPLOAD_REVIEWS} of {len(reviews)} reviews)."
    return reviews, None
