"""Model shapes, attention normalisation and padding invariance."""

from __future__ import annotations

import pytest
import torch

from moviattn.sentiment.data import pad_batch
from moviattn.sentiment.models import BiLSTMAttention, build_model

SEQUENCES = [[5, 6, 7, 8, 9, 2], [3, 4], [7]]


@pytest.mark.parametrize("name", ["bilstm_attention", "bilstm", "textcnn"])
def test_logit_shapes(name: str) -> None:
    torch.manual_seed(0)
    model = build_model(name, 20, embed_dim=8, dropout=0.0).eval()
    ids, lengths = pad_batch(SEQUENCES, getattr(model, "min_length", 1))
    assert model(ids, lengths).shape == (3, 2)


@pytest.mark.parametrize("name", ["bilstm_attention", "bilstm", "textcnn"])
def test_padding_does_not_change_the_verdict(name: str) -> None:
    torch.manual_seed(0)
    model = build_model(name, 20, embed_dim=8, dropout=0.0).eval()
    batch_ids, batch_lengths = pad_batch(SEQUENCES, getattr(model, "min_length", 1))
    batched = model(batch_ids, batch_lengths)
    for row, seq in enumerate(SEQUENCES):
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


def test_unknown_model_name() -> None:
    with pytest.raises(ValueError, match="unknown model"):
        build_model("transformer", 10)
