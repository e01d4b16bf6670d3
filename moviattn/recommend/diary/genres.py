"""model2: a review's emotion vector (or its whole sentence embedding) → the reviewed movie's genres.

Multi-label: a movie has several genres, so every learner gives one probability per genre. Variants,
selectable by name (``VARIANTS``): three learners, each on two inputs.

- ``mlp_bce`` — one hidden layer, sigmoid outputs, binary cross-entropy;
- ``mlp_mse`` — the same network trained on squared error, as in the seed's ``model2.py``;
- ``random_forest`` — scikit-learn's ``RandomForestRegressor`` on the 0/1 genre matrix: for binary
  targets the squared-error split criterion is half the Gini impurity summed over outputs, so it grows
  the same trees as a multi-output classifier, and each leaf's mean is directly P(genre). The trees are
  exported to plain arrays (``Forest``) so the shipped file does not depend on the scikit-learn version
  (no pickle) and prediction is a vectorised walk over all trees at once;
- input ``emotions`` (the four numbers of model1, the seed's design) or ``+embedding`` (the mean-pooled,
  L2-normalised last layer of the encoder, 384 numbers for e5-small, i.e. ``moviattn.models.embed``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ...registry import choose
from .training import MLP, FitConfig, fit_mlp

LEARNERS = ("mlp_bce", "mlp_mse", "random_forest")
INPUTS = ("emotions", "embedding")


@dataclass(frozen=True)
class Variant:
    learner: str
    input: str

    @property
    def name(self) -> str:
        return self.learner if self.input == "emotions" else f"{self.learner}+{self.input}"


VARIANTS: dict[str, Variant] = {v.name: v for v in (Variant(learner, kind) for kind in INPUTS for learner in LEARNERS)}
DEFAULT_VARIANT = "mlp_bce"
MLP_CONFIG = FitConfig(hidden=64, dropout=0.2, lr=2e-3, weight_decay=1e-3, epochs=40, batch_size=64)
FOREST_TREES = 100
FOREST_MIN_LEAF = 20


def variant(name: str) -> Variant:
    """The variant named ``name`` ("unknown model2 'x'; choose one of ..." otherwise)."""
    return choose("model2", name, VARIANTS)


@dataclass(frozen=True)
class Forest:
    """Regression trees flattened into arrays; children indices are global, -1 marks a leaf."""

    roots: np.ndarray  # int32 [trees]
    left: np.ndarray  # int32 [nodes]
    right: np.ndarray
    feature: np.ndarray  # int32 [nodes]
    threshold: np.ndarray  # float32 [nodes]
    value: np.ndarray  # float32 [nodes, genres]

    @classmethod
    def from_sklearn(cls, forest) -> Forest:
        parts, offset = [], 0
        for tree in (estimator.tree_ for estimator in forest.estimators_):
            shift = lambda a: np.where(a >= 0, a + offset, -1)
            parts.append((offset, shift(tree.children_left), shift(tree.children_right), tree.feature, tree.threshold, tree.value[:, :, 0]))
            offset += tree.node_count
        return cls(*(np.concatenate(col) if i else np.array(col) for i, col in enumerate(zip(*parts))))

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float32)
        nodes = np.broadcast_to(self.roots, (len(x), len(self.roots))).copy()
        rows = np.arange(len(x))[:, None]
        while True:
            inner = self.left[nodes] >= 0
            if not inner.any():
                break
            go_left = x[rows, np.maximum(self.feature[nodes], 0)] <= self.threshold[nodes]
            nodes = np.where(inner, np.where(go_left, self.left[nodes], self.right[nodes]), nodes)
        return np.clip(self.value[nodes].mean(axis=1), 0.0, 1.0)

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "roots": self.roots.astype(np.int32), "left": self.left.astype(np.int32), "right": self.right.astype(np.int32),
            "feature": self.feature.astype(np.int32), "threshold": self.threshold.astype(np.float32), "value": self.value.astype(np.float16),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> Forest:
        return cls(*(arrays[k].astype(np.float32 if k in ("threshold", "value") else np.int64) for k in ("roots", "left", "right", "feature", "threshold", "value")))


@dataclass
class GenreModel:
    """A fitted model2 variant and the genre vocabulary its outputs follow."""

    variant: Variant
    genres: tuple[str, ...]
    learner: MLP | Forest

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Genre probabilities ``[n, genres]`` in [0, 1]."""
        return self.learner.probabilities(x)


def fit_genre_model(name: str, x: np.ndarray, y: np.ndarray, genres: Sequence[str], seed: int = 12) -> GenreModel:
    """Train variant ``name`` on inputs ``x [n, d]`` and genre indicators ``y [n, genres]``."""
    chosen = variant(name)
    if chosen.learner == "random_forest":
        from sklearn.ensemble import RandomForestRegressor

        forest = RandomForestRegressor(n_estimators=FOREST_TREES, min_samples_leaf=FOREST_MIN_LEAF, max_features="sqrt", random_state=seed, n_jobs=1)
        learner: MLP | Forest = Forest.from_sklearn(forest.fit(np.asarray(x, dtype=np.float32), np.asarray(y, dtype=np.float32)))
    else:
        config = FitConfig(**{**MLP_CONFIG.to_dict(), "loss": chosen.learner.removeprefix("mlp_"), "seed": seed})
        learner = fit_mlp(x, y, config).model
    return GenreModel(chosen, tuple(genres), learner)


def save_genre_model(model: GenreModel, stem: Path) -> None:
    """``<stem>.npz`` (float16 weights or tree arrays) and ``<stem>.json`` (variant, genres, shape)."""
    meta: dict[str, object] = {"variant": model.variant.name, "genres": list(model.genres)}
    if isinstance(model.learner, Forest):
        arrays = model.learner.arrays()
    else:
        arrays = {k: v.detach().numpy().astype(np.float16) for k, v in model.learner.state_dict().items()}
        meta["mlp"] = {"n_in": int(model.learner.mean.shape[0]), "hidden": MLP_CONFIG.hidden, "dropout": MLP_CONFIG.dropout}
    np.savez_compressed(stem.with_suffix(".npz"), **arrays)
    stem.with_suffix(".json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")


def load_genre_model(stem: Path) -> GenreModel:
    """A model written by ``save_genre_model``."""
    meta = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
    with np.load(stem.with_suffix(".npz")) as data:
        arrays = {k: data[k] for k in data.files}
    chosen, genres = variant(meta["variant"]), tuple(meta["genres"])
    if chosen.learner == "random_forest":
        return GenreModel(chosen, genres, Forest.from_arrays(arrays))
    shape = meta["mlp"]
    mlp = MLP(shape["n_in"], len(genres), shape["hidden"], shape["dropout"])
    mlp.load_state_dict({k: torch.as_tensor(v.astype(np.float32)) for k, v in arrays.items()})
    return GenreModel(chosen, genres, mlp.eval())
