"""Movies and reviews: typed records and validating loaders.

A dataset is a folder in the NSMC-derived format (``movies.json`` plus
``reviews/<movie_id>.json``). Reviews of one movie can also come from a single
CSV or JSON file, or from a Hugging Face ``datasets.Dataset`` with the same
fields. Every loader error names the file, the record and the field.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import DataError
from .paths import SAMPLE_DATA_DIR
from .registry import UnknownChoice

#: The sample dataset shipped with the project: the app's embedded default.

#: Largest review file accepted from an upload (bytes).
MAX_REVIEW_FILE_BYTES = 20 * 1024 * 1024

#: Column names accepted for a review's text in CSV/JSON/HF inputs, first match wins.
TEXT_FIELDS = ("review", "text", "document")


#: The polarity rule, written once (the NSMC convention): ratings 9-10 are positive, 1-4 negative, 5-8 neither.
POLARITIES = ("positive", "negative")
#: Each polarity's label, Korean first, as the app, the reports and the exports show it.
POLARITY_LABELS = {"positive": "긍정 9-10점 (positive)", "negative": "부정 1-4점 (negative)"}


def polarity_of(rating: int | None) -> str | None:
    """NSMC convention: 9-10 positive, 1-4 negative, others (and no rating) neither."""
    if rating is None:
        return None
    return "positive" if rating >= 9 else "negative" if rating <= 4 else None


@dataclass(frozen=True)
class Review:
    """One user review. ``rating`` is 1-10 where known."""

    id: str
    text: str
    rating: int | None = None
    date: dt.date | None = None

    @property
    def polarity(self) -> str | None:
        """'positive' for ratings 9-10, 'negative' for 1-4, else None (``polarity_of``)."""
        return polarity_of(self.rating)


@dataclass(frozen=True)
class Movie:
    """A movie's facts and synopsis. List fields are empty where unknown."""

    id: str
    title_kr: str
    title_en: str | None = None
    year: int | None = None
    director: tuple[str, ...] = ()
    genres: tuple[str, ...] = ()
    cast: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    runtime_min: int | None = None
    synopsis: str = ""

    @property
    def label(self) -> str:
        """Human-readable name: title and year."""
        return f"{self.title_kr} ({self.year})" if self.year else self.title_kr


@dataclass
class Dataset:
    """Movies by id and their reviews."""

    movies: dict[str, Movie]
    reviews: dict[str, list[Review]] = field(default_factory=dict)
    source: str = ""

    def movie(self, movie_id: str) -> Movie:
        """The movie with this id; otherwise a ValueError naming the first known ids (an unknown id is the
        caller's mistake, not the data's: the message does not name the data folder, which on a server is
        the server's own)."""
        try:
            return self.movies[movie_id]
        except KeyError:
            known = list(self.movies)[:10] + (["…"] if len(self.movies) > 10 else [])
            raise UnknownChoice("movie id", movie_id, known) from None

    def review(self, movie_id: str, review_id: str) -> Review:
        """One of a movie's reviews by id; a ValueError naming both ids otherwise."""
        for review in self.reviews_of(movie_id):
            if review.id == review_id:
                return review
        raise ValueError(f"영화 {movie_id}에 그런 리뷰가 없습니다 (movie {movie_id} has no review {review_id!r})")

    def reviews_of(self, movie_id: str) -> list[Review]:
        return self.reviews.get(self.movie(movie_id).id, [])


# ---------------------------------------------------------------- field checks


def _required(record: Mapping[str, Any], name: str, source: str, index: int | str) -> Any:
    if name not in record or record[name] is None:
        raise DataError(source, "required field is missing", index, name)
    return record[name]


def _text(value: Any, source: str, index: int | str, name: str, allow_empty: bool = True) -> str:
    if not isinstance(value, str):
        raise DataError(source, f"expected text, got {type(value).__name__}", index, name)
    if not allow_empty and not value.strip():
        raise DataError(source, "must not be empty", index, name)
    return value


def _optional_int(value: Any, source: str, index: int | str, name: str, lo: int, hi: int) -> int | None:
    if value is None or (isinstance(value, float) and value != value) or value == "":
        return None
    try:
        number = int(str(value).strip().split(".")[0]) if not isinstance(value, int) else value
    except ValueError:
        raise DataError(source, f"expected a whole number, got {value!r}", index, name) from None
    if not lo <= number <= hi:
        raise DataError(source, f"{number} is outside {lo}..{hi}", index, name)
    return number


def _string_list(value: Any, source: str, index: int | str, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DataError(source, "expected a list of strings", index, name)
    return tuple(v for v in value if v.strip())


def _date(value: Any, source: str, index: int | str) -> dt.date | None:
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%y.%m.%d", "%Y-%m-%d", "%Y.%m.%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise DataError(source, f"unrecognised date {text!r} (expected YY.MM.DD or YYYY-MM-DD)", index, "date")


# ---------------------------------------------------------------- records


def movie_from_record(record: Mapping[str, Any], source: str, index: int | str) -> Movie:
    """Validate one ``movies.json`` record."""
    if not isinstance(record, Mapping):
        raise DataError(source, f"expected an object, got {type(record).__name__}", index)
    movie_id = str(_required(record, "movie_id", source, index)).strip()
    if not movie_id:
        raise DataError(source, "must not be empty", index, "movie_id")
    return Movie(
        id=movie_id,
        title_kr=_text(_required(record, "title_kr", source, movie_id), source, movie_id, "title_kr", False).strip(),
        title_en=record.get("title_en") or None,
        year=_optional_int(record.get("year"), source, movie_id, "year", 1880, 2100),
        director=_string_list(record.get("director"), source, movie_id, "director"),
        genres=_string_list(record.get("genres"), source, movie_id, "genres"),
        cast=_string_list(record.get("cast"), source, movie_id, "cast"),
        country=_string_list(record.get("country"), source, movie_id, "country"),
        runtime_min=_optional_int(record.get("runtime_min"), source, movie_id, "runtime_min", 1, 2000),
        synopsis=_text(record.get("synopsis") or "", source, movie_id, "synopsis").strip(),
    )


def reviews_from_records(records: Iterable[Mapping[str, Any]], source: str) -> list[Review]:
    """Validate review records from any source (JSON list, CSV rows, HF dataset rows).

    The text may be under ``review``, ``text`` or ``document``; ``rating``, ``date``
    and ``review_id`` (or ``id``) are optional. Errors count records from 1, as a person does
    (a review without an id keeps its 0-based position as its id, as before).
    """
    reviews = []
    for index, record in enumerate(records):
        number = index + 1
        if not isinstance(record, Mapping):
            raise DataError(source, f"expected an object, got {type(record).__name__}", number)
        text_field = next((name for name in TEXT_FIELDS if name in record), None)
        if text_field is None:
            raise DataError(source, f"no review text (expected one of {', '.join(TEXT_FIELDS)})", number, "review")
        text = record[text_field]
        if text is None or (isinstance(text, float) and text != text):
            text = ""
        review_id = record.get("review_id", record.get("id"))
        reviews.append(
            Review(
                id=str(review_id) if review_id not in (None, "") else str(index),
                text=_text(text, source, number, text_field),
                rating=_optional_int(record.get("rating"), source, number, "rating", 1, 10),
                date=_date(record.get("date"), source, number),
            )
        )
    return reviews


# ---------------------------------------------------------------- files


def _read_json(path: Path, source: str | None = None) -> Any:
    """The parsed file; ``source`` names it in errors (default: the path)."""
    source = source or str(path)
    try:
        with path.open(encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise DataError(source, "file not found") from None
    except UnicodeDecodeError as exc:
        raise DataError(source, f"not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise DataError(source, f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise DataError(source, "JSON nested too deeply (expected a list of review objects)") from None


def _read_table(path: Path, source: str) -> list[dict[str, str]]:
    """Rows of a CSV/TSV file as dicts, with a plain message (no parser internals) when it cannot be read."""
    import re

    import pandas as pd

    kind = path.suffix[1:].upper()
    try:
        frame = pd.read_csv(path, sep="\t" if kind == "TSV" else ",", dtype=str, keep_default_na=False)
    except UnicodeDecodeError:
        raise DataError(source, f"not UTF-8 text (save the {kind} as UTF-8)") from None
    except pd.errors.EmptyDataError:
        raise DataError(source, "the file is empty") from None
    except pd.errors.ParserError as exc:
        line = re.search(r"line (\d+)", str(exc))
        where = f" at line {line.group(1)}" if line else ""
        raise DataError(source, f"malformed {kind}{where}: a row has more columns than the header, or a quote is not closed") from None
    return frame.to_dict("records")


#: What a ``--data`` error adds: the format, so a newcomer without the project's data can make a folder.
DATASET_HINT = (
    "a dataset is a folder with movies.json (a list of {movie_id, title_kr, synopsis, ...}) and "
    "reviews/<movie_id>.json (a list of {review, rating}); see docs/data.md, and check one with "
    "'python -m moviattn movies --data DIR'"
)


def load_dataset(folder: str | Path = SAMPLE_DATA_DIR) -> Dataset:
    """Load a dataset folder: ``movies.json`` plus ``reviews/<movie_id>.json`` (reviews optional)."""
    folder = Path(folder)
    movies_path = folder / "movies.json"
    if not folder.is_dir():
        raise DataError(str(folder), f"dataset folder not found ({DATASET_HINT})")
    if not movies_path.is_file():
        raise DataError(str(movies_path), f"file not found ({DATASET_HINT})")
    raw = _read_json(movies_path)
    if not isinstance(raw, list):
        raise DataError(str(movies_path), "expected a list of movies")
    movies: dict[str, Movie] = {}
    for index, record in enumerate(raw, start=1):
        movie = movie_from_record(record, str(movies_path), index)
        if movie.id in movies:
            raise DataError(str(movies_path), "duplicate movie id", movie.id, "movie_id")
        movies[movie.id] = movie
    reviews = {}
    for movie_id in movies:
        path = folder / "reviews" / f"{movie_id}.json"
        if path.exists():
            reviews[movie_id] = load_reviews_file(path)
    return Dataset(movies=movies, reviews=reviews, source=str(folder))


def load_reviews_file(path: str | Path, source: str | None = None) -> list[Review]:
    """Reviews of one movie from a ``.json`` (list of objects) or ``.csv``/``.tsv`` file.

    ``source`` names the file in errors (an upload's own name, not the server's temp path)."""
    path = Path(path)
    source = source or str(path)
    if not path.is_file():
        raise DataError(source, "file not found")
    if path.stat().st_size > MAX_REVIEW_FILE_BYTES:
        raise DataError(source, f"file is larger than {MAX_REVIEW_FILE_BYTES // 2**20} MiB")
    suffix = path.suffix.lower()
    if suffix == ".json":
        raw = _read_json(path, source)
        if isinstance(raw, Mapping) and isinstance(raw.get("reviews"), list):
            raw = raw["reviews"]
        if not isinstance(raw, list):
            raise DataError(source, "expected a list of review objects (or {\"reviews\": [...]})")
        return reviews_from_records(raw, source)
    if suffix in (".csv", ".tsv"):
        return reviews_from_records(_read_table(path, source), source)
    raise DataError(source, f"unsupported file type {suffix!r} (use .json, .csv or .tsv)")


def reviews_from_hf(dataset: Any, source: str = "datasets.Dataset") -> list[Review]:
    """Reviews from a Hugging Face ``datasets.Dataset`` (or anything iterable over row dicts)."""
    return reviews_from_records(iter(dataset), source)
