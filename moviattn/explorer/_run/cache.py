"""On-disk result cache keyed by model, settings and text hashes, with an in-memory front."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from ...paths import cache_dir

#: Bumped whenever cached results would change meaning.
CACHE_VERSION = 2
#: JSON characters of results kept in memory per cache (about 3-5 times as many bytes of Python objects).
MEMORY_BYTES = 48 * 2**20


def cache_key(*parts: Any) -> str:
    """A stable hash of JSON-serialisable parts (model name, settings, texts)."""
    payload = json.dumps([CACHE_VERSION, *parts], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class ResultCache:
    """JSON results stored as ``<dir>/<kind>/<key[:2]>/<key>.json.gz``; recent ones kept in memory.

    Writes are atomic (temp file + rename), so an interrupted run never leaves a
    half-written entry; unreadable entries are treated as missing. The memory front is
    bounded by size, not count: a movie aggregate or a long review over a long plot is
    thousands of times larger than a short review's result, and 512 of them grew a server
    by gigabytes under load. An entry's size is its JSON text length (its Python objects
    take a few times more); threads share the front under a lock.
    """

    def __init__(self, directory: str | Path | None = None, memory_bytes: int = MEMORY_BYTES):
        self.directory = Path(directory) if directory is not None else cache_dir("results")
        self._memory: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._memory_bytes = memory_bytes
        self._held = 0
        self._lock = threading.Lock()

    def _path(self, kind: str, key: str) -> Path:
        return self.directory / kind / key[:2] / f"{key}.json.gz"

    def get(self, kind: str, key: str) -> Any | None:
        """The stored value, or None."""
        memory_key = f"{kind}/{key}"
        with self._lock:
            if memory_key in self._memory:
                self._memory.move_to_end(memory_key)
                return self._memory[memory_key][0]
        path = self._path(kind, key)
        try:
            with gzip.open(path, "rt", encoding="utf-8") as f:
                text = f.read()
            value = json.loads(text)
        except (OSError, ValueError):
            return None
        self._remember(memory_key, value, len(text))
        return value

    def has(self, kind: str, key: str) -> bool:
        """Whether a value is stored (without reading it: the Ray engine's resume checks thousands)."""
        with self._lock:
            if f"{kind}/{key}" in self._memory:
                return True
        return self._path(kind, key).is_file()

    def put(self, kind: str, key: str, value: Any) -> None:
        text = json.dumps(value, ensure_ascii=False)
        self.put_encoded(kind, key, gzip.compress(text.encode("utf-8")))
        self._remember(f"{kind}/{key}", value, len(text))

    @staticmethod
    def encode(value: Any) -> bytes:
        """A value as stored: gzip-compressed JSON (made by whoever computed it: the Ray engine's workers)."""
        return gzip.compress(json.dumps(value, ensure_ascii=False).encode("utf-8"))

    def put_encoded(self, kind: str, key: str, data: bytes) -> None:
        """Store a value ``encode`` made elsewhere (written atomically, not kept in memory: the driver of a
        Ray run only writes; compressing took 19 ms of a review's 81 KB result, parsing it again more)."""
        path = self._path(kind, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as tmp:
            tmp.write(data)
        os.replace(tmp.name, path)

    def _remember(self, memory_key: str, value: Any, size: int) -> None:
        if size > self._memory_bytes // 4:  # one huge entry would push out everything else; it stays on disk
            return
        with self._lock:
            if memory_key in self._memory:
                self._held -= self._memory.pop(memory_key)[1]
            self._memory[memory_key] = (value, size)
            self._held += size
            while self._held > self._memory_bytes:
                self._held -= self._memory.popitem(last=False)[1][1]
