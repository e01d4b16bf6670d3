"""One lookup helper for every name table, and the configuration read from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from moviattn import paths
from moviattn.errors import USER_ERRORS, user_message
from moviattn.registry import UnknownChoice, choose


def test_choose_from_a_mapping_or_a_sequence():
    assert choose("scale", "log", {"linear": 1, "log": 2}) == 2
    assert choose("scale", "log", ("linear", "log")) == "log"
    with pytest.raises(UnknownChoice, match=r"unknown scale 'x'; choose one of linear, log") as caught:
        choose("scale", "x", ("linear", "log"))
    assert isinstance(caught.value, USER_ERRORS) and caught.value.choices == ("linear", "log")
    assert user_message(caught.value) == str(caught.value)


def test_environment_variables_mean_the_same_everywhere(monkeypatch, tmp_path):
    monkeypatch.setenv("MOVIATTN_CACHE", str(tmp_path))
    monkeypatch.setenv("MOVIATTN_DATA", "/some/data")
    monkeypatch.setenv("MOVIATTN_MODEL", "offline")
    assert paths.cache_dir("results") == tmp_path / "results"
    assert (paths.default_data_dir(), paths.default_model()) == ("/some/data", "offline")
    for name in ("MOVIATTN_CACHE", "MOVIATTN_DATA", "MOVIATTN_MODEL"):
        monkeypatch.delenv(name)
    assert paths.cache_dir() == Path.home() / ".cache" / "moviattn"
    assert (paths.default_data_dir(), paths.default_model()) == (str(paths.SAMPLE_DATA_DIR), paths.DEFAULT_MODEL)


def test_cli_defaults_follow_the_environment(monkeypatch):
    from moviattn.cli import build_parser

    monkeypatch.setenv("MOVIATTN_MODEL", "offline")
    monkeypatch.setenv("MOVIATTN_DATA", "/some/data")
    args = build_parser().parse_args(["show", "--movie", "s001"])
    assert (args.model, args.data) == ("offline", "/some/data")
