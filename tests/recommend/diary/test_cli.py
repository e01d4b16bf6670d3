"""``diary`` sub-commands through a parser built with ``register`` (the main CLI adds the same line)."""

from __future__ import annotations

import argparse

import pytest

from moviattn.recommend.diary import cli


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="moviattn")
    cli.register(parser.add_subparsers(dest="command", required=True))
    return parser


def test_commands_parse():
    args = _parser().parse_args(["diary", "recommend", "오늘은 기뻤다", "--mode", "a", "--model2", "random_forest+embedding"])
    assert args.run is cli._recommend and args.text == "오늘은 기뻤다" and args.mode == "a" and args.k == 3
    assert _parser().parse_args(["diary", "train", "--seed", "3"]).run is cli._train
    assert _parser().parse_args(["diary", "evaluate"]).run is cli._evaluate


def test_bad_choices_are_refused(capsys):
    with pytest.raises(SystemExit):
        _parser().parse_args(["diary", "recommend", "오늘", "--mode", "z"])
    assert "invalid choice: 'z'" in capsys.readouterr().err


def test_recommend_prints_movies(monkeypatch, capsys, tiny_recommender, tiny_catalogue):
    import moviattn.data
    import moviattn.recommend.diary as diary

    monkeypatch.setattr(diary, "shipped_recommender", lambda model="offline": tiny_recommender)
    monkeypatch.setattr(moviattn.data, "load_dataset", lambda folder=None: tiny_catalogue)
    args = _parser().parse_args(["diary", "recommend", "오늘은 슬펐다. 눈물이 났다.", "--mode", "a"])
    args.run(args)
    out = capsys.readouterr().out
    assert "emotions (model1):" in out and "sadness" in out and "top 3 (mode a" in out and out.count("genres:") == 3
