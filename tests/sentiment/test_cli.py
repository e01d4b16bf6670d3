"""The sentiment CLI's writing commands refuse an --out that is not their own earlier output."""

from __future__ import annotations

import json

import pytest

from moviattn import cli
from moviattn.errors import DataError
from moviattn.sentiment.artifacts import WEIGHTS_DIR
from moviattn.sentiment.cli import TRAIN_REPORT, VECTORS_REPORT, check_out_folder


@pytest.mark.parametrize("command", ["train", "train-vectors"])
def test_writing_commands_refuse_foreign_outputs_before_any_work(tmp_path, capsys, command):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes", encoding="utf-8")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "metrics.json").write_text('{"unrelated": 1}', encoding="utf-8")
    (folder / "seed003.json").write_text("[1, 2]", encoding="utf-8")
    for out in (notes, tmp_path, folder):  # a file, a folder of other things, a folder with foreign reports
        assert cli.main(["sentiment", command, "--out", str(out), "--data", str(tmp_path / "no-data")]) == 2
        assert "--force" in capsys.readouterr().err
    assert notes.read_text(encoding="utf-8") == "my notes"
    assert json.loads((folder / "metrics.json").read_text(encoding="utf-8")) == {"unrelated": 1}


def test_own_outputs_new_folders_and_force_are_accepted(tmp_path):
    check_out_folder(WEIGHTS_DIR, False, [VECTORS_REPORT, TRAIN_REPORT], "x")  # the shipped artefacts: a previous output
    check_out_folder(tmp_path / "new", False, [TRAIN_REPORT], "x")
    check_out_folder(tmp_path, False, [TRAIN_REPORT], "x")  # empty
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(DataError, match="not empty"):
        check_out_folder(tmp_path, False, [TRAIN_REPORT], "x")
    check_out_folder(tmp_path, True, [TRAIN_REPORT], "x")
