"""The review batcher: concurrent callers each get their own result, equal to computing it alone."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from moviattn.data import load_dataset
from moviattn.explorer._compute.settings import Settings
from moviattn.explorer._run.batching import ReviewBatcher
from moviattn.explorer._run.cache import ResultCache
from moviattn.explorer._run.pipeline import Explorer
from moviattn.explorer._run.preparation import EmptyReview

DATA = load_dataset()
MOVIE = DATA.movie("s001")
SETTINGS = Settings(last_k=2, granularity="eojeol")  # no analyser to start: fast tests
TEXTS = [r.text for r in DATA.reviews_of("s001")[:6]]


def _concurrently(batcher: ReviewBatcher, jobs: list[tuple[str, Settings]]) -> list:
    """Each job in its own thread, all released at once; results (or exceptions) in job order."""
    start = threading.Barrier(len(jobs))

    def ask(job: tuple[str, Settings]):
        start.wait()
        try:
            return batcher.review_attention(MOVIE, *job)
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(ask, jobs))


def test_a_batched_result_equals_the_one_at_a_time_result(tiny_bert):
    explorer = Explorer(tiny_bert)
    alone = [explorer.review_attention(MOVIE, text, SETTINGS) for text in TEXTS]
    batcher = ReviewBatcher(explorer, wait_s=2.0, max_batch=len(TEXTS))
    batched = _concurrently(batcher, [(text, SETTINGS) for text in TEXTS])
    assert sum(batcher.batch_sizes) == len(TEXTS) and max(batcher.batch_sizes) > 1  # (six in one, unless a thread was late)
    for text, result, alone in zip(TEXTS, batched, alone):
        assert result.review_text.original == text == alone.review_text.original  # each caller its own review
        assert [u.text for u in result.review_units] == [u.text for u in alone.review_units]
        np.testing.assert_allclose(result.info, alone.info, atol=1e-6)
        np.testing.assert_allclose(result.plot, alone.plot, atol=1e-6)
        assert result.notices == alone.notices


def test_groups_bad_input_and_errors_stay_with_their_callers(tiny_bert):
    batcher = ReviewBatcher(Explorer(tiny_bert), wait_s=0.5, max_batch=8)
    other = Settings(last_k=1, granularity="subword")
    results = _concurrently(batcher, [(TEXTS[0], SETTINGS), (TEXTS[1], other), ("😀😀", SETTINGS), (TEXTS[2], SETTINGS)])
    assert isinstance(results[2], EmptyReview)  # refused in its caller's thread, the others unaffected
    assert [r.review_text.original for r in (results[0], results[1], results[3])] == [TEXTS[0], TEXTS[1], TEXTS[2]]
    assert results[1].settings == other and results[0].settings == SETTINGS
    assert sorted(batcher.batch_sizes) == [1, 2]  # one batch per movie and settings

    def failing(requests):
        raise RuntimeError("model failed")

    broken = ReviewBatcher(Explorer(tiny_bert), failing, wait_s=0.5)
    errors = _concurrently(broken, [(TEXTS[0], SETTINGS), (TEXTS[1], SETTINGS)])
    assert all(isinstance(e, RuntimeError) for e in errors)
    with pytest.raises(RuntimeError):  # the worker lives on and takes the next batch
        broken.review_attention(MOVIE, TEXTS[2], SETTINGS)


def test_a_cached_request_does_not_wait_for_a_running_batch(tiny_bert, tmp_path):
    """Not even with one CPU slot: a caller waiting for the model holds none."""
    explorer = Explorer(tiny_bert, ResultCache(tmp_path))
    explorer.review_attention(MOVIE, TEXTS[0], SETTINGS)  # now cached
    running, release = threading.Event(), threading.Event()

    def slow(requests):
        running.set()
        release.wait(30)
        return explorer.review_results(requests)

    batcher = ReviewBatcher(explorer, slow, wait_s=0, cpu=threading.BoundedSemaphore(1))
    with ThreadPoolExecutor(1) as pool:
        uncached = pool.submit(batcher.review_attention, MOVIE, TEXTS[1], SETTINGS)
        assert running.wait(30)
        cached = batcher.review_attention(MOVIE, TEXTS[0], SETTINGS)  # answered while the batch is held
        assert cached.review_text.original == TEXTS[0] and not uncached.done()
        release.set()
        assert uncached.result(30).review_text.original == TEXTS[1]


def test_callers_prepare_their_reviews_a_few_at_a_time(tiny_bert):
    """The CPU slots: however many callers, at most that many prepare their reviews at once."""
    explorer = Explorer(tiny_bert)
    prepare, inside, most = explorer.review_request, [0], [0]
    lock = threading.Lock()

    def counted(*args, **kwargs):
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        try:
            return prepare(*args, **kwargs)
        finally:
            with lock:
                inside[0] -= 1

    explorer.review_request = counted
    batcher = ReviewBatcher(explorer, wait_s=0.2, cpu=threading.BoundedSemaphore(2))
    results = _concurrently(batcher, [(text, SETTINGS) for text in TEXTS])
    assert [r.review_text.original for r in results] == TEXTS and most[0] == 2
