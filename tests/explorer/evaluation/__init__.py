"""Tests of ``moviattn.explorer._evaluation``."""
