"""The ``aspects`` commands on the shipped sample (profiles computed into a temporary cache)."""

from __future__ import annotations

import pytest

from moviattn.cli import main


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MOVIATTN_CACHE", str(tmp_path))


def test_converse_prints_each_turn(capsys):
    assert main(["aspects", "converse", "--data", "sample", "인터스텔라 정말 최고였어", "1", "처음", "<b>없는 영화</b> 별로"]) == 0
    out = capsys.readouterr().out
    assert out.count("you> ") == 4 and out.count("bot> ") == 4
    assert "'인터스텔라'이(가) 좋았군요" in out and "처음부터 다시" in out and "없는 영화예요" in out


def test_inventory_and_profile(capsys):
    assert main(["aspects", "inventory"]) == 0
    assert "| 스토리 |" in capsys.readouterr().out
    assert main(["aspects", "profile", "--data", "sample", "인터스텔라"]) == 0
    assert "인터스텔라 [s003]" in capsys.readouterr().out


def test_an_unknown_movie_is_one_line(capsys):
    assert main(["aspects", "profile", "--data", "sample", "아바타"]) == 2
    assert capsys.readouterr().err.startswith("error: ")
