"""Shared by the dashboard tests: import app.py, a Dashboard over a tiny model, an in-process server."""

from __future__ import annotations

import argparse
import importlib.util
import socket
import sys
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from moviattn.app_support import Dashboard
from moviattn.cache import ResultCache
from moviattn.data import load_dataset
from moviattn.models import LoadedModel
from moviattn.offline_model import ModelLoadError

REPO = Path(__file__).resolve().parents[1]
KNOWN_MODEL = "tiny-bert"


def import_app() -> ModuleType:
    """app.py from the repository root (it is a script, not a package module)."""
    if "app" not in sys.modules:
        spec = importlib.util.spec_from_file_location("app", REPO / "app.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["app"] = module
        spec.loader.exec_module(module)
    return sys.modules["app"]


def tiny_dashboard(model: LoadedModel, cache_dir: Path | None = None) -> Dashboard:
    """A Dashboard over the sample data whose only loadable model is ``model`` (any other name fails)."""

    class TinyDashboard(Dashboard):
        def model(self, name: str | None = None) -> LoadedModel:
            name = (name or self.default_model).strip()
            if name != KNOWN_MODEL:
                raise ModelLoadError(f"cannot load {name!r}: no such model")
            return model

    return TinyDashboard(load_dataset(), KNOWN_MODEL, cache=ResultCache(cache_dir) if cache_dir else None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(dash: Dashboard):
    """The dashboard served on a free localhost port (queue and launch options as in production); yields its URL."""
    app = import_app()
    args = argparse.Namespace(host="127.0.0.1", port=free_port(), share=False, data=str(dash.dataset.source))
    demo = app.build_demo(dash).queue(default_concurrency_limit=2, max_size=64)
    _, url, _ = app.launch(demo, args, prevent_thread_lock=True, quiet=True)
    try:
        yield url
    finally:
        demo.close()
