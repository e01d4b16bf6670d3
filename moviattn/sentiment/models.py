"""Sentiment classifiers over ``word/POS`` ids: Bi-LSTM with attention, its no-attention ablation, TextCNN.

All take right-padded ids plus true lengths and return ``num_classes`` logits (default 2:
0 negative, 1 positive), so training, evaluation and explanation treat them alike and other
classifiers (e.g. of emotions) can reuse them. The ids are
``(batch, time)`` token ids, or ``(batch, time, 1 + grams)`` token and subword-gram ids
(:meth:`~moviattn.sentiment.data.Vocab.encode_with_grams`), which :class:`SubwordEmbedding` embeds.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ..registry import choose
from .data import PAD_ID

NUM_CLASSES = 2


def length_mask(lengths: torch.Tensor, width: int) -> torch.Tensor:
    """``(batch, width)`` booleans, True at real (non-padding) positions."""
    return torch.arange(width, device=lengths.device)[None, :] < lengths[:, None]


class SubwordEmbedding(nn.Module):
    """A token's vector plus the mean of its subword grams' vectors (fastText-style).

    Rare and misspelled tokens share syllables with frequent ones, and unknown tokens
    still get their grams. The gram table starts at zero, so training begins from the
    token embedding alone (e.g. initialised from Target2Vec). Plain ``(batch, time)``
    ids embed as tokens only.
    """

    def __init__(self, vocab_size: int, n_grams: int, dim: int) -> None:
        super().__init__()
        self.tokens = nn.Embedding(vocab_size, dim, padding_idx=PAD_ID)
        self.grams = nn.EmbeddingBag(max(n_grams, 1), dim, mode="mean", padding_idx=PAD_ID)  # mean skips padding
        nn.init.zeros_(self.grams.weight)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        if ids.dim() == 2:
            return self.tokens(ids)
        grams = ids[..., 1:]
        mean = self.grams(grams.reshape(-1, grams.shape[-1])).view(*grams.shape[:-1], -1)
        return self.tokens(ids[..., 0]) + mean


class _BiLSTMClassifier(nn.Module):
    """Embedding -> bidirectional LSTM -> pooling (defined by subclasses) -> linear output layer."""

    def __init__(
        self, vocab_size: int, embed_dim: int = 128, hidden_dim: int = 128, dropout: float = 0.5, n_grams: int = 0,
        num_classes: int = NUM_CLASSES,
    ) -> None:
        super().__init__()
        self.embedding = SubwordEmbedding(vocab_size, n_grams, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_dim, batch_first=True, bidirectional=True)
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(2 * hidden_dim, num_classes)

    def encode(self, ids: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-position states ``h_t = [h_fwd; h_bwd]`` (batch, time, 2H) and the final states (batch, 2H)."""
        embedded = self.dropout(self.embedding(ids))
        packed = pack_padded_sequence(embedded, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, (h_n, _) = self.lstm(packed)
        states, _ = pad_packed_sequence(out, batch_first=True, total_length=ids.shape[1])
        return states, torch.cat([h_n[0], h_n[1]], dim=1)

    def pool(
        self, states: torch.Tensor, final: torch.Tensor, lengths: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The sentence vector and, where the model has them, per-token weights."""
        raise NotImplementedError

    def forward_with_weights(
        self, ids: torch.Tensor, lengths: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Logits and the pooling weights (attention alpha, or None)."""
        states, final = self.encode(ids, lengths)
        sentence, weights = self.pool(states, final, lengths)
        return self.output(self.dropout(sentence)), weights

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.forward_with_weights(ids, lengths)[0]


class BiLSTMAttention(_BiLSTMClassifier):
    """Seed 002: u_t = tanh(W h_t + b), alpha_t = softmax_t(u_t^T u_w), c = sum_t alpha_t h_t."""

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int = 128,
        hidden_dim: int = 128,
        attention_dim: int = 128,
        dropout: float = 0.5,
        n_grams: int = 0,
        num_classes: int = NUM_CLASSES,
    ) -> None:
        super().__init__(vocab_size, embed_dim, hidden_dim, dropout, n_grams, num_classes)
        self.attention = nn.Linear(2 * hidden_dim, attention_dim)  # W, b
        self.context = nn.Parameter(torch.empty(attention_dim).uniform_(-0.1, 0.1))  # u_w

    def pool(
        self, states: torch.Tensor, final: torch.Tensor, lengths: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        u = torch.tanh(self.attention(states))
        scores = (u @ self.context).masked_fill(~length_mask(lengths, states.shape[1]), float("-inf"))
        alpha = torch.softmax(scores, dim=1)
        return torch.bmm(alpha.unsqueeze(1), states).squeeze(1), alpha


class BiLSTM(_BiLSTMClassifier):
    """Ablation without attention: the sentence vector is the last forward and last backward state."""

    def pool(self, states: torch.Tensor, final: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, None]:
        return final, None


class TextCNN(nn.Module):
    """Kim (2014): parallel 1-D convolutions of several widths, ReLU, max over time, linear output layer.

    Windows that would start inside the padding are zeroed before the max, so a text scores
    the same alone or in a padded batch. ``feature_maps`` exposes the activations A^k that
    Grad-CAM differentiates.
    """

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int = 128,
        filter_sizes: tuple[int, ...] = (3, 4, 5),
        num_filters: int = 100,
        dropout: float = 0.5,
        n_grams: int = 0,
        num_classes: int = NUM_CLASSES,
    ) -> None:
        super().__init__()
        self.filter_sizes = tuple(filter_sizes)
        self.embedding = SubwordEmbedding(vocab_size, n_grams, embed_dim)
        self.convs = nn.ModuleList(nn.Conv1d(embed_dim, num_filters, h) for h in self.filter_sizes)
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(num_filters * len(self.filter_sizes), num_classes)

    @property
    def min_length(self) -> int:
        """Inputs are padded to at least the widest filter."""
        return max(self.filter_sizes)

    def feature_maps(self, ids: torch.Tensor, lengths: torch.Tensor) -> list[torch.Tensor]:
        """Per filter width h: ReLU activations ``(batch, filters, time - h + 1)``, zero at padding windows."""
        embedded = self.dropout(self.embedding(ids)).transpose(1, 2)
        if embedded.shape[2] < self.min_length:  # padding embeds as zeros
            embedded = nn.functional.pad(embedded, (0, self.min_length - embedded.shape[2]))
        maps = []
        for h, conv in zip(self.filter_sizes, self.convs):
            activation = torch.relu(conv(embedded))
            n_windows = (lengths - h + 1).clamp(min=1)
            maps.append(activation * length_mask(n_windows, activation.shape[2]).unsqueeze(1))
        return maps

    def classify(self, maps: list[torch.Tensor]) -> torch.Tensor:
        """Logits from the feature maps: max over time, concatenate, linear."""
        pooled = torch.cat([m.amax(dim=2) for m in maps], dim=1)
        return self.output(self.dropout(pooled))

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.classify(self.feature_maps(ids, lengths))


MODEL_CLASSES: dict[str, type[nn.Module]] = {
    "bilstm_attention": BiLSTMAttention,
    "bilstm": BiLSTM,
    "textcnn": TextCNN,
}


def build_model(name: str, vocab_size: int, **hyper: object) -> nn.Module:
    """A fresh model by registry name with the given hyper-parameters."""
    return choose("model", name, MODEL_CLASSES)(vocab_size, **hyper)
