"""GRU4Rec (Hidasi et al. 2016; Hidasi & Karatzoglou 2018), written from the papers.

An item embedding (or, with ``embedding=0``, one-hot input: the first layer's input weights are then
an item table feeding the gates directly, as in the original) feeds one or more GRU layers; the last
layer's state, after dropout, scores every item through an output matrix and bias (``tied``: the
output matrix is the input embedding, GRU4Rec's later "constrained embedding"). Training walks the
sessions in session-parallel mini-batches, one step at a time with the hidden state carried between
steps and reset where a lane starts a new session, with truncated back-propagation through ``bptt``
steps (1 in the original; more lets the recurrence learn from longer MovieLens histories); the loss
is cross-entropy or BPR-max over the batch's targets plus ``n_sample`` popularity-sampled items
(``n_sample=-1``: all items, affordable for MovieLens's few thousand movies). Evaluation runs the
GRU over each query's context (packed sequences, no padding cost); ``sequence_aware=True`` carries
the state across a user's sessions, in training and at evaluation.

Measured on ML-100K validation (leave-one-out, the search table of docs/session.md; each ±0.015 in Recall@20):
Adagrad (lr 0.05) beat Adam (0.002) by 1 point of Recall@20, tied output weights added 1 more,
full softmax beat 256 sampled negatives (CE or BPR-max) by 4 points, one-hot input lost 0.5–1 point
of Recall@20 (MRR@20 ±0.2) to a 64-d embedding at about twice the epoch time, and hidden 256 (tied, dropout 0.5) gained 0.4 point
over hidden 100 at 2.3× the time per epoch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

from .splits import Split
from .training import NeuralRecommender, sampled_loss, session_parallel_batches


class GRU4RecNet(nn.Module):
    """Embedding (or one-hot input: ``embedding=0``) → GRU layers → dropout → scores over all items."""

    def __init__(self, n_items: int, embedding: int, hidden: int, layers: int, dropout: float, embedding_dropout: float, tied: bool):
        super().__init__()
        self.one_hot = embedding <= 0 and not tied
        # One-hot input times the first layer's input weights is a lookup of one 3·hidden column per
        # item: an item table feeding the gates through a frozen identity (PyTorch's gate order r, z, n
        # is kept), initialised as nn.GRU initialises its input weights.
        self.embedding = nn.Embedding(n_items, 3 * hidden if self.one_hot else hidden if tied else embedding)
        self.embedding_dropout = nn.Dropout(embedding_dropout)
        self.gru = nn.GRU(self.embedding.embedding_dim, hidden, layers, dropout=dropout if layers > 1 else 0.0)
        if tied:  # the matrix is also the output layer: scale it like the untied output
            nn.init.normal_(self.embedding.weight, 0, hidden**-0.5)
        if self.one_hot:
            nn.init.uniform_(self.embedding.weight, -(hidden**-0.5), hidden**-0.5)
            with torch.no_grad():
                self.gru.weight_ih_l0.copy_(torch.eye(3 * hidden))
            self.gru.weight_ih_l0.requires_grad_(False)
        self.dropout = nn.Dropout(dropout)
        self.output = self.embedding.weight if tied else nn.Parameter(torch.empty(n_items, hidden).normal_(0, hidden**-0.5))
        self.bias = nn.Parameter(torch.zeros(n_items))

    def step(self, items: torch.Tensor, hidden: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One time step for a batch of lanes: ``[B]`` items, ``[layers, B, H]`` state → output, new state."""
        out, hidden = self.gru(self.embed(items)[None], hidden)
        return self.dropout(out[0]), hidden

    def embed(self, items: torch.Tensor) -> torch.Tensor:
        """Input vectors with dropout; on one-hot input dropout removes whole items (it acts on the one-hot vector)."""
        vectors = self.embedding(items)
        if self.one_hot:
            return vectors * self.embedding_dropout(vectors.new_ones(len(items), 1))
        return self.embedding_dropout(vectors)

    def encode(self, contexts: Sequence[np.ndarray]) -> torch.Tensor:
        """Final top-layer state after each context (zeros for an empty one)."""
        lengths = torch.tensor([len(c) for c in contexts])
        states = torch.zeros(len(contexts), self.gru.hidden_size)
        rows = torch.nonzero(lengths > 0).flatten()
        if len(rows):
            padded = pad_sequence([torch.from_numpy(np.asarray(contexts[i], dtype=np.int64)) for i in rows.tolist()])
            packed = pack_padded_sequence(self.embedding(padded), lengths[rows], enforce_sorted=False)
            _, hidden = self.gru(packed)
            states[rows] = hidden[-1]
        return states

    def logits(self, states: torch.Tensor, items: torch.Tensor | None = None) -> torch.Tensor:
        if items is None:
            return states @ self.output.T + self.bias
        return states @ self.output[items].T + self.bias[items]


class GRU4Rec(NeuralRecommender):
    """GRU4Rec with session-parallel mini-batches; see the module note."""

    name = "gru4rec"
    DEFAULTS = {
        "embedding": 64,
        "hidden": 100,
        "layers": 1,
        "dropout": 0.0,
        "embedding_dropout": 0.0,
        "tied": False,
        "loss": "ce",
        "bpr_reg": 1.0,
        "n_sample": -1,
        "sample_alpha": 0.75,
        "batch_size": 32,
        "bptt": 1,
        "optimizer": "adam",
        "lr": 0.002,
        "epochs": 30,
        "patience": 4,
        "seed": 0,
        "sequence_aware": False,
        "threads": 1,
    }

    def build(self, n_items: int) -> GRU4RecNet:
        p = self.params
        return GRU4RecNet(
            n_items,
            int(p["embedding"]),
            int(p["hidden"]),
            int(p["layers"]),
            float(p["dropout"]),
            float(p["embedding_dropout"]),
            bool(p["tied"]),
        )

    def prepare(self, split: Split) -> None:
        self.sequences = self.training_sequences(split)
        counts = np.bincount(np.concatenate(split.train), minlength=split.n_items) ** float(self.params["sample_alpha"])
        self.sampling = np.cumsum(counts) / counts.sum()

    def _candidates(self, states: torch.Tensor, targets: torch.Tensor, rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits over the candidate set and each row's positive column."""
        n_sample = int(self.params["n_sample"])
        if n_sample < 0:
            return self.net.logits(states), targets
        sampled = np.searchsorted(self.sampling, rng.random(n_sample), side="right").clip(max=self.n_items - 1)
        candidates = torch.cat([targets, torch.from_numpy(sampled)])
        logits = self.net.logits(states, candidates)
        columns = torch.arange(len(targets))
        same = candidates[None, :] == targets[:, None]
        same[columns, columns] = False  # another row's copy of my target is not a negative
        return logits.masked_fill(same, float("-inf")), columns

    def run_epoch(self, rng: np.random.Generator, optimizer: torch.optim.Optimizer) -> float:
        """Session-parallel steps; gradients flow back ``bptt`` steps through the state, then it is cut."""
        layers, hidden = int(self.params["layers"]), int(self.params["hidden"])
        batch, bptt = int(self.params["batch_size"]), max(1, int(self.params["bptt"]))
        order = rng.permutation(len(self.sequences))
        state = torch.zeros(batch, layers, hidden)  # lane-major, so lanes index the first axis
        total, steps, window = 0.0, 0, []
        for step in session_parallel_batches([self.sequences[i] for i in order], batch):
            lanes = torch.from_numpy(step.lanes)
            before = state[lanes].masked_fill(torch.from_numpy(step.reset)[:, None, None], 0.0)
            out, after = self.net.step(torch.from_numpy(step.inputs), before.transpose(0, 1).contiguous())
            logits, columns = self._candidates(out, torch.from_numpy(step.targets), rng)
            window.append(sampled_loss(logits, columns, self.params["loss"], float(self.params["bpr_reg"])))
            state = state.index_put((lanes,), after.transpose(0, 1))
            if len(window) == bptt:
                total, steps, state, window = total + self._update(window, optimizer), steps + len(window), state.detach(), []
        if window:
            total, steps = total + self._update(window, optimizer), steps + len(window)
        return total / max(1, steps)

    @staticmethod
    def _update(window: list[torch.Tensor], optimizer: torch.optim.Optimizer) -> float:
        """One optimiser step on the mean loss of a BPTT window; returns the window's summed loss."""
        loss = torch.stack(window).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item() * len(window)

    def item_scores(self, contexts: Sequence[np.ndarray]) -> torch.Tensor:
        return self.net.logits(self.net.encode(contexts))
