"""Bulk precompute: ``datasets.map`` gives the explorer's own shares; an interrupted precompute resumes."""

from __future__ import annotations

import json

import numpy as np
import pytest

from moviattn import cli
from moviattn.data import load_dataset
from moviattn.explorer._compute.settings import Settings
from moviattn.explorer._run.bulk import map_attention_shares
from moviattn.explorer._run.cache import ResultCache
from moviattn.explorer._run.pipeline import Explorer

DATA = load_dataset()
SETTINGS = Settings(last_k=2, granularity="eojeol")


def test_datasets_map_gives_the_same_shares_as_movie_aggregate(tiny_bert):
    datasets = pytest.importorskip("datasets")
    rows = [
        {"movie_id": movie_id, "review": review.text, "rating": review.rating}
        for movie_id in ("s001", "s006")
        for review in DATA.reviews_of(movie_id)[:6]
    ]
    rows.insert(3, {"movie_id": "s001", "review": "😀😀", "rating": None})  # cannot be analysed
    explorer = Explorer(tiny_bert, batch_size=4)
    mapped = map_attention_shares(datasets.Dataset.from_list(rows), explorer, DATA.movies, SETTINGS, batch_size=5)
    assert mapped[3]["skipped"] and mapped[3]["info_share"] == []
    for movie_id in ("s001", "s006"):
        reviews = DATA.reviews_of(movie_id)[:6]
        expected = Explorer(tiny_bert).movie_aggregate(DATA.movie(movie_id), reviews, SETTINGS)
        got = [row for row in mapped if row["movie_id"] == movie_id and not row["skipped"]]
        expected_rows = [i for i, r in enumerate(reviews) if r.id in expected.review_ids]
        assert len(got) == len(expected_rows)
        np.testing.assert_allclose([row["plot_share"] for row in got], expected.plot_per_review, atol=1e-6)
        np.testing.assert_allclose([row["info_share"] for row in got], expected.info_per_review, atol=1e-6)


@pytest.mark.slow
def test_interrupted_precompute_resumes_without_recomputing(tiny_bert, tmp_path, monkeypatch):
    monkeypatch.setattr("moviattn.models.load_model", lambda *a, **k: tiny_bert)
    monkeypatch.setenv("MOVIATTN_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "all.json"
    args = ["precompute", "--movies", "s001,s002,s003", "--out", str(out), "--last-k", "2", "--granularity", "eojeol"]
    computed: list[int] = []
    real = Explorer._compute

    def interrupted_in_the_second_movie(self, context, prepared, settings):
        if context.info_text.text.startswith("제목: " + DATA.movie("s002").title_kr) and sum(computed) >= 24:
            raise KeyboardInterrupt  # Ctrl-C part-way through the second movie
        computed.append(len(prepared))
        return real(self, context, prepared, settings)

    monkeypatch.setattr(Explorer, "_compute", interrupted_in_the_second_movie)
    with pytest.raises(KeyboardInterrupt):
        cli.main(args)
    assert list(json.loads(out.read_text(encoding="utf-8"))["movies"]) == ["s001"]  # whole, valid JSON
    done_before = sum(computed)
    assert 20 < done_before < 40  # s001 (20 reviews) and part of s002

    computed.clear()
    monkeypatch.setattr(Explorer, "_compute", lambda self, *a: computed.append(len(a[1])) or real(self, *a))
    assert cli.main(args) == 0
    assert list(json.loads(out.read_text(encoding="utf-8"))["movies"]) == ["s001", "s002", "s003"]
    # s001 is not touched again; s002's reviews computed before the interruption come from the cache
    assert sum(computed) == 40 - (done_before - 20)


def test_cached_movie_needs_no_model(tiny_bert, tmp_path, monkeypatch):
    explorer = Explorer(tiny_bert, ResultCache(tmp_path), batch_size=8)
    movie, reviews = DATA.movie("s002"), DATA.reviews_of("s002")
    first = explorer.movie_aggregate(movie, reviews, SETTINGS)
    monkeypatch.setattr("moviattn.explorer._run.pipeline.window_matrices", lambda *a, **k: pytest.fail("model was run"))
    again = Explorer(tiny_bert, ResultCache(tmp_path)).movie_aggregate(movie, reviews, SETTINGS)
    np.testing.assert_array_equal(first.plot_per_review, again.plot_per_review)
