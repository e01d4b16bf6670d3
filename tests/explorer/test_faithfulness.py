"""The explorer's ERASER measures: plot variants, baselines, the choice rule, one run on a tiny model."""

from __future__ import annotations

import math

import numpy as np

from moviattn.data import load_dataset
from moviattn.explorer import faithfulness as ef
from moviattn.explorer.pipeline import Explorer
from moviattn.explorer.settings import Settings
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


def test_run_on_a_tiny_model_embeds_each_plot_variant_once(tiny_bert, monkeypatch):
    sample = load_dataset()
    asked = []
    real_kept_text = ef.kept_text
    monkeypatch.setattr(ef, "kept_text", lambda text, units, kept: asked.append(tuple(kept.tolist())) or real_kept_text(text, units, kept))
    result = ef.run(Explorer(tiny_bert), sample, ["s001"], n_reviews=2, base=Settings(granularity="eojeol"))
    assert asked and len(asked) == len(set(asked))  # leave-one-out variants are shared by both reviews and the aggregate
    assert result.n_reviews == 2 and {k[0] for k in result.items} == set(ef.SCOPES)
    table = result.table()
    for key, row in table.items():
        assert set(row) == {"aopc_compr", "aopc_suff", "taucorr_loo"}
    assert math.isnan(table[("review", "uniform")]["taucorr_loo"][0])  # a constant explanation has no τ
    assert len(result.items[("aggregate", "attention")]) == 1 and len(result.items[("review", "attention")]) == 2
