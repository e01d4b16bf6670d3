"""What the neural models share: session-parallel mini-batches, the losses, seeding, early stopping.

Session-parallel mini-batches (Hidasi et al. 2016): ``batch_size`` lanes each walk through one
session, one event per step (input: the current item, target: the next); when a lane's session ends
the next unused session takes the lane and that lane's hidden state is reset. Every event is used
once per epoch with no padding; RecBole instead runs the GRU over the last 50 items before every
target (padded to 50), which on ML-100K (leave-one-out, rating ≥ 3, 10-core) is 3.88 M GRU steps
per epoch (2.88 M on real items) against our 77.6 k.

Losses over a candidate set (the batch's targets, plus ``n_sample`` items drawn ∝ popularity^alpha,
or all items): cross-entropy (Hidasi & Karatzoglou 2018 found it competitive with BPR-max once
negatives are plentiful), and BPR-max with its score regulariser.
"""

from __future__ import annotations

import contextlib
import copy
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from ...registry import choose
from .models import EpochCallback, Recommender
from .splits import Split

LOSSES = ("ce", "bpr-max")


@dataclass(frozen=True)
class Step:
    """One session-parallel step: active lanes, their input and target items, lanes reset before it."""

    lanes: np.ndarray
    inputs: np.ndarray
    targets: np.ndarray
    reset: np.ndarray


def session_parallel_batches(sessions: Sequence[np.ndarray], batch_size: int) -> Iterator[Step]:
    """Steps over ``sessions`` (in the given order; sessions shorter than 2 give no pair and are skipped).

    At the end, lanes whose session finished with no session left become inactive, so the last
    steps are narrower than ``batch_size`` and no event is dropped.
    """
    sessions = [np.asarray(s) for s in sessions if len(s) >= 2]
    if not sessions:
        return
    flat = np.concatenate(sessions)
    starts = np.r_[0, np.cumsum([len(s) for s in sessions])[:-1]]
    lasts = starts + np.array([len(s) for s in sessions]) - 1  # position of each session's last event
    n_lanes = min(batch_size, len(sessions))
    lane_session = np.arange(n_lanes)
    position = starts[lane_session].copy()
    active = np.ones(n_lanes, dtype=bool)
    reset = np.ones(n_lanes, dtype=bool)
    following = n_lanes
    while active.any():
        lanes = np.flatnonzero(active)
        yield Step(lanes, flat[position[lanes]], flat[position[lanes] + 1], reset[lanes].copy())
        reset[:] = False
        position[lanes] += 1
        for lane in lanes[position[lanes] >= lasts[lane_session[lanes]]]:
            if following < len(sessions):
                lane_session[lane], position[lane], reset[lane] = following, starts[following], True
                following += 1
            else:
                active[lane] = False


def sampled_loss(logits: torch.Tensor, target_column: torch.Tensor, loss: str, bpr_reg: float = 1.0) -> torch.Tensor:
    """Cross-entropy or BPR-max of ``logits [B, C]`` whose positive for row i is column ``target_column[i]``.

    Columns equal to a row's target item other than its own column must already be ``-inf``.
    """
    if choose("loss", loss, LOSSES) == "ce":
        return F.cross_entropy(logits, target_column)
    positive = logits.gather(1, target_column[:, None])
    negative = logits.scatter(1, target_column[:, None], float("-inf"))
    weights = torch.softmax(negative, dim=1)
    finite = torch.where(torch.isfinite(negative), negative, torch.zeros_like(negative))
    ranking = -torch.log((weights * torch.sigmoid(positive - finite)).sum(1) + 1e-10)
    return (ranking + bpr_reg * (weights * finite**2).sum(1)).mean()


@contextlib.contextmanager
def torch_threads(threads: int) -> Iterator[None]:
    """Run with ``threads`` intra-op threads, then restore the previous setting.

    These models are small: a GRU4Rec step (batch 32, 1k items) took 4.6 ms on one thread and
    156 ms on two while other jobs loaded this 2-core machine (spinning threads waiting on each
    other), so the neural models default to one thread.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(max(1, threads))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def seed_everything(seed: int) -> np.random.Generator:
    """Seed Python, NumPy and torch; returns the generator the trainer draws from."""
    random.seed(seed)
    torch.manual_seed(seed)
    return np.random.default_rng(seed)


def make_optimizer(name: str, parameters, lr: float) -> torch.optim.Optimizer:
    return choose("optimizer", name, {"adagrad": torch.optim.Adagrad, "adam": torch.optim.Adam})(parameters, lr=lr)


@dataclass
class History:
    """Per-epoch training loss and validation metric, the best epoch, and the time spent training."""

    losses: list[float] = field(default_factory=list)
    valid: list[float] = field(default_factory=list)
    best_epoch: int = -1
    train_seconds: float = 0.0


def fit_epochs(
    net: torch.nn.Module,
    run_epoch: Callable[[int], float],
    validate: Callable[[], float] | None,
    epochs: int,
    patience: int,
    progress: bool = False,
    on_epoch: EpochCallback | None = None,
) -> History:
    """Train up to ``epochs`` epochs, keep the weights of the best validation epoch, stop after
    ``patience`` epochs without improvement (no validation: keep the last epoch); ``on_epoch(done, epochs)``
    after each."""
    history, best, best_state = History(), -np.inf, None
    bar = tqdm(range(epochs), desc="epochs", disable=not progress, leave=False)
    for epoch in bar:
        start = time.perf_counter()
        history.losses.append(run_epoch(epoch))
        history.train_seconds += time.perf_counter() - start
        if on_epoch is not None:
            on_epoch(epoch + 1, epochs)
        if validate is None:
            continue
        with torch.no_grad():
            net.eval()
            score = validate()
            net.train()
        history.valid.append(score)
        bar.set_postfix(loss=f"{history.losses[-1]:.3f}", valid=f"{score:.4f}")
        if score > best:
            best, best_state, history.best_epoch = score, copy.deepcopy(net.state_dict()), epoch
        elif epoch - history.best_epoch >= patience:
            break
    if best_state is not None:
        net.load_state_dict(best_state)
    else:
        history.best_epoch = len(history.losses) - 1
    net.eval()
    return history


class NeuralRecommender(Recommender):
    """A torch model trained with early stopping on validation Recall@20 (seen items excluded)."""

    net: torch.nn.Module
    history: History

    def build(self, n_items: int) -> torch.nn.Module:
        raise NotImplementedError

    def prepare(self, split: Split) -> None:
        """Turn the training sessions into whatever ``run_epoch`` iterates over."""
        raise NotImplementedError

    def run_epoch(self, rng: np.random.Generator, optimizer: torch.optim.Optimizer) -> float:
        """One pass over the training data; returns the mean loss."""
        raise NotImplementedError

    def item_scores(self, contexts: Sequence[np.ndarray]) -> torch.Tensor:
        raise NotImplementedError

    def training_sequences(self, split: Split) -> list[np.ndarray]:
        """Training sessions, or each user's sessions joined in sequence-aware mode."""
        if not self.sequence_aware:
            return list(split.train)
        bounds = np.flatnonzero(np.r_[True, split.train_users[1:] != split.train_users[:-1], True])
        return [np.concatenate(split.train[lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])]

    def fit(self, split: Split, progress: bool = False, on_epoch: EpochCallback | None = None) -> "NeuralRecommender":
        with torch_threads(int(self.params["threads"])):
            return self._fit(split, progress, on_epoch)

    def _fit(self, split: Split, progress: bool, on_epoch: EpochCallback | None) -> "NeuralRecommender":
        from .evaluation import evaluate

        rng = seed_everything(int(self.params["seed"]))
        self.n_items = split.n_items
        self.net = self.build(split.n_items)
        self.net.train()
        self.prepare(split)
        optimizer = make_optimizer(self.params["optimizer"], self.net.parameters(), float(self.params["lr"]))
        self.history = fit_epochs(
            self.net,
            lambda epoch: self.run_epoch(rng, optimizer),
            lambda: evaluate(self, split.valid)["recall@20"],
            int(self.params["epochs"]),
            int(self.params["patience"]),
            progress,
            on_epoch,
        )
        return self

    @torch.no_grad()
    def scores(self, contexts: Sequence[np.ndarray], users: np.ndarray) -> np.ndarray:
        with torch_threads(int(self.params["threads"])):
            return self.item_scores(contexts).numpy()

    def state(self) -> dict[str, torch.Tensor]:
        return dict(self.net.state_dict())

    def load_state(self, state: Mapping[str, torch.Tensor], n_items: int) -> "NeuralRecommender":
        self.n_items = n_items
        self.net = self.build(n_items)
        self.net.load_state_dict(state)
        self.net.eval()
        return self
