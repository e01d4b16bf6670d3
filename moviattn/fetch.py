"""Fetching public review data at run time, beside loading it (``data``): nothing others wrote is shipped.

``nsmc``: the 40 real movies of the NSMC-derived set, rebuilt from the public Naver sentiment movie
corpus (e9t/nsmc, CC0 1.0) read at a pinned commit. The project records only facts and hashes
(``resources/nsmc_movies.json``: ids, titles, years, directors, genres, cast, countries, runtimes, the
movie ↔ synopsis link, and the SHA-256 of every file it reads); the synopses and the reviews are
downloaded, checked against those hashes, and written as a dataset folder that ``load_dataset`` reads
(``movies.json`` + ``reviews/<movie_id>.json``, the raw review files unchanged).

The discipline is that of ``huggingface_hub``'s downloads: files go to ``<out>.partial`` and are checked
as they arrive (a verified file is kept, so a second run resumes); the folder is renamed to ``<out>``
only when every file is there and checked, so no half dataset is ever loaded. A wrong hash, a missing
file or a changed format is refused with a ``DataError`` naming the file.

Named data (``--data`` of the app and the CLIs): ``sample`` (the shipped sample), ``nsmc`` (fetched
as above, cached in ``$MOVIATTN_CACHE/data/nsmc``) or a folder path.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .data import Dataset, load_dataset, reviews_from_records
from .errors import DataError
from .paths import SAMPLE_DATA_DIR, cache_dir, nsmc_source

log = logging.getLogger(__name__)

MANIFEST = Path(__file__).resolve().parent / "resources" / "nsmc_movies.json"
#: Where a raw file of the pinned commit is served (``{commit}``, then the file's path).
RAW_URL = "https://raw.githubusercontent.com/e9t/nsmc/{commit}/"
#: Seconds a whole fetch may take by default (the app's start-up waits at most this long).
FETCH_TIMEOUT = 180.0
#: Seconds one download may take.
REQUEST_TIMEOUT = 30.0
#: The marker a complete dataset folder holds: the manifest's hash it was built from.
COMPLETE_MARKER = ".fetched"
#: Review fields every raw NSMC file has.
RAW_FIELDS = ("review", "date", "rating", "review_id", "movie_id")
#: Data names the app and the CLIs accept besides a folder.
NAMED_DATA = ("sample", "nsmc")


@dataclass(frozen=True)
class SourceFile:
    """A file of the source repository and the SHA-256 it must have."""

    path: str
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """What the project records of a source: its commit, the synopses file and each movie's facts and raw file."""

    commit: str
    synopses: SourceFile
    movies: tuple[dict[str, Any], ...]
    digest: str

    def raw(self, movie: dict[str, Any]) -> SourceFile:
        return SourceFile(**movie["raw"])


def load_manifest(path: str | Path = MANIFEST) -> Manifest:
    text = Path(path).read_bytes()
    record = json.loads(text)
    return Manifest(
        commit=record["commit"], synopses=SourceFile(**record["synopses"]), movies=tuple(record["movies"]),
        digest=hashlib.sha256(text).hexdigest(),
    )


def default_nsmc_dir() -> Path:
    """Where ``data fetch nsmc`` writes by default: ``$MOVIATTN_CACHE/data/nsmc``."""
    return cache_dir("data", "nsmc")


def is_complete(folder: Path, manifest: Manifest) -> bool:
    """Whether ``folder`` is a finished fetch of this manifest."""
    marker = folder / COMPLETE_MARKER
    return marker.is_file() and marker.read_text(encoding="utf-8").strip() == manifest.digest


# ---------------------------------------------------------------- reading the source


def _read_source(source: str, path: str, deadline: float) -> bytes:
    """The bytes of ``path`` from a URL prefix or a local copy of the repository; DataError naming the file."""
    if "://" not in source:
        file = Path(source) / path
        if not file.is_file():
            raise DataError(str(file), "missing from the source folder")
        return file.read_bytes()
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise DataError(path, "not downloaded: the fetch ran out of time")
    url = source.rstrip("/") + "/" + path
    try:
        with urllib.request.urlopen(url, timeout=min(REQUEST_TIMEOUT, remaining)) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        raise DataError(url, f"download failed (HTTP {exc.code})") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DataError(url, f"download failed ({reason})") from None


def _checked(data: bytes, expected: SourceFile) -> bytes:
    digest = hashlib.sha256(data).hexdigest()
    if digest != expected.sha256:
        raise DataError(expected.path, f"SHA-256 {digest[:12]}… does not match the recorded {expected.sha256[:12]}… (changed or corrupted; not used)")
    return data


def _fetched(source: str, expected: SourceFile, target: Path, deadline: float) -> bytes:
    """The file's checked bytes: from ``target`` if an earlier run left it complete, else from the source."""
    if target.is_file():
        data = target.read_bytes()
        if hashlib.sha256(data).hexdigest() == expected.sha256:
            return data
    data = _checked(_read_source(source, expected.path, deadline), expected)
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    return data


def _json(data: bytes, name: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(name, f"not the expected JSON ({exc})") from None


def _check_reviews(data: bytes, expected: SourceFile, movie_id: str) -> None:
    """A raw file is a list of review objects of this movie with NSMC's fields (a changed format is refused)."""
    records = _json(data, expected.path)
    if not isinstance(records, list):
        raise DataError(expected.path, "expected a list of reviews")
    for number, record in enumerate(records, start=1):
        missing = [name for name in RAW_FIELDS if not isinstance(record, dict) or name not in record]
        if missing:
            raise DataError(expected.path, f"changed format: no {', '.join(missing)}", number)
        if str(record["movie_id"]) != movie_id:
            raise DataError(expected.path, f"a review of movie {record['movie_id']!r}, not {movie_id!r}", number, "movie_id")
    reviews_from_records(records, expected.path)


def _synopsis(synopses: Any, movie: dict[str, Any], name: str) -> str:
    """The movie's synopsis by its recorded index, checked against its title; trailing whitespace removed."""
    index = movie["synopsis_index"]
    if not isinstance(synopses, list) or index >= len(synopses) or not isinstance(synopses[index], dict):
        raise DataError(name, f"changed format: no synopsis record {index}")
    entry = synopses[index]
    if entry.get("title_kr") != movie["title_kr"] or not isinstance(entry.get("synopsis"), str):
        raise DataError(name, f"changed format: record {index} is not {movie['title_kr']}'s synopsis", index, "title_kr")
    return entry["synopsis"].rstrip()


# ---------------------------------------------------------------- the fetch


def fetch_nsmc(
    out: str | Path | None = None,
    source: str | None = None,
    *,
    manifest: Manifest | None = None,
    timeout: float = FETCH_TIMEOUT,
) -> Path:
    """Build the 40-movie NSMC dataset folder at ``out`` (default ``$MOVIATTN_CACHE/data/nsmc``); its path.

    ``source``: a URL prefix (default: the pinned commit's raw files) or a local copy of the repository.
    Already complete: returned at once. Interrupted: the next call resumes from ``<out>.partial``.
    """
    manifest = manifest or load_manifest()
    out = Path(out) if out is not None else default_nsmc_dir()
    source = source or RAW_URL.format(commit=manifest.commit)
    if is_complete(out, manifest):
        return out
    if out.exists() and any(out.iterdir()):
        raise DataError(str(out), "exists and is not a fetched NSMC dataset; not overwriting it (choose another --out)")
    deadline = time.monotonic() + timeout
    partial = out.with_name(out.name + ".partial")
    (partial / "reviews").mkdir(parents=True, exist_ok=True)
    synopses = _json(_fetched(source, manifest.synopses, partial / "synopses.json", deadline), manifest.synopses.path)
    movies = []
    for number, movie in enumerate(manifest.movies, start=1):
        raw = manifest.raw(movie)
        data = _fetched(source, raw, partial / "reviews" / f"{movie['movie_id']}.json", deadline)
        _check_reviews(data, raw, movie["movie_id"])
        record = {k: v for k, v in movie.items() if k not in ("synopsis_index", "raw")}
        record["synopsis"] = _synopsis(synopses, movie, manifest.synopses.path)
        movies.append(record)
        if number % 10 == 0 or number == len(manifest.movies):
            log.info("nsmc: %d/%d movies fetched and checked", number, len(manifest.movies))
    (partial / "movies.json").write_text(json.dumps(movies, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (partial / "synopses.json").unlink()
    load_dataset(partial)  # the loader's own checks, before the folder becomes visible
    (partial / COMPLETE_MARKER).write_text(manifest.digest + "\n", encoding="utf-8")
    if out.exists():
        out.rmdir()  # empty (checked above)
    out.parent.mkdir(parents=True, exist_ok=True)
    os.replace(partial, out)
    log.info("nsmc: %d movies ready in %s", len(movies), out)
    return out


def open_data(name: str, *, timeout: float = FETCH_TIMEOUT, fallback: bool = False) -> tuple[Dataset, str | None]:
    """The dataset named ``name`` (``sample``, ``nsmc`` or a folder) and a notice, or None.

    ``nsmc`` is fetched on first use (``$MOVIATTN_NSMC_SOURCE`` may name another source). Where that fails
    and ``fallback`` is set (the app), the shipped sample is returned with a notice saying why, instead of an error.
    """
    if name == "sample":
        return load_dataset(SAMPLE_DATA_DIR), None
    if name != "nsmc":
        return load_dataset(name), None
    try:
        return load_dataset(fetch_nsmc(source=nsmc_source(), timeout=timeout)), None
    except (DataError, OSError) as exc:
        if not fallback:
            raise
        log.warning("nsmc could not be fetched, serving the sample: %s", exc)
        return load_dataset(SAMPLE_DATA_DIR), (
            f"실제 NSMC 영화를 내려받지 못해 예시 데이터로 보여 줍니다 (could not fetch the real NSMC movies; showing the "
            f"invented sample instead): {exc}"
        )

