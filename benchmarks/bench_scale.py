"""The bulk job on the local engine and on Ray with 1, 2, ... workers: reviews/s, start-up, scaling.

The job is what ``precompute`` computes: every review of the chosen movies under one setting. Each
configuration starts from an empty result cache (nothing is reused between them) and, for Ray, from
a Ray started for it (its start-up is counted):

- ``local·Nt``: ``Explorer.review_attentions`` per movie in this process with N torch threads;
- ``ray×N``: ``bulk_ray.compute_on_ray`` with N model workers (one thread each), then the driver
  reading every review back from the cache as the command does.

Per configuration: total seconds, reviews/s end to end, the steady rate (once the first batch, or
for the local engine the first movie, is back), the fixed cost (the total minus what the reviews take at the steady rate: Ray's
start, actors taking the model and starting their analyser, the driver's read-back) and the
scaling efficiency (steady rate over N times the 1-worker steady rate). Seconds per review per
worker give the arithmetic for N workers in ``docs/performance.md``.

    python benchmarks/bench_scale.py --model offline --movies s001,s002,s003 --workers 1,2
    python benchmarks/bench_scale.py --model offline --data ../shared/data/nsmc --movies 10200 --limit-reviews 3 \\
        --measure grad_input --workers 1 --local-threads ''   # one worker's seconds per review of a gradient measure

It is a script, not a timed test: run it alone on a quiet machine for numbers worth quoting (``--repeats``
interleaves the configurations and keeps each one's fastest run where other jobs share the machine).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from moviattn.data import load_dataset
from moviattn.explorer import Explorer, Job, ResultCache, Settings, compute_on_ray
from moviattn.models import load_model


@dataclass(frozen=True)
class Row:
    """One configuration's measurements (seconds; rates in reviews per second)."""

    engine: str
    workers: int
    reviews: int
    seconds: float
    steady_rate: float
    start_s: float = 0.0
    read_back_s: float = 0.0

    @property
    def rate(self) -> float:
        return self.reviews / self.seconds

    @property
    def fixed_s(self) -> float:
        return self.seconds - self.reviews / self.steady_rate


def steady_rate(points: Sequence[tuple[float, int]]) -> float:
    """Results per second once the first batch (or movie) is back, from (seconds, results so far) points."""
    (first_s, first), (last_s, last) = points[0], points[-1]
    return (last - first) / (last_s - first_s) if last > first else last / last_s


def explorer_with_empty_cache(args: argparse.Namespace, folder: str) -> Explorer:
    model = load_model(args.model)
    return Explorer(model, ResultCache(folder), method=args.method, precision=args.precision, batch_size=args.batch_size)


def run_local(args: argparse.Namespace, jobs: list[Job], threads: int) -> Row:
    default_threads = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with tempfile.TemporaryDirectory() as folder:
            explorer = explorer_with_empty_cache(args, folder)
            started, points, count = time.perf_counter(), [], 0
            for job in jobs:  # a movie at a time, as the commands run it
                kept, _, _ = explorer.review_attentions(job.movie, job.reviews, job.settings)
                count += len(kept)
                points.append((time.perf_counter() - started, count))
    finally:
        torch.set_num_threads(default_threads)
    return Row(f"local·{threads}t", 1, count, points[-1][0], steady_rate(points))


def run_ray(args: argparse.Namespace, jobs: list[Job], workers: int) -> Row:
    with tempfile.TemporaryDirectory() as folder:
        explorer = explorer_with_empty_cache(args, folder)
        run = compute_on_ray(explorer, jobs, workers=workers, progress=False)
        started = time.perf_counter()
        for job in jobs:  # what the command does next: every review read back from the cache
            explorer.review_attentions(job.movie, job.reviews, job.settings)
        read_back_s = time.perf_counter() - started
    computed = run.sent - run.skipped
    return Row(f"ray×{run.workers}", run.workers, computed, run.start_s + run.seconds + read_back_s, steady_rate(run.arrivals), run.start_s, read_back_s)


def print_table(rows: list[Row], settings: Settings, args: argparse.Namespace) -> None:
    print(f"model {args.model}, measure {settings.measure}, {settings.granularity}/{settings.analyser}, batch {args.batch_size}; "
          "local·Nt: N torch threads; ray×N: N workers of one thread")
    one = next((r for r in rows if r.engine.startswith("ray") and r.workers == 1), None)
    print(f"{'engine':8s} {'reviews':>7s} {'total s':>8s} {'rev/s':>7s} {'steady':>7s} {'s/review/worker':>15s} "
          f"{'fixed s':>8s} {'ray start':>9s} {'read-back':>9s} {'efficiency':>10s}")
    for r in rows:
        efficiency = f"{r.steady_rate / (r.workers * one.steady_rate):10.2f}" if one and r.engine.startswith("ray") else f"{'-':>10s}"
        print(f"{r.engine:8s} {r.reviews:7d} {r.seconds:8.1f} {r.rate:7.3f} {r.steady_rate:7.3f} {r.workers / r.steady_rate:15.2f} "
              f"{r.fixed_s:8.1f} {r.start_s:9.1f} {r.read_back_s:9.1f} {efficiency}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="dataset folder (default: the shipped sample)")
    parser.add_argument("--movies", help="comma-separated movie ids (default: all)")
    parser.add_argument("--limit-reviews", type=int, help="at most N reviews per movie")
    parser.add_argument("--model", default="offline")
    parser.add_argument("--measure", default="attention")
    parser.add_argument("--granularity", default="morpheme")
    parser.add_argument("--analyser", default="okt")
    parser.add_argument("--method", default="qk")
    parser.add_argument("--precision", default="auto")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--workers", default="1,2", help="comma-separated Ray worker counts")
    parser.add_argument("--local-threads", default=str(torch.get_num_threads()), help="comma-separated torch threads of local runs ('' for none)")
    parser.add_argument("--repeats", type=int, default=1, help="runs of each configuration, interleaved; the fastest is shown")
    args = parser.parse_args()

    dataset = load_dataset(args.data) if args.data else load_dataset()
    movies = [dataset.movie(m) for m in args.movies.split(",")] if args.movies else list(dataset.movies.values())
    probe = Explorer(load_model(args.model))
    settings, notice = probe.usable_settings(Settings(measure=args.measure, granularity=args.granularity, analyser=args.analyser))
    if notice:
        print(f"notice: {notice}")
    jobs = [Job(m, settings, dataset.reviews_of(m.id)[: args.limit_reviews]) for m in movies]
    runs = [lambda n=int(n): run_local(args, jobs, n) for n in filter(None, args.local_threads.split(","))]
    runs += [lambda n=int(n): run_ray(args, jobs, n) for n in args.workers.split(",")]
    measured = [[run() for run in runs] for _ in range(args.repeats)]  # interleaved: a busy spell hits every configuration
    print_table([min(rows, key=lambda r: r.seconds) for rows in zip(*measured)], settings, args)


if __name__ == "__main__":
    main()
