"""Fixtures for the diary recommender: a tiny emotion model over the in-process tiny BERT, a hand-made catalogue."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from moviattn.data import Dataset, Movie, Review
from moviattn.models import LoadedModel
from moviattn.recommend.diary.emotions import EmotionModel, HeadSpec
from moviattn.recommend.diary.genres import fit_genre_model
from moviattn.recommend.diary.kote import kote_dir
from moviattn.recommend.diary.pipeline import DiaryRecommender
from moviattn.recommend.diary.training import MLP, FitConfig


@pytest.fixture(autouse=True)
def one_thread():
    """The wing's tiny networks run faster on one thread, above all on a shared machine; restored after."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def kote() -> Path:
    folder = kote_dir()
    if folder is None:
        pytest.skip("../shared/data/kote is not available")
    return folder


@pytest.fixture(scope="session")
def tiny_catalogue() -> Dataset:
    """Four movies: two share a genre set, one has no genres, each has three short reviews."""
    movies = {
        "m1": Movie("m1", "웃긴 영화", genres=("코미디", "드라마")),
        "m2": Movie("m2", "슬픈 영화", genres=("드라마",)),
        "m3": Movie("m3", "또 웃긴 영화", genres=("코미디", "드라마")),
        "m4": Movie("m4", "장르 없는 영화"),
    }
    texts = {
        "m1": ["정말 웃기고 신나요", "행복한 영화", "재밌다 ㅋㅋ"],
        "m2": ["너무 슬퍼서 울었다", "눈물이 난다", "마음이 아프다"],
        "m3": ["화가 난다 최악", "짜증나는 결말", "시간 아깝다"],
        "m4": ["그냥 그랬다", "기대된다 다음편", "평범"],
    }
    reviews = {m: [Review(f"{m}-{i}", t, 8) for i, t in enumerate(ts)] for m, ts in texts.items()}
    return Dataset(movies, reviews, "tiny")


@pytest.fixture(scope="session")
def tiny_recommender(tiny_bert: LoadedModel, tmp_path_factory) -> DiaryRecommender:
    """model1 = an untrained head on the tiny BERT's last two layers; model2 fitted on random vectors."""
    spec = HeadSpec("tiny-bert", 32, (2, 3), FitConfig(hidden=8, dropout=0.0), with_labels=True)
    head = MLP(spec.n_in, spec.n_out, 8, 0.0)
    rng = np.random.default_rng(0)
    genres = ("드라마", "코미디", "액션")
    models = {}

    def genre_model(name: str):
        if name not in models:
            x = rng.random((60, 4)) if "embedding" not in name else rng.standard_normal((60, 32))
            models[name] = fit_genre_model(name, x, rng.random((60, 3)) < 0.5, genres)
        return models[name]

    return DiaryRecommender(EmotionModel(tiny_bert, head, spec), genre_model, tmp_path_factory.mktemp("features"))
