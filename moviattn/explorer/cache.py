"""On-disk result cache keyed by model, settings and text hashes, with an in-memory front."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

from ..paths import cache_dir

#: Bumped whenever cached results would change meaning.
CACHE_VERSION = 2


def cache_key(*parts: Any) -> str:
    """A stable hash of JSON-serialisable parts (model name, settings, texts)."""
    payload = json.dumps([CACHE_VERSION, *parts], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class ResultCache:
    """JSON results stored as ``<dir>/<kind>/<key[:2]>/<key>.json.gz``; recent ones kept in memory.

    Writes are atomic (temp file + rename), so an interrupted run never leaves a
    half-written entry; unreadable entries are treated as missing.
    """

    def __init__(self, directory: str | Path | None = None, memory_items: int = 512):
        self.directory = Path(directory) if directory is not None else cache_dir("results")
        self._memory: OrderedDict[str, Any] = OrderedDict()
        self._memory_items = memory_items

    def _path(self, kind: str, key: str) -> Path:
        return self.directory / kind / key[:2] / f"{key}.json.gz"

    def get(self, kind: str, key: str) -> Any | None:
        """The stored value, or None."""
        memory_key = f"{kind}/{key}"
        if memory_key in self._memory:
            self._memory.move_to_end(memory_key)
            return self._memory[memory_key]
        path = self._path(kind, key)
        try:
            with gzip.open(path, "rt", encoding="utf-8") as f:
                value = json.load(f)
        except (OSError, ValueError):
            return None
        self._remember(memory_key, value)
        return value

    def put(self, kind: str, key: str, value: Any) -> None:
        path = self._path(kind, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as tmp:
            with gzip.open(tmp, "wt", encoding="utf-8") as f:
                json.dump(value, f, ensure_ascii=False)
        os.replace(tmp.name, path)
        self._remember(f"{kind}/{key}", value)

    def _remember(self, memory_key: str, value: Any) -> None:
        self._memory[memory_key] = value
        self._memory.move_to_end(memory_key)
        while len(self._memory) > self._memory_items:
            self._memory.popitem(last=False)
