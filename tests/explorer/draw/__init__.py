"""Tests of ``moviattn.explorer._draw``."""
