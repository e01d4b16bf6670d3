"""Target2Vec training on a toy corpus, and the query functions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from moviattn.sentiment.data import Vocab
from moviattn.sentiment.target2vec import Target2Vec, Target2VecConfig, train_target2vec


def toy_model() -> Target2Vec:
    rng = np.random.default_rng(0)
    neutral = ["영화/Noun", "배우/Noun", "스토리/Noun", "보다/Verb"]
    docs, labels = [], []
    for i in range(400):
        label = i % 2
        polar = ["최고/Noun", "감동/Noun"] if label else ["최악/Noun", "지루/Noun"]
        docs.append([*rng.choice(neutral, 3), *rng.choice(polar, 2)])
        labels.append(label)
    vocab = Vocab.build(docs, min_freq=1)
    ids = [vocab.encode(d) for d in docs]
    config = Target2VecConfig(dim=16, epochs=2, batch_size=256, lr=0.02, subsample=1.0)
    model, seconds = train_target2vec(vocab, ids, np.array(labels), config, log=lambda _: None)
    assert seconds >= 0
    return model


def test_labels_attract_their_words() -> None:
    model = toy_model()
    positive = dict(model.similar("긍정", k=20))
    assert positive["최고/Noun"] > positive["최악/Noun"]
    assert model.analogy("부정", "최악", "긍정", k=1)[0][0] in {"최고/Noun", "감동/Noun"}


def test_resolve_and_errors(tmp_path: Path) -> None:
    model = toy_model()
    assert model.resolve("최악") == "최악/Noun"
    assert model.resolve("부정") == "<부정>"
    with pytest.raises(ValueError, match="unknown word"):
        model.similar("없는단어")
    model.save(tmp_path / "t2v")
    assert Target2Vec.load(tmp_path / "t2v").similar("최고/Noun", 3)[0][0] == model.similar("최고/Noun", 3)[0][0]
