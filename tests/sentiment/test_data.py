"""Tokenising keeps original spans; vocabulary and split behave."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from moviattn.sentiment.data import (
    MAX_GRAMS,
    UNK_ID,
    Vocab,
    pad_batch,
    read_tsv,
    subword_grams,
    token_ids,
    tokenise,
    train_valid_indices,
)


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
    vocab = Vocab.build([["영화/Noun", "최고/Noun"]], min_freq=1, gram_min_count=1)
    vocab.save(tmp_path / "v.json")
    loaded = Vocab.load(tmp_path / "v.json")
    assert loaded.itos == vocab.itos and loaded.grams == vocab.grams


def test_subword_grams_are_tag_syllables_and_marked_bigrams() -> None:
    assert subword_grams("재밌/Adjective") == ["#Adjective", "재", "밌", "<재", "재밌", "밌>"]
    assert subword_grams("ㅋ/KoreanParticle") == ["#KoreanParticle", "ㅋ", "<ㅋ", "ㅋ>"]


def test_unknown_tokens_keep_their_known_grams() -> None:
    docs = [["재밌다/Adjective", "영화/Noun"], ["재밌다/Adjective"], ["영화/Noun"]]
    vocab = Vocab.build(docs, min_freq=2, gram_min_count=2)
    assert "#Adjective" in vocab.grams and "재밌" in vocab.grams and "<영" in vocab.grams
    rows = vocab.encode_with_grams(["재밌네/Adjective", "영화/Noun"])
    assert rows.shape[0] == 2 and list(token_ids(rows)) == vocab.encode(["재밌네/Adjective", "영화/Noun"])
    assert rows[0, 0] == UNK_ID  # unseen token, but its tag and shared syllables still have ids
    expected = [vocab.gram_ids[g] for g in ("#Adjective", "재", "밌", "<재", "재밌")]
    assert list(rows[0, 1 : 1 + len(expected)]) == expected and not rows[0, 1 + len(expected) :].any()
    assert vocab.encode_with_grams([]).tolist() == [[UNK_ID]]


def test_grams_per_token_are_capped() -> None:
    long_word = "가나다라마바사아자차카타파하" * 2 + "/Noun"
    vocab = Vocab.build([[long_word]], min_freq=1, gram_min_count=1)
    assert vocab.encode_with_grams([long_word]).shape == (1, 1 + MAX_GRAMS)


def test_pad_batch_pads_tokens_and_grams() -> None:
    ids, lengths = pad_batch([[[2, 5, 6], [3, 7, 0]], [[4, 8, 9, 10]]], min_length=3)
    assert ids.shape == (2, 3, 4) and lengths.tolist() == [2, 1]
    assert ids[0, :2].tolist() == [[2, 5, 6, 0], [3, 7, 0, 0]] and not ids[0, 2:].any() and not ids[1, 1:].any()


def test_validation_split_is_disjoint_and_seeded() -> None:
    train, valid = train_valid_indices(100, 0.1, seed=1)
    assert len(valid) == 10 and not set(train) & set(valid) and len(train) + len(valid) == 100
    assert np.array_equal(valid, train_valid_indices(100, 0.1, seed=1)[1])


def test_shared_tsv_reads_unquoted(shared_data: Path) -> None:
    frame = read_tsv(shared_data / "test.tsv")
    assert len(frame) == 50_000 and frame["label"].mean() == 0.5
