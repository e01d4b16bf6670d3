"""The shipped artefacts under ``weights/``: model1's emotion head, every model2 variant, metrics.json.

Heads are small (float16); they are read lazily, once per process. ``python -m moviattn diary train``
rewrites all of them with fixed seeds.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from .emotions import HeadSpec, load_head
from .genres import GenreModel, load_genre_model, variant
from .training import MLP

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
EMOTION_STEM = "emotion_head"
METRICS_FILE = "metrics.json"


def genre_stem(name: str) -> str:
    """File stem of a model2 variant (``mlp_bce+embedding`` → ``genre_mlp_bce_embedding``)."""
    return "genre_" + variant(name).name.replace("+", "_")


def _require(path: Path) -> Path:
    if not path.exists():
        raise FileNotFoundError(f"no shipped weights {path}; run `python -m moviattn diary train`")
    return path


@cache
def shipped_emotion_head(directory: Path = WEIGHTS_DIR) -> tuple[MLP, HeadSpec]:
    """The shipped emotion head and its spec."""
    _require(directory / f"{EMOTION_STEM}.pt")
    return load_head(directory / EMOTION_STEM)


@cache
def shipped_genre_model(name: str, directory: Path = WEIGHTS_DIR) -> GenreModel:
    """A shipped model2 variant by name."""
    stem = directory / genre_stem(name)
    _require(stem.with_suffix(".npz"))
    return load_genre_model(stem)


def shipped_metrics(directory: Path = WEIGHTS_DIR) -> dict:
    """``metrics.json``: every number docs/diary.md and the tab quote."""
    return json.loads(_require(directory / METRICS_FILE).read_text(encoding="utf-8"))
