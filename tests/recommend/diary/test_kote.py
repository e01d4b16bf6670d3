"""The KOTE loader, the 44 labels, the mapping to the four emotions and the fixed split."""

from __future__ import annotations

import numpy as np
import pytest

from moviattn.errors import DataError
from moviattn.recommend.diary.kote import EMOTION_LABELS, EMOTIONS, LABELS, load_kote, read_kote_file, split_rows, to_emotions


def test_labels_and_mapping():
    assert len(LABELS) == 44 and len(set(LABELS)) == 44
    assert [LABELS[i] for i in EMOTION_LABELS["joy"]] == ["기쁨", "즐거움/신남", "행복"]
    assert [LABELS[i] for i in EMOTION_LABELS["anger"]] == ["화남/분노", "짜증"]
    assert LABELS[EMOTION_LABELS["optimism"][0]] == "기대감" and LABELS[EMOTION_LABELS["sadness"][0]] == "슬픔"
    labels = np.zeros((3, 44), dtype=bool)
    labels[0, 40] = True  # 행복 → joy
    labels[1, [5, 22]] = True  # 슬픔, 짜증 → sadness, anger
    assert to_emotions(labels).tolist() == [[True, False, False, False], [False, False, True, True], [False] * 4]
    assert EMOTIONS == ("joy", "optimism", "anger", "sadness")


def test_read_file_and_errors(tmp_path):
    good = tmp_path / "ok.tsv"
    good.write_text("1\t좋아요\t42,8\n2\t그냥\t24\n", encoding="utf-8")
    ids, texts, labels = read_kote_file(good)
    assert ids == ["1", "2"] and texts[0] == "좋아요" and labels.shape == (2, 44) and labels[0, [8, 42]].all() and labels.sum() == 3
    bad = tmp_path / "bad.tsv"
    bad.write_text("1\t좋아요\t42,99\n", encoding="utf-8")
    with pytest.raises(DataError, match="line 1.*labels"):
        read_kote_file(bad)
    bad.write_text("1\t좋아요\n", encoding="utf-8")
    with pytest.raises(DataError, match="3 tab-separated"):
        read_kote_file(bad)


def test_split_is_fixed_and_disjoint():
    a, b = split_rows(1000), split_rows(1000)
    assert (a == b).all()
    assert {s: int((a == s).sum()) for s in ("train", "val", "test")} == {"train": 700, "val": 150, "test": 150}
    assert not (split_rows(1000, seed=1) == a).all()


def test_real_kote(kote):
    data = load_kote(kote)
    assert len(data.texts) == 10_000 and data.labels.shape == (10_000, 44)
    assert len(set(data.part("train")) & set(data.part("test"))) == 0
    shares = data.emotions.mean(0)
    assert 0.3 < shares[0] < 0.4 and 0.05 < shares[3] < 0.15  # joy ~34 %, sadness ~11 % as the README says
