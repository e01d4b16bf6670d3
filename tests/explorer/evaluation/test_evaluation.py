"""The explanation-quality evaluation: exact metrics on hand-made cases, and the app's path end to end."""

from __future__ import annotations

import csv
import itertools

import numpy as np
import pytest

from moviattn.cli import main
from moviattn.data import load_dataset
from moviattn.explorer._compute.settings import Settings
from moviattn.explorer._evaluation import evaluation as ev
from moviattn.explorer._evaluation import grid_report
from moviattn.explorer._evaluation.quality import setting_key
from moviattn.explorer._run.pipeline import Explorer
from moviattn.morphology import Unit, is_available

# ---------------------------------------------------------------- ranks


def test_pair_metrics_plain_rank():
    # gold unit 2 has one unit above it: rank 2
    assert ev.pair_metrics(np.array([0.1, 0.5, 0.3, 0.2]), [2]).tolist() == [[0.0, 1.0, 0.5]]


def test_pair_metrics_is_filtered_other_gold_targets_do_not_compete():
    metrics = ev.pair_metrics(np.array([0.1, 0.5, 0.3, 0.2]), [1, 2])
    assert metrics.tolist() == [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]


def test_pair_metrics_rank_beyond_five():
    scores = np.arange(10, dtype=float)[::-1]  # unit 0 best, unit 9 worst
    assert ev.pair_metrics(scores, [6]).tolist() == [[0.0, 0.0, pytest.approx(1 / 7)]]


def test_ties_are_broken_at_random_exactly():
    # the gold ties with 3 others, one unit is above: rank uniform on 2..5
    scores = np.array([2.0, 1.0, 1.0, 1.0, 1.0, 0.0])
    (r1, r5, rr), = ev.pair_metrics(scores, [1])
    assert (r1, r5) == (0.0, 1.0)
    assert rr == pytest.approx(np.mean([1 / 2, 1 / 3, 1 / 4, 1 / 5]))


def test_constant_scores_give_the_random_expectation():
    for n, m in [(1, 1), (7, 1), (12, 3), (40, 2)]:
        gold = list(range(m))
        assert np.allclose(ev.pair_metrics(np.zeros(n), gold), ev.random_metrics(n, m))


@pytest.mark.parametrize("n,m", [(5, 1), (6, 2), (7, 3), (8, 1)])
def test_random_expectation_is_exact_over_all_orderings(n, m):
    gold = list(range(m))
    total = np.zeros((m, 3))
    orderings = list(itertools.permutations(range(n)))
    for order in orderings:
        total += ev.pair_metrics(np.array(order, dtype=float), gold)
    assert np.allclose(total / len(orderings), ev.random_metrics(n, m), atol=1e-12)


def test_random_expectation_single_gold_is_k_over_n_and_harmonic():
    r1, r5, mrr = ev.random_metrics(20, 1)[0]
    assert (r1, r5) == (1 / 20, 5 / 20)
    assert mrr == pytest.approx(sum(1 / r for r in range(1, 21)) / 20)


def test_baselines_rank_by_position_length_and_string():
    units = [_unit("그"), _unit("경찰서"), _unit("형사"), _unit("는", "Josa", False)]
    scores = ev._baseline_scores(units, [2])
    assert ev.pair_metrics(scores["position"], [2])[0, -1] == pytest.approx(1 / 3)
    assert ev.pair_metrics(scores["length"], [2])[0, -1] == pytest.approx(1 / 2)
    assert ev.pair_metrics(scores["string"], [2]).tolist() == [[1.0, 1.0, 1.0]]


# ---------------------------------------------------------------- mentions


def _unit(text: str, tag: str = "Noun", content: bool = True, field: str | None = None) -> Unit:
    return Unit(text, 0, len(text), tag, content, field)


def test_find_mentions_names_nouns_and_common_words():
    review = [_unit("송강호"), _unit("는", "Josa", False), _unit("연기"), _unit("영화"), _unit("하는", "Verb"), _unit("SF", "Alpha")]
    info = [_unit("봉준호", field="director"), _unit("송강호", field="cast"), _unit("sf", "Alpha", field="genres"), _unit("영화", field="title")]
    plot = [_unit("연기"), _unit("는", "Josa", False), _unit("연기"), _unit("영화"), _unit("하는", "Verb")]
    mentions = ev.find_mentions(review, info, plot, common=frozenset({"영화"}))
    assert mentions == [
        ev.Mention(0, "info", (1,)),
        ev.Mention(2, "plot", (0, 2)),
        ev.Mention(3, "info", (3,)),  # common words are skipped in the plot only
        ev.Mention(5, "info", (2,)),  # case-folded
    ]


def test_common_words_are_those_of_many_synopses():
    plots = [[_unit("영화"), _unit("소년")], [_unit("영화")], [_unit("영화"), _unit("바다")], [_unit("바다")]]
    assert ev.common_words(plots, share=0.5) == frozenset({"영화", "바다"})


@pytest.mark.skipif(not is_available("okt"), reason="Okt needs Java")
def test_okt_splits_particles_from_names():
    from moviattn.morphology import morpheme_units

    review = morpheme_units("송강호는 연기가 최고")
    mentions = ev.find_mentions(review, morpheme_units("송강호"), morpheme_units("형사의 연기"))
    assert [(review[m.row].text, m.segment) for m in mentions] == [("송강호", "info"), ("연기", "plot")]


# ---------------------------------------------------------------- grid, blocks, split


def test_every_grid_setting_has_its_own_key():
    grid = ev.settings_grid(3, 4)
    assert [setting_key(s, 3, 4) for _, s in grid] == [name for name, _ in grid]
    assert setting_key(Settings(layer_agg="single", layer=-1, head_agg="single", head=-1), 3, 4) == "L2/h3"


def test_blocks_cover_the_plot_with_equal_sizes():
    assert ev._blocks(5, 8) == [(0, 5)]
    assert ev._blocks(20, 8) == [(0, 8), (8, 16), (12, 20)]
    assert ev._blocks(16, 8) == [(0, 8), (8, 16)]


def test_best_block_ties_share_the_weight():
    assert ev._best_block(np.array([0, 1, 0, 1.0]), [(0, 2), (2, 4)]).tolist() == [0.5, 0.5]
    assert ev._best_block(np.array([0, 1, 0, 3.0]), [(0, 2), (2, 4)]).tolist() == [0.0, 1.0]


def test_split_is_fixed_and_balanced():
    ids = [str(i) for i in range(40)]
    a, b = ev.split_movies(ids)
    assert (len(a), len(b)) == (20, 20) and not set(a) & set(b)
    assert ev.split_movies(list(reversed(ids))) == (a, b)


# ---------------------------------------------------------------- the app's path


@pytest.fixture(scope="module")
def sample():
    return load_dataset()


def test_review_scores_match_what_the_app_shows(tiny_bert, sample):
    explorer = Explorer(tiny_bert)
    movie = sample.movie("s003")  # long synopsis: several windows
    text = sample.reviews_of("s003")[0].text
    base = Settings(granularity="eojeol")
    grid = [(n, s) for n, s in ev.settings_grid(3, 4, base) if n in ("L1/h2", "L0/max", "last2/mean", "rollout/mean", "mean/max")]
    item = explorer.prepared_review(movie, text, base)
    from moviattn.explorer._compute.attention import extract_attention

    maps = extract_attention(tiny_bert, item.encoded.windows, full=True)
    scores = ev.review_scores(maps, item, explorer.context(movie, base), grid)
    assert len(item.encoded.windows) > 1
    for (_, settings), got in zip(grid, scores):
        shown = explorer.review_attention(movie, text, settings)
        assert np.allclose(got.info, shown.info, atol=1e-6) and np.allclose(got.plot, shown.plot, atol=1e-6)


def test_evaluate_end_to_end(tiny_bert, sample):
    explorer = Explorer(tiny_bert)
    result = ev.evaluate(
        explorer, sample, ["s001", "s002"], base=Settings(granularity="eojeol"), limit_reviews=3, mentions_only=False
    )
    assert result.n_reviews == 6 and result.gains.shape == (6, len(result.names))
    metrics = result.metrics()
    names = result.names
    string, random = metrics[names.index("string")], metrics[names.index("random")]
    pairs = string[..., 0]
    assert pairs.sum() > 0
    assert np.all(string[pairs > 0, 1:] == 1.0)  # the string match is the ceiling
    assert np.all(random[pairs > 0, 1:] < 1.0)
    assert np.allclose(result.gains[:, names.index("random")], 0.0)  # exact expectation: no gain
    text, rows, chosen = grid_report.grid_tables(result)
    assert "random" in text and set(chosen) == {"A", "B"}
    assert all(row["head_agg"] in ("mean", "max") and row["layer_agg"] != "single" for row in chosen.values())
    assert {r["setting"] for r in rows} >= {"L0/h0", "rollout/mean", "last2/max", "position", "string"}


def test_cli_evaluate_writes_the_table(tiny_bert, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr("moviattn.models.load_model", lambda *a, **k: tiny_bert)
    out, quality = tmp_path / "table.csv", tmp_path / "quality.csv"
    code = main([
        "evaluate", "--movies", "s001", "--limit-reviews", "2", "--all-reviews", "--no-deletion", "--no-cache",
        "--granularity", "eojeol", "--last-k", "2", "--out", str(out), "--quality-out", str(quality),
    ])
    assert code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {"L2/h3", "mean/mean", "rollout/max", "random", "position", "string"} <= {r["setting"] for r in rows}
    assert "unit_plot_r5" in next(csv.DictReader(quality.open(encoding="utf-8")))
    assert "wrote" in capsys.readouterr().out


def test_cli_evaluate_unknown_movie_is_one_line(tiny_bert, monkeypatch, capsys):
    monkeypatch.setattr("moviattn.models.load_model", lambda *a, **k: tiny_bert)
    assert main(["evaluate", "--movies", "nope", "--no-deletion", "--no-cache", "--last-k", "2"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "unknown movie id 'nope'" in err and "Traceback" not in err
