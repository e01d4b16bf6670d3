"""``python -m moviattn``: show, precompute (with resume), and clean errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from moviattn import cli
from moviattn.explorer import cli as explorer_cli
from moviattn.models import load_model


@pytest.fixture
def tiny_default_model(tiny_bert, monkeypatch, tmp_path):
    """Route the CLI's model loading to the tiny model and the cache to a temp folder."""
    monkeypatch.setattr("moviattn.models.load_model", lambda *a, **k: tiny_bert)
    monkeypatch.setenv("MOVIATTN_CACHE", str(tmp_path / "cache"))
    return tiny_bert


def test_show_writes_both_heatmaps(tiny_default_model, tmp_path, capsys):
    code = cli.main(["show", "--movie", "s001", "--review", "1", "--out-dir", str(tmp_path), "--last-k", "2"])
    assert code == 0
    assert (tmp_path / "s001_1_info.png").exists() and (tmp_path / "s001_1_plot.png").exists()
    assert "director" in capsys.readouterr().out


def test_cached_context_method_is_selectable_and_recorded(tiny_default_model, tmp_path):
    out = tmp_path / "all.json"
    args = ["precompute", "--movies", "s001", "--out", str(out), "--method", "cached_context", "--granularity", "eojeol", "--no-cache"]
    assert cli.main(args) == 0
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert payload["method"] == "cached_context"
    assert abs(sum(payload["movies"]["s001"]["aggregate"]["plot_share"]) - 1) < 1e-3


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


@pytest.mark.parametrize(
    "argv, message",
    [
        (["show", "--movie", "nope"], "unknown movie id 'nope'"),
        (["show", "--movie", "s001", "--text", "😀😀", "--last-k", "2"], "no text to analyse"),
        (["movies", "--data", "/nonexistent"], "dataset folder not found"),
    ],
)
def test_user_errors_are_one_line(tiny_default_model, capsys, argv, message):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_module_entry_point_lists_movies():
    result = subprocess.run([sys.executable, "-m", "moviattn", "movies"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "살인의 추억 (2003)" in result.stdout


def test_unknown_model_without_fallback_is_a_clear_error():
    from moviattn.offline_model import ModelLoadError

    with pytest.raises(ModelLoadError, match="cannot load 'no-such/model-xyz'"):
        load_model("no-such/model-xyz", allow_fallback=False)
