"""Seeded training loop with early stopping on a validation split, plus batched prediction."""

from __future__ import annotations

import copy
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from torch import nn

from .data import Encoded, Vocab, length_bucketed_batches, pad_batch


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation settings shared by all classifiers."""

    max_epochs: int = 8
    checks_per_epoch: int = 2
    batch_size: int = 256
    lr: float = 2e-3
    #: The learning rate is multiplied by this after every validation check that brings no improvement.
    lr_decay: float = 0.5
    patience: int = 4
    clip_norm: float = 5.0
    seed: int = 13
    max_tokens: int = 60


@dataclass
class TrainResult:
    """What a training run reports: best validation accuracy, its epoch, wall time, per-epoch history."""

    best_valid_accuracy: float
    best_epoch: float
    epochs_run: float
    seconds: float
    history: list[dict[str, float]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch so the same seed gives the same weights."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def encode_all(vocab: Vocab, docs: Sequence[Sequence[str]], max_tokens: int) -> list[np.ndarray]:
    """The classifier input (token and subword-gram ids) of every document, truncated to ``max_tokens``."""
    return [vocab.encode_with_grams(doc[:max_tokens]) for doc in docs]


def _min_length(model: nn.Module) -> int:
    return getattr(model, "min_length", 1)


@torch.no_grad()
def predict_proba(model: nn.Module, sequences: Sequence[Encoded], batch_size: int = 512) -> np.ndarray:
    """Positive-class probability of every sequence (batched by length, returned in input order)."""
    model.eval()
    probs = np.empty(len(sequences), dtype=np.float64)
    for batch in length_bucketed_batches([len(s) for s in sequences], batch_size):
        ids, lengths = pad_batch([sequences[i] for i in batch], _min_length(model))
        probs[batch] = torch.softmax(model(ids, lengths), dim=1)[:, 1].double().numpy()
    return probs


def accuracy(model: nn.Module, sequences: Sequence[Encoded], labels: np.ndarray) -> float:
    """Share of sequences whose thresholded (0.5) prediction matches the label."""
    return float(((predict_proba(model, sequences) >= 0.5).astype(np.int64) == labels).mean())


def train_classifier(
    model: nn.Module,
    train_x: Sequence[Encoded],
    train_y: np.ndarray,
    valid_x: Sequence[Encoded],
    valid_y: np.ndarray,
    config: TrainConfig,
    log: Callable[[str], None] = print,
) -> TrainResult:
    """Adam + cross-entropy, length-bucketed shuffled batches; keeps the weights of the best validation check.

    Validation accuracy is checked ``checks_per_epoch`` times an epoch; a check without an
    improvement multiplies the learning rate by ``lr_decay``, and training stops after
    ``patience`` such checks in a row. Frozen parameters (``requires_grad=False``,
    e.g. pretrained embeddings) are left alone. The model must have been built after
    :func:`seed_everything` for runs to be reproducible.
    """
    rng = np.random.default_rng(config.seed)
    optimiser = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=config.lr)
    loss_fn = nn.CrossEntropyLoss()
    lengths = [len(s) for s in train_x]

    def chunks() -> Iterator[list[np.ndarray]]:
        """The batches of every epoch, cut into ``checks_per_epoch`` runs between validation checks."""
        for _ in range(config.max_epochs):
            batches = list(length_bucketed_batches(lengths, config.batch_size, rng))
            for part in np.array_split(np.arange(len(batches)), config.checks_per_epoch):
                yield [batches[b] for b in part]

    best_state, best_acc, best_check, check = copy.deepcopy(model.state_dict()), -1.0, 0, 0
    history: list[dict[str, float]] = []
    start = time.perf_counter()
    for check, chunk in enumerate(chunks(), start=1):
        model.train()
        total_loss, seen = 0.0, 0
        for batch in chunk:
            ids, lens = pad_batch([train_x[i] for i in batch], _min_length(model))
            optimiser.zero_grad()
            loss = loss_fn(model(ids, lens), torch.as_tensor(train_y[batch]))
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), config.clip_norm)
            optimiser.step()
            total_loss += loss.detach().item() * len(batch)
            seen += len(batch)
        valid_acc = accuracy(model, valid_x, valid_y)
        epoch, elapsed = check / config.checks_per_epoch, time.perf_counter() - start
        history.append({"epoch": epoch, "train_loss": total_loss / seen, "valid_accuracy": valid_acc, "seconds": elapsed})
        log(f"epoch {epoch:.2f}: train loss {total_loss / seen:.4f}, valid acc {valid_acc:.4f} ({elapsed:.0f}s)")
        if valid_acc > best_acc:
            best_state, best_acc, best_check = copy.deepcopy(model.state_dict()), valid_acc, check
        elif check - best_check >= config.patience:
            break
        else:
            for group in optimiser.param_groups:
                group["lr"] *= config.lr_decay
    model.load_state_dict(best_state)
    model.eval()
    per_epoch = config.checks_per_epoch
    return TrainResult(best_acc, best_check / per_epoch, check / per_epoch, time.perf_counter() - start, history)
