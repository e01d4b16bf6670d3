"""Leave-movies-out folds and the choice of the aggregate's view on training movies only."""

from __future__ import annotations

from moviattn.explorer._evaluation.evaluation_aggregate import APP_DEFAULT, VIEWS, Summary, app_view, choose_view, folds
from moviattn.explorer._evaluation.quality import AGGREGATE_VIEWS


def test_folds_never_share_a_movie_and_cover_them_all():
    movies = [str(10000 + 37 * i) for i in range(40)]
    parts = folds(movies)
    assert len(parts) == 5 and [len(p) for p in parts] == [8] * 5
    assert sorted(m for p in parts for m in p) == sorted(movies)
    assert all(not set(a) & set(b) for i, a in enumerate(parts) for b in parts[i + 1:])
    assert folds(list(reversed(movies))) == parts  # by the hash of the id, not the order given


def _summary(name: str, r5: float, low: float, clean: int, movies: int = 8) -> Summary:
    return Summary(name, movies, 100, r5, r5 / 2, 0.5, low + 1e-4, low, low + 2e-4, clean)


def test_the_view_is_the_best_that_meets_every_target_on_the_training_movies():
    names = [v.name for v in VIEWS]
    summaries = {n: _summary(n, 0.5, 0.001, 8) for n in names}
    summaries[names[0]] = _summary(names[0], 0.9, 0.001, 3)  # best recall, but filler in its top 10
    summaries[names[2]] = _summary(names[2], 0.7, -0.001, 8)  # deletion interval not above 0
    summaries[names[4]] = _summary(names[4], 0.65, 0.0005, 8)
    assert choose_view(summaries).name == names[4]
    for name in names:  # no view meets the recall target: the best clean one
        summaries[name] = _summary(name, 0.3 + 0.01 * names.index(name), 0.001, 8 if name != names[-1] else 7)
    assert choose_view(summaries).name == names[-2]


def test_the_app_quotes_the_rows_of_the_views_it_shows():
    assert app_view("lift") == APP_DEFAULT
    assert {score: app_view(score).name for score in ("lift", "share")} == AGGREGATE_VIEWS
