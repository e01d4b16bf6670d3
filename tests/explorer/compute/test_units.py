"""Tokens to units by character offsets, and the merge rule (received: sum, sent: mean)."""

from __future__ import annotations

import numpy as np

from moviattn.explorer._compute.sequence import Segment, identity_normalized
from moviattn.explorer._compute.units import membership, merge, segment_units
from moviattn.morphology import Unit


def _segment(text, offsets):
    return Segment("plot", identity_normalized(text), tuple(range(len(offsets))), tuple(offsets))


def _unit(text, start, end):
    return Unit(text[start:end], start, end, "Noun", True)


def test_membership_aligned_shared_and_whitespace_tokens():
    text = "송강호는 최고"
    #        tokens: 송강 | 호는 | ▁(space) | 최고
    segment = _segment(text, [(0, 2), (2, 4), (4, 5), (5, 7)])
    units = [_unit(text, 0, 3), _unit(text, 3, 4), _unit(text, 5, 7)]  # 송강호 / 는 / 최고
    weights = membership(units, segment)
    np.testing.assert_allclose(
        weights,
        [[1, 0.5, 0, 0],     # 송강호: all of 송강, half of 호는
         [0, 0.5, 0, 0],     # 는: the other half of 호는
         [0, 0, 1, 1]],      # 최고, and the lone space token joins the unit after it
    )


def test_tokens_outside_units_are_structural():
    text = "제목: 괴물"
    segment = _segment(text, [(0, 2), (2, 3), (4, 6)])
    weights = membership([_unit(text, 4, 6)], segment)
    np.testing.assert_allclose(weights, [[0, 0, 1]])


def test_merge_rule_rows_mean_columns_sum():
    block = np.array([[0.1, 0.2, 0.3], [0.3, 0.1, 0.2]])  # 2 review tokens × 3 target tokens
    rows = np.array([[1.0, 1.0]])                          # one review unit made of both tokens
    columns = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])  # target units: tokens {0,1} and {2}
    merged = merge(block, rows, columns)
    np.testing.assert_allclose(merged, [[(0.3 + 0.4) / 2, (0.3 + 0.2) / 2]])
    assert merged.sum() == np.mean(block.sum(axis=1))  # a row's total mass is kept


def test_subword_units_of_info_keep_their_field(tiny_bert):
    from moviattn.data import load_dataset
    from moviattn.explorer._compute.sequence import linearize_info, tokenize_segment

    info = linearize_info(load_dataset().movie("s001"))
    segment = tokenize_segment(tiny_bert.tokenizer, "info", identity_normalized(info.text))
    units = segment_units(segment, "subword", "okt", info=info)
    assert units and all(u.field is not None for u in units)
    assert not any(u.text in ("제목", "감독", ":", "/") for u in units)  # labels are structural
    assert {u.field for u in units} >= {"title", "director", "cast"}
