"""One seeded trainer for every small network of the wing: model1's emotion head and model2's MLPs.

Inputs are fixed feature vectors (pooled encoder layers, emotion vectors, sentence embeddings), so a
run is a few seconds to a minute on CPU. The network standardises its inputs with the training mean
and standard deviation (kept as buffers, so they ship with the weights), then one hidden layer (GELU,
dropout) or none (a linear probe). Loss ``bce`` (multi-label logits) or ``mse`` (the seed's model2:
squared error on sigmoid outputs). With a validation set the best epoch by ``score`` is kept and
training stops after ``patience`` epochs without improvement; without one it runs ``epochs``. The
per-epoch validation scores are kept (``FitResult.curve``): inner cross-validation averages them over
folds to fix the epoch count of a refit on all labelled rows (``reproduce.inner_cv_epochs``).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from ...registry import choose

LOSSES = ("bce", "mse")


@dataclass(frozen=True)
class FitConfig:
    """Network shape and optimisation; ``hidden=0`` is a linear probe."""

    hidden: int = 256
    dropout: float = 0.3
    loss: str = "bce"
    lr: float = 1e-3
    weight_decay: float = 1e-4
    epochs: int = 60
    batch_size: int = 128
    patience: int = 8
    seed: int = 12
    #: Weight of the outputs after the first ``main_outputs`` (auxiliary targets, e.g. KOTE's 44 labels).
    aux_weight: float = 1.0
    main_outputs: int | None = None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


class MLP(nn.Module):
    """Standardise → [Linear → GELU → Dropout] → Linear; returns logits."""

    def __init__(self, n_in: int, n_out: int, hidden: int = 256, dropout: float = 0.3):
        super().__init__()
        self.register_buffer("mean", torch.zeros(n_in))
        self.register_buffer("scale", torch.ones(n_in))
        layers: list[nn.Module] = [nn.Linear(n_in, hidden), nn.GELU(), nn.Dropout(dropout), nn.Linear(hidden, n_out)] if hidden else [nn.Linear(n_in, n_out)]
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net((x - self.mean) / self.scale)

    @torch.inference_mode()
    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Sigmoid outputs in [0, 1] for a float array ``[n, n_in]``."""
        self.eval()
        return torch.sigmoid(self(torch.as_tensor(np.asarray(x, dtype=np.float32)))).numpy()


@dataclass(frozen=True)
class FitResult:
    model: MLP
    best_epoch: int
    best_score: float | None
    seconds: float
    #: Validation score after each epoch run (empty without a validation set).
    curve: tuple[float, ...] = ()


def fit_mlp(
    x: np.ndarray,
    y: np.ndarray,
    config: FitConfig = FitConfig(),
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    score: Callable[[np.ndarray, np.ndarray], float] | None = None,
) -> FitResult:
    """Train an ``MLP`` from ``x [n, d]`` to ``y [n, k]`` in [0, 1] with a fixed seed."""
    choose("loss", config.loss, LOSSES)
    if len(x) == 0:
        raise ValueError("no training rows")
    started = time.perf_counter()
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    xs = torch.as_tensor(np.asarray(x, dtype=np.float32))
    ys = torch.as_tensor(np.asarray(y, dtype=np.float32))
    model = MLP(xs.shape[1], ys.shape[1], config.hidden, config.dropout)
    model.mean.copy_(xs.mean(0))
    model.scale.copy_(xs.std(0).clamp(min=1e-6) if len(xs) > 1 else torch.ones(xs.shape[1]))
    weights = torch.ones(ys.shape[1])
    if config.main_outputs is not None:
        weights[config.main_outputs :] = config.aux_weight
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    best_state, best_epoch, best_score, stale, curve = None, config.epochs, None, 0, []
    for epoch in range(1, config.epochs + 1):
        model.train()
        for rows in torch.randperm(len(xs), generator=generator).split(config.batch_size):
            logits = model(xs[rows])
            if config.loss == "bce":
                losses = nn.functional.binary_cross_entropy_with_logits(logits, ys[rows], reduction="none")
            else:
                losses = (torch.sigmoid(logits) - ys[rows]) ** 2
            loss = (losses * weights).sum(1).mean() / weights.sum()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        if validation is None or score is None:
            continue
        value = score(model.probabilities(validation[0]), validation[1])
        curve.append(value)
        if best_score is None or value > best_score:
            best_state, best_epoch, best_score, stale = copy.deepcopy(model.state_dict()), epoch, value, 0
        else:
            stale += 1
            if stale >= config.patience:
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    return FitResult(model.eval(), best_epoch, best_score, time.perf_counter() - started, tuple(curve))


def merge_heads(heads: list[MLP]) -> MLP:
    """Seed ensemble as one network: averaging the logits of one-hidden-layer MLPs that share their input
    standardisation is exactly an MLP with their hidden units side by side and output weights / n."""
    first = heads[0]
    if len(heads) == 1:
        return first
    n_in, hidden, n_out = first.net[0].in_features, first.net[0].out_features, first.net[-1].out_features
    merged = MLP(n_in, n_out, hidden * len(heads), first.net[2].p)
    with torch.no_grad():
        merged.mean.copy_(first.mean)
        merged.scale.copy_(first.scale)
        merged.net[0].weight.copy_(torch.cat([h.net[0].weight for h in heads]))
        merged.net[0].bias.copy_(torch.cat([h.net[0].bias for h in heads]))
        merged.net[-1].weight.copy_(torch.cat([h.net[-1].weight for h in heads], dim=1) / len(heads))
        merged.net[-1].bias.copy_(torch.stack([h.net[-1].bias for h in heads]).mean(0))
    return merged.eval()
