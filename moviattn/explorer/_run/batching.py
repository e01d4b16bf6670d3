"""Micro-batching: concurrent single-review requests of one movie and settings computed as one batch.

A server answers each user's review in its own thread. Computed one at a time, every request pays a
whole forward pass (the model lock lets one run at a time anyway); the explorer already computes
several reviews of a movie together (``Explorer.review_results``: windows batched by length). A
``ReviewBatcher`` sits between the two: each caller prepares its review in its own thread (bad input
fails there, and a cached result is answered there at once, never waiting behind a batch), then
hands the prepared request to one worker thread, which takes the oldest waiting request, gathers
the others of the same movie and settings (waiting up to ``wait_s`` for more while fewer than
``max_batch`` are there), computes them together and gives each caller its own result (or the
batch's error). Requests that arrive while a batch runs simply wait for the next one, so under
load the batches fill without any added delay, and a lone request waits at most ``wait_s``.

Every result equals its own ``Explorer.review_attention`` to float tolerance (tested: padding in a
batch changes float rounding only). The gain is bounded on a 2-core CPU: one review alone and eight in a
batch took about the same time per review there (8 alone 6.0 s, a batch of 8 6.8 s, offline model, 1
thread, a loaded machine), so what batching buys is that no request holds a worker while it waits for the
model; the load test and its numbers are in docs/performance.md (``benchmarks/bench_load.py``).
On ZeroGPU each call borrows a GPU in a forked worker and is not batched (``ui.state``).

A caller's own CPU work (preparing its review, or finding it cached) can be held to a few threads at once
(``cpu``, a semaphore: ``moviattn.machine.cpu_slots``), so that it does not crowd out the model thread; a
caller holds no slot while it waits for the model.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future

from ...data import Movie
from .._compute.settings import Settings
from .._results.review import ReviewAttention
from .pipeline import Explorer, ReviewRequest

#: Computes requests of one group together, each result in order (``Explorer.review_results``, or a
#: wrapper that runs it elsewhere, e.g. on a borrowed GPU).
Compute = Callable[[Sequence[ReviewRequest]], list[ReviewAttention]]
#: A lone request waits this long for company (seconds); requests arriving during a batch wait for it anyway.
WAIT_S = 0.01


class ReviewBatcher:
    """``review_attention`` for many threads at once: cached results at once, the rest computed in batches."""

    def __init__(
        self, explorer: Explorer, compute: Compute | None = None, *, max_batch: int | None = None, wait_s: float = WAIT_S,
        cpu: threading.Semaphore | None = None,
    ):
        self.explorer = explorer
        self._cpu = cpu or contextlib.nullcontext()
        self._compute = compute or explorer.review_results
        self.max_batch = max_batch or explorer.batch_size
        self.wait_s = wait_s
        self._waiting: list[tuple[ReviewRequest, Future[ReviewAttention]]] = []
        self._changed = threading.Condition()
        self._worker: threading.Thread | None = None
        #: Sizes of the most recent batches, for tests and benchmarks.
        self.batch_sizes: deque[int] = deque(maxlen=1000)

    def review_attention(self, movie: Movie, review_text: str, settings: Settings = Settings()) -> ReviewAttention:
        """As ``Explorer.review_attention`` (same result, same errors), computed with concurrent requests."""
        with self._cpu:
            request = self.explorer.review_request(movie, review_text, settings)
            cached = self.explorer.cached_result(request)
        if cached is not None:
            return cached
        future: Future[ReviewAttention] = Future()
        with self._changed:
            self._waiting.append((request, future))
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="review-batcher", daemon=True)
                self._worker.start()
            self._changed.notify_all()
        return future.result()

    def _work(self) -> None:
        while True:
            batch = self._next_batch()
            try:
                results = self._compute([request for request, _ in batch])
            except Exception as exc:  # every caller of the batch gets the error, the worker goes on
                for _, future in batch:
                    future.set_exception(exc)
                continue
            for (_, future), result in zip(batch, results):
                future.set_result(result)

    def _next_batch(self) -> list[tuple[ReviewRequest, Future[ReviewAttention]]]:
        """The oldest waiting request and up to ``max_batch - 1`` more of its group, in arrival order."""
        with self._changed:
            while not self._waiting:
                self._changed.wait()
            group = self._waiting[0][0].group
            deadline = time.monotonic() + self.wait_s
            while len(self._of(group)) < self.max_batch and (left := deadline - time.monotonic()) > 0:
                self._changed.wait(left)
            batch = self._of(group)[: self.max_batch]
            taken = {id(future) for _, future in batch}
            self._waiting = [item for item in self._waiting if id(item[1]) not in taken]
            self.batch_sizes.append(len(batch))
            return batch

    def _of(self, group: Hashable) -> list[tuple[ReviewRequest, Future[ReviewAttention]]]:
        return [item for item in self._waiting if item[0].group == group]
