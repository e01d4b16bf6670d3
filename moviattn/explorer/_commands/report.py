"""``moviattn report``: a movie's self-contained HTML report, or a site of them."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ...paths import refuse_to_overwrite
from .arguments import (
    _add_colour_arguments,
    _add_data_argument,
    _add_settings_arguments,
    _dataset,
    _explorer,
    _usable_settings,
)


def cmd_report(args: argparse.Namespace) -> None:
    from plotly.colors import named_colorscales
    from tqdm import tqdm

    from ...registry import choose
    from .._draw.html_report import collect, is_report, write_report, write_site

    choose("colormap", args.cmap.lower().removesuffix("_r"), named_colorscales())  # before anything is computed
    dataset = _dataset(args.data)
    data = Path(args.data).resolve().name
    if args.site is None:
        movie = dataset.movie(args.movie)
        refuse_to_overwrite(Path(args.out), args.force, is_report, "a previous 'report'")
    explorer = _explorer(args)
    settings = _usable_settings(explorer, args)
    started = time.perf_counter()
    with tqdm(unit="review", desc="report") as bar:
        def advance(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        if args.site is not None:
            entries = write_site(explorer, dataset, Path(args.site), settings, data=data, scale=args.scale, cmap=args.cmap,
                                 force=args.force, progress=advance)
            written = [e for e in entries if e.report is not None]
            summary = f"wrote {Path(args.site) / 'index.html'} and {len(written)} reports ({sum(e.size for e in written) / 1e6:.1f} MB)"
        else:
            report = collect(explorer, movie, dataset.reviews_of(movie.id), settings, data=data, progress=advance)
            size = write_report(report, Path(args.out), scale=args.scale, cmap=args.cmap)
            summary = f"wrote {args.out}: {movie.label}, {len(report.reviews)} reviews, {size / 1e6:.2f} MB"
    print(f"{summary} in {time.perf_counter() - started:.0f} s")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``report`` to the root parser."""
    report = subparsers.add_parser(
        "report", help="a movie's report as one self-contained HTML file (interactive heatmaps, no server, no network); "
        "--site: one per movie and an index",
    )
    _add_data_argument(report)
    what = report.add_mutually_exclusive_group(required=True)
    what.add_argument("--movie", help="movie id (see 'movies')")
    what.add_argument("--site", metavar="DIR", help="write DIR/index.html and one report per movie of the dataset")
    report.add_argument("--out", default="report.html", help="the report of --movie")
    _add_colour_arguments(report)
    report.add_argument("--force", action="store_true", help="overwrite files that are not earlier reports")
    _add_settings_arguments(report)
    report.set_defaults(run=cmd_report)
