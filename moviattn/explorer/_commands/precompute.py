"""``moviattn precompute``: per-movie and per-review attention of a dataset as one JSON file, resumable."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ...paths import refuse_to_overwrite, starts_with
from .arguments import (
    _add_data_argument,
    _add_run_arguments,
    _check_engine,
    _dataset,
    _explorer,
    _ray_first,
    _usable_settings,
    _write_json_atomically,
)

#: The keys of a ``precompute`` output: what tells it apart from any other JSON at ``--out``.
PRECOMPUTE_KEYS = frozenset({"model", "settings", "method", "precision", "movies"})


def _precompute_output(path: Path) -> dict[str, Any] | None:
    """The previous ``precompute`` output at ``path``, or None (absent, unreadable, or something else)."""
    if not path.is_file() or not starts_with(path, b"{"):
        return None
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return payload if isinstance(payload, dict) and PRECOMPUTE_KEYS <= payload.keys() and isinstance(payload["movies"], dict) else None


def cmd_precompute(args: argparse.Namespace) -> None:
    from tqdm import tqdm

    from .._run.precompute_file import precompute_entry

    dataset = _dataset(args.data)
    movie_ids = args.movies.split(",") if args.movies else list(dataset.movies)
    movies = [dataset.movie(m) for m in movie_ids]
    out = Path(args.out)
    refuse_to_overwrite(out, args.force, lambda p: _precompute_output(p) is not None, "a previous 'precompute' output")
    _check_engine(args)
    explorer = _explorer(args)
    settings = _usable_settings(explorer, args)
    header = {"model": explorer.model.name, "settings": asdict(settings), "method": explorer.method, "precision": explorer.precision}
    payload: dict[str, Any] = {**header, "movies": {}}
    previous = None if args.restart else _precompute_output(out)
    if previous is not None and all(previous.get(k) == v for k, v in header.items()):  # resume under the same header
        payload["movies"] = previous["movies"]
    todo = [m for m in movies if m.id not in payload["movies"]]
    if len(todo) < len(movies):
        print(f"resuming: {len(movies) - len(todo)} movies already in {out}", file=sys.stderr)
    started, review_count = time.perf_counter(), 0
    _ray_first(args, explorer, todo, settings, dataset, reference=False)
    with tqdm(total=sum(len(dataset.reviews_of(m.id)) for m in todo), unit="review", desc="precompute") as bar:
        for movie in todo:
            reviews = dataset.reviews_of(movie.id)
            bar.set_postfix_str(movie.label)
            shown = [0]

            def advance(done: int, _total: int, shown: list[int] = shown) -> None:
                bar.update(done - shown[0])
                shown[0] = done

            aggregate, results = explorer.aggregate_and_results(movie, reviews, settings, progress=advance)
            bar.update(len(reviews) - shown[0])
            payload["movies"][movie.id] = precompute_entry(movie, aggregate, results)
            review_count += len(reviews)
            _write_json_atomically(out, payload)
    seconds = time.perf_counter() - started
    rate = review_count / seconds if seconds > 0 else 0.0
    print(f"wrote {out}: {len(payload['movies'])} movies; {review_count} reviews in {seconds:.1f} s ({rate:.1f} reviews/s)")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``precompute`` to the root parser."""
    precompute = subparsers.add_parser("precompute", help="per-movie and per-review attention of a dataset as JSON")
    _add_data_argument(precompute)
    precompute.add_argument("--out", required=True)
    precompute.add_argument("--movies", help="comma-separated movie ids (default: all)")
    precompute.add_argument("--restart", action="store_true", help="ignore movies already in --out")
    precompute.add_argument("--force", action="store_true", help="overwrite --out even if it is not an earlier precompute output")
    _add_run_arguments(precompute)
    precompute.set_defaults(run=cmd_precompute)
