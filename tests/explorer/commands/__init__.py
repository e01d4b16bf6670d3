"""Tests of ``moviattn.explorer._commands``."""
