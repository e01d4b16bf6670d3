"""``moviattn movies``: the movies of a dataset folder, one a line."""

from __future__ import annotations

import argparse

from .arguments import (
    _add_data_argument,
    _dataset,
)


def cmd_movies(args: argparse.Namespace) -> None:
    dataset = _dataset(args.data)
    for movie in dataset.movies.values():
        print(f"{movie.id}\t{movie.label}\t{len(dataset.reviews_of(movie.id))} reviews")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``movies`` to the root parser."""
    movies = subparsers.add_parser("movies", help="list the movies of a dataset folder")
    _add_data_argument(movies)
    movies.set_defaults(run=cmd_movies)
