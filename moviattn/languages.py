"""Which language a text is in, by counting its scripts (Hangul, Han, Latin).

The three languages the lab cuts into words (Korean, Chinese, English) are told apart by script alone,
so a count is exact where a statistical detector guesses (and a detector's short-text errors, 'ㅋㅋ' or a
two-character Chinese review, cannot happen): deterministic, no model to ship, microseconds per text.

Rule, in order: any Hangul letter → Korean (so every text with Hangul goes to the Korean analyser as
before: on the 40 NSMC movies the 3,958 reviews with Hangul, every synopsis and titles such as
``반지의 제왕: 왕의 귀환 (The Lord Of The Rings: …)`` stay Korean); a text without letters (``1994``, ``10점``
without its 점) → Korean too, the lab's home language; otherwise Han characters against Latin *words*
(a Chinese word is one or two characters, an English one several letters): more Han → Chinese, else
English. Other scripts (Cyrillic, kana) count as English: cut at spaces and punctuation like it.
Normalisation (``text.normalize``) never changes the answer: it keeps every letter's script.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

KOREAN, CHINESE, ENGLISH = "ko", "zh", "en"
#: Language code → how the app names it.
LANGUAGE_NAMES = {KOREAN: "한국어 (Korean)", CHINESE: "중국어 (Chinese)", ENGLISH: "영어 (English)"}

_LETTER_RUN = re.compile(r"[^\W\d_]+")


def script_of(char: str) -> str:
    """'hangul', 'han', 'latin' or 'other' for a letter."""
    name = unicodedata.name(char, "")
    if name.startswith("HANGUL"):
        return "hangul"
    if name.startswith("CJK UNIFIED") or name.startswith("CJK COMPATIBILITY IDEOGRAPH"):
        return "han"
    return "latin" if name.startswith("LATIN") else "other"


def has_hangul(text: str) -> bool:
    """Whether a text has a Hangul letter (syllable or jamo): the one check behind every 'no Korean' notice."""
    return any(script_of(c) == "hangul" for c in text if c.isalpha())


@lru_cache(maxsize=8192)
def detect_language(text: str) -> str:
    """The language code of a text (``KOREAN``, ``CHINESE`` or ``ENGLISH``) by the rule in the module docstring."""
    if has_hangul(text):
        return KOREAN
    han = latin_words = 0
    for run in _LETTER_RUN.findall(text):
        scripts = [script_of(c) for c in run]
        han += scripts.count("han")
        latin_words += any(s != "han" for s in scripts)
    if han == latin_words == 0:
        return KOREAN
    return CHINESE if han > latin_words else ENGLISH


def no_korean_notice(text: str, trained_on: str) -> str | None:
    """The notice for a Korean-only model given text without Hangul (``has_hangul``), marking its verdict as
    outside what the model was trained on; None for text with Korean. ``trained_on`` says on what, in Korean."""
    if has_hangul(text):
        return None
    return (
        f"한글이 없습니다: 이 모델은 {trained_on}로 학습되었습니다. 판정은 학습 범위 밖입니다 "
        "(no Korean: the verdict is outside what the model was trained on)"
    )
