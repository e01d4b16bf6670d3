"""A segment's words: plot units with one lemma, tag and field are one word (``word_key``; 하는/한다 →
하다), an info item (one name, genre, country, the title: ``words.info_items``) is one word, and the
[units, words] membership that sums a unit-level vector into words."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...morphology import Unit
from ...registry import choose
from .words import LEADING_CLASSES, WORD_SETS, coarse_tag, info_items, label, surface_form, word_class


def word_key(unit: Unit, lemma: str) -> tuple[str, str, str | None]:
    """Units of one word: normalised lemma, first tag (compounds by their head, Kiwi's irregular marks
    dropped) and field."""
    return surface_form(lemma), coarse_tag(unit.tag), unit.field


@dataclass(frozen=True)
class Word:
    """One word of a segment: its label (lemma and most frequent surface), tag, field, unit positions,
    and its class for the leading rule (``words.word_class``)."""

    text: str
    tag: str
    content: bool
    field: str | None
    positions: tuple[int, ...]
    lemma: str = ""
    word_class: str = ""


def group_words(
    units: list[Unit], which: str = "content", lemmas: list[str] | None = None, leading: frozenset[str] = LEADING_CLASSES,
) -> list[Word]:
    """Units grouped by ``word_key`` (lemmas where given, else surfaces) in order of first appearance,
    keeping the ``which`` of ``words.WORD_SETS``: words of a ``leading`` class, content words, or all."""
    choose("words", which, WORD_SETS)
    lemmas = lemmas if lemmas is not None else [u.text for u in units]
    groups: dict[tuple[str, str, str | None], list[int]] = {}
    for i, unit in enumerate(units):
        groups.setdefault(word_key(unit, lemmas[i]), []).append(i)
    words = []
    for positions in groups.values():
        first = units[positions[0]]
        name = word_class(lemmas[positions[0]], first.tag, first.content)
        if which == "all" or (first.content and (which == "content" or name in leading)):
            words.append(Word(label(lemmas[positions[0]], [units[p].text for p in positions]), first.tag, first.content,
                              first.field, tuple(positions), lemmas[positions[0]], name))
    return words


def info_words(units: list[Unit]) -> list[Word]:
    """The info segment's words: its items (each name, genre, country, the title, the year)."""
    return [Word(item.text, item.field, True, item.field, item.members, item.text, "item") for item in info_items(units)]


def word_matrix(words: list[Word], n_units: int) -> np.ndarray:
    """[units, words] membership: a unit-level vector times it gives each word the sum over its units."""
    matrix = np.zeros((n_units, len(words)))
    for j, word in enumerate(words):
        matrix[list(word.positions), j] = 1.0
    return matrix
