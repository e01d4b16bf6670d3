"""Tokenising keeps original spans; vocabulary and split behave."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from moviattn.sentiment.data import UNK_ID, Vocab, read_tsv, tokenise, train_valid_indices


def test_tokens_map_back_to_the_original_text() -> None:
    text = "이  영화 최고!!!!! 😍 진짜ㅋㅋㅋㅋㅋ"
    result = tokenise(text)
    assert result.tokens and all("/" in t for t in result.tokens)
    assert len(result.tokens) == len(result.spans)
    for token, (start, end) in zip(result.tokens, result.spans):
        surface = token.rsplit("/", 1)[0]
        assert text[start:end].startswith(surface[0])
    assert "최고/Noun" in result.tokens


def test_vocab_is_deterministic_and_encodes_unknowns() -> None:
    docs = [["b", "a", "c"], ["a", "b"], ["a"]]
    vocab = Vocab.build(docs, min_freq=2)
    assert vocab.itos == ["<pad>", "<unk>", "a", "b"]
    assert vocab.encode(["a", "zzz"]) == [2, UNK_ID]
    assert vocab.encode([]) == [UNK_ID]


def test_vocab_round_trip(tmp_path: Path) -> None:
    vocab = Vocab.build([["영화/Noun", "최고/Noun"]], min_freq=1)
    vocab.save(tmp_path / "v.json")
    assert Vocab.load(tmp_path / "v.json").itos == vocab.itos


def test_validation_split_is_disjoint_and_seeded() -> None:
    train, valid = train_valid_indices(100, 0.1, seed=1)
    assert len(valid) == 10 and not set(train) & set(valid) and len(train) + len(valid) == 100
    assert np.array_equal(valid, train_valid_indices(100, 0.1, seed=1)[1])


def test_shared_tsv_reads_unquoted(shared_data: Path) -> None:
    frame = read_tsv(shared_data / "test.tsv")
    assert len(frame) == 50_000 and frame["label"].mean() == 0.5
