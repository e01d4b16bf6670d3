"""The explorer's views without Gradio: the movie card, a user's own movie and reviews, aggregate views."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..data import Movie, Review, load_reviews_file, movie_from_record
from ..errors import DataError
from ..explorer import interactive
from ..explorer.aggregate import POLARITIES, MovieAggregate
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
    """One side of the aggregate view: shaded synopsis, bar chart and reviews × plot matrix."""

    html: str
    bars: Any
    matrix: Any


def aggregate_views(
    aggregate: MovieAggregate, *, split: bool, scale: str, cmap: str, review_labels: dict[str, str] | None = None,
) -> list[AggregateView]:
    """All reviews as one view, or positive and negative reviews as two views on a shared scale."""
    plot_text = aggregate.plot_text.text if aggregate.plot_text is not None else ""
    polarities: list[str | None] = list(POLARITIES) if split else [None]
    shares = [aggregate.plot_share(p) for p in polarities]
    vmax = max(float(s.max(initial=0.0)) for s in shares)
    field_max = max(max(aggregate.field_share(p).values(), default=0.0) for p in polarities)
    ranges = (field_max, vmax) if split else None
    visible_columns = interactive.VISIBLE_COLUMNS // 2 if split else interactive.VISIBLE_COLUMNS
    views = []
    for polarity, share in zip(polarities, shares):
        label = interactive.POLARITY_LABELS[polarity]
        views.append(
            AggregateView(
                interactive.shaded_text_html(
                    plot_text, aggregate.plot_units, share, scale=scale, vmax=vmax,
                    title=f"{label} · 리뷰 {aggregate.count(polarity)}개 (reviews)",
                ),
                interactive.aggregate_bars_figure(aggregate, polarity=polarity, ranges=ranges),
                interactive.reviews_plot_figure(
                    aggregate, polarity=polarity, review_labels=review_labels, scale=scale, cmap=cmap,
                    visible_columns=visible_columns,
                ),
            )
        )
    return views
