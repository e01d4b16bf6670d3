"""Shared fixtures for the sentiment tests."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "nsmc" / "sentiment"


@pytest.fixture
def shared_data() -> Path:
    """The NSMC sentiment folder; tests using it skip where ``../shared`` is missing."""
    if not (SHARED_DATA / "test.tsv").exists():
        pytest.skip("../shared/data/nsmc/sentiment is not available")
    return SHARED_DATA
