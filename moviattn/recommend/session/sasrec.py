"""SASRec (Kang & McAuley 2018) with the full cross-entropy loss (Klenitskiy & Vasilev 2023).

Item plus learned position embeddings, pre-norm causal self-attention blocks, and scores over all
items through the (shared) item embedding. Training cuts each sequence into windows of
``max_len + 1`` items from its end (the most recent window first; stride ``max_len``), left-padded,
with the loss at every position: unlike the last-window-only original, long MovieLens histories
(ML-100K mean ~100) are used whole. Padding is masked as a key for real positions; a pad position
attends only to itself, which keeps the softmax defined without affecting real positions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .splits import Split
from .training import NeuralRecommender


def left_pad(sequences: Sequence[np.ndarray], length: int) -> torch.Tensor:
    """The last ``length`` items of each sequence, shifted by one (0 is padding), left-padded."""
    out = np.zeros((len(sequences), length), dtype=np.int64)
    for row, seq in enumerate(sequences):
        tail = np.asarray(seq[-length:], dtype=np.int64) if len(seq) else np.zeros(0, dtype=np.int64)
        if len(tail):
            out[row, -len(tail) :] = tail + 1
    return torch.from_numpy(out)


class SASRecNet(nn.Module):
    def __init__(self, n_items: int, dim: int, heads: int, layers: int, dropout: float, max_len: int):
        super().__init__()
        self.items = nn.Embedding(n_items + 1, dim, padding_idx=0)
        self.positions = nn.Embedding(max_len, dim)
        for table in (self.items, self.positions):
            nn.init.normal_(table.weight, std=0.02)
        with torch.no_grad():
            self.items.weight[0].zero_()
        self.dropout = nn.Dropout(dropout)
        block = nn.TransformerEncoderLayer(dim, heads, 4 * dim, dropout, activation="gelu", batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(block, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim)
        self.heads = heads

    def forward(self, padded: torch.Tensor) -> torch.Tensor:
        """``[B, L]`` shifted item ids → ``[B, L, dim]`` states."""
        batch, length = padded.shape
        x = self.items(padded) * self.items.embedding_dim**0.5 + self.positions.weight[:length]
        pad = padded == 0
        eye = torch.eye(length, dtype=torch.bool)
        blocked = torch.triu(torch.ones(length, length, dtype=torch.bool), 1)[None] | (pad[:, None, :] & ~eye[None])
        mask = blocked.repeat_interleave(self.heads, dim=0)
        return self.norm(self.blocks(self.dropout(x), mask=mask))

    def logits(self, states: torch.Tensor) -> torch.Tensor:
        return states @ self.items.weight[1:].T


class SASRec(NeuralRecommender):
    """SASRec with cross-entropy over all items; see the module note."""

    name = "sasrec"
    DEFAULTS = {
        "dim": 64,
        "heads": 2,
        "layers": 2,
        "dropout": 0.2,
        "max_len": 50,
        "batch_size": 128,
        "optimizer": "adam",
        "lr": 0.001,
        "epochs": 100,
        "patience": 8,
        "seed": 0,
        "sequence_aware": False,
        "threads": 1,
    }

    def build(self, n_items: int) -> SASRecNet:
        p = self.params
        return SASRecNet(n_items, int(p["dim"]), int(p["heads"]), int(p["layers"]), float(p["dropout"]), int(p["max_len"]))

    def prepare(self, split: Split) -> None:
        length = int(self.params["max_len"])
        windows = [seq[max(0, end - length - 1) : end] for seq in self.training_sequences(split) for end in range(len(seq), 1, -length)]
        self.inputs = left_pad([w[:-1] for w in windows], length)
        targets = left_pad([w[1:] for w in windows], length) - 1
        self.targets = targets.masked_fill(targets < 0, -100)

    def run_epoch(self, rng: np.random.Generator, optimizer: torch.optim.Optimizer) -> float:
        batch = int(self.params["batch_size"])
        order = torch.from_numpy(rng.permutation(len(self.inputs)))
        total = 0.0
        for lo in range(0, len(order), batch):
            rows = order[lo : lo + batch]
            logits = self.net.logits(self.net(self.inputs[rows]))
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), self.targets[rows].reshape(-1), ignore_index=-100)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(rows)
        return total / max(1, len(order))

    def item_scores(self, contexts: Sequence[np.ndarray]) -> torch.Tensor:
        return self.net.logits(self.net(left_pad(contexts, int(self.params["max_len"])))[:, -1])
