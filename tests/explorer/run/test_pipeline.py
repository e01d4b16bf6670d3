"""The explorer end to end on tiny real models: units, equality with eager, cache, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from moviattn.data import load_dataset
from moviattn.explorer._compute.sequence import ReviewTooLong
from moviattn.explorer._compute.settings import Settings
from moviattn.explorer._run.cache import ResultCache
from moviattn.explorer._run.pipeline import Explorer
from moviattn.explorer._run.preparation import EmptyReview

DATA = load_dataset()
MOVIE = DATA.movie("s001")
REVIEW = "송강호 연기 미쳤다ㅋㅋㅋㅋ 봉준호 감독 최고"


def test_review_attention_units_and_rows(tiny_bert):
    result = Explorer(tiny_bert).review_attention(MOVIE, REVIEW, Settings(granularity="eojeol", last_k=2))
    assert [u.text for u in result.review_units] == ["송강호", "연기", "미쳤다ㅋㅋㅋ", "봉준호", "감독", "최고"]
    assert result.info.shape == (6, len(result.info_units)) and result.plot.shape == (6, len(result.plot_units))
    np.testing.assert_allclose(result.info.sum(axis=1), 1.0, atol=1e-9)  # renormalised within the segment
    np.testing.assert_allclose(result.plot.sum(axis=1), 1.0, atol=1e-9)
    # every unit traces back to what the user typed
    start, end = result.original_span(result.review_units[2])
    assert REVIEW[start:end] == "미쳤다ㅋㅋㅋㅋ"
    names, by_field = result.by_field()
    assert names[:3] == ["title", "director", "genres"] and by_field.shape == (6, len(names))


def test_raw_normalisation_is_probability_mass(tiny_bert):
    result = Explorer(tiny_bert).review_attention(MOVIE, REVIEW, Settings(normalization="raw", last_k=2))
    total = result.info.sum(axis=1) + result.plot.sum(axis=1)
    assert np.all(total > 0) and np.all(total < 1)  # the rest goes to specials, labels and the review itself


@pytest.mark.parametrize("granularity", ["morpheme", "eojeol", "subword"])
def test_fast_path_equals_eager_path_for_units(tiny_roberta, granularity):
    settings = Settings(layer_agg="rollout", granularity=granularity, head_agg="max")
    fast = Explorer(tiny_roberta, method="qk").review_attention(DATA.movie("s003"), REVIEW, settings)
    eager = Explorer(tiny_roberta, method="eager").review_attention(DATA.movie("s003"), REVIEW, settings)
    assert fast.n_windows > 1
    np.testing.assert_allclose(fast.info, eager.info, atol=1e-5)
    np.testing.assert_allclose(fast.plot, eager.plot, atol=1e-5)


def test_content_only_drops_particles_and_punctuation(tiny_bert):
    result = Explorer(tiny_bert).review_attention(MOVIE, "송강호가 최고다!", Settings(content_only=True, last_k=2))
    assert "가" not in [u.text for u in result.review_units] and "!" not in [u.text for u in result.review_units]
    assert all(u.content for u in result.info_units + result.plot_units)


@pytest.mark.parametrize("text", ["", "   ", "😀😀👍", "★☆♥"])
def test_empty_and_emoji_only_reviews_get_a_clear_error(tiny_bert, text):
    with pytest.raises(EmptyReview, match="no text to analyse"):
        Explorer(tiny_bert).review_attention(MOVIE, text, Settings(last_k=2))


def test_five_thousand_characters_is_refused_with_the_limit(tiny_bert):
    with pytest.raises(ReviewTooLong, match="리뷰가 너무 깁니다"):
        Explorer(tiny_bert).review_attention(MOVIE, "정말 재밌는 영화 " * 500, Settings(last_k=2))


def test_cache_hit_returns_the_stored_result_without_the_model(tiny_bert, tmp_path, monkeypatch):
    settings = Settings(last_k=2)
    first = Explorer(tiny_bert, ResultCache(tmp_path)).review_attention(MOVIE, REVIEW, settings)
    fresh = Explorer(tiny_bert, ResultCache(tmp_path))  # new memory, same disk
    monkeypatch.setattr("moviattn.explorer._run.pipeline.window_matrices", lambda *a, **k: pytest.fail("model was run"))
    second = fresh.review_attention(MOVIE, REVIEW, settings)
    np.testing.assert_array_equal(first.plot, second.plot)
    assert second.review_units == first.review_units


def test_movie_aggregate_skips_bad_reviews_and_sums_to_one(tiny_bert, tmp_path):
    reviews = DATA.reviews_of("s006")  # includes an empty review
    explorer = Explorer(tiny_bert, ResultCache(tmp_path), batch_size=4)
    seen = []
    aggregate = explorer.movie_aggregate(DATA.movie("s006"), reviews, Settings(last_k=2), progress=lambda d, t: seen.append((d, t)))
    assert aggregate.count() == len(reviews) - len(aggregate.skipped) and aggregate.skipped
    assert all("no text" in reason for _, reason in aggregate.skipped)
    np.testing.assert_allclose(aggregate.info_per_review.sum(axis=1), 1.0)
    np.testing.assert_allclose(aggregate.plot_share().sum(), 1.0)
    items = aggregate.words("info")  # fields hold their items (names, genres, ...), not the separators between them
    item_share = aggregate.info_share()[[i for item in items for i in item.positions]].sum()
    assert 0.5 < item_share < 1.0
    assert sum(aggregate.field_share().values()) == pytest.approx(item_share)
    assert seen[-1] == (aggregate.count(), aggregate.count())
    # the aggregate equals the mean of the individual reviews' shares
    one = explorer.review_attention(DATA.movie("s006"), reviews[1].text, Settings(last_k=2))
    index = aggregate.review_ids.index(reviews[1].id)
    np.testing.assert_allclose(aggregate.plot_per_review[index], one.plot.sum(0) / one.plot.sum(), atol=1e-9)


def test_analyser_fallback_to_eojeol(tiny_bert, monkeypatch):
    from moviattn import morphology

    def broken(_name):
        raise morphology.AnalyserUnavailable("no Java")

    monkeypatch.setattr(morphology, "_analyser", broken)
    morphology.pos_tags.cache_clear()
    settings, notice = Explorer(tiny_bert).usable_settings(Settings(last_k=2))
    morphology.pos_tags.cache_clear()
    assert settings.granularity == "eojeol" and "no Java" in notice


def test_concurrent_first_requests_build_a_movie_context_once(tiny_bert, monkeypatch):
    """A server's first requests for a movie each ran the analysis of its synopsis."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    import moviattn.explorer._run.preparation as pipeline

    explorer, builds, start = Explorer(tiny_bert), [], threading.Barrier(8)
    analyse = pipeline.segment_units

    def slow_units(*args, **kwargs):
        builds.append(args[0].name)
        time.sleep(0.05)  # room for the other threads to miss the cache too
        return analyse(*args, **kwargs)

    monkeypatch.setattr(pipeline, "segment_units", slow_units)

    def ask(_):
        start.wait()
        return explorer.context(MOVIE, Settings(granularity="eojeol"))

    with ThreadPoolExecutor(8) as pool:
        contexts = list(pool.map(ask, range(8)))
    assert builds == ["info", "plot"] and all(c is contexts[0] for c in contexts)
