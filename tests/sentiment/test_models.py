"""Model shapes, attention normalisation and padding invariance."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from moviattn.sentiment.data import Vocab, pad_batch
from moviattn.sentiment.models import BiLSTMAttention, SubwordEmbedding, build_model

SEQUENCES = [[5, 6, 7, 8, 9, 2], [3, 4], [7]]
DOCS = [["정말/Noun", "재밌다/Adjective", "ㅋㅋ/KoreanParticle"], ["지루하다/Adjective"], ["재미없다/Adjective", "영화/Noun"]]
VOCAB = Vocab.build(DOCS, min_freq=1, gram_min_count=1)
WITH_GRAMS = [VOCAB.encode_with_grams(d) for d in [*DOCS, ["재밌네/Adjective", "지루함/Noun", "영화/Noun", "정말/Noun"]]]


def _model(name: str, grams: bool) -> torch.nn.Module:
    torch.manual_seed(0)
    model = build_model(name, 20, embed_dim=8, dropout=0.0, n_grams=len(VOCAB.grams) if grams else 0)
    if grams:
        torch.nn.init.normal_(model.embedding.grams.weight)  # trained gram vectors are not zero
    return model.eval()


@pytest.mark.parametrize("name", ["bilstm_attention", "bilstm", "textcnn"])
def test_logit_shapes(name: str) -> None:
    torch.manual_seed(0)
    model = build_model(name, 20, embed_dim=8, dropout=0.0).eval()
    ids, lengths = pad_batch(SEQUENCES, getattr(model, "min_length", 1))
    assert model(ids, lengths).shape == (3, 2)


@pytest.mark.parametrize("grams", [False, True])
@pytest.mark.parametrize("name", ["bilstm_attention", "bilstm", "textcnn"])
def test_padding_does_not_change_the_verdict(name: str, grams: bool) -> None:
    model = _model(name, grams)
    sequences = WITH_GRAMS if grams else SEQUENCES
    batch_ids, batch_lengths = pad_batch(sequences, getattr(model, "min_length", 1))
    batched = model(batch_ids, batch_lengths)
    assert batched.shape == (len(sequences), 2)
    for row, seq in enumerate(sequences):
        ids, lengths = pad_batch([seq], getattr(model, "min_length", 1))
        torch.testing.assert_close(model(ids, lengths)[0], batched[row], atol=1e-5, rtol=1e-5)


def test_attention_weights_sum_to_one_and_skip_padding() -> None:
    torch.manual_seed(0)
    model = BiLSTMAttention(20, embed_dim=8, hidden_dim=6, attention_dim=5, dropout=0.0).eval()
    ids, lengths = pad_batch(SEQUENCES)
    _, alpha = model.forward_with_weights(ids, lengths)
    assert alpha.shape == ids.shape
    torch.testing.assert_close(alpha.sum(dim=1), torch.ones(3))
    assert torch.all(alpha[1, 2:] == 0) and torch.all(alpha[2, 1:] == 0)
    assert torch.all(alpha[0] > 0)


def test_subword_embedding_adds_the_mean_of_the_grams() -> None:
    torch.manual_seed(0)
    embedding = SubwordEmbedding(20, len(VOCAB.grams), 4)
    ids, _ = pad_batch(WITH_GRAMS[3:])
    torch.testing.assert_close(embedding(ids), embedding.tokens(ids[..., 0]))  # grams start at zero
    torch.nn.init.normal_(embedding.grams.weight)
    row = WITH_GRAMS[3][0]  # 재밌네/Adjective: unknown token, known grams
    grams = row[1:][row[1:] > 0]
    expected = embedding.tokens.weight[row[0]] + embedding.grams.weight[torch.as_tensor(grams)].mean(dim=0)
    torch.testing.assert_close(embedding(ids)[0, 0], expected)
    assert np.all(grams > 0) and len(grams) >= 3
    torch.testing.assert_close(embedding(ids[..., 0]), embedding.tokens(ids[..., 0]))  # plain ids: tokens only


def test_unknown_model_name() -> None:
    with pytest.raises(ValueError, match="unknown model"):
        build_model("transformer", 10)
