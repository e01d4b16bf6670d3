"""The aggregate's views: words not positions, lift, empty and thin groups, periods, the difference view."""

from __future__ import annotations

import numpy as np
import pytest

from moviattn.explorer._evaluation.evaluation_aggregate import passes_top_check
from moviattn.explorer._results.movie_aggregate import MovieAggregate
from moviattn.explorer._stats.groups import EMPTY_GROUP, THIN_GROUP, EmptyGroup
from moviattn.explorer._stats.segment_words import group_words
from moviattn.explorer._stats.shares import reference_reviews
from moviattn.explorer._stats.words import NOTHING_STANDS_OUT, lift
from moviattn.morphology import Unit


def _plot(specs: list[tuple[str, str, bool]]) -> list[Unit]:
    return [Unit(text, i * 3, i * 3 + len(text), tag, content) for i, (text, tag, content) in enumerate(specs)]


PLOT = _plot([("에이리언", "Noun", True), ("이", "Josa", False), ("리플리", "Noun", True), (".", "Punctuation", False),
              ("에이리언", "Noun", True), ("Ripley", "Alpha", True)])
INFO = [Unit("감독", 0, 2, "Noun", True, "director"), Unit("송강호", 3, 6, "Noun", True, "cast"),
        Unit(",", 6, 7, "Punctuation", False, "cast"), Unit("배두나", 8, 11, "Noun", True, "cast")]


def _aggregate(plot_rows, ratings, dates=None, reference=None, info_rows=None) -> MovieAggregate:
    plot_rows = np.asarray(plot_rows, dtype=float)
    n = len(plot_rows)
    info_rows = np.asarray(info_rows if info_rows is not None else [[0.4, 0.2, 0.2, 0.2]] * n, dtype=float)
    return MovieAggregate(
        movie_id="m", info_units=INFO, plot_units=PLOT, review_ids=[str(i) for i in range(n)], ratings=list(ratings),
        info_per_review=info_rows, plot_per_review=plot_rows, dates=list(dates or []),
        info_reference=np.array([0.1, 0.3, 0.3, 0.3]) if reference is not None else None,
        plot_reference=np.asarray(reference, dtype=float) if reference is not None else None,
    )


def test_same_word_at_two_positions_is_one_word_and_shares_sum():
    words = group_words(PLOT)
    assert [(w.text, w.positions) for w in words] == [("에이리언", (0, 4)), ("리플리", (2,)), ("Ripley", (5,))]
    assert len(group_words(PLOT, "all")) == 5  # the particle and the full stop come back when asked
    agg = _aggregate([[0.3, 0.1, 0.2, 0.1, 0.2, 0.1], [0.1, 0.1, 0.4, 0.2, 0.1, 0.1]], [10, 1])
    scores = agg.word_scores("plot", agg.group())
    assert scores[0].share == pytest.approx((0.5 + 0.2) / 2)
    assert [s.word.text for s in agg.top_words("plot", 2, score="share")] == ["에이리언", "리플리"]
    # the info field's per-item share corrects for length: cast holds 2 of 3 names (the comma is no name's)
    fields = {f.name: f for f in agg.field_scores(agg.group())}
    assert fields["cast"].units == 2 and fields["cast"].share == pytest.approx(0.4) and fields["cast"].per_unit == pytest.approx(0.4 / (2 / 3))
    assert fields["director"].per_unit == pytest.approx(0.4 / (1 / 3))
    low, high = fields["cast"].intervals["share"]
    assert low == pytest.approx(0.4) == pytest.approx(high)  # every review gives the cast the same share


def test_lift_cancels_a_position_only_effect_exactly():
    position = np.array([0.1, 0.05, 0.1, 0.05, 0.1, 0.6])  # the last unit is a sink every review attends to
    content = np.array([1.0, 1.0, 3.0, 1.0, 1.0, 1.0])  # the reviews also look at 리플리
    reviews = position * content / (position * content).sum()
    agg = _aggregate([reviews, reviews], [10, 9], reference=position)
    assert agg.top_words("plot", 1, score="share")[0].word.text == "Ripley"  # raw share: the sink wins
    top = agg.top_words("plot", 3, score="lift")
    assert top[0].word.text == "리플리"
    others = [s.lift for s in top[1:]]
    assert others[0] == pytest.approx(others[1]) == pytest.approx(top[0].lift / 3)  # position gone, content left
    np.testing.assert_allclose(lift(np.array([0.2, 0.1]), np.array([0.1, 0.0])), [2.0, 0.0])
    assert agg.field_scores(agg.group())[0].lift == pytest.approx(0.4 / 0.1)


def test_empty_group_says_so_and_thin_group_is_marked():
    rows = [[1 / 6] * 6] * 3
    agg = _aggregate(rows, [10, 9, 10], reference=[1 / 6] * 6)
    with pytest.raises(EmptyGroup, match=EMPTY_GROUP):
        agg.plot_share("negative")
    with pytest.raises(EmptyGroup, match=EMPTY_GROUP):
        agg.difference()
    assert agg.group("positive").thin and agg.group("positive").count == 3 < THIN_GROUP
    summary = agg.summary()
    assert summary["groups"]["negative"] == {"label": agg.group("negative").label, "count": 0, "thin": False, "note": EMPTY_GROUP}
    positive = summary["groups"]["positive"]
    assert positive["thin"] and positive["info_words"] and positive["plot_note"] == NOTHING_STANDS_OUT  # shares = the reference's
    assert summary["difference"]["note"] == EMPTY_GROUP
    blank = {row["share_negative"] for row in agg.word_rows()}
    assert blank == {None}  # an empty group's CSV columns are blank, not zero


def test_periods_by_year_or_equal_count_bins():
    rows = [[1 / 6] * 6] * 6
    by_year = _aggregate(rows, [10] * 6, dates=["2011-01-01", "2011-05-01", "2013-02-01", "2014-03-01", "2014-04-01", None])
    groups = by_year.periods()
    assert [(g.label, g.count) for g in groups] == [("2011", 2), ("2012", 0), ("2013", 1), ("2014", 2)]
    assert groups[1].empty and groups[2].thin
    one_year = _aggregate(rows, [10] * 6, dates=[f"2015-0{m}-01" for m in (6, 5, 4, 3, 2, 1)])
    bins = one_year.periods()
    assert [g.count for g in bins] == [2, 2, 1, 1]
    assert bins[0].label == "2015-01-01 – 2015-02-01" and sorted(bins[0].rows) == [4, 5]
    assert _aggregate(rows, [10] * 6).periods() == []


def test_time_view_finds_the_word_that_rises():
    early = [0.1, 0.1, 0.1, 0.1, 0.1, 0.5]
    late = [0.1, 0.1, 0.5, 0.1, 0.1, 0.1]
    agg = _aggregate([early, early, late, late], [10] * 4, dates=["2010-01-01", "2010-02-01", "2012-01-01", "2012-02-01"])
    periods, trends = agg.time_view(k=1, score="share")
    assert [p.group.label for p in periods] == ["2010", "2011", "2012"] and periods[1].fields == []
    assert [(t.word.text, round(t.change, 6)) for t in trends] == [("리플리", 0.4), ("Ripley", -0.4)]


def test_difference_interval_on_a_hand_built_case():
    pos = [0.1, 0.1, 0.5, 0.1, 0.1, 0.1]
    neg = [0.1, 0.1, 0.1, 0.1, 0.1, 0.5]
    agg = _aggregate([pos, pos, pos, neg, neg], [10, 9, 10, 1, 2])
    top = agg.difference(k=2, score="share")
    assert {d.word.text for d in top} == {"리플리", "Ripley"}
    for d in top:  # no spread within a group: every resample gives the same difference
        assert d.low == pytest.approx(d.difference) == pytest.approx(d.high) == pytest.approx(d.positive - d.negative)
    spread = _aggregate([pos, neg, pos, neg], [10, 9, 1, 2])  # each group half one pattern, half the other
    word = next(d for d in spread.difference(k=3, score="share") if d.word.text == "리플리")
    assert word.difference == pytest.approx(0.0, abs=1e-12) and word.low < 0 < word.high
    assert -0.4 - 1e-9 <= word.low and word.high <= 0.4 + 1e-9  # within the extreme resamples
    assert agg.difference(k=2, score="share") == top  # seeded


def test_top_ten_check_fails_filler_and_repeated_words():
    assert not passes_top_check(group_words(PLOT, "all"))  # 이 and '.'
    repeated = group_words(PLOT, "content")
    assert passes_top_check(repeated) and not passes_top_check([*repeated, repeated[0]])
    agg = _aggregate([[0.05, 0.3, 0.05, 0.5, 0.05, 0.05]], [10])  # the particle and the full stop get most
    assert passes_top_check([s.word for s in agg.top_words("plot", 10, score="share")])


def test_reference_reviews_are_fixed_and_generic():
    reviews = reference_reviews()
    assert len(reviews) == 20 and len({r.text for r in reviews}) == 20
    assert all(r.text and not r.text.startswith("#") for r in reviews)


def test_json_round_trip_keeps_reference_and_dates():
    agg = _aggregate([[1 / 6] * 6], [10], dates=["2014-01-02"], reference=[1 / 6] * 6)
    again = MovieAggregate.from_json(agg.to_json())
    assert again.to_json() == agg.to_json() and again.dates == ["2014-01-02"]
    np.testing.assert_allclose(again.plot_reference, agg.plot_reference)
