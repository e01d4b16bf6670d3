"""``moviattn aggregate`` and ``evaluate --aggregate`` on a tiny model: empty groups say so, exports match."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from moviattn import cli
from moviattn.explorer._compute.settings import Settings
from moviattn.explorer._evaluation.aggregate_tables import report_rows
from moviattn.explorer._evaluation.evaluation_aggregate import APP_DEFAULT, BASELINES, VIEWS, collect, cross_validate
from moviattn.explorer._run.pipeline import Explorer
from moviattn.explorer._stats.groups import EMPTY_GROUP
from moviattn.explorer._stats.words import LEADING_CLASSES


@pytest.fixture
def tiny_cli(tiny_bert, monkeypatch, tmp_path):
    monkeypatch.setattr("moviattn.models.load_model", lambda *a, **k: tiny_bert)
    monkeypatch.setenv("MOVIATTN_CACHE", str(tmp_path / "cache"))
    return tiny_bert


@pytest.fixture
def positive_only(tmp_path):
    """One movie whose three reviews are all positive: the negative group is empty, the positive one thin."""
    folder = tmp_path / "data"
    (folder / "reviews").mkdir(parents=True)
    movie = {"movie_id": "m1", "title_kr": "괴물", "year": 2006, "director": ["봉준호"], "genres": ["드라마"], "cast": ["송강호"],
             "country": ["한국"], "synopsis": "한강에 괴물이 나타나 딸을 잡아간다. 가족이 딸을 찾아 나선다."}
    (folder / "movies.json").write_text(json.dumps([movie], ensure_ascii=False), encoding="utf-8")
    reviews = [{"review": "송강호 연기 최고", "rating": "10", "date": "06.07.27", "review_id": "1"},
               {"review": "괴물 정말 무섭다", "rating": "9", "date": "07.01.02", "review_id": "2"},
               {"review": "가족 이야기 감동", "rating": "10", "date": "08.03.04", "review_id": "3"}]
    (folder / "reviews" / "m1.json").write_text(json.dumps(reviews, ensure_ascii=False), encoding="utf-8")
    return folder


def test_aggregate_command_prints_and_exports_empty_groups(tiny_cli, positive_only, tmp_path, capsys):
    out_json, out_csv = tmp_path / "agg.json", tmp_path / "agg.csv"
    args = ["aggregate", "--data", str(positive_only), "--movie", "m1", "--granularity", "eojeol", "--score", "share",
            "--json", str(out_json), "--csv", str(out_csv)]
    assert cli.main(args) == 0
    text = capsys.readouterr().out
    assert f"({EMPTY_GROUP})" in text and "thin" in text and "by period" in text
    summary = json.loads(out_json.read_text(encoding="utf-8"))
    assert summary["groups"]["negative"]["note"] == EMPTY_GROUP and summary["groups"]["negative"]["count"] == 0
    assert summary["groups"]["positive"]["thin"] and summary["difference"]["note"] == EMPTY_GROUP
    assert [p["label"] for p in summary["periods"]] == ["2006", "2007", "2008"]
    shown = summary["groups"]["all"]["plot_words"]
    assert shown and all(w["lift"] is not None for w in shown)
    table = pd.read_csv(out_csv)
    assert table["share_negative"].isna().all() and not table["share_all"].isna().any()
    first = table[(table.segment == "plot") & (table.word == shown[0]["word"])].iloc[0]
    assert first.share_all == pytest.approx(shown[0]["share"]) and first.lift_all == pytest.approx(shown[0]["lift"])
    # a second run refuses nothing of its own and refuses other files
    (tmp_path / "other.json").write_text("[1]", encoding="utf-8")
    assert cli.main([*args[:-4], "--json", str(tmp_path / "other.json")]) != 0


@pytest.mark.slow
def test_evaluate_aggregate_cross_validates_every_view_on_a_tiny_model(tiny_bert):
    from moviattn import load_dataset

    data = load_dataset()
    explorer = Explorer(tiny_bert)
    movies = list(data.movies)[:3]
    evidence = collect(explorer, data, movies, Settings(granularity="eojeol"), limit_reviews=4)
    assert [e.movie.id for e in evidence] == movies and all(e.drops is not None and len(e.drops) == 4 for e in evidence)
    result = cross_validate(evidence, n_folds=3)
    assert sorted(m for fold in result.folds for m in fold.test_movies) == sorted(movies)
    string = result.overall["string"]
    assert string.plot_pairs == 0 or string.plot_r5 == 1.0  # the literal ceiling finds every mention
    assert result.overall["random"].gain == pytest.approx(0.0, abs=1e-9)
    assert set(result.overall) == {v.name for v in VIEWS} | set(BASELINES)
    rows = report_rows(result, tiny_bert.name)
    defaults = [r for r in rows if r["scope"] == "all" and r["default"]]
    assert [r["setting"] for r in defaults] == [APP_DEFAULT.name]
    assert {r["scope"] for r in rows} == {"all", "fold 1", "fold 2", "fold 3"}
    assert {r["rule"] for r in rows} == {"shipped"} and all(f.leading == LEADING_CLASSES for f in result.folds)
    learned = cross_validate(evidence, n_folds=3, rule="learned")  # 3 movies: thinner than the shipped rule's 40
    assert all(fold.leading >= LEADING_CLASSES for fold in learned.folds)
    assert {r["rule"] for r in report_rows(learned, tiny_bert.name)} == {"learned"}


def test_evaluate_aggregate_command_marks_the_default_row(tiny_cli, positive_only, tmp_path, capsys):
    out = tmp_path / "evaluation.csv"
    assert cli.main(["evaluate", "--aggregate", "--data", str(positive_only), "--granularity", "eojeol", "--out", str(out)]) == 0
    assert "review-level recall@5 is lost" in capsys.readouterr().out  # the breakdown follows the report
    table = pd.read_csv(out)
    assert table[table["default"] == True]["setting"].tolist() == [f"attention/{APP_DEFAULT.name}"] * 2  # noqa: E712 (all, fold 1)
    assert set(table["scope"]) == {"all", "fold 1"} and set(table["rule"]) == {"shipped"}  # the app's rule by default
    assert cli.main(["evaluate", "--aggregate", "--rule", "learned", "--data", str(positive_only), "--granularity", "eojeol",
                     "--out", str(tmp_path / "learned.csv")]) == 0
    assert set(pd.read_csv(tmp_path / "learned.csv")["rule"]) == {"learned"}
