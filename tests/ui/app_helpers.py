"""Shared by the app tests: an AppState over a tiny model, an in-process server."""

from __future__ import annotations

import argparse
import socket
from contextlib import contextmanager
from pathlib import Path

from moviattn.data import load_dataset
from moviattn.errors import ModelLoadError
from moviattn.explorer import ResultCache
from moviattn.models import LoadedModel
from moviattn.ui import page
from moviattn.ui.panel import api_values  # noqa: F401  (the tests import it from here with the server helpers)
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

