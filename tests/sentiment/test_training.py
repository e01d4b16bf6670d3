"""Seeded training is deterministic and learns a trivially separable task."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from moviattn.sentiment.data import Vocab
from moviattn.sentiment.models import build_model
from moviattn.sentiment.training import (
    TrainConfig,
    accuracy,
    seed_everything,
    train_classifier,
)


def toy_corpus(n: int = 240, seed: int = 0) -> tuple[list[list[int]], np.ndarray]:
    """Random ids 4..19; positive reviews contain token 2, negative ones token 3."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, size=n)
    docs = []
    for label in labels:
        doc = rng.integers(4, 20, size=rng.integers(3, 9)).tolist()
        doc.insert(int(rng.integers(0, len(doc))), 2 if label else 3)
        docs.append(doc)
    return docs, labels


def train_once(name: str, seed: int) -> tuple[torch.nn.Module, float]:
    docs, labels = toy_corpus()
    config = TrainConfig(max_epochs=3, batch_size=16, lr=0.01, seed=seed)
    seed_everything(seed)
    model = build_model(name, 20, embed_dim=8, **({"num_filters": 4} if name == "textcnn" else {"hidden_dim": 8}))
    train_classifier(model, docs[:200], labels[:200], docs[200:], labels[200:], config, log=lambda _: None)
    return model, accuracy(model, docs[200:], labels[200:])


@pytest.mark.slow
@pytest.mark.parametrize("name", ["bilstm_attention", "textcnn"])
def test_same_seed_same_weights(name: str) -> None:
    first, acc = train_once(name, seed=3)
    second, _ = train_once(name, seed=3)
    other, _ = train_once(name, seed=4)
    for key, value in first.state_dict().items():
        assert torch.equal(value, second.state_dict()[key]), key
    assert any(not torch.equal(v, other.state_dict()[k]) for k, v in first.state_dict().items())
    assert acc > 0.8


def marker_corpus(markers: dict[int, list[str]], n: int, seed: int) -> tuple[list[list[str]], np.ndarray]:
    """Filler nouns around one adjective whose spelling varies; the adjective alone decides the label."""
    rng = np.random.default_rng(seed)
    fillers = ["영화/Noun", "배우/Noun", "장면/Noun", "감독/Noun", "결말/Noun", "음악/Noun"]
    labels = rng.integers(0, 2, size=n)
    docs = []
    for label in labels:
        doc = [fillers[i] for i in rng.integers(0, len(fillers), size=rng.integers(3, 7))]
        doc.insert(int(rng.integers(0, len(doc))), markers[int(label)][int(rng.integers(0, len(markers[int(label)])))])
        docs.append(doc)
    return docs, labels


@pytest.mark.slow
@pytest.mark.parametrize("name", ["bilstm_attention", "textcnn"])
def test_unseen_spellings_are_read_through_their_grams(name: str) -> None:
    train_docs, train_y = marker_corpus({1: ["좋다/Adjective", "좋네/Adjective", "좋음/Adjective"],
                                         0: ["싫다/Adjective", "싫네/Adjective", "싫음/Adjective"]}, 240, seed=0)
    valid_docs, valid_y = marker_corpus({1: ["좋아요/Adjective"], 0: ["싫어요/Adjective"]}, 80, seed=1)
    vocab = Vocab.build(train_docs, min_freq=60, gram_min_count=1)  # every spelling is too rare: all <unk>
    assert vocab.itos[2:] and not any(t.endswith("/Adjective") for t in vocab.itos)
    config = TrainConfig(max_epochs=6, batch_size=16, lr=0.05, patience=12, seed=0)
    scores = {}
    for grams in (True, False):
        encode = vocab.encode_with_grams if grams else vocab.encode
        train_x, valid_x = [encode(d) for d in train_docs], [encode(d) for d in valid_docs]
        seed_everything(0)
        model = build_model(name, len(vocab), embed_dim=8, dropout=0.0, n_grams=len(vocab.grams) if grams else 0,
                            **({"num_filters": 4} if name == "textcnn" else {"hidden_dim": 8}))
        train_classifier(model, train_x, train_y, valid_x, valid_y, config, log=lambda _: None)
        scores[grams] = accuracy(model, valid_x, valid_y)
    assert scores[True] > 0.95 and scores[False] < 0.75
