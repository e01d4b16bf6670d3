"""The app's one-line quality note, read from the shipped evaluation table."""

from __future__ import annotations

from dataclasses import replace

from moviattn.explorer._compute.settings import Settings
from moviattn.explorer._evaluation import quality
from moviattn.offline_model import OFFLINE_MODEL_ID


def test_quality_note_for_the_shipped_table():
    note = quality.quality_note(Settings(), OFFLINE_MODEL_ID)
    assert note is not None and "%" in note and "무작위" in note
    assert "ERASER" in note and "\n" not in note  # the faithfulness measures of the same setting, on the same line
    assert quality.quality_note(Settings(), "some/other-model") is None
    assert quality.quality_note(replace(Settings(), granularity="eojeol"), OFFLINE_MODEL_ID) is None


def test_aggregate_quality_note_for_the_shipped_table():
    note = quality.aggregate_quality_note(Settings(), "lift", OFFLINE_MODEL_ID)
    assert note is not None and "%" in note and "무작위" in note and "deletion" in note
    assert quality.aggregate_quality_note(Settings(), "lift", "some/other-model") is None
    assert quality.aggregate_quality_note(replace(Settings(), granularity="eojeol"), "lift", OFFLINE_MODEL_ID) is None
