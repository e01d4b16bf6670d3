"""20 concurrent simulated visitors × 50 reactions on one feedback database (SQLite by default, any by --db).

Prints rows written against reactions sent, the p50/p95 of a reaction's round trip (``FeedbackService.react``,
the app's path) and, meanwhile, the p95 of another surface's requests (``present`` for fresh visitors every
50 ms, the part of another tab's request that shares the database and the cores). Not a timed test:
``PYTHONPATH=. python benchmarks/bench_feedback.py [--db URL]``.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from moviattn.feedback.service import FeedbackService
from moviattn.feedback.store import FeedbackStore

SCORES = {f"m{i}": 1.0 - i / 100 for i in range(40)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=None)
    parser.add_argument("--visitors", type=int, default=20)
    parser.add_argument("--reactions", type=int, default=50)
    args = parser.parse_args()
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    store = FeedbackStore(url)
    service = FeedbackService(store, seed=0, salt="bench")
    before = store.stats()["reactions"]
    trips: list[float] = []
    other: list[float] = []
    done = threading.Event()

    def visitor(number: int) -> None:
        key = service.visitor(f"bench-{number}-{time.time()}")
        for i in range(args.reactions):
            shown = service.present(key, "bench", "ctx", SCORES, 3)
            started = time.perf_counter()
            service.react(key, shown.slate, shown.movie_ids[0], ("👍", "봤어요")[i % 2])
            trips.append(time.perf_counter() - started)

    def other_tab() -> None:
        while not done.is_set():
            started = time.perf_counter()
            service.present(service.visitor(f"other-{time.time()}"), "bench-other", "ctx", SCORES, 3)
            other.append(time.perf_counter() - started)
            time.sleep(0.05)

    watcher = threading.Thread(target=other_tab)
    started = time.perf_counter()
    watcher.start()
    with ThreadPoolExecutor(args.visitors) as pool:
        list(pool.map(visitor, range(args.visitors)))
    done.set()
    watcher.join()
    wall = time.perf_counter() - started
    written = store.stats()["reactions"] - before
    print(f"{url.split(':')[0]}: reactions sent {len(trips)}, rows written {written}; reaction round trip p50 {np.percentile(trips, 50) * 1000:.1f} ms, "
          f"p95 {np.percentile(trips, 95) * 1000:.1f} ms; other tab p95 {np.percentile(other, 95) * 1000:.1f} ms; wall {wall:.1f} s")


if __name__ == "__main__":
    main()
