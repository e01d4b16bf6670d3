"""``moviattn show``: one review's two heatmaps to PNG."""

from __future__ import annotations

import argparse
from pathlib import Path

from ...errors import DataError
from ...paths import refuse_to_overwrite, starts_with
from .arguments import (
    _add_colour_arguments,
    _add_data_argument,
    _add_settings_arguments,
    _dataset,
    _explorer,
    _print_notices,
    _settings,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def cmd_show(args: argparse.Namespace) -> None:
    from .._draw.plotting import review_info_heatmap, review_plot_heatmap, save_png

    dataset = _dataset(args.data)
    movie = dataset.movie(args.movie)
    if args.text is not None:
        text = args.text
    else:
        reviews = dataset.reviews_of(movie.id)
        if not 0 <= args.review < len(reviews):
            raise DataError(args.data, f"movie {movie.id} has {len(reviews)} reviews; --review must be 0..{len(reviews) - 1}")
        text = reviews[args.review].text
    stem = Path(args.out_dir) / f"{movie.id}_{args.review if args.text is None else 'text'}"
    targets = [stem.with_name(f"{stem.name}_{part}.png") for part in ("info", "plot")]
    for target in targets:
        refuse_to_overwrite(target, args.force, lambda p: starts_with(p, PNG_SIGNATURE), "a PNG (a previous 'show' output)")
    explorer = _explorer(args)
    result = explorer.review_attention(movie, text, _settings(args))
    _print_notices(result.notices)
    info_png = save_png(review_info_heatmap(result, scale=args.scale, cmap=args.cmap), targets[0])
    plot_png = save_png(review_plot_heatmap(result, scale=args.scale, cmap=args.cmap), targets[1])
    print(f"{movie.label}: {text!r}")
    print(f"model: {result.model_name}; windows: {result.n_windows}")
    names, by_field = result.by_field()
    for name, value in zip(names, by_field.mean(axis=0)):
        print(f"  {name:9s} {value:.3f}")
    print(f"wrote {info_png} and {plot_png}")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``show`` to the root parser."""
    show = subparsers.add_parser("show", help="render one review's two heatmaps to PNG")
    _add_data_argument(show)
    show.add_argument("--movie", required=True, help="movie id (see 'movies')")
    which = show.add_mutually_exclusive_group()
    which.add_argument("--review", type=int, default=0, help="index of the movie's review (0 = newest)")
    which.add_argument("--text", help="your own review text instead")
    show.add_argument("--out-dir", default="heatmaps")
    _add_colour_arguments(show)
    show.add_argument("--force", action="store_true", help="overwrite files at the output paths that are not earlier heatmaps")
    _add_settings_arguments(show)
    show.set_defaults(run=cmd_show)
