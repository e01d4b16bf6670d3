"""The arguments and helpers every explorer command shares: ``--data``, the colour and attention
settings, the engine (local or Ray), and building the dataset, the settings and the ``Explorer`` from them."""

from __future__ import annotations

import argparse
import atexit
import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

from ...data import Dataset, Movie, Review
from ...defaults import DEFAULTS
from ...fetch import open_data
from ...paths import write_atomically
from .._compute.choices import method_choices, precision_choices, setting_choices
from .._compute.settings import Settings


def _add_data_argument(parser: argparse.ArgumentParser) -> None:
    """``--data``, the same for every command that reads a dataset."""
    parser.add_argument("--data", default=DEFAULTS.data, help="dataset: a folder, 'sample' or 'nsmc' (fetched on first use) ($MOVIATTN_DATA)")


def _add_colour_arguments(parser: argparse.ArgumentParser) -> None:
    """``--scale`` and ``--cmap``, the same for every command that draws heatmaps."""
    from .._draw.plotting import COLOR_SCALES

    parser.add_argument("--scale", choices=list(COLOR_SCALES), default=DEFAULTS.scale, help="colour scale")
    parser.add_argument("--cmap", default=DEFAULTS.cmap, help="a Plotly colour scale (viridis, magma, cividis, YlOrRd, Blues, Greys, ...)")


def _add_settings_arguments(parser: argparse.ArgumentParser) -> None:
    defaults, choices = Settings(), {name: list(table) for name, table in setting_choices().items()}
    group = parser.add_argument_group("attention settings")
    group.add_argument("--measure", choices=choices["measure"], default=defaults.measure, help="what a cell scores")
    group.add_argument("--layer-agg", choices=choices["layer_agg"], default=defaults.layer_agg)
    group.add_argument("--layer", type=int, default=defaults.layer, help="layer for 'single'; last layer rolled out by 'rollout'")
    group.add_argument("--last-k", type=int, default=defaults.last_k)
    group.add_argument("--head-agg", choices=choices["head_agg"], default=defaults.head_agg)
    group.add_argument("--head", type=int, default=defaults.head, help="head for 'single'")
    group.add_argument("--normalization", choices=choices["normalization"], default=defaults.normalization)
    group.add_argument("--granularity", choices=choices["granularity"], default=defaults.granularity)
    group.add_argument("--analyser", choices=choices["analyser"], default=defaults.analyser)
    group.add_argument("--content-only", action="store_true", help="drop particles, endings and punctuation")
    model = parser.add_argument_group("model")
    model.add_argument("--model", default=DEFAULTS.model, help="hub id, local path or 'offline' ($MOVIATTN_MODEL)")
    model.add_argument(
        "--precision", default=DEFAULTS.precision, choices=precision_choices(),
        help="float32: exact (default); auto: bfloat16 where the CPU/GPU runs it natively, else float32 (docs/performance.md)",
    )
    model.add_argument(
        "--method", default=DEFAULTS.method, choices=method_choices(),
        help="qk: exact fast path; eager: the usual way; cached_context: approximate, each movie part encoded once "
        "without the review (many times faster on whole movies; docs/performance.md)",
    )
    model.add_argument("--batch-size", type=int, default=8, help="reviews computed together")
    model.add_argument("--no-cache", action="store_true", help="do not read or write the result cache")


#: The bulk engines: this process (the reference), or Ray Data workers (``bulk_ray``, the ``scale`` extra).
ENGINES = ("local", "ray")


def _add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("engine")
    group.add_argument(
        "--engine", choices=ENGINES, default="local",
        help="local: this process; ray: Ray Data workers, same outputs (pip install -e '.[scale]'; docs/performance.md)",
    )
    group.add_argument("--address", help="with --engine ray: a running Ray cluster ('auto', 'ray://host:10001'); default: a local Ray for the run")
    group.add_argument("--workers", type=int, help="with --engine ray: model workers (default: one per GPU, else one per CPU)")


def _add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """The attention settings, the model and the engine: the groups of every command that computes a dataset's
    reviews in bulk (``precompute``, ``aggregate``, ``evaluate``)."""
    _add_settings_arguments(parser)
    _add_engine_arguments(parser)


def _check_engine(args: argparse.Namespace) -> None:
    if args.engine != "ray" and (args.address or args.workers):
        raise ValueError("--address and --workers choose where the Ray engine runs; add --engine ray")


def _run_on_ray(args: argparse.Namespace, explorer, jobs) -> None:
    """``--engine ray``: every review of ``jobs`` (``bulk_ray.Job``) computed on Ray into the result cache first;
    the command then reads them as the local engine would have computed them."""
    from .._run.bulk_ray import compute_on_ray

    run = compute_on_ray(explorer, jobs, address=args.address, workers=args.workers)
    print(f"ray: {run.sent} reviews on {run.workers} workers in {run.seconds:.1f} s; {run.cached} were cached", file=sys.stderr)


def _ray_first(args: argparse.Namespace, explorer, movies: list[Movie], settings: Settings, dataset: Dataset, reference: bool) -> None:
    """With ``--engine ray``: every review of ``movies`` (and with ``reference`` the lift's reference reviews)
    computed on Ray into the result cache, before the command reads them as the local engine would."""
    if args.engine == "ray":
        _run_on_ray(args, explorer, _jobs(movies, settings, lambda m: dataset.reviews_of(m.id), reference))


def _jobs(movies: list[Movie], settings: Settings, reviews: Callable[[Movie], list[Review]], reference: bool) -> list:
    """One ``bulk_ray.Job`` per movie: its reviews, and with ``reference`` the reference reviews of the lift."""
    from .._run.bulk_ray import Job
    from .._stats.shares import reference_reviews

    extra = list(reference_reviews()) if reference else []
    return [Job(movie, settings, [*reviews(movie), *extra]) for movie in movies]


def _settings(args: argparse.Namespace) -> Settings:
    return Settings(**{f.name: getattr(args, f.name) for f in fields(Settings)})


def _explorer(args: argparse.Namespace):
    from ...models import default_device, load_model
    from .._run.cache import ResultCache
    from .._run.pipeline import Explorer

    model = load_model(args.model, default_device())
    if model.notice:
        print(f"notice: {model.notice}", file=sys.stderr)
    cache = None if args.no_cache else ResultCache()
    if cache is None and getattr(args, "engine", "local") == "ray":  # the Ray engine hands its results over in a cache
        folder = tempfile.mkdtemp(prefix="moviattn-ray-")
        atexit.register(shutil.rmtree, folder, True)
        cache = ResultCache(folder)
    return Explorer(model, cache, method=args.method, precision=args.precision, batch_size=args.batch_size)


def _usable_settings(explorer, args: argparse.Namespace) -> Settings:
    """For commands that record the settings before computing (precompute's resumable header, evaluate)."""
    settings, notice = explorer.usable_settings(_settings(args))
    _print_notices([notice])
    return settings


def _print_notices(notices) -> None:
    for notice in notices:
        if notice:
            print(f"notice: {notice}", file=sys.stderr)


def _dataset(name: str) -> Dataset:
    """A folder, 'sample' or 'nsmc' (fetched on first use)."""
    return open_data(name)[0]


def _write_json_atomically(path: Path, payload: dict[str, Any]) -> None:
    write_atomically(path, json.dumps(payload, ensure_ascii=False))
