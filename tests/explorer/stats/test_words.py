"""Words as a reader counts them: names as one item, lemmas, the leading rule, what stands out."""

from __future__ import annotations

import numpy as np
import pytest

from moviattn.explorer._compute.sequence import identity_normalized
from moviattn.explorer._compute.settings import Settings
from moviattn.explorer._results.movie_aggregate import MovieAggregate
from moviattn.explorer._results.review import ReviewAttention
from moviattn.explorer._stats.segment_words import group_words
from moviattn.explorer._stats.words import (
    LEADING_CLASSES,
    LEADING_EVIDENCE_MOVIES,
    NOTHING_STANDS_OUT,
    class_lifts,
    info_items,
    is_filler,
    leading_classes_for,
    learn_leading_classes,
    lift_intervals,
    unit_lemmas,
    word_class,
)
from moviattn.morphology import Unit, is_available, morpheme_units

#: 출연: 매튜 맥커너히, 앤 해서웨이 as the analyser splits it: syllables, a comma between the names.
CAST = [Unit("매", 0, 1, "Noun", True, "cast"), Unit("튜", 1, 2, "Noun", True, "cast"), Unit("맥", 3, 4, "Noun", True, "cast"),
        Unit("커", 4, 5, "Noun", True, "cast"), Unit("너히", 5, 7, "Noun", True, "cast"), Unit(",", 7, 8, "Punctuation", False, "cast"),
        Unit("앤", 9, 10, "Noun", True, "cast"), Unit("해서웨이", 11, 15, "Noun", True, "cast")]
INFO = [Unit("인터스텔라", 20, 25, "Noun", True, "title"), *CAST, Unit("미국", 30, 32, "Noun", True, "country")]


def test_a_multi_syllable_cast_name_is_one_item_with_the_sum_of_its_units():
    items = info_items(INFO)
    assert [(i.field, i.text) for i in items] == [("title", "인터스텔라"), ("cast", "매튜 맥커너히"), ("cast", "앤 해서웨이"), ("country", "미국")]
    info = np.arange(1, 2 * len(INFO) + 1, dtype=float).reshape(2, len(INFO))  # 2 review units × info units
    result = ReviewAttention(
        identity_normalized("a b"), identity_normalized(""), "", [Unit("a", 0, 1, "Noun", True), Unit("b", 2, 3, "Noun", True)],
        INFO, [], info, np.zeros((2, 0)), 1, Settings(), "m",
    )
    items_view = result.by_item()
    assert [u.text for u in items_view.info_units] == ["인터스텔라", "매튜 맥커너히", "앤 해서웨이", "미국"]
    np.testing.assert_allclose(items_view.info[:, 1], info[:, 1:6].sum(axis=1))  # 매 튜 맥 커 너히: one column, their sum
    np.testing.assert_allclose(items_view.info[:, 2], info[:, 7:9].sum(axis=1))  # the comma belongs to no name


def test_the_aggregate_ranks_info_items_not_syllables():
    share = np.full(len(INFO), 0.5 / len(INFO))
    share[1:6] = 0.1  # the five units of 매튜 맥커너히
    share /= share.sum()
    aggregate = MovieAggregate("m", INFO, [], ["r"], [10], share[None, :], np.zeros((1, 0)),
                               info_reference=np.full(len(INFO), 1 / len(INFO)), plot_reference=np.zeros(0))
    top = aggregate.top_words("info", 1, score="share")[0]
    assert top.word.text == "매튜 맥커너히" and top.share == pytest.approx(share[1:6].sum())


@pytest.mark.skipif(not is_available("okt"), reason="Okt needs a Java runtime")
def test_okt_lemmas_group_inflected_forms():
    text = "그는 한다. 건물이 무너져 내리고 무너지는 소리를 듣고 했다."
    units = morpheme_units(text, "okt")
    lemmas = dict(zip((u.text for u in units), unit_lemmas(units, text, "okt")))
    assert lemmas["한다"] == lemmas["했다"] == "하다"
    assert lemmas["무너져"] == lemmas["무너지는"] == "무너지다"
    assert lemmas["건물"] == "건물" and lemmas["."] == "."
    words = group_words(units, "content", unit_lemmas(units, text, "okt"))
    fall = next(w for w in words if w.lemma == "무너지다")
    assert len(fall.positions) == 2 and fall.text in ("무너지다 (무너져)", "무너지다 (무너지는)")


@pytest.mark.skipif(not is_available("kiwi"), reason="kiwipiepy is not installed")
def test_kiwi_lemmas_group_inflected_forms():
    text = "건물이 무너져 내리고 무너지는 소리를 들었다. 했다 하는"
    units = morpheme_units(text, "kiwi")
    by_start = {u.start: lemma for u, lemma in zip(units, unit_lemmas(units, text, "kiwi"))}
    assert by_start[text.index("무너져")] == by_start[text.index("무너지는")] == "무너지다"
    assert by_start[text.index("했다")] == by_start[text.index("하는")] == "하다"
    assert by_start[text.index("들었다")] == "듣다"
    words = group_words(units, "content", unit_lemmas(units, text, "kiwi"))
    assert [len(w.positions) for w in words if w.lemma == "무너지다"] == [2]


def test_word_classes_and_fillers_on_a_hand_built_case():
    assert word_class("레옹", "Noun", True) == "noun"
    assert word_class("것", "Noun", True) == "noun·1" and word_class("하다", "Verb", True) == "predicate·1"
    assert word_class("무너지다", "VV", True) == "predicate" and word_class("2", "Number", True) == "numeral"
    assert word_class("T", "Alpha", True) == "latin" and word_class("는", "Josa", False) == "function"
    assert word_class("의", "Foreign", True) == "noun·1"  # Latin by script, not by Okt's Foreign tag
    assert all(is_filler(c) for c in ("function", "numeral", "noun·1", "predicate·1"))
    assert not any(is_filler(c) for c in ("noun", "latin", "predicate"))


def test_the_leading_rule_learns_flat_classes_out():
    """Nouns get twice the reference's share in every movie, predicates as much as the reference, and
    numerals more (a sequel's number in its title): nouns lead, predicates are flat, numerals never lead."""
    classes = ["noun", "noun", "predicate", "numeral"]
    reference = np.array([0.1, 0.1, 0.4, 0.1])
    movies = [(classes, reference * np.array([2.0 + 0.1 * i, 2.0, 1.0 + 0.01 * (-1) ** i, 3.0]), reference) for i in range(6)]
    lifts = {c.word_class: c for c in class_lifts(movies)}
    assert lifts["noun"].low > 1.9 and lifts["predicate"].low < 1 < lifts["predicate"].high
    assert learn_leading_classes(movies) == frozenset({"noun"})


def test_nothing_stands_out_when_no_interval_is_above_the_reference():
    units = [Unit("레옹", 0, 2, "Noun", True), Unit("마틸다", 3, 6, "Noun", True), Unit("화분", 7, 9, "Noun", True)]
    reference = np.array([0.3, 0.3, 0.4])
    noisy = np.array([[0.4, 0.2, 0.4], [0.2, 0.4, 0.4], [0.3, 0.3, 0.4], [0.35, 0.25, 0.4]])  # around the reference
    flat = MovieAggregate("m", [], units, ["1", "2", "3", "4"], [10] * 4, np.zeros((4, 0)), noisy,
                          info_reference=np.zeros(0), plot_reference=reference)
    assert flat.standing_out("plot") == []
    assert flat.summary()["groups"]["all"]["plot_note"] == NOTHING_STANDS_OUT
    clear = MovieAggregate("m", [], units, ["1", "2", "3", "4"], [10] * 4, np.zeros((4, 0)), noisy + [[0.2, 0, 0]] * 4,
                           info_reference=np.zeros(0), plot_reference=reference)
    shown = clear.standing_out("plot")
    assert [s.word.text for s in shown] == ["레옹"] and shown[0].low > 1.0
    mean, low, high = lift_intervals(noisy, reference)
    assert np.all(low <= mean) and np.all(mean <= high) and low[0] < 1 < high[0]


def test_the_shipped_rule_is_the_apps_and_a_learned_rule_keeps_shipped_classes_on_thinner_evidence():
    """On fewer movies than the shipped rule was learnt from, a learned rule may add a class, never drop one."""
    classes = ["noun", "noun", "predicate", "latin"]
    reference = np.array([0.1, 0.1, 0.4, 0.1])
    # predicates lead here (twice the reference), nouns and Latin words are flat
    movies = [(classes, reference * np.array([1.0, 1.0 + 0.01 * (-1) ** i, 2.0 + 0.1 * i, 1.0]), reference) for i in range(6)]
    assert learn_leading_classes(movies) == frozenset({"predicate"})
    assert leading_classes_for("shipped", movies) == LEADING_CLASSES
    assert leading_classes_for("learned", movies) == LEADING_CLASSES | {"predicate"}  # 6 movies < 40: the floor holds
    many = movies * (LEADING_EVIDENCE_MOVIES // len(movies) + 1)
    assert leading_classes_for("learned", many) == frozenset({"predicate"})  # as much evidence as shipped: learnt alone
    with pytest.raises(ValueError, match="shipped, learned"):
        leading_classes_for("best", movies)
