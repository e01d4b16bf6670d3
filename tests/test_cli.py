"""``python -m moviattn``: show, precompute (with resume), and clean errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from moviattn import cli
from moviattn.models import load_model

#: The checkout, for subprocesses run from another folder (the package need not be installed).
REPO = str(__import__("pathlib").Path(__file__).resolve().parents[1])


@pytest.mark.slow
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


@pytest.mark.slow
def test_module_entry_point_lists_movies():
    result = subprocess.run([sys.executable, "-m", "moviattn", "movies"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "살인의 추억 (2003)" in result.stdout


def test_unknown_model_without_fallback_is_a_clear_error():
    from moviattn.offline_model import ModelLoadError

    with pytest.raises(ModelLoadError, match="cannot load 'no-such/model-xyz'"):
        load_model("no-such/model-xyz", allow_fallback=False)


# ---------------------------------------------------------------- writing commands and interrupts


@pytest.mark.slow
def test_precompute_refuses_to_overwrite_other_files(tiny_default_model, tmp_path, capsys):
    """Defect 4: a file that is not a previous precompute output is kept unless --force; resume still works."""
    args = ["precompute", "--movies", "s001", "--last-k", "2", "--granularity", "eojeol"]
    for name, content in (("notes.txt", "my notes\n"), ("other.json", '{"a": 1}')):
        target = tmp_path / name
        target.write_text(content, encoding="utf-8")
        assert cli.main([*args, "--out", str(target)]) == 2
        assert target.read_text(encoding="utf-8") == content
        assert "--force" in capsys.readouterr().err
    own = tmp_path / "all.json"
    assert cli.main([*args, "--out", str(own)]) == 0
    assert cli.main([*args[:2], "s001,s002", *args[3:], "--out", str(own)]) == 0  # resume onto its own output
    assert set(json.loads(own.read_text(encoding="utf-8"))["movies"]) == {"s001", "s002"}
    assert cli.main([*args, "--out", str(tmp_path / "other.json"), "--force"]) == 0
    assert "movies" in json.loads((tmp_path / "other.json").read_text(encoding="utf-8"))


def test_show_and_evaluate_refuse_to_overwrite_other_files(tiny_default_model, tmp_path, capsys):
    (tmp_path / "s001_0_info.png").write_text("not a picture", encoding="utf-8")
    assert cli.main(["show", "--movie", "s001", "--out-dir", str(tmp_path), "--last-k", "2"]) == 2
    assert (tmp_path / "s001_0_info.png").read_text(encoding="utf-8") == "not a picture"
    notes = tmp_path / "notes.csv"
    notes.write_text("mine\n", encoding="utf-8")
    assert cli.main(["evaluate", "--movies", "s001", "--out", str(notes), "--limit-reviews", "1", "--no-deletion"]) == 2
    assert notes.read_text(encoding="utf-8") == "mine\n" and "--force" in capsys.readouterr().err


def test_show_takes_review_or_text_not_both(capsys):
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["show", "--movie", "s001", "--review", "2", "--text", "좋다"])
    assert "not allowed with" in capsys.readouterr().err


def test_help_shows_defaults(capsys):
    with pytest.raises(SystemExit):
        cli.main(["precompute", "--help"])
    assert "(default: qk)" in capsys.readouterr().out


def test_an_unwritable_out_dir_is_one_line(tiny_default_model, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert cli.main(["show", "--movie", "s001", "--out-dir", str(blocker / "sub"), "--last-k", "2"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow
@pytest.mark.skipif(__import__("shutil").which("java") is None, reason="no Java runtime: the analyser's JVM is not started")
def test_ctrl_c_ends_cleanly_with_one_line(tiny_bert, tmp_path):
    """Defect 5: SIGINT during precompute (Okt running in the JVM) exits 130 with one line: no JVM crash, no hs_err file."""
    import shutil
    import signal
    import time

    from moviattn.data import SAMPLE_DATA_DIR

    tiny_bert.model.save_pretrained(tmp_path / "tiny")
    tiny_bert.tokenizer.save_pretrained(tmp_path / "tiny")
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DATA_DIR, data)
    for path in (data / "reviews").glob("*.json"):  # many reviews, so the run is still going when interrupted
        path.write_text(json.dumps(json.loads(path.read_text(encoding="utf-8")) * 30, ensure_ascii=False), encoding="utf-8")
    env = {**__import__("os").environ, "MOVIATTN_CACHE": str(tmp_path / "cache"), "HF_HUB_OFFLINE": "1", "PYTHONPATH": REPO}
    process = subprocess.Popen(
        [sys.executable, "-m", "moviattn", "precompute", "--data", str(data), "--model", str(tmp_path / "tiny"),
         "--out", str(tmp_path / "out.json"), "--no-cache", "--precision", "auto"],  # the fast mode: the first movie comes soon
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 180
    while not (tmp_path / "out.json").exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)  # the first movie is written: the JVM is up and analysing the next one
    time.sleep(1)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    lines = [line for line in err.splitlines() if line.strip() and "precompute:" not in line and "notice:" not in line]
    assert process.returncode == 130, err[-2000:]
    assert lines and lines[-1].startswith("interrupted") and sum("interrupted" in line for line in lines) == 1, err[-2000:]
    assert "SIGSEGV" not in out + err and "fatal error" not in out + err and "Traceback" not in err
    assert not list(tmp_path.glob("hs_err_pid*.log"))
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["movies"]  # what was written is intact


@pytest.mark.slow
@pytest.mark.skipif(__import__("shutil").which("java") is None, reason="no Java runtime: the analyser's JVM is not started")
def test_sigterm_after_the_analyser_ran_leaves_no_jvm_crash(tmp_path):
    """A server stopped with SIGTERM (what `docker stop` and our benchmarks send): no hs_err file, no banner."""
    code = "from moviattn.morphology import pos_tags; pos_tags('송강호 연기 최고'); print('ready', flush=True); import time; time.sleep(120)"
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=tmp_path, env={**__import__("os").environ, "PYTHONPATH": REPO},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stdout.readline().strip() == "ready"
    process.terminate()
    _, err = process.communicate(timeout=120)
    assert process.returncode == -15 and "fatal error" not in err and not list(tmp_path.glob("hs_err_pid*.log"))
