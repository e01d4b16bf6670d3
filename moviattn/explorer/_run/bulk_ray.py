"""The bulk commands on Ray Data (``--engine ray``): every review computed by workers, the outputs as locally.

The local engine (``Explorer.review_attentions``, ``bulk.py``) stays the reference. This engine
fills the same result cache before the command runs, so ``precompute``, ``aggregate`` and
``evaluate --aggregate`` then read every review from it and write exactly what the local engine
writes (same code, same numbers; tested against it). Following Ray's batch-inference guide:

* the reviews of every (movie, settings) job not yet in the cache are a dataset (one row per
  distinct review text: the cache key hashes model, settings, movie and text);
* a CPU stage of ``map_batches`` tasks normalises, analyses (Okt starts its own JVM in each
  worker process) and tokenises each review beside its movie (``ReviewPreparer``: the tokenizer
  without the weights); a review that cannot be analysed comes back with the reason;
* the model stage is ``map_batches`` with a callable class on an actor pool
  (``ActorPoolStrategy``): each actor rebuilds the driver's model once in ``__init__`` from its
  class, config and weights in the object store (``ShippedModel``: every worker runs the very weights
  the keys name; a pickled model would not do, see there), moves it to its GPU where
  it has one (``num_gpus=1`` per actor on clusters with GPUs) and computes batches of reviews of
  one movie as the explorer does;
* the driver streams the results (Ray Data's streaming executor holds the stages back when the
  driver falls behind) and writes each into the cache as it arrives (atomic, keyed; compressed by
  the worker, so the driver only writes files), with the project's progress bar.

Safe to stop: what came back is in the cache, and a second run sends only the rest (tested).
A dead actor is restarted and its batch retried (Ray Data's actor pools restart actors and retry
their tasks by default); a retried batch rewrites the same keys, so nothing is counted twice, and
a review that never came back fails the run by name instead of being left out (tested by killing
an actor). On CPU-only clusters Ray fuses the two stages into the actors (same resources: no
transfer of prepared reviews); with GPUs the CPU stage runs in its own tasks and feeds the GPUs.
Measured scaling and the arithmetic for N workers: ``docs/performance.md`` (``bench_scale.py``).
"""

from __future__ import annotations

import faulthandler
import logging
import os
import pickle
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ...data import Movie, Review
from ...errors import EngineUnavailable
from ...models import LoadedModel, default_device
from .._compute.settings import Settings
from .cache import ResultCache
from .pipeline import Explorer
from .preparation import MovieContext, ReviewPreparer

#: How to get the engine: the optional ``scale`` extra of the package.
INSTALL_HINT = 'pip install -e ".[scale]" (or pip install "ray[data]")'


@dataclass(frozen=True)
class Job:
    """One movie's reviews under one (usable) settings: what a bulk command will ask the explorer for."""

    movie: Movie
    settings: Settings
    reviews: Sequence[Review]


@dataclass(frozen=True)
class RayRun:
    """What a run did: reviews sent to Ray, found in the cache already, not analysable; and its times."""

    sent: int
    cached: int
    skipped: int
    workers: int
    start_s: float  # starting (or joining) Ray
    #: (seconds from submitting the dataset, reviews back so far) as each batch came back (the scaling benchmark reads them)
    arrivals: tuple[tuple[float, int], ...]

    @property
    def seconds(self) -> float:
        """From submitting the dataset to the last result."""
        return self.arrivals[-1][0] if self.arrivals else 0.0


#: Ray's C++ crash handler would take over SIGSEGV, which the JVM that Okt runs in raises and handles
#: itself (Ray's own note on Java libraries; Python's fault handler, which ``ray.init`` turns on, does the
#: same: ``ray_session``). Read when ``ray`` is imported, and passed on to the workers of a joined cluster.
JVM_SAFE_ENV = {"RAY_DISABLE_FAILURE_SIGNAL_HANDLER": "1"}


def import_ray() -> Any:
    """The ``ray`` module with Ray Data (set up to live beside a JVM), or EngineUnavailable saying how to install it."""
    for name, value in JVM_SAFE_ENV.items():
        os.environ.setdefault(name, value)
    try:
        import ray
        import ray.data  # noqa: F401  (Ray Data is a separate extra of ray)
    except ImportError as exc:
        raise EngineUnavailable(f"--engine ray needs Ray Data, which is not installed ({exc}); install it with {INSTALL_HINT}") from None
    return ray


@contextmanager
def ray_session(address: str | None = None) -> Iterator[Any]:
    """Ray, joined at ``address`` ('auto', 'ray://host:10001') or started locally for the run (and then
    stopped); a Ray already started in this process (a notebook, the tests) is used as it is.

    Joining a cluster ships this package to its workers (``runtime_env.py_modules``), so they run the
    driver's code; its dependencies must be installed there."""
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    runtime_env = {"py_modules": [str(Path(__file__).resolve().parents[2])], "env_vars": JVM_SAFE_ENV} if address else None
    fault_handler_on = faulthandler.is_enabled()
    try:
        ray.init(address=address, include_dashboard=False, logging_level=logging.WARNING, runtime_env=runtime_env)
    except ConnectionError as exc:
        raise EngineUnavailable(f"cannot reach a Ray cluster at {address!r}: {exc}") from None
    if not fault_handler_on:  # ray.init turned Python's on: over a running JVM it takes the SIGSEGVs the JVM handles itself
        faulthandler.disable()  # (Okt after 'evaluate --aggregate' ran on Ray died with signal 11; restoring the JVM's handler cured it)
    try:
        yield ray
    finally:
        ray.shutdown()


@dataclass(frozen=True)
class ShippedModel:
    """The driver's model as a worker rebuilds it: class, config, weights and tokenizer.

    Not the model object itself: transformers keeps per-process state about a model outside it (the
    outputs its class can capture are registered by ``__init__``, which unpickling skips, so an unpickled
    model answers ``output_attentions=True`` with None in a fresh process), and once a model has returned
    attentions it carries capture hooks that do not pickle. Built here by the class's own constructor and
    loaded strictly, the copy has every weight of the driver's and nothing else."""

    architecture: type
    config: Any
    weights: dict[str, Any]
    #: BERT/RoBERTa encoders are built with or without their pooler (the offline model has none); None: no such choice
    pooler: bool | None
    tokenizer: Any
    name: str
    notice: str | None

    @classmethod
    def of(cls, model: LoadedModel) -> "ShippedModel":
        net = model.model
        pooler = net.pooler is not None if hasattr(net, "pooler") else None
        weights = {name: tensor.detach().cpu() for name, tensor in net.state_dict().items()}
        return cls(type(net), net.config, weights, pooler, model.tokenizer, model.name, model.notice)

    def load(self, device: Any = None) -> LoadedModel:
        options = {} if self.pooler is None else {"add_pooling_layer": self.pooler}
        net = self.architecture(self.config, **options)
        net.load_state_dict(self.weights, strict=True)
        return LoadedModel(net.eval().to(device or "cpu"), self.tokenizer, self.name, self.notice)


def prepare_batch(
    batch: dict[str, np.ndarray], *, preparer: ReviewPreparer, groups: Sequence[tuple[MovieContext, Settings]]
) -> dict[str, np.ndarray]:
    """CPU stage: each review normalised, analysed and tokenised beside its movie (pickled), or why it cannot be."""
    prepared, skipped = [], []
    for group, text in zip(batch["group"], batch["text"]):
        context, settings = groups[group]
        try:
            prepared.append(pickle.dumps(preparer.prepare(context, str(text), settings)))
            skipped.append("")
        except ValueError as exc:  # EmptyReview, ReviewTooLong: the local engine skips them the same way
            prepared.append(b"")
            skipped.append(str(exc))
    return {"group": batch["group"], "key": batch["key"], "prepared": np.array(prepared, dtype=object), "skipped": np.array(skipped)}


class ModelStage:
    """Model stage (one per actor): the driver's model, loaded once, on this worker's device."""

    def __init__(self, model_ref: Any, groups: Sequence[tuple[MovieContext, Settings]], method: str, precision: str, batch_size: int):
        import ray

        shipped: ShippedModel = ray.get(model_ref)  # put once by the driver: not pickled into every task
        self.explorer = Explorer(shipped.load(default_device()), None, method=method, precision=precision, batch_size=batch_size)
        self.groups = groups

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Each prepared review's result as the result cache stores it; reviews of one movie computed together."""
        results = [b""] * len(batch["key"])
        todo = [i for i, reason in enumerate(batch["skipped"]) if not reason]
        for group in dict.fromkeys(int(batch["group"][i]) for i in todo):
            rows = [i for i in todo if batch["group"][i] == group]
            context, settings = self.groups[group]
            prepared = [pickle.loads(batch["prepared"][i]) for i in rows]
            for i, result in zip(rows, self.explorer._compute(context, prepared, settings)):
                results[i] = ResultCache.encode(result.to_json())  # compressed here, in parallel, not by the driver
        return {"key": batch["key"], "result": np.array(results, dtype=object), "skipped": batch["skipped"]}


def _worker_resources(ray: Any, workers: int | None) -> tuple[int, dict[str, float]]:
    """(model actors, resources of each): one per GPU with a GPU each where the cluster has GPUs, else one per CPU."""
    if workers is not None and workers < 1:
        raise ValueError(f"--workers must be at least 1, not {workers}")
    gpus = int(ray.cluster_resources().get("GPU", 0))
    if gpus:
        return workers or gpus, {"num_gpus": 1}
    return workers or max(int(ray.cluster_resources().get("CPU", 1)), 1), {}


def compute_on_ray(
    explorer: Explorer, jobs: Sequence[Job], *, address: str | None = None, workers: int | None = None, progress: bool = True
) -> RayRun:
    """Every review of ``jobs`` missing from ``explorer.cache`` computed on Ray Data and written into it.

    Afterwards the explorer answers these jobs from its cache, exactly as if it had computed them.
    Raises RuntimeError naming the reviews that did not come back (a rerun resumes)."""
    from tqdm import tqdm

    cache = explorer.cache
    if cache is None:
        raise ValueError("the Ray engine writes its results into the result cache; give the explorer one")
    groups, rows, seen, cached = [], [], set(), 0
    for job in jobs:
        context = explorer.context(job.movie, job.settings)
        groups.append((context, job.settings))
        for review in job.reviews:
            key = explorer.preparer.key(context, review.text, job.settings)
            if key in seen:
                continue
            seen.add(key)
            if cache.has("review", key):
                cached += 1
            else:
                rows.append({"group": len(groups) - 1, "text": review.text, "key": key})
    if not rows:
        return RayRun(0, cached, 0, 0, 0.0, ())
    started = time.perf_counter()
    with ray_session(address) as ray:
        start_s = time.perf_counter() - started
        blocks = -(-len(rows) // explorer.batch_size)  # a Ray batch is one forward batch (--batch-size)
        actors, resources = _worker_resources(ray, workers)
        actors = min(actors, blocks)  # an actor without a batch would only load the model
        ray.data.DataContext.get_current().enable_progress_bars = False  # the project's bar instead
        logging.getLogger("ray.data").setLevel(logging.WARNING)  # and no plan and timing lines per run
        model_ref = ray.put(ShippedModel.of(explorer.model))  # held until the run ends, so a restarted actor finds it
        dataset = (
            ray.data.from_items(rows, override_num_blocks=blocks)
            .map_batches(prepare_batch, batch_size=explorer.batch_size, fn_kwargs={"preparer": explorer.preparer, "groups": groups})
            .map_batches(
                ModelStage, batch_size=explorer.batch_size, compute=ray.data.ActorPoolStrategy(size=actors),
                fn_constructor_kwargs={
                    "model_ref": model_ref, "groups": groups, "method": explorer.method,
                    "precision": explorer.precision, "batch_size": explorer.batch_size,
                },
                **resources,
            )
        )
        submitted = time.perf_counter()
        arrivals, done, skipped = [], set(), 0
        with tqdm(total=len(rows), unit="review", desc=f"ray ({actors} workers)", disable=not progress) as bar:
            for batch in dataset.iter_batches(batch_size=None):  # each batch as it comes back
                for key, result in zip(batch["key"], batch["result"]):
                    if key in done:  # a retried batch: the same key again, already written
                        continue
                    if result:
                        cache.put_encoded("review", key, result)
                    else:
                        skipped += 1
                    done.add(key)
                    bar.update(1)
                arrivals.append((time.perf_counter() - submitted, len(done)))
    lost = [row for row in rows if row["key"] not in done]
    if lost:
        raise RuntimeError(f"{len(lost)} reviews did not come back from Ray (first: {lost[0]['text'][:40]!r}); run again to compute them")
    return RayRun(len(rows), cached, skipped, actors, start_s, tuple(arrivals))
