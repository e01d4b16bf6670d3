"""Tests of ``moviattn.explorer._run``."""
