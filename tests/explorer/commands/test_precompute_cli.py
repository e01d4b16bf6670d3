"""``moviattn precompute`` resumes: a second run computes only the movies the file lacks (the command's own ``_explorer`` counted)."""

from __future__ import annotations

import json

import pytest

from moviattn import cli
from moviattn.explorer._commands import precompute as explorer_cli


@pytest.mark.slow
def test_precompute_writes_json_and_resumes(tiny_default_model, tmp_path, capsys, monkeypatch):
    out = tmp_path / "all.json"
    args = ["precompute", "--movies", "s001,s002", "--out", str(out), "--last-k", "2", "--granularity", "eojeol"]
    assert cli.main(args) == 0
    payload = json.loads(out.read_text(encoding="utf-8"))
    movie = payload["movies"]["s001"]
    assert set(movie) == {"movie", "aggregate", "reviews"}
    assert abs(sum(movie["aggregate"]["plot_share"]) - 1) < 1e-3
    review = movie["reviews"][0]
    assert len(review["plot_attention"]) == len(review["units"])
    # a second run with one more movie computes only the new one
    calls = []
    original = explorer_cli.cmd_precompute.__globals__["_explorer"]

    def counting_explorer(a):
        explorer = original(a)
        real = explorer.review_attentions
        explorer.review_attentions = lambda movie, *r, **k: calls.append(movie.id) or real(movie, *r, **k)
        return explorer

    monkeypatch.setitem(explorer_cli.cmd_precompute.__globals__, "_explorer", counting_explorer)
    assert cli.main([*args[:2], "s001,s002,s003", *args[3:]]) == 0
    assert calls == ["s003"]
    assert "resuming: 2 movies" in capsys.readouterr().err


@pytest.mark.slow
def test_precompute_keeps_review_dates_as_the_app_s_aggregate_does(tiny_default_model, tmp_path):
    """The file's aggregate is the one ``Explorer.aggregate_and_results`` builds: each kept review's date, not ``[]``."""
    from moviattn.data import load_dataset

    out = tmp_path / "one.json"
    assert cli.main(["precompute", "--movies", "s001", "--out", str(out), "--last-k", "2", "--granularity", "eojeol"]) == 0
    aggregate = json.loads(out.read_text(encoding="utf-8"))["movies"]["s001"]["aggregate"]
    dates = {r.id: r.date.isoformat() for r in load_dataset().reviews_of("s001")}
    assert aggregate["dates"] and aggregate["dates"] == [dates[rid] for rid in aggregate["review_ids"]]
