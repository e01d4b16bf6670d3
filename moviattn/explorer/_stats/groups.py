"""Reviews in groups: all, one polarity (9-10 positive, 1-4 negative: ``data.polarity_of``) or one review
period; an empty group says so (``EmptyGroup``), never zeros, and a group below ``THIN_GROUP`` is thin."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...data import POLARITIES, POLARITY_LABELS, polarity_of
from ...registry import choose

#: Groups with fewer reviews than this are marked thin.
THIN_GROUP = 5
EMPTY_GROUP = "no reviews in this group"
EMPTY_GROUP_KR = "이 그룹에는 리뷰가 없습니다"
#: Equal-count bins of the time view where reviews span too few (or too many) years to use years.
TIME_BINS = 4
MIN_YEARS, MAX_YEARS = 3, 8


class EmptyGroup(ValueError):
    """A polarity or period with no reviews: the views say so instead of showing zeros."""

    def __init__(self, label: str):
        super().__init__(f"{label}: {EMPTY_GROUP_KR} ({EMPTY_GROUP})")
        self.label = label


@dataclass(frozen=True)
class Group:
    """Reviews of one polarity or period: their rows in the aggregate, and whether there are too few."""

    label: str
    rows: np.ndarray

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def empty(self) -> bool:
        return self.count == 0

    @property
    def thin(self) -> bool:
        return 0 < self.count < THIN_GROUP

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"label": self.label, "count": self.count, "thin": self.thin}
        if self.empty:
            out["note"] = EMPTY_GROUP
        return out


def polarity_group(ratings: Sequence[int | None], polarity: str | None = None) -> Group:
    """All reviews, or those of one polarity."""
    if polarity is None:
        return Group("전체 (all)", np.arange(len(ratings)))
    choose("polarity", polarity, POLARITIES)
    rows = np.array([i for i, r in enumerate(ratings) if polarity_of(r) == polarity], dtype=int)
    return Group(POLARITY_LABELS[polarity], rows)


def periods(dates: Sequence[str | None]) -> list[Group]:
    """Review periods: calendar years (empty ones included, so gaps show) where the dated reviews span
    ``MIN_YEARS``..``MAX_YEARS`` years, else ``TIME_BINS`` equal-count bins by date. Undated reviews are
    left out; no dated review: no periods."""
    dated = [(dt.date.fromisoformat(d), i) for i, d in enumerate(dates) if d]
    if not dated:
        return []
    first, last = min(d.year for d, _ in dated), max(d.year for d, _ in dated)
    if MIN_YEARS <= last - first + 1 <= MAX_YEARS:
        return [Group(str(y), np.array([i for d, i in dated if d.year == y], dtype=int)) for y in range(first, last + 1)]
    ordered = sorted(dated)
    bins = np.array_split(np.arange(len(ordered)), min(TIME_BINS, len(ordered)))
    return [
        Group(f"{ordered[b[0]][0].isoformat()} – {ordered[b[-1]][0].isoformat()}", np.array(sorted(ordered[j][1] for j in b), dtype=int))
        for b in bins
    ]
