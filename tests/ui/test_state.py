"""``ui.state``: the store filled ahead of visitors (never in their way), the ZeroGPU grants, the data notice."""

from __future__ import annotations

import threading
import time

import pytest
from app_helpers import KNOWN_MODEL, tiny_dashboard

from moviattn.data import Movie
from moviattn.explorer import Settings
from moviattn.recommend import diary
from moviattn.ui import state as state_module
from moviattn.ui.drawings import review_view_parts
from moviattn.ui.state import GPU_MAX_SECONDS, gpu_seconds


class _Catalogue:
    """Stands in for the diary recommender: records which catalogue the fill prepared."""

    def __init__(self):
        self.prepared = []

    def prepare_catalogue(self, dataset):
        self.prepared.append(dataset)


@pytest.fixture
def catalogue(monkeypatch):
    stand_in = _Catalogue()
    monkeypatch.setattr(diary, "shipped_recommender", lambda: stand_in)
    return stand_in


def _stored_movies(dash) -> int:
    return sum(1 for _ in (dash.cache.directory / "movie").rglob("*.json.gz")) if (dash.cache.directory / "movie").exists() else 0


@pytest.mark.slow
def test_the_fill_waits_for_visitors_then_stores_every_answer(tiny_bert, tmp_path, catalogue):
    dash = tiny_dashboard(tiny_bert, tmp_path / "cache")
    filled = {}
    with dash.serving():  # a visitor's computation is in flight
        worker = threading.Thread(target=lambda: filled.update(dash.fill_store("percentile", "viridis")))
        worker.start()
        time.sleep(1.0)
        assert _stored_movies(dash) == 0 and worker.is_alive()  # it waited
    worker.join(timeout=300)
    assert filled["movies"] == len(dash.dataset.movies) and filled["reviews"] == 120
    assert catalogue.prepared == [dash.dataset]
    explorer, hits = dash.explorer(), 0
    for movie_id in dash.dataset.movies:  # every shipped review that can be analysed is now a store hit
        movie = dash.dataset.movie(movie_id)
        for review in dash.dataset.reviews_of(movie_id):
            try:
                request = explorer.review_request(movie, review.text, Settings())
            except ValueError:  # an emoji-only review: refused with a message, nothing to store
                continue
            assert explorer.cached_result(request) is not None
            parts = review_view_parts(explorer.model.name, movie, review.text, Settings(), "percentile", "viridis")
            assert dash.views.get(parts, lambda: pytest.fail("not drawn ahead"))["info"].startswith("{")
            hits += 1
    assert hits > 100
    assert _stored_movies(dash) >= len(dash.dataset.movies)  # each movie's aggregate (and the reference)


@pytest.mark.slow
def test_a_visitor_is_answered_while_the_fill_runs(tiny_bert, tmp_path, catalogue):
    dash = tiny_dashboard(tiny_bert, tmp_path / "cache")
    worker = threading.Thread(target=dash.fill_store, args=("percentile", "viridis"))
    worker.start()
    movie = dash.dataset.movie("s004")
    started = time.perf_counter()
    result = dash.review_attention(KNOWN_MODEL, movie, "배우들 연기가 정말 좋았다", Settings())
    answered = time.perf_counter() - started
    assert result.review_text.original == "배우들 연기가 정말 좋았다"
    assert worker.is_alive() or _stored_movies(dash) > 0
    worker.join(timeout=300)
    assert not worker.is_alive() and answered < 60


def test_no_cache_means_nothing_to_fill(tiny_bert, catalogue):
    dash = tiny_dashboard(tiny_bert)
    assert dash.fill_store("percentile", "viridis") == {"movies": 0, "reviews": 0, "seconds": 0.0}


def test_gpu_grants_follow_the_work():
    short, long = Movie("1", "가", synopsis="짧다"), Movie("2", "나", synopsis="긴 줄거리 " * 400)
    one = gpu_seconds(short, 1)
    assert 1 < one <= 10  # one review: a few seconds, not a fixed two minutes
    assert gpu_seconds(long, 10) > gpu_seconds(short, 10)  # a long plot needs several windows per review
    assert one < gpu_seconds(short, 100) < gpu_seconds(long, 100) < gpu_seconds(long, 4000) == GPU_MAX_SECONDS
    grant = state_module._aggregate_gpu_seconds(0, KNOWN_MODEL, short, [None] * 100, Settings(), None)
    assert grant >= gpu_seconds(short, 100)  # the reference reviews are computed in the same call


def test_the_banner_says_when_the_real_data_could_not_be_fetched(tiny_bert):
    dash = tiny_dashboard(tiny_bert)
    dash.data_notice = "실제 NSMC 영화를 내려받지 못해 <예시>"
    banner = dash.banner(dash.model())
    assert "ma-warning" in banner and "&lt;예시&gt;" in banner


def test_on_zerogpu_only_model_work_borrows_a_gpu(tiny_bert, tmp_path, monkeypatch):
    """A stored answer is read on the CPU; a new review is analysed on the CPU and its request (which ZeroGPU
    pickles for its worker) is all the GPU function gets."""
    import pickle

    dash = tiny_dashboard(tiny_bert, tmp_path / "cache")
    calls = []
    real_result, real_aggregate = state_module._review_result, state_module._movie_aggregate

    def review_on_gpu(state_id, model_name, request):
        calls.append("review")
        return real_result(state_id, model_name, pickle.loads(pickle.dumps(request)))

    def aggregate_on_gpu(*args):
        calls.append("aggregate")
        return real_aggregate(*args)

    monkeypatch.setattr(state_module, "ZERO_GPU", True)
    monkeypatch.setattr(state_module, "_review_result", review_on_gpu)
    monkeypatch.setattr(state_module, "_movie_aggregate", aggregate_on_gpu)
    movie = dash.dataset.movie("s002")
    first = dash.review_attention(KNOWN_MODEL, movie, "연기가 좋았다", Settings())
    again = dash.review_attention(KNOWN_MODEL, movie, "연기가 좋았다", Settings())
    assert calls == ["review"] and (first.info == again.info).all()
    reviews = dash.dataset.reviews_of("s002")
    computed = dash.movie_aggregate(KNOWN_MODEL, movie, reviews, Settings(), None)
    stored = dash.movie_aggregate(KNOWN_MODEL, movie, reviews, Settings(), None)
    assert calls == ["review", "aggregate"]
    assert stored.review_ids == computed.review_ids and (stored.plot_reference == computed.plot_reference).all()


def test_the_view_store_keeps_the_newest_in_memory_and_all_on_disk(tmp_path):
    from moviattn.explorer import ResultCache
    from moviattn.ui.drawings import DrawingStore

    views, made = DrawingStore(2, ResultCache(tmp_path)), []

    def make(name):
        made.append(name)
        return {"drawn": name.upper()}

    assert [views.get((k,), lambda k=k: make(k))["drawn"] for k in ("a", "b", "a", "c", "b")] == ["A", "B", "A", "C", "B"]
    assert made == ["a", "b", "c"]  # each drawn once: "b" left memory for "c" but was read back from the disk
    restarted = DrawingStore(2, ResultCache(tmp_path))
    assert restarted.get(("a",), lambda: make("again")) == {"drawn": "A"} and made == ["a", "b", "c"]
    no_disk = DrawingStore(1, None)
    no_disk.get(("x",), lambda: make("x")), no_disk.get(("y",), lambda: make("y")), no_disk.get(("x",), lambda: make("x"))
    assert made[-3:] == ["x", "y", "x"]  # bounded memory alone


def test_a_second_click_on_a_review_reuses_its_figures(tiny_bert, tmp_path):
    from moviattn.ui.tabs import per_movie

    dash = tiny_dashboard(tiny_bert, tmp_path / "cache")
    controls = {"layer_agg": "last_k", "last_k": 3, "head": "mean", "granularity": "eojeol", "scale": "percentile"}
    first = per_movie.show_review(dash, KNOWN_MODEL, "s001", "s001r002", controls)
    again = per_movie.show_review(dash, KNOWN_MODEL, "s001", "s001r002", controls)
    other_scale = per_movie.show_review(dash, KNOWN_MODEL, "s001", "s001r002", {**controls, "scale": "linear"})
    assert again["info"].plot is first["info"].plot and again["plot"].plot is first["plot"].plot  # the same drawing, not drawn again
    assert other_scale["info"].plot != first["info"].plot
