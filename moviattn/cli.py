"""Command line: ``python -m moviattn <command> ...`` (or the ``moviattn`` console script).

Each wing registers its own commands (``<wing>.cli.register``). Errors in the user's input (unknown
movie, malformed file, too long a review: ``errors.USER_ERRORS``) are printed as one line and exit
with status 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from .errors import USER_ERRORS

#: The wings whose ``cli.register(subparsers)`` adds commands, in the order ``--help`` lists them.
WINGS = ("explorer", "sentiment", "recommend.session")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="moviattn", description="Korean movie-review lab: attention explorer, sentiment explainers, recommenders")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for wing in WINGS:
        importlib.import_module(f".{wing}.cli", __package__).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except USER_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def main_exit() -> None:
    """The ``moviattn`` console script."""
    sys.exit(main())
