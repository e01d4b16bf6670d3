"""The app's warm-up (``AppState.warm_contexts``) analyses every movie's info and plot once, so the first click finds them."""

from __future__ import annotations

import moviattn.explorer._run.preparation as pipeline
from moviattn.data import load_dataset
from moviattn.explorer._compute.settings import Settings
from moviattn.ui.state import AppState


def test_warm_contexts_analyses_every_dataset_movie_before_the_first_click(tiny_bert, monkeypatch):
    class TinyState(AppState):
        def _load(self, target, allow_fallback):
            return tiny_bert

    state, analysed = TinyState(load_dataset(), "tiny"), []
    analyse = pipeline.segment_units
    monkeypatch.setattr(pipeline, "segment_units", lambda segment, *a, **k: analysed.append(segment.name) or analyse(segment, *a, **k))
    assert state.warm_contexts() == len(state.dataset.movies)
    warmed = len(analysed)
    assert warmed == 2 * len(state.dataset.movies)  # info and plot of each
    movie = next(iter(state.dataset.movies.values()))
    state.explorer().context(movie, Settings())
    assert len(analysed) == warmed  # the first click finds it
