"""Trained models on disk, keyed by model, hyper-parameters and the data's fingerprint.

A model lives in ``$MOVIATTN_CACHE/sessions/models/<model>-<key>/`` as ``settings.json`` (name,
hyper-parameters, protocol, data fingerprint and source, validation metrics, training time) and
``state.pt`` (tensors only, so it loads with ``weights_only=True``). ``load_or_fit`` reloads a
model trained on the same split with the same settings instead of training it again; MovieLens
licence terms keep these files in the cache, never in the project.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch

from ...errors import ModelLoadError
from ...paths import cache_dir
from .models import EpochCallback, Recommender, create
from .splits import Split


def model_key(name: str, params: dict[str, Any], split: Split) -> str:
    text = json.dumps({"model": name, "params": params, "data": split.fingerprint}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def model_dir(name: str, params: dict[str, Any], split: Split) -> Path:
    return cache_dir("sessions", "models", f"{name}-{model_key(name, params, split)}")


def save(model: Recommender, split: Split, folder: Path, extra: dict[str, Any] | None = None) -> Path:
    """Write ``model`` (fitted on ``split``) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    torch.save(model.state(), folder / "state.pt")
    settings = {
        "model": model.name,
        "params": model.params,
        "protocol": asdict(split.protocol),
        "data_fingerprint": split.fingerprint,
        "n_items": split.n_items,
        **(extra or {}),
    }
    (folder / "settings.json").write_text(json.dumps(settings, indent=2, ensure_ascii=False), encoding="utf-8")
    return folder


def load(folder: Path, split: Split | None = None) -> tuple[Recommender, dict[str, Any]]:
    """The model saved in ``folder`` and its settings; with ``split``, check it was trained on that data."""
    try:
        settings = json.loads((folder / "settings.json").read_text(encoding="utf-8"))
        state = torch.load(folder / "state.pt", weights_only=True)
    except (OSError, ValueError, RuntimeError) as exc:
        raise ModelLoadError(f"{folder}: {exc}") from None
    if split is not None and settings["data_fingerprint"] != split.fingerprint:
        raise ModelLoadError(f"{folder} was trained on other data ({settings['data_fingerprint']} ≠ {split.fingerprint})")
    model = create(settings["model"], **settings["params"]).load_state(state, int(settings["n_items"]))
    return model, settings


def load_or_fit(
    name: str, params: dict[str, Any], split: Split, retrain: bool = False, progress: bool = False,
    on_epoch: EpochCallback | None = None,
) -> tuple[Recommender, dict[str, Any]]:
    """Reload the matching saved model, or fit, save and return a new one."""
    model = create(name, **params)
    folder = model_dir(name, model.params, split)
    if (folder / "settings.json").is_file() and not retrain:
        return load(folder, split)
    start = time.perf_counter()
    model.fit(split, progress=progress, on_epoch=on_epoch)
    extra: dict[str, Any] = {"fit_seconds": round(time.perf_counter() - start, 2)}
    history = getattr(model, "history", None)
    if history is not None:
        extra.update(epochs=len(history.losses), best_epoch=history.best_epoch, valid_curve=history.valid, losses=history.losses)
    save(model, split, folder, extra)
    return model, json.loads((folder / "settings.json").read_text(encoding="utf-8"))


def find(name: str, split: Split, params: dict[str, Any] | None = None) -> Path | None:
    """The saved ``name`` model with ``params`` (e.g. the chosen settings) trained on ``split``'s data,
    else the most recently saved ``name`` model trained on it, if any. (The tab loaded the most recent
    one: a seed check run after the search replaced the chosen model there.)"""
    if params is not None:
        folder = model_dir(name, create(name, **params).params, split)
        if (folder / "settings.json").is_file():
            return folder
    found = []
    for settings in cache_dir("sessions", "models").glob(f"{name}-*/settings.json"):
        try:
            saved = json.loads(settings.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if saved.get("model") == name and saved.get("data_fingerprint") == split.fingerprint:
            found.append((settings.stat().st_mtime, settings.parent))
    return max(found)[1] if found else None
