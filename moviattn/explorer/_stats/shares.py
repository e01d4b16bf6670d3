"""A review's share of attention per unit, the fixed reference reviews its lift divides by, and what a
statistic reads of a movie's shares (``Shares``: ``MovieAggregate`` is one)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Protocol

import numpy as np

from ...data import Review
from ...morphology import Unit
from .groups import Group
from .segment_words import Word

SEGMENTS = ("info", "plot")
REFERENCE_RESOURCE = "reference_reviews.txt"


def attention_share(matrix: np.ndarray) -> np.ndarray:
    """A review's share of attention per target unit: column totals over the grand total."""
    totals = matrix.sum(axis=0)
    grand = totals.sum()
    return totals / grand if grand > 0 else np.zeros_like(totals)


@lru_cache(maxsize=1)
def reference_reviews() -> tuple[Review, ...]:
    """The fixed reference set of the lift (``resources/reference_reviews.txt``)."""
    text = (resources.files("moviattn.explorer") / "resources" / REFERENCE_RESOURCE).read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return tuple(Review(f"reference-{i}", line) for i, line in enumerate(lines))


class Shares(Protocol):
    """Per-review shares of a movie's info and plot units, in groups: what the statistics read."""

    movie_id: str
    info_units: list[Unit]
    dates: list[str | None]
    info_reference: np.ndarray | None
    plot_reference: np.ndarray | None

    def group(self, polarity: str | None = None) -> Group: ...

    def units(self, segment: str) -> list[Unit]: ...

    def per_review(self, segment: str) -> np.ndarray: ...

    def reference(self, segment: str) -> np.ndarray | None: ...

    def shares(self, segment: str, group: Group) -> np.ndarray: ...

    def words(self, segment: str, which: str = ...) -> list[Word]: ...
