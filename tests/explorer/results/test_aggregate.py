"""Per-movie aggregation: shares sum to 1 per review, means weight reviews equally, rating split."""

from __future__ import annotations

import numpy as np
import pytest

from moviattn.data import polarity_of
from moviattn.explorer._results.movie_aggregate import MovieAggregate, aggregate_reviews
from moviattn.explorer._stats.shares import attention_share
from moviattn.morphology import Unit


def _units(names, field=None):
    return [Unit(n, i, i + 1, "Noun", True, field) for i, n in enumerate(names)]


def test_share_sums_to_one():
    share = attention_share(np.array([[0.2, 0.6], [0.1, 0.1]]))
    np.testing.assert_allclose(share, [0.3, 0.7])
    assert attention_share(np.zeros((2, 3))).sum() == 0


def test_polarity_convention():
    assert [polarity_of(r) for r in (10, 9, 8, 5, 4, 1, None)] == ["positive", "positive", None, None, "negative", "negative", None]


def _aggregate():
    info = _units(["봉준호", "송강호"], None)
    info = [Unit(u.text, u.start, u.end, u.tag, u.content, f) for u, f in zip(info, ["director", "cast"])]
    return MovieAggregate(
        movie_id="m",
        info_units=info,
        plot_units=_units(["형사", "살인", "비"]),
        review_ids=["a", "b", "c"],
        ratings=[10, 2, 7],
        info_per_review=np.array([[0.8, 0.2], [0.4, 0.6], [0.5, 0.5]]),
        plot_per_review=np.array([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8], [0.2, 0.2, 0.6]]),
    )


def test_means_splits_and_top_k():
    agg = _aggregate()
    np.testing.assert_allclose(agg.info_share(), [1.7 / 3, 1.3 / 3])
    np.testing.assert_allclose(agg.plot_share().sum(), 1.0)
    np.testing.assert_allclose(agg.plot_share("positive"), [0.5, 0.3, 0.2])
    np.testing.assert_allclose(agg.plot_share("negative"), [0.1, 0.1, 0.8])
    assert agg.count("positive") == 1 and agg.count("negative") == 1 and agg.count() == 3
    assert agg.field_share() == pytest.approx({"director": 1.7 / 3, "cast": 1.3 / 3})
    assert [u.text for u, _ in agg.top_units("plot", 2)] == ["비", "형사"]
    assert MovieAggregate.from_json(agg.to_json()).to_json() == agg.to_json()


def test_aggregate_requires_shared_units():
    with pytest.raises(ValueError, match="no review could be analysed"):
        aggregate_reviews("m", [], [], [])
