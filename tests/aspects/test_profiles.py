"""Movie profiles: shares and positivity with Wilson intervals (fewer reviews, wider intervals)."""

from __future__ import annotations

from moviattn.metrics import wilson_interval

from .conftest import profile_of


def test_wilson_interval():
    low, high = wilson_interval(2, 2)
    assert 0.3 < low < 0.4 and high == 1.0  # 2 of 2 is not "certainly 1"
    assert wilson_interval(0, 0) == (0.0, 1.0)
    a, b = wilson_interval(50, 100)
    assert a < 0.5 < b and abs((0.5 - a) - (b - 0.5)) < 1e-9


def test_share_and_positivity_with_intervals():
    _, profile = profile_of("m", {"연기": 6}, {"연기": 2, "스토리": 4}, reviews=20)
    acting = profile.stat("연기")
    assert (acting.mentions, acting.positive, acting.reviews) == (8, 6, 20)
    assert acting.share == 0.4 and acting.positivity == 0.75
    assert acting.share_interval[0] < 0.4 < acting.share_interval[1]
    assert acting.quote("negative").polarity == "negative"
    assert [s.aspect for s in profile.talked_about("negative")] == ["스토리", "연기"]


def test_fewer_reviews_say_less():
    _, small = profile_of("a", {"스토리": 4}, {}, reviews=20)
    _, large = profile_of("b", {"스토리": 20}, {}, reviews=100)
    width = lambda s: s.share_interval[1] - s.share_interval[0]
    assert small.stat("스토리").share == large.stat("스토리").share == 0.2
    assert width(small.stat("스토리")) > 1.8 * width(large.stat("스토리"))
    assert large.stat("스토리").praise > small.stat("스토리").praise


def test_profiles_round_trip_through_json():
    _, profile = profile_of("m", {"연기": 3}, {"재미": 2})
    assert type(profile).from_json(profile.to_json()) == profile


def test_attention_link_points_at_what_the_aspect_reviews_look_at():
    from types import SimpleNamespace

    import numpy as np

    from moviattn.aspects.profiles import attention_link
    from moviattn.morphology import Unit

    units = [Unit("장", 0, 1, "Noun", True, "cast"), Unit("레옹", 2, 4, "Noun", True, "title"), Unit("드라마", 5, 8, "Noun", True, "genres")]
    shares = np.array([[0.6, 0.2, 0.2]] * 4 + [[0.2, 0.4, 0.4]] * 6)  # reviews 0-3 (the acting ones) look at the cast
    aggregate = SimpleNamespace(review_ids=[str(i) for i in range(10)], info_units=units, info_per_review=shares)
    link = attention_link(aggregate, "연기", ["0", "1", "2", "3"])
    assert link.fields[0][0] == "cast" and link.fields[0][2] > 1.5
    assert link.items[0][:2] == ("장", "cast")
    assert attention_link(aggregate, "연기", ["0", "1"]) is None  # too few of those reviews analysed
