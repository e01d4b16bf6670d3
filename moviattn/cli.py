"""Command line: ``python -m moviattn <command> ...`` (or the ``moviattn`` console script).

Each wing registers its own commands (``<wing>.cli.register``). Errors in the user's input (unknown
movie, malformed file, too long a review: ``errors.USER_ERRORS``) are printed as one line and exit
with status 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from typing import NoReturn

from .errors import USER_ERRORS

#: The wings whose ``cli.register(subparsers)`` adds commands, in the order ``--help`` lists them.
WINGS = ("explorer", "sentiment", "aspects", "recommend.diary", "recommend.session", "feedback")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="moviattn", description="Korean movie-review lab: attention explorer, sentiment explainers, recommenders")
    subparsers = parser.add_subparsers(dest="command", required=True)
    _register_data(subparsers)
    for wing in WINGS:
        importlib.import_module(f".{wing}.cli", __package__).register(subparsers)
    _show_defaults(parser)
    return parser


def _register_data(subparsers: argparse._SubParsersAction) -> None:
    """``moviattn data fetch nsmc``: public review data fetched into the cache (the base's data side)."""
    data = subparsers.add_parser("data", help="fetch public review data (NSMC's 40 real movies) into the cache")
    actions = data.add_subparsers(dest="action", required=True)
    fetch = actions.add_parser("fetch", help="download and check a data set at its pinned commit")
    fetch.add_argument("name", choices=["nsmc"], help="nsmc: 40 movies and their 4,000 reviews from e9t/nsmc (CC0)")
    fetch.add_argument("--source", default=None, help="URL prefix or local copy of e9t/nsmc (default: $MOVIATTN_NSMC_SOURCE or the pinned commit on GitHub)")
    fetch.add_argument("--out", default=None, help="dataset folder to write (default: $MOVIATTN_CACHE/data/nsmc)")
    fetch.add_argument("--timeout", type=float, default=600.0, help="seconds the whole fetch may take")
    fetch.set_defaults(run=_run_fetch)


def _run_fetch(args: argparse.Namespace) -> None:
    from .data import load_dataset
    from .fetch import fetch_nsmc
    from .paths import nsmc_source

    logging.getLogger("moviattn").setLevel(logging.INFO)
    folder = fetch_nsmc(args.out, args.source or nsmc_source(), timeout=args.timeout)
    dataset = load_dataset(folder)
    print(f"{folder}: {len(dataset.movies)} movies, {sum(map(len, dataset.reviews.values()))} reviews (use --data nsmc or --data {folder})")


def _show_defaults(parser: argparse.ArgumentParser) -> None:
    """Every command's ``--help`` shows its defaults (sub-commands do not inherit the root's formatter)."""
    parser.formatter_class = argparse.ArgumentDefaultsHelpFormatter
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _show_defaults(sub)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except USER_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def interrupted() -> NoReturn:
    """Ctrl-C: one line, then exit 130 at once. Outputs are written atomically, so what was written is
    complete; skipping the interpreter's teardown also skips JPype's JVM shutdown, which can crash
    or hang after an interrupted analysis."""
    print("\ninterrupted: outputs written so far are complete; run the same command again to resume", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(130)


def main_exit() -> None:
    """The ``moviattn`` console script and ``python -m moviattn``: ``main``, with Ctrl-C ended in one line.

    (``main`` itself lets KeyboardInterrupt through, so callers in Python can handle it.)"""
    try:
        code = main()
    except KeyboardInterrupt:
        interrupted()
    sys.exit(code)
