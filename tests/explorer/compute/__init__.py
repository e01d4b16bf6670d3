"""Tests of ``moviattn.explorer._compute``."""
