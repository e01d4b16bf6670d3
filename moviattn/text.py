"""Text normalisation that never loses track of where each character came from.

Every normalised character keeps the half-open span ``[start, end)`` of the
original characters it stands for, so any unit shown in a heatmap can be traced
back to the exact span the user typed (``NormalizedText.original_span``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

#: Longest run of one repeated character that survives normalisation (ㅋㅋㅋㅋㅋ -> ㅋㅋㅋ).
MAX_REPEAT = 3

_DROPPED_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn", "So", "Sk"}
"""Control/format/private characters and decorative symbols (emoji, ★, ♥)."""

_KEPT_SYMBOLS = set("~+=<>%$#@&^|")


@dataclass(frozen=True)
class NormalizedText:
    """Normalised text plus, per character, the original span it came from."""

    original: str
    text: str
    spans: tuple[tuple[int, int], ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the normalised text back to a span of the original text."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span ({start}, {end}) is outside the normalised text of length {len(self.text)}")
        return self.spans[start][0], self.spans[end - 1][1]

    def original_slice(self, start: int, end: int) -> str:
        """The exact original characters behind a normalised span."""
        orig_start, orig_end = self.original_span(start, end)
        return self.original[orig_start:orig_end]


_Chars = list[tuple[str, int, int]]


def _compose(text: str) -> _Chars:
    """NFC-compose, grouping original characters that compose into one."""
    chars: _Chars = []
    i = 0
    while i < len(text):
        j = i + 1
        # extend the group while the next character merges into it under NFC
        while j < len(text) and len(unicodedata.normalize("NFC", text[i : j + 1])) <= len(
            unicodedata.normalize("NFC", text[i:j])
        ):
            j += 1
        for char in unicodedata.normalize("NFC", text[i:j]):
            chars.append((char, i, j))
        i = j
    return chars


def _is_dropped(char: str) -> bool:
    return unicodedata.category(char) in _DROPPED_CATEGORIES and char not in _KEPT_SYMBOLS


def _drop_symbols(chars: _Chars) -> _Chars:
    return [c for c in chars if not _is_dropped(c[0]) or c[0] in "\t\n\r"]


def _collapse_whitespace(chars: _Chars) -> _Chars:
    out: _Chars = []
    for char, start, end in chars:
        if char.isspace():
            if out and out[-1][0] == " ":
                out[-1] = (" ", out[-1][1], end)
            else:
                out.append((" ", start, end))
        else:
            out.append((char, start, end))
    while out and out[0][0] == " ":
        out.pop(0)
    while out and out[-1][0] == " ":
        out.pop()
    return out


def _limit_repeats(chars: _Chars) -> _Chars:
    out: _Chars = []
    run = 0
    for char, start, end in chars:
        run = run + 1 if out and out[-1][0] == char else 1
        if run > MAX_REPEAT:
            out[-1] = (char, out[-1][1], end)  # the last kept copy absorbs the dropped ones
        else:
            out.append((char, start, end))
    return out


def normalize(text: str) -> NormalizedText:
    """NFC, drop control characters and decorative symbols, collapse whitespace and long repeats.

    Steps run in that order; each keeps the original span of every character.
    """
    chars = _compose(text)
    for step in (_drop_symbols, _collapse_whitespace, _limit_repeats):
        chars = step(chars)
    return NormalizedText(
        original=text,
        text="".join(c for c, _, _ in chars),
        spans=tuple((s, e) for _, s, e in chars),
    )


def has_words(text: str) -> bool:
    """Whether a text has anything to analyse: a letter or a digit (not only emoji, symbols or punctuation)."""
    return any(c.isalnum() for c in text)


def eojeol_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the space-separated words (eojeol) of an already normalised text."""
    spans: list[tuple[int, int]] = []
    start = None
    for i, char in enumerate(text):
        if char.isspace():
            if start is not None:
                spans.append((start, i))
                start = None
        elif start is None:
            start = i
    if start is not None:
        spans.append((start, len(text)))
    return spans
