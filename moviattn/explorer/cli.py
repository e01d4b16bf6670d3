"""``moviattn movies|show|precompute|aggregate|evaluate|report``: the attention explorer from the command line.

Registered by the root CLI (``moviattn.cli``) with ``register(subparsers)``; each command is one module
of ``_commands`` (its options and its run), in the order ``--help`` lists them.
"""

from __future__ import annotations

import argparse

from ._commands import aggregate, evaluate, movies, precompute, report, show

#: The commands, in the order ``--help`` lists them.
COMMANDS = (movies, show, precompute, aggregate, report, evaluate)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the explorer's commands to the root parser."""
    for command in COMMANDS:
        command.add_parser(subparsers)
