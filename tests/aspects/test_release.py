"""Release movies for the simulation: at least 100 reviews, and only movies of the sentiment corpus."""

from __future__ import annotations

import json

import pytest

from moviattn.aspects.release import release_movies
from moviattn.errors import DataError


def _raw(movie_id: str, n: int, start: int = 0) -> list[dict]:
    return [{"review": f"리뷰 {i}", "date": "15.01.01", "rating": "10", "author": "a", "review_id": str(start + i), "movie_id": movie_id}
            for i in range(n)]


def test_only_large_public_movies(tmp_path):
    (tmp_path / "src" / "raw").mkdir(parents=True)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    files = {"1": _raw("1", 120, 0), "2": _raw("2", 50, 1000), "3": _raw("3", 110, 2000), "4": _raw("4", 130, 3000)}
    for movie_id, records in files.items():
        (tmp_path / "src" / "raw" / f"{movie_id}.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    public = [r["review_id"] for m in ("1", "2", "4") for r in files[m]]  # movie 3's reviews are in no corpus file: private
    (corpus / "train.tsv").write_text("id\tdocument\tlabel\n" + "".join(f"{i}\t리뷰\t1\n" for i in public), encoding="utf-8")
    dataset = release_movies(tmp_path / "src", 5, exclude={"4"}, data_dir=corpus)
    assert set(dataset.movies) == {"1"} and len(dataset.reviews["1"]) == 120


def test_a_missing_source_is_refused(tmp_path):
    with pytest.raises(DataError, match="raw"):
        release_movies(tmp_path, 3)
