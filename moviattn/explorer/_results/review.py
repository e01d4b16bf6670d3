"""One review's unit-level attention to the movie info and the plot, and its JSON form."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from ...morphology import Unit
from ...text import NormalizedText
from .._compute.sequence import INFO_FIELDS
from .._compute.settings import Settings
from .._stats.words import info_items, item_matrix


def units_to_json(units: list[Unit]) -> list[dict[str, Any]]:
    return [asdict(u) for u in units]


def units_from_json(items: list[dict[str, Any]]) -> list[Unit]:
    return [Unit(**item) for item in items]


def text_to_json(text: NormalizedText) -> dict[str, Any]:
    return {"original": text.original, "text": text.text, "spans": [list(s) for s in text.spans]}


def text_from_json(item: dict[str, Any]) -> NormalizedText:
    return NormalizedText(item["original"], item["text"], tuple(tuple(s) for s in item["spans"]))


@dataclass(frozen=True)
class ReviewAttention:
    """Review units (rows) × info units and × plot units (columns) under one setting."""

    review_text: NormalizedText
    plot_text: NormalizedText
    info_text: str
    review_units: list[Unit]
    info_units: list[Unit]
    plot_units: list[Unit]
    info: np.ndarray
    plot: np.ndarray
    n_windows: int
    settings: Settings
    model_name: str
    #: What the reader should know about this run (units fell back to eojeol, plot split into windows).
    #: Not cached: the explorer attaches them to every result it returns.
    notices: tuple[str, ...] = ()

    def original_span(self, unit: Unit) -> tuple[int, int]:
        """Where a review unit stands in the text as the user wrote it."""
        return self.review_text.original_span(unit.start, unit.end)

    def content_only(self) -> "ReviewAttention":
        """Drop particles, endings and punctuation from rows and columns."""
        rows = [i for i, u in enumerate(self.review_units) if u.content]
        info_cols = [i for i, u in enumerate(self.info_units) if u.content]
        plot_cols = [i for i, u in enumerate(self.plot_units) if u.content]
        return replace(
            self,
            review_units=[self.review_units[i] for i in rows],
            info_units=[self.info_units[i] for i in info_cols],
            plot_units=[self.plot_units[i] for i in plot_cols],
            info=self.info[np.ix_(rows, info_cols)],
            plot=self.plot[np.ix_(rows, plot_cols)],
        )

    def by_item(self) -> "ReviewAttention":
        """Info columns as items (each name, genre, country, the title, the year: ``words.info_items``),
        each the sum of its units' columns, so a name of six syllables is one column with its whole share."""
        items = info_items(self.info_units)
        units = [
            Unit(item.text, self.info_units[item.members[0]].start, self.info_units[item.members[-1]].end, "Item", True, item.field)
            for item in items
        ]
        return replace(self, info_units=units, info=self.info @ item_matrix(items, len(self.info_units)))

    def by_field(self) -> tuple[list[str], np.ndarray]:
        """Info columns summed per field: (field names in info order, [review units, fields])."""
        names = [name for name, _ in INFO_FIELDS if any(u.field == name for u in self.info_units)]
        matrix = np.stack(
            [self.info[:, [i for i, u in enumerate(self.info_units) if u.field == name]].sum(axis=1) for name in names],
            axis=1,
        ) if names else np.zeros((len(self.review_units), 0))
        return names, matrix

    def to_json(self) -> dict[str, Any]:
        return {
            "review_text": text_to_json(self.review_text),
            "plot_text": text_to_json(self.plot_text),
            "info_text": self.info_text,
            "review_units": units_to_json(self.review_units),
            "info_units": units_to_json(self.info_units),
            "plot_units": units_to_json(self.plot_units),
            "info": self.info.tolist(),
            "plot": self.plot.tolist(),
            "n_windows": self.n_windows,
            "settings": asdict(self.settings),
            "model_name": self.model_name,
        }

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> "ReviewAttention":
        review_units = units_from_json(item["review_units"])
        info_units = units_from_json(item["info_units"])
        plot_units = units_from_json(item["plot_units"])
        return cls(
            review_text=text_from_json(item["review_text"]),
            plot_text=text_from_json(item["plot_text"]),
            info_text=item["info_text"],
            review_units=review_units,
            info_units=info_units,
            plot_units=plot_units,
            info=np.array(item["info"], dtype=np.float64).reshape(len(review_units), len(info_units)),
            plot=np.array(item["plot"], dtype=np.float64).reshape(len(review_units), len(plot_units)),
            n_windows=item["n_windows"],
            settings=Settings.from_dict(item["settings"]),
            model_name=item["model_name"],
        )
