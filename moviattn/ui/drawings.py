"""The drawings the app keeps: answers drawn once (figures as the JSON the browser draws) and read again
for the same inputs (``DrawingStore``, by ``review_view_parts`` and ``aggregate_view_parts``), and the
background fill's drawing of a movie's first views ahead of its visitors (``draw_ahead``)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from ..data import Movie, Review
from ..explorer import Explorer, ResultCache, Settings, aggregate_drawing, cache_key, preview, review_drawing

#: Drawn answers kept for reuse (a review's two heatmaps take tens of kB; an aggregate's views a few hundred).
VIEWS_KEPT = 256


def review_view_parts(model: str, movie: Movie, text: str, settings: Settings, scale: str, cmap: str) -> tuple:
    """What a review's drawing is kept by (the loaded model's name: a fallback is not the model asked for)."""
    return ("review", model, movie, text, settings, scale, cmap)


def aggregate_view_parts(
    model: str, movie: Movie, reviews: list[Review], settings: Settings, split: bool, scale: str, cmap: str
) -> tuple:
    """What an aggregate's drawing is kept by."""
    return ("aggregate", model, movie, [(r.id, r.text, r.rating, r.date) for r in reviews], settings, split, scale, cmap)


class DrawingStore:
    """Drawn answers (figures as the JSON the browser draws, with their status lines' parts) by what they were
    drawn from: the newest in memory (bounded, least recently used out), all of them in the result cache
    (kind ``view``) where there is one, so the background fill's drawings survive a restart.

    A stored result still cost its figures' construction and serialisation on every click (a review's two
    heatmaps: tens of milliseconds; a movie aggregate's views: 0.2-0.5 s on this 2-core machine, all under
    the one GIL): under many visitors that was most of a request's time. The same inputs give the same
    drawing, so it is made once (by the fill, for the shipped movies' defaults) and then only read."""

    def __init__(self, kept: int, store: ResultCache | None) -> None:
        self._kept, self._store = kept, store
        self._views: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, parts: tuple, make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """The drawing for ``parts`` (JSON-serialisable, ``str`` for the rest), made by ``make`` where none is kept."""
        key = cache_key("view", *parts)
        with self._lock:
            if key in self._views:
                self._views.move_to_end(key)
                return self._views[key]
        view = self._store.get("view", key) if self._store is not None else None
        if view is None:
            view = make()
            if self._store is not None:
                self._store.put("view", key, view)
        with self._lock:
            self._views[key] = view
            while len(self._views) > self._kept:
                self._views.popitem(last=False)
        return view


def draw_ahead(
    views: DrawingStore, explorer: Explorer, movie: Movie, reviews: list[Review], settings: Settings, scale: str, cmap: str,
    *, pause: Callable[[], None],
) -> None:
    """The drawings a visitor of ``movie`` is shown first (its stored results drawn, as the tab draws them)."""
    model = explorer.model.name
    for review in reviews:
        pause()
        try:
            views.get(review_view_parts(model, movie, review.text, settings, scale, cmap),
                      lambda: review_drawing(explorer.review_attention(movie, review.text, settings), scale=scale, cmap=cmap))
        except ValueError:  # an empty or emoji-only review: a visitor gets a message, nothing to draw
            continue
    labels = {r.id: preview(r.text) for r in reviews}
    views.get(aggregate_view_parts(model, movie, reviews, settings, False, scale, cmap),
              lambda: aggregate_drawing(explorer.movie_aggregate(movie, reviews, settings), split=False, scale=scale,
                                        cmap=cmap, review_labels=labels))
