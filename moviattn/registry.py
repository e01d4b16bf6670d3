"""One lookup helper for every name → thing table (methods, models, scales, analysers, ...).

Tables stay plain dicts or tuples where they are defined; ``choose`` is the single place that turns
an unknown name into the message users see, so the CLI, the app and the library word it alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar, overload

T = TypeVar("T")


class UnknownChoice(ValueError):
    """A name that is not in its table; the message lists the valid names."""

    def __init__(self, kind: str, name: object, choices: Iterable[str]):
        self.kind, self.name, self.choices = kind, name, tuple(choices)
        super().__init__(f"unknown {kind} {name!r}; choose one of {', '.join(map(str, self.choices))}")


@overload
def choose(kind: str, name: str, choices: Mapping[str, T]) -> T: ...
@overload
def choose(kind: str, name: str, choices: Iterable[str]) -> str: ...
def choose(kind, name, choices):
    """The entry of ``choices`` named ``name`` (the name itself for a plain sequence), or UnknownChoice."""
    if isinstance(choices, Mapping):
        if name in choices:
            return choices[name]
    else:
        choices = tuple(choices)
        if name in choices:
            return name
    raise UnknownChoice(kind, name, choices)
