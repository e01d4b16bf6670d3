"""Tiny generated rating logs for the session-recommender tests (never MovieLens: its licence)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moviattn.recommend.session.data import ItemInfo, RatingLog
from moviattn.recommend.session.splits import Protocol, make_split

DAY = 86400
GENRES = ("Drama", "Comedy", "Action")


def markov_log(users: int = 60, items: int = 50, length: int = 20, seed: int = 0) -> RatingLog:
    """Each user walks a cycle of items: next = current + 1 (p = 0.8) or + 2; one event per day.

    A first-order source that Markov-1 and GRU4Rec can learn and popularity cannot (all items
    are about equally popular). Times are unique: user u's j-th event is at day j plus u minutes.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for user in range(users):
        item = int(rng.integers(items))
        for step in range(length):
            rows.append((str(user + 1), str(item + 1), 5.0, 1_000_000 + step * DAY + user * 60))
            item = (item + (1 if rng.random() < 0.8 else 2)) % items
    events = pd.DataFrame(rows, columns=["user", "item", "rating", "time"])
    events["order"] = np.arange(len(events))
    catalogue = {str(i + 1): ItemInfo(str(i + 1), f"Movie {i + 1}", 1990 + i % 10, (GENRES[i % 3],)) for i in range(items)}
    return RatingLog(events, catalogue, "markov")


def write_atomic(folder: Path, log: RatingLog, name: str = "ml-100k") -> Path:
    """``log`` as RecBole atomic files ``<name>.inter`` / ``<name>.item`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["user_id:token\titem_id:token\trating:float\ttimestamp:float"]
    lines += [f"{r.user}\t{r.item}\t{r.rating:g}\t{r.time}" for r in log.events.itertuples()]
    (folder / f"{name}.inter").write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = ["item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq"]
    items += [f"{i.id}\t{i.title}\t{i.year}\t{' '.join(i.genres)}" for i in log.items.values()]
    (folder / f"{name}.item").write_text("\n".join(items) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def log() -> RatingLog:
    return markov_log()


@pytest.fixture(scope="session")
def split(log):
    return make_split(log, Protocol())


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty ``MOVIATTN_CACHE``."""
    monkeypatch.setenv("MOVIATTN_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"
