"""Seeded training is deterministic and learns a trivially separable task."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from moviattn.sentiment.models import build_model
from moviattn.sentiment.training import TrainConfig, accuracy, seed_everything, train_classifier


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


@pytest.mark.parametrize("name", ["bilstm_attention", "textcnn"])
def test_same_seed_same_weights(name: str) -> None:
    first, acc = train_once(name, seed=3)
    second, _ = train_once(name, seed=3)
    other, _ = train_once(name, seed=4)
    for key, value in first.state_dict().items():
        assert torch.equal(value, second.state_dict()[key]), key
    assert any(not torch.equal(v, other.state_dict()[k]) for k, v in first.state_dict().items())
    assert acc > 0.8
