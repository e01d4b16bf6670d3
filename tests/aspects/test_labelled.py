"""The shipped labelled set (ids + labels) and the scores computed on it."""

from __future__ import annotations

import pytest

from moviattn.aspects.inventory import shipped_inventory
from moviattn.aspects.labelled import keyword_pairs, load_labels, score
from moviattn.errors import DataError


def test_the_shipped_labels():
    labels = load_labels()
    assert len(labels) >= 300 and {x.split for x in labels} == {"dev", "test"}
    assert len({x.review_id for x in labels}) == len(labels)
    names = set(shipped_inventory().names())
    assert all(set(x.gold) <= names for x in labels)
    assert sum(bool(x.gold) for x in labels) >= 200


def test_scores_and_baseline(small_inventory):
    gold = [{"스토리": "positive"}, {"연기": "negative"}, {}]
    predicted = [{"스토리": "positive"}, {"연기": "positive", "음악": "positive"}, {}]
    result = score(gold, predicted, draws=50)
    assert result["precision"]["value"] == pytest.approx(2 / 3) and result["recall"]["value"] == 1.0
    assert result["polarity_accuracy"]["value"] == 0.5
    assert result["end_to_end_f1"]["value"] == pytest.approx(0.4)
    assert keyword_pairs("배우 연기력 최고", small_inventory, "positive") == {"연기": "positive"}


def test_a_malformed_label_file_names_the_row(tmp_path):
    path = tmp_path / "labels.tsv"
    path.write_text("review_id\tmovie_id\tsplit\tlabels\n1\t2\tdev\t연기?\n", encoding="utf-8")
    with pytest.raises(DataError, match="row 2"):
        load_labels(path)
