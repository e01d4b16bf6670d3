"""More movies for the simulated users: NSMC release movies with at least 100 reviews, read at run time.

Only ids are ever recorded (none are committed); the reviews are read from a local copy of the public
e9t/nsmc release (``$MOVIATTN_NSMC_SOURCE``, its ``raw/<movie_id>.json`` files) and checked as
``data fetch nsmc`` checks them (a list of review records of that movie with NSMC's fields, parsed by
``data.reviews_from_records``). The movies of the release's ``synopses.json`` beyond the app's 40 belong
to a private check and are left out without reading that file: the sentiment corpus was built from
every raw file *except* those 50 movies, so a movie qualifies only if most of its rated 1-4 / 9-10
reviews are in that corpus (the 40 are added from the app's own set instead). Movies are taken in the
order of ``sha1("release:" + movie id)``, so a seed-free, machine-independent sample.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..data import Dataset, Movie, reviews_from_records
from ..errors import DataError
from ..sentiment.data import DEFAULT_DATA_DIR, read_tsv
from .corpus import sample_key

MIN_REVIEWS = 100
#: Share of a movie's polar reviews that must be in the sentiment corpus (deduplication drops a few).
IN_CORPUS = 0.5
CORPUS_FILES = ("train.tsv", "test.tsv", "neutral_train.tsv", "neutral_test.tsv")


def corpus_review_ids(data_dir: Path = DEFAULT_DATA_DIR) -> set[str]:
    """Every review id of the sentiment corpus files (the movies they come from are not private)."""
    return {i for name in CORPUS_FILES if (Path(data_dir) / name).exists() for i in read_tsv(Path(data_dir) / name)["id"]}


def release_movies(source: str | Path, count: int, exclude: set[str] = frozenset(), data_dir: Path = DEFAULT_DATA_DIR) -> Dataset:
    """``count`` release movies (not in ``exclude``) with at least :data:`MIN_REVIEWS` reviews, titled by their id."""
    raw = Path(source) / "raw"
    if not raw.is_dir():
        raise DataError(str(raw), "no raw/ folder: point $MOVIATTN_NSMC_SOURCE at a local copy of e9t/nsmc")
    allowed = corpus_review_ids(data_dir)
    movies, reviews = {}, {}
    for path in sorted(raw.glob("*.json"), key=lambda p: sample_key(p.stem, "release")):
        if len(movies) >= count:
            break
        if path.stem in exclude:
            continue
        records = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(records, list) or len(records) < MIN_REVIEWS:
            continue
        if any(str(r.get("movie_id")) != path.stem for r in records if isinstance(r, dict)):
            raise DataError(str(path), f"holds reviews of another movie than {path.stem}")
        parsed = reviews_from_records(records, str(path))
        polar = [r for r in parsed if r.polarity and r.text.strip()]
        if not polar or sum(r.id in allowed for r in polar) < IN_CORPUS * len(polar):
            continue
        movies[path.stem] = Movie(path.stem, f"#{path.stem}")
        reviews[path.stem] = parsed
    return Dataset(movies, reviews, str(source))
