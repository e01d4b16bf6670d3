"""``feedback simulate / evaluate / stats / export`` on one --db, through the root CLI."""

from __future__ import annotations

import csv

from moviattn.cli import main


def test_simulate_then_evaluate_stats_and_export(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'f.sqlite3'}"
    main(["feedback", "simulate", "--visitors", "30", "--db", url])
    table = capsys.readouterr().out
    assert "| thompson |" in table and "| static |" in table and "estimator bias" in table
    main(["feedback", "evaluate", "--db", url])
    assert "simulated | thompson | static |" in capsys.readouterr().out
    main(["feedback", "stats", "--db", url])
    assert "slates: 60" in capsys.readouterr().out
    main(["feedback", "export", "--format", "csv", "--out", str(tmp_path / "log.csv"), "--db", url])
    with (tmp_path / "log.slates.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 60 and all(r["diary_text"] == "" for r in rows)
