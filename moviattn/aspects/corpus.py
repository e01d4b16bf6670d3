"""The NSMC reviews the inventory is learned from: a fixed hash sample of the sentiment corpus, tokenised once.

Okt takes about 6 ms a review here, so tokenising all 150,000 + mid-rated training reviews would take
20-30 minutes on the shared cores; a sample chosen by ``sha1("aspects:" + review id)`` (the same
reviews on every machine, independent of file order) keeps ``learn`` to a few minutes and is cached
under ``cache_dir("aspects")``, never in the project.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

from ..paths import cache_dir
from ..sentiment.data import DEFAULT_DATA_DIR, TOKENISER_VERSION, read_tsv, tokenise_all

#: The training files the sample is drawn from (binary and mid-rated): never the test files, which the
#: labelled set's reviews are not in either (those come from the 40 movies of the app's set).
SOURCE_FILES = ("train.tsv", "neutral_train.tsv")
DEFAULT_SAMPLE = 30_000


def sample_key(review_id: str, salt: str = "aspects") -> int:
    """The fixed hash that orders reviews for sampling (and splits the labelled set)."""
    return int(hashlib.sha1(f"{salt}:{review_id}".encode()).hexdigest(), 16)


def sampled_corpus(data_dir: Path = DEFAULT_DATA_DIR, size: int = DEFAULT_SAMPLE, workers: int = 1) -> list[list[str]]:
    """The ``word/POS`` tokens of the ``size`` reviews with the smallest :func:`sample_key`, cached."""
    data_dir = Path(data_dir)
    frames = [read_tsv(data_dir / name) for name in SOURCE_FILES if (data_dir / name).exists()]
    if not frames:
        raise FileNotFoundError(f"no {' or '.join(SOURCE_FILES)} in {data_dir}")
    rows = sorted((sample_key(i), text) for frame in frames for i, text in zip(frame["id"], frame["document"]) if text)
    texts = [text for _, text in rows[:size]]
    digest = hashlib.sha1("\n".join([TOKENISER_VERSION, *texts]).encode()).hexdigest()[:16]
    cached = cache_dir("aspects") / f"corpus-{size}-{digest}.pkl"
    if cached.exists():
        return pickle.loads(cached.read_bytes())
    tokens = tokenise_all(texts, workers)
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(tokens))
    tmp.replace(cached)
    return tokens
