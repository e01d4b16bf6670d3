"""The wing's own test diaries (``diaries.tsv``, CC0): 42 short Korean entries written for this project,
each labelled with the emotions its writer intended (``none`` for a plain day), covering every emotion
alone and in mixtures. Used to report how model1 scores diaries, which KOTE's comments are not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...errors import DataError
from .kote import EMOTIONS

DIARIES_FILE = Path(__file__).resolve().parent / "diaries.tsv"


@dataclass(frozen=True)
class Diary:
    id: str
    emotions: frozenset[str]
    text: str


def load_diaries(path: Path = DIARIES_FILE) -> list[Diary]:
    """The labelled diaries; a DataError names a bad line or an unknown emotion."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != 3:
            raise DataError(str(path), "expected id, emotions, text", record=f"line {number}")
        emotions = frozenset(e for e in fields[1].split(",") if e != "none")
        if not emotions <= set(EMOTIONS):
            raise DataError(str(path), f"unknown emotion in {fields[1]!r}", record=f"line {number}", field_name="emotions")
        out.append(Diary(fields[0], emotions, fields[2]))
    return out


def diary_truth(diaries: list[Diary]) -> np.ndarray:
    """Intended emotions as bool ``[diaries, 4]``."""
    return np.array([[e in d.emotions for e in EMOTIONS] for d in diaries], dtype=bool)
