"""Loaders: the sample and shared datasets, review files, HF datasets, and malformed input."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from moviattn.data import DataError, load_dataset, load_reviews_file, reviews_from_hf


def test_sample_dataset_loads_with_typed_records():
    data = load_dataset()
    assert len(data.movies) >= 5
    movie = data.movie("s001")
    assert movie.title_kr == "살인의 추억" and movie.year == 2003
    assert "봉준호" in movie.director and isinstance(movie.cast, tuple)
    reviews = data.reviews_of("s001")
    assert len(reviews) == 20
    assert all(isinstance(r.rating, int) and 1 <= r.rating <= 10 for r in reviews)
    assert all(isinstance(r.date, dt.date) for r in reviews)


def test_shared_nsmc_dataset(shared_nsmc):
    data = load_dataset(shared_nsmc)
    assert len(data.movies) == 40
    assert sum(len(v) for v in data.reviews.values()) == 4000
    assert data.movie("10200").title_kr == "터미네이터 2"


def test_unknown_ids_are_named_without_the_data_folder():
    """An unknown id is the caller's mistake: the message names it, and not the folder (a server's own)."""
    data = load_dataset()
    with pytest.raises(ValueError, match="unknown movie id 'nope'") as info:
        data.movie("nope")
    assert str(data.source) not in str(info.value) and "s001" in str(info.value)
    with pytest.raises(ValueError, match="movie s001 has no review 'nope'") as info:
        data.review("s001", "nope")
    assert str(data.source) not in str(info.value)
    assert data.review("s001", "s001r001").id == "s001r001"


def _write_dataset(tmp_path, movies, reviews=None):
    (tmp_path / "movies.json").write_text(json.dumps(movies, ensure_ascii=False), encoding="utf-8")
    if reviews is not None:
        (tmp_path / "reviews").mkdir()
        for movie_id, items in reviews.items():
            (tmp_path / "reviews" / f"{movie_id}.json").write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return tmp_path


def test_malformed_movies_json_names_file_and_position(tmp_path):
    (tmp_path / "movies.json").write_text('[{"movie_id": "1",', encoding="utf-8")
    with pytest.raises(DataError, match=r"movies\.json: malformed JSON at line 1"):
        load_dataset(tmp_path)


def test_missing_required_field_names_record_and_field(tmp_path):
    _write_dataset(tmp_path, [{"movie_id": "7", "year": 2001}])
    with pytest.raises(DataError) as info:
        load_dataset(tmp_path)
    assert "movies.json" in str(info.value) and "record 7" in str(info.value) and "'title_kr'" in str(info.value)


def test_wrong_field_type_is_reported(tmp_path):
    _write_dataset(tmp_path, [{"movie_id": "7", "title_kr": "영화", "genres": [1, 2]}])
    with pytest.raises(DataError, match=r"record 7, field 'genres': expected a list of strings"):
        load_dataset(tmp_path)


def test_bad_rating_in_review_file_names_record(tmp_path):
    _write_dataset(
        tmp_path,
        [{"movie_id": "7", "title_kr": "영화", "synopsis": "줄거리"}],
        {"7": [{"review": "좋다", "rating": "10"}, {"review": "별로", "rating": "11"}]},
    )
    with pytest.raises(DataError, match=r"7\.json, record 2, field 'rating': 11 is outside 1\.\.10"):
        load_dataset(tmp_path)


def test_review_csv_and_json_files(tmp_path):
    csv_path = tmp_path / "reviews.csv"
    csv_path.write_text("text,rating,date\n정말 재밌다,10,15.08.24\n\"쉼표, 있는 리뷰\",3,2015-01-02\n", encoding="utf-8")
    reviews = load_reviews_file(csv_path)
    assert [r.text for r in reviews] == ["정말 재밌다", "쉼표, 있는 리뷰"]
    assert [r.rating for r in reviews] == [10, 3] and reviews[1].date == dt.date(2015, 1, 2)
    json_path = tmp_path / "reviews.json"
    json_path.write_text(json.dumps({"reviews": [{"review": "최고", "review_id": "a1"}]}, ensure_ascii=False), encoding="utf-8")
    assert load_reviews_file(json_path)[0].id == "a1"


def test_csv_with_wrong_columns_says_what_is_expected(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("name,score\n홍길동,5\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.csv, record 1, field 'review': no review text \(expected one of review, text, document\)"):
        load_reviews_file(path)


def test_unsupported_and_missing_files(tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"PK")
    with pytest.raises(DataError, match="unsupported file type"):
        load_reviews_file(tmp_path / "x.xlsx")
    with pytest.raises(DataError, match="file not found"):
        load_reviews_file(tmp_path / "missing.json")


def test_hugging_face_dataset_rows():
    datasets = pytest.importorskip("datasets")
    table = datasets.Dataset.from_dict({"review": ["재밌어요", ""], "rating": ["9", "2"], "review_id": ["1", "2"]})
    reviews = reviews_from_hf(table)
    assert [(r.id, r.text, r.rating, r.polarity) for r in reviews] == [("1", "재밌어요", 9, "positive"), ("2", "", 2, "negative")]


def test_file_errors_name_the_given_source_and_plain_reasons(tmp_path):
    """An upload's errors name the user's file (not the server's temp path) and no parser internals."""
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("review,rating\n좋다,1\n좋다,1,2,3\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"^mine\.csv: malformed CSV at line 3: a row has more columns") as info:
        load_reviews_file(ragged, source="mine.csv")
    assert str(tmp_path) not in str(info.value) and "C error" not in str(info.value)
    nested = tmp_path / "nested.json"
    nested.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(DataError, match="nested too deeply"):
        load_reviews_file(nested)

