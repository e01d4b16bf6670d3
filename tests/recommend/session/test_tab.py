"""The "next movie" tab: handlers as plain functions, then through gradio_client on a local server."""

from __future__ import annotations

import dataclasses
import threading
from types import SimpleNamespace

import gradio as gr
import pytest
from gradio_client import Client

from moviattn.data import load_dataset
from moviattn.recommend.session import service as service_module
from moviattn.recommend.session.data import ItemInfo
from moviattn.recommend.session.pipeline import evaluate_models, prepare
from moviattn.recommend.session.service import NextMovieService, movie_labels
from moviattn.ui.tabs.next_movie import TITLE, build, evaluation_table, next_movies, review_links

from .conftest import write_atomic
from .test_training_models import FAST_GRU


def _page(service: NextMovieService) -> gr.Blocks:
    with gr.Blocks() as demo:
        with gr.Tab(TITLE) as tab:
            build(SimpleNamespace(dataset=load_dataset(), next_movie=service), tab)
    return demo


def _button(demo: gr.Blocks) -> gr.Button:
    return next(b for b in demo.blocks.values() if isinstance(b, gr.Button) and "추천" in str(b.value))


def test_without_movielens_the_tab_names_the_command_and_disables_its_button(cache):
    service = NextMovieService()
    assert movie_labels() == [] and service.start().state == "no data"
    demo = _page(service)
    assert _button(demo).interactive is False
    assert "sessions fetch ml-1m" in next_movies(service, ["Movie 1 (1990)"])["message"]


def test_on_a_space_a_failed_download_says_why(cache, monkeypatch):
    def offline(*args, **kwargs):
        raise OSError("cannot download ml-1m.zip (network unreachable)")

    monkeypatch.setattr(service_module, "fetch_ml1m", offline)
    service = NextMovieService(allow_fetch=True)
    service.start()
    status = service.wait(60)
    assert status.state == "no data" and "network unreachable" in status.message and not status.ready


@pytest.fixture
def movielens(cache, log):
    """Synthetic MovieLens-like data in the cache (item 3 renamed to a movie of the review sample)
    and saved results for two baselines."""
    items = dict(log.items)
    items["3"] = ItemInfo("3", "Lion King, The", 1994, ("Animation",))
    write_atomic(cache / "sessions" / "ml-100k", dataclasses.replace(log, items=items))
    split, _ = prepare("ml-100k")
    evaluate_models(["pop", "markov"], split, test=True)
    return split


def test_baselines_answer_while_gru4rec_trains_then_both(movielens, monkeypatch):
    release = threading.Event()
    real_fit = service_module.NextMovieService._serve_gru4rec

    def gated(self):
        release.wait(60)
        real_fit(self)

    monkeypatch.setattr(service_module.NextMovieService, "_serve_gru4rec", gated)
    service = NextMovieService(gru4rec_params={**FAST_GRU, "epochs": 2})
    service.start()
    for _ in range(600):
        if service.status().state == "baselines":
            break
        threading.Event().wait(0.1)
    links = review_links(SimpleNamespace(dataset=load_dataset()))
    shown = next_movies(service, ["Movie 1 (1990)", "Movie 2 (1991)"], links)
    status, gru, baseline = shown["message"], shown["gru4rec"], shown["baseline"]
    assert "baseline: markov" in status and gru == "" and baseline.count("<tr>") == 21  # best saved validation recall
    assert "prepared" in status
    release.set()
    assert service.wait(120).state == "trained"
    shown = next_movies(service, ["Movie 1 (1990)", "Movie 2 (1991)"], links)
    gru, baseline = shown["gru4rec"], shown["baseline"]
    assert gru.count("<tr>") == 21 and baseline.count("<tr>") == 21
    assert 'href="?movie=s004"' in baseline and "Animation" in baseline
    assert "empty session" in next_movies(service, [])["message"]
    assert "unknown movie &#x27;Heat" in next_movies(service, ["Heat (1995)"])["message"]
    results = evaluation_table(service)["results"]
    assert "markov" in results and "test recall@20" in results
    trained_again = NextMovieService(gru4rec_params={**FAST_GRU, "epochs": 2})  # a restart loads the saved model
    trained_again.start()
    assert trained_again.wait(60).state == "trained" and trained_again.status().epoch == 0


def test_training_progress_is_reported_by_epoch(movielens, monkeypatch):
    seen, original = [], service_module.Status

    def recording(*args, **kwargs):
        status = original(*args, **kwargs)
        seen.append((status.epoch, status.epochs))
        return status

    monkeypatch.setattr(service_module, "Status", recording)
    service = NextMovieService(gru4rec_params={**FAST_GRU, "epochs": 3, "patience": 3})
    service.start()
    service.wait(120)
    assert (0, 3) in seen and (1, 3) in seen and (3, 3) in seen


@pytest.mark.server
def test_through_gradio_client(movielens):
    service = NextMovieService(gru4rec_params={**FAST_GRU, "epochs": 2})
    demo = _page(service)
    service.wait(120)
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1")
    try:
        client = Client(demo.local_url, verbose=False)
        status, gru, baseline, *reactions = client.predict(["Movie 5 (1994)", "Movie 6 (1995)"], api_name="/next_movies")
        assert "ma-warning" not in status and "Movie 7" in gru and "Movie 7" in baseline
        status, gru, baseline, *reactions = client.predict([], api_name="/next_movies")
        assert "ma-warning" in status and "empty session" in status and gru is None
        assert "mrr@20" in client.predict(api_name="/evaluation_table")
    finally:
        demo.close()
