"""``moviattn.fetch``: the NSMC set rebuilt from a source, checked by hash, atomic, resumable; named data."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import sha256_hex

from moviattn.data import load_dataset
from moviattn.errors import DataError
from moviattn.fetch import COMPLETE_MARKER, SourceFile, fetch_nsmc, load_manifest, open_data
from moviattn.paths import SAMPLE_DATA_DIR, SHARED_DATA_DIR

SHARED_NSMC = SHARED_DATA_DIR / "nsmc"


def test_fetch_builds_a_loadable_dataset(tmp_path, tiny_nsmc):
    source, manifest = tiny_nsmc
    out = fetch_nsmc(tmp_path / "nsmc", str(source), manifest=manifest)
    dataset = load_dataset(out)
    assert list(dataset.movies) == ["11", "22"]
    assert dataset.movies["11"].synopsis == "가의 줄거리"  # trailing whitespace and \r removed
    assert dataset.movies["22"].synopsis == "나의 줄거리"  # by the recorded index, not the position
    assert [r.text for r in dataset.reviews_of("22")] == [f"리뷰 {n} <b>좋다</b>" for n in range(3)]
    assert (out / "reviews" / "11.json").read_bytes() == (source / "raw" / "11.json").read_bytes()  # unchanged
    assert not (tmp_path / "nsmc.partial").exists()
    assert fetch_nsmc(out, str(tmp_path / "gone"), manifest=manifest) == out  # complete: the source is not read again


def test_hash_mismatch_is_refused_and_nothing_is_published(tmp_path, tiny_nsmc):
    source, manifest = tiny_nsmc
    (source / "raw" / "22.json").write_text("[]", encoding="utf-8")
    with pytest.raises(DataError, match=r"raw/22\.json.*SHA-256"):
        fetch_nsmc(tmp_path / "nsmc", str(source), manifest=manifest)
    assert not (tmp_path / "nsmc").exists()


def test_missing_file_is_named(tmp_path, tiny_nsmc):
    source, manifest = tiny_nsmc
    (source / "raw" / "11.json").unlink()
    with pytest.raises(DataError, match=r"11\.json.*missing"):
        fetch_nsmc(tmp_path / "nsmc", str(source), manifest=manifest)


def test_changed_format_is_refused_even_with_a_matching_hash(tmp_path, tiny_nsmc):
    source, manifest = tiny_nsmc
    data = json.dumps([{"text": "리뷰", "movie_id": "11"}]).encode()
    (source / "raw" / "11.json").write_bytes(data)
    movies = list(manifest.movies)
    movies[0] = {**movies[0], "raw": {"path": "raw/11.json", "sha256": sha256_hex(data)}}
    with pytest.raises(DataError, match=r"raw/11\.json.*changed format"):
        fetch_nsmc(tmp_path / "nsmc", str(source), manifest=replace(manifest, movies=tuple(movies)))
    assert not (tmp_path / "nsmc").exists()


def test_interrupted_fetch_resumes_from_the_checked_files(tmp_path, tiny_nsmc):
    source, manifest = tiny_nsmc
    second = (source / "raw" / "22.json").read_bytes()
    (source / "raw" / "22.json").unlink()
    with pytest.raises(DataError):  # the connection "drops" before the second movie
        fetch_nsmc(tmp_path / "nsmc", str(source), manifest=manifest)
    assert (tmp_path / "nsmc.partial" / "reviews" / "11.json").is_file()
    assert not (tmp_path / "nsmc").exists()  # no half dataset where a loader looks
    (source / "raw" / "11.json").unlink()  # what was fetched is not read from the source again
    (source / "raw" / "22.json").write_bytes(second)
    out = fetch_nsmc(tmp_path / "nsmc", str(source), manifest=manifest)
    assert sum(map(len, load_dataset(out).reviews.values())) == 6
    assert (out / COMPLETE_MARKER).read_text().strip() == manifest.digest


def test_a_foreign_folder_is_not_overwritten(tmp_path, tiny_nsmc):
    source, manifest = tiny_nsmc
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("x")
    with pytest.raises(DataError, match="not overwriting"):
        fetch_nsmc(tmp_path / "notes", str(source), manifest=manifest)


def test_open_data_falls_back_to_the_sample_with_a_notice(tmp_path, monkeypatch):
    monkeypatch.setenv("MOVIATTN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("MOVIATTN_NSMC_SOURCE", str(tmp_path / "nowhere"))
    dataset, notice = open_data("nsmc", fallback=True)
    assert Path(dataset.source) == SAMPLE_DATA_DIR and "NSMC" in notice and "synopses.json" in notice
    with pytest.raises(DataError):
        open_data("nsmc")
    assert open_data("sample") == (load_dataset(SAMPLE_DATA_DIR), None)


def test_the_manifest_records_facts_and_hashes_only():
    manifest = load_manifest()
    assert len(manifest.movies) == 40 and len(manifest.commit) == 40
    for movie in manifest.movies:
        assert "synopsis" not in movie and "review" not in json.dumps(movie, ensure_ascii=False)


@pytest.mark.skipif(not SHARED_NSMC.is_dir(), reason="needs ../shared/data/nsmc")
def test_fetch_from_the_real_files_equals_the_shared_set(tmp_path):
    """The shared set's review files are the source's raw files unchanged: their hashes are the recorded ones.
    Its synopses stand in for ``synopses.json`` (at the recorded indices; only that file's hash is the copy's)."""
    shared_movies = json.loads((SHARED_NSMC / "movies.json").read_text(encoding="utf-8"))
    manifest = load_manifest()
    source = tmp_path / "source"
    (source / "raw").mkdir(parents=True)
    synopses = [{"title_kr": "", "synopsis": ""} for _ in range(max(m["synopsis_index"] for m in manifest.movies) + 1)]
    for movie, shared in zip(manifest.movies, shared_movies):
        synopses[movie["synopsis_index"]] = {"title_kr": shared["title_kr"], "synopsis": shared["synopsis"]}
        (source / "raw" / f"{movie['movie_id']}.json").write_bytes((SHARED_NSMC / "reviews" / f"{movie['movie_id']}.json").read_bytes())
    (source / "synopses.json").write_text(json.dumps(synopses, ensure_ascii=False), encoding="utf-8")
    copy = replace(manifest, synopses=SourceFile("synopses.json", sha256_hex((source / "synopses.json").read_bytes())))
    out = fetch_nsmc(tmp_path / "nsmc", str(source), manifest=copy)
    assert json.loads((out / "movies.json").read_text(encoding="utf-8")) == shared_movies
    fetched, shared = load_dataset(out), load_dataset(SHARED_NSMC)
    assert sum(map(len, fetched.reviews.values())) == 4000 and fetched.reviews == shared.reviews
