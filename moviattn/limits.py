"""The size limits of everything a user can send, in one table shared by the app's widgets and its handlers.

A browser enforces a textbox's ``max_length``; an API client does not. So every handler calls
``check`` on its inputs first, before any tokenising or model work: a 1,000,000-character review
is refused in microseconds instead of being tokenised for 44 s while other users wait. Other
front ends (new tabs, the CLI) read the same table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """The most characters one input may have, and how the message names it."""

    chars: int
    label: str


#: Input name → its limit. The app's textboxes use ``LIMITS[name].chars`` as ``max_length``.
LIMITS: Mapping[str, Limit] = {
    "review": Limit(5_000, "리뷰 (review)"),
    "sentiment_text": Limit(2_000, "리뷰 (review)"),
    "synopsis": Limit(5_000, "줄거리 (plot)"),
    "field": Limit(300, "영화 정보 (movie info field)"),
    "year": Limit(4, "개봉 연도 (year)"),
    "word": Limit(100, "단어 (word)"),
    "model_name": Limit(200, "모델 이름 (model name)"),
    "choice": Limit(200, "선택 값 (choice)"),
}
#: Largest upload, in bytes (Gradio refuses bigger files before they reach a handler) and as shown to users.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UPLOAD_SIZE = "5mb"
#: Reviews of an uploaded file analysed at most (the rest are cut, with a notice).
MAX_UPLOAD_REVIEWS = 300


class InputTooLong(ValueError):
    """An input longer than its limit; the message names the input and both lengths."""

    def __init__(self, name: str, length: int):
        limit = LIMITS[name]
        self.name, self.length = name, length
        super().__init__(
            f"{limit.label}: {length:,}자는 너무 깁니다, 최대 {limit.chars:,}자 "
            f"(too long: {length:,} characters, at most {limit.chars:,})"
        )


def check(**inputs: object) -> None:
    """Refuse any ``name=value`` whose text is longer than ``LIMITS[name]`` (``None`` and non-text values pass)."""
    for name, value in inputs.items():
        limit = LIMITS[name]
        if isinstance(value, str) and len(value) > limit.chars:
            raise InputTooLong(name, len(value))


def check_all(name: str, values: object) -> None:
    """``check`` each text of ``values`` (e.g. every control value) against one limit."""
    for value in values if isinstance(values, (list, tuple)) else (values,):
        check(**{name: value})
