"""The model registry and the base every recommender shares: hyper-parameters, scoring, state.

A recommender is fitted on a ``Split`` and scores all items for contexts (the items of the current
session, in order; the whole history in sequence-aware mode). Hyper-parameters are declared once per
class in ``DEFAULTS``; ``create`` checks names and converts CLI strings to the default's type.
Neural models are imported on first use so the CLI, the app and the baselines never pay torch's
start-up for them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ...registry import choose
from .splits import Split

#: Told after each training epoch: (epochs done, most epochs) — the app shows it as progress.
EpochCallback = Callable[[int, int], None]

if TYPE_CHECKING:
    import torch

#: name → ``module:Class`` (relative to this package).
MODELS: dict[str, str] = {
    "pop": "baselines:MostPopular",
    "spop": "baselines:SessionPopular",
    "markov": "baselines:Markov",
    "iknn": "baselines:ItemKNN",
    "sknn": "baselines:SessionKNN",
    "vsknn": "baselines:VSessionKNN",
    "gru4rec": "gru4rec:GRU4Rec",
    "sasrec": "sasrec:SASRec",
}
BASELINES = ("pop", "spop", "markov", "iknn", "sknn", "vsknn")
NEURAL = ("gru4rec", "sasrec")


def _convert(name: str, value: Any, default: Any) -> Any:
    """A CLI string (or any value) as the type of the default."""
    if not isinstance(value, str) or isinstance(default, str):
        return value
    if value.lower() in ("none", "null"):
        return None
    if isinstance(default, bool):
        if value.lower() not in ("true", "false", "1", "0"):
            raise ValueError(f"{name} must be true or false, got {value!r}")
        return value.lower() in ("true", "1")
    try:
        return int(value) if isinstance(default, int) else float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {value!r}") from None


class Recommender:
    """Base class: ``fit`` on a split, ``scores`` for contexts, ``state``/``load_state`` for the store."""

    name: ClassVar[str]
    DEFAULTS: ClassVar[Mapping[str, Any]] = {}

    def __init__(self, **params: Any) -> None:
        self.params = dict(self.DEFAULTS)
        for key, value in params.items():
            self.params[key] = _convert(key, value, choose(f"parameter of {self.name}", key, self.DEFAULTS))
        self.n_items = 0

    @property
    def sequence_aware(self) -> bool:
        """Whether evaluation hands this model the whole history rather than the current session."""
        return bool(self.params.get("sequence_aware", False))

    def fit(self, split: Split, progress: bool = False, on_epoch: EpochCallback | None = None) -> "Recommender":
        """Learn from ``split.train`` (neural models also early-stop on ``split.valid`` and call
        ``on_epoch(epochs done, most epochs)`` after each epoch; the others have no epochs)."""
        raise NotImplementedError

    def scores(self, contexts: Sequence[np.ndarray], users: np.ndarray) -> np.ndarray:
        """``[len(contexts), n_items]`` scores; higher is better."""
        raise NotImplementedError

    def state(self) -> dict[str, torch.Tensor]:
        """Everything ``scores`` needs, as tensors (saved with ``torch.save``, loaded with ``weights_only``)."""
        raise NotImplementedError

    def load_state(self, state: Mapping[str, torch.Tensor], n_items: int) -> "Recommender":
        raise NotImplementedError


def model_class(name: str) -> type[Recommender]:
    module, _, cls = choose("model", name, MODELS).partition(":")
    return getattr(importlib.import_module(f"{__package__}.{module}"), cls)


def create(name: str, **params: Any) -> Recommender:
    """A new, unfitted recommender ``name`` with ``params`` over its defaults."""
    return model_class(name)(**params)


def parse_settings(pairs: Sequence[str]) -> dict[str, str]:
    """``["hidden=100", "lr=0.05"]`` → a dict (values converted by ``create``)."""
    settings = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--set expects name=value, got {pair!r}")
        settings[key.strip()] = value.strip()
    return settings
