"""From sub-word tokens to the units people read: morphemes, eojeol or sub-words.

Tokens are assigned to units by character offsets. A token that overlaps
several units is shared between them in proportion to the characters it covers
(with aligned boundaries this is the plain rule). A whitespace-only token (a
lone SentencePiece ``▁``) joins the unit of the token after it; tokens that
cover no unit (info field labels and separators) are structural and not shown.

Merge rule: attention received by a unit is the sum over its tokens (columns);
attention sent by a unit is the mean over its tokens (rows).
"""

from __future__ import annotations

import numpy as np

from ...morphology import Unit, eojeol_units, morpheme_units
from .sequence import InfoText, Segment


def _subword_units(segment: Segment) -> list[Unit]:
    text = segment.text.text
    return [
        Unit(text[s:e], s, e, "Subword", any(c.isalnum() for c in text[s:e]))
        for s, e in segment.offsets
        if e > s and text[s:e].strip()
    ]


def _strip_unit(unit: Unit, text: str) -> Unit:
    """Tokenizer offsets can include a leading space; a unit never does."""
    start, end = unit.start, unit.end
    while start < end and text[start].isspace():
        start += 1
    return Unit(text[start:end], start, end, unit.tag, unit.content, unit.field) if start != unit.start else unit


def text_units(text: str, granularity: str, analyser: str) -> list[Unit]:
    """Units of a plain (normalised) text; sub-word units need a tokenised Segment instead."""
    if granularity == "morpheme":
        return morpheme_units(text, analyser)
    if granularity == "eojeol":
        return eojeol_units(text)
    raise ValueError(f"granularity {granularity!r} needs tokens; use segment_units")


def segment_units(segment: Segment, granularity: str, analyser: str, info: InfoText | None = None) -> list[Unit]:
    """Units of a segment; for the info segment, only units inside field values, tagged with their field."""
    if granularity == "subword":
        units = [_strip_unit(u, segment.text.text) for u in _subword_units(segment)]
    elif info is None:
        units = text_units(segment.text.text, granularity, analyser)
    else:  # analyse each field value on its own so no unit straddles a label
        units = []
        for field in info.fields:
            value_units = text_units(info.text[field.start : field.end], granularity, analyser)
            units.extend(u.shifted(field.start, field.name) for u in value_units)
    if info is not None and granularity == "subword":
        units = [
            Unit(u.text, u.start, u.end, u.tag, u.content, f.name)
            for u in units
            if (f := info.field_at(u.start, u.end)) is not None
        ]
    return units


def membership(units: list[Unit], segment: Segment) -> np.ndarray:
    """[units, tokens] weights: the share of each token that belongs to each unit (columns sum to 1 or 0)."""
    weights = np.zeros((len(units), len(segment)), dtype=np.float64)
    starts = np.array([u.start for u in units])
    ends = np.array([u.end for u in units])
    text = segment.text.text
    pending_whitespace: list[int] = []
    for t, (s, e) in enumerate(segment.offsets):
        if e <= s or not text[s:e].strip():
            pending_whitespace.append(t)
            continue
        overlap = np.clip(np.minimum(ends, e) - np.maximum(starts, s), 0, None).astype(np.float64)
        if overlap.sum() > 0:
            weights[:, t] = overlap / overlap.sum()
            for w in pending_whitespace:  # a lone ▁ joins the unit that follows it
                weights[:, w] = weights[:, t]
        pending_whitespace = []
    return weights


def merge(block: np.ndarray, row_weights: np.ndarray, column_weights: np.ndarray) -> np.ndarray:
    """Unit matrix: rows are the mean over a unit's tokens, columns the sum over its tokens."""
    row_totals = row_weights.sum(axis=1, keepdims=True)
    row_mean = np.divide(row_weights, row_totals, out=np.zeros_like(row_weights), where=row_totals > 0)
    return row_mean @ block @ column_weights.T
