"""The explorer's views without Gradio: the movie card, a user's own movie and reviews, aggregate views."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..data import Movie, Review, load_reviews_file, movie_from_record
from ..errors import DataError
from ..explorer import interactive
from ..explorer.aggregate import DEFAULT_SCORE, MovieAggregate, lift
from ..limits import LIMITS, MAX_UPLOAD_REVIEWS, InputTooLong


def movie_card_html(movie: Movie) -> str:
    """The movie's info card (every value escaped)."""
    rows = [
        ("감독 (director)", ", ".join(movie.director)), ("장르 (genres)", ", ".join(movie.genres)),
        ("출연 (cast)", ", ".join(movie.cast)), ("국가 (country)", ", ".join(movie.country)),
        ("개봉 (year)", str(movie.year or "")),
    ]
    title = html.escape(movie.title_kr) + (f" <small>({html.escape(movie.title_en)})</small>" if movie.title_en else "")
    cells = "".join(f"<tr><th>{name}</th><td>{html.escape(value) or '—'}</td></tr>" for name, value in rows)
    synopsis = interactive.escape_keep_lines(movie.synopsis) or "—"
    return (
        f'<div class="ma-card"><h3>{title}</h3><table>{cells}</table>'
        f'<details open><summary>줄거리 (synopsis)</summary><p>{synopsis}</p></details></div>'
    )


def custom_movie(
    title: str, director: str, genres: str, cast: str, country: str, year: str | int | None, synopsis: str
) -> Movie:
    """A movie from the user's own info and plot (comma-separated lists), validated like a dataset record."""
    values = {"title_kr": title, "director": director, "genres": genres, "cast": cast, "country": country}
    for name, value, limit in [*((n, v, "field") for n, v in values.items()), ("year", year, "year"), ("synopsis", synopsis, "synopsis")]:
        if isinstance(value, str) and len(value) > LIMITS[limit].chars:
            raise DataError("직접 입력 (your movie)", f"too long: {len(value):,} characters, at most {LIMITS[limit].chars:,}", None, name)
    if not (synopsis or "").strip():
        raise DataError("직접 입력 (your movie)", "줄거리를 입력하세요 (the plot must not be empty)", None, "synopsis")
    record = {"movie_id": "custom", **values, "year": year, "synopsis": synopsis}
    return movie_from_record(record, "직접 입력 (your movie)", "movie")


def reviews_from_upload(path: str | Path) -> tuple[list[Review], str | None]:
    """Reviews of an uploaded CSV/TSV/JSON file (first MAX_UPLOAD_REVIEWS), and a notice when cut.

    Errors name the file as the user called it (Gradio keeps that name in its temp folder) and a
    review longer than the review limit is refused here, before anything is tokenised."""
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


@dataclass
class AggregateView:
    """The aggregate view: shaded synopsis, info fields, top plot words (share and lift), the time view
    (small multiples and the words that rise and fall), reviews × plot, and on request positive − negative."""

    html: str
    fields: Any
    words: Any
    time: Any
    trends: Any
    matrix: Any
    difference: Any | None


def aggregate_views(
    aggregate: MovieAggregate, *, split: bool, scale: str, cmap: str, review_labels: dict[str, str] | None = None,
    score: str = DEFAULT_SCORE,
) -> AggregateView:
    """All reviews' view; with ``split`` also the difference of positive and negative reviews (one chart
    of what differs, with intervals, instead of two near-identical ones). Words are content words,
    ranked by ``score``; the synopsis is shaded by the same score per position (other units blank)."""
    has_lift = aggregate.plot_reference is not None
    score = score if has_lift else "share"
    plot_text = aggregate.plot_text.text if aggregate.plot_text is not None else ""
    share = aggregate.plot_share()
    values = lift(share, aggregate.plot_reference) if score == "lift" else share
    content = np.array([u.content for u in aggregate.plot_units], dtype=bool)
    group = aggregate.group()
    title = f"{interactive.POLARITY_LABELS[None]} · 리뷰 {group.count}개 (reviews) · {'lift (참조 리뷰 대비)' if score == 'lift' else '점유율 (share)'}"
    return AggregateView(
        html=interactive.shaded_text_html(plot_text, aggregate.plot_units, np.where(content, values, 0.0), scale=scale, title=title),
        fields=interactive.fields_figure(aggregate),
        words=interactive.words_figure(aggregate, score=score),
        time=interactive.time_figure(aggregate),
        trends=interactive.trends_table(aggregate, score=score),
        matrix=interactive.reviews_plot_figure(aggregate, review_labels=review_labels, scale=scale, cmap=cmap),
        difference=interactive.difference_figure(aggregate, score=score) if split else None,
    )
