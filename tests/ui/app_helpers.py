"""Shared by the app tests: an AppState over a tiny model, an in-process server."""

from __future__ import annotations

import argparse
import socket
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from moviattn.data import load_dataset
from moviattn.defaults import DEFAULTS
from moviattn.errors import ModelLoadError
from moviattn.explorer.cache import ResultCache
from moviattn.explorer.settings import Settings
from moviattn.models import LoadedModel
from moviattn.ui import page
from moviattn.ui.panel import CONTROLS, control_order, head_value
from moviattn.ui.state import AppState

REPO = Path(__file__).resolve().parents[2]
KNOWN_MODEL = "tiny-bert"


def tiny_dashboard(model: LoadedModel, cache_dir: Path | None = None) -> AppState:
    """An AppState over the sample data whose only loadable model is ``model`` (any other name fails)."""

    class TinyState(AppState):
        def _load(self, target: str, allow_fallback: bool) -> LoadedModel:
            if target != KNOWN_MODEL:
                raise ModelLoadError(f"cannot load {target!r}: no such model")
            return model

    return TinyState(load_dataset(), KNOWN_MODEL, cache=ResultCache(cache_dir) if cache_dir else None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(dash: AppState):
    """The app served on a free localhost port (queue and launch options as in production); yields its URL."""
    demo = page.build_demo(dash).queue(default_concurrency_limit=2, max_size=64)
    args = argparse.Namespace(host="127.0.0.1", port=free_port(), share=False, data=str(dash.dataset.source))
    _, url, _ = page.launch(demo, args, prevent_thread_lock=True, quiet=True)
    try:
        yield url
    finally:
        demo.close()


def api_controls(**chosen: Any) -> tuple:
    """The panel's control values as an API caller sends them (positional, in the panel's order): the defaults
    (``Settings()`` and the colours of ``moviattn.defaults``) but where ``chosen`` names a control."""
    defaults = {name: getattr(Settings(), name) for name in CONTROLS if hasattr(Settings(), name)}
    values = {**defaults, "head": head_value(Settings()), "scale": DEFAULTS.scale, "cmap": DEFAULTS.cmap, **chosen}
    return tuple(values[name] for name in control_order())
