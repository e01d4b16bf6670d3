"""Tests of ``moviattn.explorer._results``."""
