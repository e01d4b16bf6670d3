"""The shipped artefacts under ``weights/``: vocabulary, model weights, Target2Vec, lexicons, metrics.

Weights are stored as float16 state dicts (``<name>.pt``) next to a JSON file with the
hyper-parameters needed to rebuild the model; loading is lazy and happens once per process.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import torch
from torch import nn

from .data import Vocab
from .models import build_model
from .target2vec import Target2Vec

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
VOCAB_FILE = "vocab.json"
TARGET2VEC_STEM = "target2vec"
#: Target2Vec on the three-label corpus (with context vectors), and the seed-003 results (``train-vectors``).
TARGET2VEC3_STEM = "target2vec3"
SEED003_FILE = "seed003.json"
METRICS_FILE = "metrics.json"


def save_model(name: str, model: nn.Module, hyper: dict[str, object], directory: Path = WEIGHTS_DIR) -> None:
    """Write ``<name>.pt`` (float16 weights) and ``<name>.json`` (hyper-parameters)."""
    state = {k: v.detach().half() if v.is_floating_point() else v for k, v in model.state_dict().items()}
    torch.save(state, directory / f"{name}.pt")
    (directory / f"{name}.json").write_text(json.dumps(hyper, indent=2), encoding="utf-8")


def read_model(name: str, vocab_size: int, directory: Path = WEIGHTS_DIR) -> nn.Module:
    """Rebuild a model from ``<name>.json`` and ``<name>.pt``, in float32 and eval mode."""
    weights = directory / f"{name}.pt"
    if not weights.exists():
        raise FileNotFoundError(f"no shipped weights {weights}; run `python -m moviattn sentiment train`")
    hyper = json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
    model = build_model(name, vocab_size, **hyper)
    state = torch.load(weights, map_location="cpu", weights_only=True)
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
    return model.eval()


@cache
def shipped_vocab() -> Vocab:
    """The vocabulary every shipped model was trained with."""
    return Vocab.load(WEIGHTS_DIR / VOCAB_FILE)


@cache
def shipped_model(name: str) -> nn.Module:
    """A shipped classifier by registry name, loaded once."""
    return read_model(name, len(shipped_vocab()))


@cache
def shipped_target2vec() -> Target2Vec:
    """The shipped Target2Vec vectors, loaded once."""
    return Target2Vec.load(WEIGHTS_DIR / TARGET2VEC_STEM)


@cache
def shipped_target2vec3() -> Target2Vec:
    """The shipped three-label Target2Vec (negative / positive / neutral, with context vectors), loaded once."""
    path = WEIGHTS_DIR / TARGET2VEC3_STEM
    if not path.with_suffix(".npy").exists():
        raise FileNotFoundError(f"no shipped {path}.npy; run `python -m moviattn sentiment train-vectors`")
    return Target2Vec.load(path)


@cache
def shipped_seed003() -> dict[str, object]:
    """The shipped seed-003 results (comparison, analogy, mislabelled, neutral words), loaded once."""
    path = WEIGHTS_DIR / SEED003_FILE
    if not path.exists():
        raise FileNotFoundError(f"no shipped {path}; run `python -m moviattn sentiment train-vectors`")
    return json.loads(path.read_text(encoding="utf-8"))

