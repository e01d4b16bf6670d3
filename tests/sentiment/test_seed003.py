"""Seed 003 in full: three-label Target2Vec, the pair list, analogy scoring, mislabel ranking, gensim models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from moviattn.errors import DataError
from moviattn.sentiment.data import Vocab
from moviattn.sentiment.polarity import (
    PAIRS_FILE,
    PolarityPair,
    analogy_accuracy,
    label_scores,
    load_pairs,
    mislabelled,
    neighbourhood_purity,
    neutral_words,
)
from moviattn.sentiment.target2vec import Target2Vec, Target2VecConfig, train_target2vec
from moviattn.sentiment.vectors import GENSIM_MODELS, GensimSettings, comparison, train_gensim

FILLER = ["영화/Noun", "배우/Noun", "스토리/Noun", "보다/Verb", "이/Josa", "가/Josa"]
PLANTED = {0: "지루/Noun", 1: "감동/Noun", 2: "무난/Noun"}


def toy_corpus(n: int = 300) -> tuple[list[list[str]], np.ndarray]:
    """Three labels; each document has filler words and its label's planted word."""
    rng = np.random.default_rng(0)
    docs, labels = [], []
    for i in range(n):
        label = i % 3
        docs.append([*rng.choice(FILLER, 4), PLANTED[label], *rng.choice(FILLER, 2)])
        labels.append(label)
    return docs, np.array(labels)


@pytest.fixture(scope="module")
def three_label() -> Target2Vec:
    docs, labels = toy_corpus()
    vocab = Vocab.build(docs, min_freq=1)
    config = Target2VecConfig(dim=16, epochs=4, batch_size=512, lr=0.03, subsample=1.0)
    model, _ = train_target2vec(vocab, [vocab.encode(d) for d in docs], labels, config, log=lambda _: None, keep_contexts=True)
    return model


def test_three_labels_attract_their_planted_words(three_label: Target2Vec) -> None:
    assert three_label.labels == ["<부정>", "<긍정>", "<중립>"]
    for label, word in (("부정", "지루/Noun"), ("긍정", "감동/Noun"), ("중립", "무난/Noun")):
        fit = {w: float(three_label.vector(label) @ three_label.contexts[three_label.index[w]]) for w in PLANTED.values()}
        assert max(fit, key=fit.get) == word, (label, fit)
    assert three_label.context_words("지루", k=3)


def test_pruned_keeps_labels_and_contexts(three_label: Target2Vec, tmp_path: Path) -> None:
    small = three_label.pruned(50)
    assert set(small.labels) == {"<부정>", "<긍정>", "<중립>"} and "<pad>" not in small.words
    small.save(tmp_path / "t3")
    loaded = Target2Vec.load(tmp_path / "t3")
    assert loaded.contexts is not None and [w for w, _ in loaded.context_words("무난", 2)] == [w for w, _ in small.context_words("무난", 2)]


def test_shipped_pair_list_and_loader_errors(tmp_path: Path) -> None:
    pairs = load_pairs(PAIRS_FILE)
    assert len(pairs) >= 40 and PolarityPair("최악", "최고") in pairs
    assert len(set(pairs)) == len(pairs)
    bad = tmp_path / "pairs.tsv"
    bad.write_text("# c\nnegative\tpositive\n최악\t최고\n노잼\n", encoding="utf-8")
    with pytest.raises(DataError, match="line 4"):
        load_pairs(bad)
    bad.write_text("a\tb\n", encoding="utf-8")
    with pytest.raises(DataError, match="header"):
        load_pairs(bad)


def hand_made_space() -> Target2Vec:
    """Axes (topic, polarity, other); 3CosAdd answers are worked out by hand in the test below."""
    s = 2 ** -0.5
    table = {
        "<부정>": (0, -1, 0), "<긍정>": (0, 1, 0), "최악/Noun": (s, -s, 0), "최고/Noun": (s, s, 0),
        "지루/Noun": (0, -s, s), "재밌/Adjective": (0, s, s), "별로/Noun": (-1, 0, 0), "대박/Noun": (0, 0, -1),
        "영화/Noun": (1, 0, 0),
    }
    counts = [0 if w.startswith("<") else 100 for w in table]
    return Target2Vec(list(table), np.array(list(table.values()), dtype=np.float32), counts)


def test_analogy_accuracy_on_a_hand_made_table() -> None:
    pairs = [PolarityPair("최악", "최고"), PolarityPair("지루", "재밌"), PolarityPair("별로", "대박"), PolarityPair("없는", "말")]
    result = analogy_accuracy(hand_made_space(), pairs, ks=(1, 3, 5))
    forward, backward = result["negative→positive"], result["positive→negative"]
    assert forward["n"] == backward["n"] == 3  # the pair with unknown words is skipped
    # 별로 - 부정 + 긍정 puts 재밌 and 최고 above 대박: rank 3
    assert forward["hit@1"] == pytest.approx(2 / 3) and forward["hit@3"] == pytest.approx(1.0)
    # 대박 - 긍정 + 부정: 최악 and 지루 above 별로, 영화 tied with it (expected rank 3.5)
    assert backward["hit@1"] == pytest.approx(2 / 3)
    assert backward["hit@3"] == pytest.approx((1 + 1 + 0.5) / 3) and backward["hit@5"] == pytest.approx(1.0)


def test_purity_on_a_hand_made_table() -> None:
    pairs = [PolarityPair("최악", "최고"), PolarityPair("지루", "재밌"), PolarityPair("별로", "대박")]
    purity = neighbourhood_purity(hand_made_space(), pairs, k=1)
    assert purity["words"] == 6
    assert 0 <= purity["words@1"] <= 1 and purity["labels@1"] == 1.0


def test_mislabel_ranking_on_a_hand_made_case() -> None:
    scores = np.array([[0.9, 0.1], [0.2, 0.6], [0.3, 0.5], [0.5, 0.4], [0.1, 0.3]])
    frame = mislabelled(scores, np.array([0, 0, 1, 1, 0]))
    assert frame["index"].tolist() == [1, 4, 3]
    assert frame["margin"].tolist() == pytest.approx([0.4, 0.2, 0.1])
    assert frame["closer_to"].tolist() == [1, 1, 0]


def test_label_scores_and_neutral_words(three_label: Target2Vec) -> None:
    docs, labels = toy_corpus()
    scores = label_scores(three_label, docs[:60])
    binary = labels[:60] < 2
    assert (scores.argmax(axis=1)[binary] == labels[:60][binary]).all()
    table = neutral_words(three_label, docs, labels, min_count=50, max_count_lean=0.2, max_vector_lean=1.0)
    assert "영화/Noun" in set(table.word) and "지루/Noun" not in set(table.word)
    assert np.allclose(table[["negative", "neutral", "positive"]].sum(axis=1), 1.0)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(GENSIM_MODELS))
def test_gensim_models_on_a_tiny_corpus(name: str) -> None:
    docs, labels = toy_corpus()
    settings = GensimSettings(dim=8, min_count=1, epochs=2, sample=0)
    space, seconds = train_gensim(name, docs, labels, settings)
    again, _ = train_gensim(name, docs, labels, settings)
    assert seconds >= 0 and np.array_equal(space.vectors, again.vectors)  # deterministic with a seed
    assert space.similar("영화", 3) and space.context_words("영화", 3)
    expected = {"doc2vec_negative": ["<부정>"], "doc2vec_positive": ["<긍정>"]}.get(name, ["<부정>", "<긍정>", "<중립>"])
    assert space.labels == expected
    table = comparison({name: space}, ["영화/Noun", "없는단어"], k=2)
    assert len(table["영화/Noun"][name]["similar"]) == 2 and table["없는단어"][name] == {"similar": [], "context": []}
