"""Tests of ``moviattn.explorer._stats``."""
