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
