"""KOTE (Korean Online That-gul Emotions), its 44 labels and their mapping to the seed's four emotions.

KOTE: Jeon, D., Lee, J., Kim, C. (2022), "User Guide for KOTE: Korean Online That-gul Emotions Dataset",
arXiv:2205.05300; https://github.com/searle-j/KOTE, MIT licence, "Copyright (c) 2022 Jeon Duyoung".
Only its validation and test parts (5,000 comments each) are available (``../shared/data/kote/``); they
are never copied into the project, only heads trained on them are shipped (with this notice).

Files: tab-separated ``ID <TAB> text <TAB> labels``, labels a comma-separated list of 0-based indices
into ``LABELS``; a label is present where any of five raters saw it (7.9 labels per comment).

The mapping to the seed's four emotions (joy, optimism, anger, sadness, after cardiffnlp's
twitter-roberta-base-emotion) is the one suggested in the data README, kept as is so that our numbers
compare with the 0.816 linear probe measured there; an emotion is present where any of its labels is:

| emotion | KOTE labels |
|---|---|
| joy | 42 기쁨, 28 즐거움/신남, 40 행복 |
| optimism | 8 기대감 |
| anger | 6 화남/분노, 22 짜증 |
| sadness | 5 슬픔 |

The split is made once, by a fixed seed, over the 10,000 comments of both files together:
70 % train, 15 % validation (every model choice), 15 % test (reported only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...errors import DataError
from ...paths import shared_data

LABELS: tuple[str, ...] = (
    "불평/불만", "환영/호의", "감동/감탄", "지긋지긋", "고마움", "슬픔", "화남/분노", "존경", "기대감",
    "우쭐댐/무시함", "안타까움/실망", "비장함", "의심/불신", "뿌듯함", "편안/쾌적", "신기함/관심",
    "아껴주는", "부끄러움", "공포/무서움", "절망", "한심함", "역겨움/징그러움", "짜증", "어이없음",
    "없음", "패배/자기혐오", "귀찮음", "힘듦/지침", "즐거움/신남", "깨달음", "죄책감",
    "증오/혐오", "흐뭇함(귀여움/예쁨)", "당황/난처", "경악", "부담/안_내킴", "서러움", "재미없음",
    "불쌍함/연민", "놀람", "행복", "불안/걱정", "기쁨", "안심/신뢰",
)
EMOTIONS: tuple[str, ...] = ("joy", "optimism", "anger", "sadness")
EMOTIONS_KR: Mapping[str, str] = {"joy": "기쁨", "optimism": "낙관", "anger": "분노", "sadness": "슬픔"}
#: Seed emotion → KOTE label indices (any of them present → the emotion is present).
EMOTION_LABELS: Mapping[str, tuple[int, ...]] = {"joy": (42, 28, 40), "optimism": (8,), "anger": (6, 22), "sadness": (5,)}
FILES = ("val.tsv", "test.tsv")
SPLIT_SEED = 12
SPLIT_SHARES = (0.70, 0.15, 0.15)
LICENCE_NOTE = (
    "Trained on KOTE (Jeon, Lee & Kim 2022, arXiv:2205.05300; https://github.com/searle-j/KOTE), "
    "MIT licence, Copyright (c) 2022 Jeon Duyoung."
)


@dataclass(frozen=True)
class Kote:
    """Comments, their 44-label indicator matrix, and the split each comment belongs to."""

    ids: tuple[str, ...]
    texts: tuple[str, ...]
    labels: np.ndarray  # bool [comments, 44]
    split: np.ndarray  # str [comments]: "train" / "val" / "test"

    def part(self, name: str) -> np.ndarray:
        """Row indices of one split."""
        return np.flatnonzero(self.split == name)

    @property
    def emotions(self) -> np.ndarray:
        """The four seed emotions, bool ``[comments, 4]``."""
        return to_emotions(self.labels)


def to_emotions(labels: np.ndarray) -> np.ndarray:
    """44-label indicators → the four emotions (an emotion is present where any of its labels is)."""
    return np.stack([labels[:, list(EMOTION_LABELS[e])].any(axis=1) for e in EMOTIONS], axis=1)


def read_kote_file(path: Path) -> tuple[list[str], list[str], np.ndarray]:
    """One KOTE file → ids, texts, ``bool [rows, 44]``; a DataError names the line and field."""
    ids, texts, rows = [], [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        fields = line.split("\t")
        if len(fields) != 3:
            raise DataError(str(path), f"expected 3 tab-separated fields, got {len(fields)}", record=f"line {number}")
        row = np.zeros(len(LABELS), dtype=bool)
        try:
            indices = [int(x) for x in fields[2].split(",") if x.strip()]
        except ValueError:
            raise DataError(str(path), f"labels must be comma-separated integers, got {fields[2]!r}", record=f"line {number}", field_name="labels") from None
        if any(not 0 <= i < len(LABELS) for i in indices):
            raise DataError(str(path), f"label index outside 0..{len(LABELS) - 1}: {fields[2]!r}", record=f"line {number}", field_name="labels")
        row[indices] = True
        ids.append(fields[0])
        texts.append(fields[1])
        rows.append(row)
    return ids, texts, np.array(rows, dtype=bool).reshape(-1, len(LABELS))


def split_rows(n: int, seed: int = SPLIT_SEED, shares: tuple[float, float, float] = SPLIT_SHARES) -> np.ndarray:
    """A fixed random assignment of ``n`` rows to train / val / test in the given shares."""
    order = np.random.default_rng(seed).permutation(n)
    cut_train, cut_val = int(round(shares[0] * n)), int(round((shares[0] + shares[1]) * n))
    split = np.empty(n, dtype="<U5")
    split[order[:cut_train]], split[order[cut_train:cut_val]], split[order[cut_val:]] = "train", "val", "test"
    return split


def kote_dir() -> Path | None:
    """``../shared/data/kote`` where it exists (training and its tests skip without it)."""
    return shared_data("kote")


def load_kote(folder: Path | None = None, seed: int = SPLIT_SEED) -> Kote:
    """Both KOTE files, concatenated in ``FILES`` order, with the fixed split."""
    folder = folder or kote_dir()
    if folder is None:
        raise FileNotFoundError("KOTE is not available: ../shared/data/kote is missing")
    ids, texts, labels = [], [], []
    for name in FILES:
        part_ids, part_texts, part_labels = read_kote_file(Path(folder) / name)
        ids += part_ids
        texts += part_texts
        labels.append(part_labels)
    matrix = np.concatenate(labels)
    return Kote(tuple(ids), tuple(texts), matrix, split_rows(len(ids), seed))
