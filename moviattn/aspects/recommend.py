"""Movies praised for the aspects a visitor missed: a score per movie from the aspect profiles.

A movie's score for a set of wanted aspects (aspect → weight) is ``Σ weight × praise(movie, aspect) /
mean praise(aspect)``, where praise is the lower 95 % Wilson bound of the share of *all* its reviews
that praise the aspect (``AspectStat.praise``): a movie praised for its story by 30 of 100 reviews
beats one praised by 2 of 3, one whose reviews never mention the aspect scores 0 for it, and dividing
by the aspect's mean over the candidates makes "praised for it more than movies usually are" the unit,
so a rarely named aspect (음악: 4 % of reviews) is not drowned by a common one (감동: 20 %) in a
mixed request (without it, the first run's picks for 그래픽 + 스토리 were ranked by 감동, weight 0.5). Ties: more reviews first, then the
title. Turn results are plain lists of :class:`Recommendation` (movie id, score, reasons), so feedback
buttons can be hung on each movie.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .profiles import MovieProfile, Quote


@dataclass(frozen=True)
class Reason:
    """Why a movie is recommended for one aspect: the share of its reviews praising it, and a quote."""

    aspect: str
    praising: int
    reviews: int
    quote: Quote | None

    @property
    def share(self) -> float:
        return self.praising / self.reviews if self.reviews else 0.0


@dataclass(frozen=True)
class Recommendation:
    """One recommended movie of one turn."""

    movie_id: str
    title: str
    score: float
    reasons: tuple[Reason, ...]


#: Weight of the aspects a disliked movie's critics blame besides the one chosen (the complement of what it did well).
BLAMED_WEIGHT = 0.25


def missed(profile: MovieProfile, aspect: str, feeling: str | None) -> dict[str, float]:
    """What a visitor missed in a movie: ``aspect`` (weight 1), and after a complaint (``feeling`` "negative")
    the other aspects the movie's negative reviews blame most (weight :data:`BLAMED_WEIGHT`)."""
    wanted = {aspect: 1.0}
    if feeling == "negative":
        for stat in profile.talked_about("negative", 3):
            wanted.setdefault(stat.aspect, BLAMED_WEIGHT)
    return wanted


def critiqued(wanted: Mapping[str, float], added: Sequence[str], removed: Collection[str] = (), replace: bool = False) -> dict[str, float]:
    """The wanted aspects after a critique: ``removed`` dropped, with ``replace`` ("X 말고 Y") the main aspects
    (weight 1) too; ``added`` at weight 1. Earlier requests keep their weight: halving them at each critique
    (so the latest leads) lowered the simulated users' success@5 from 0.948 to 0.865 (0.25: 0.805; 40
    movies, 400 users), since a critique there, as mostly in the tab, narrows the request rather than changing it."""
    out = {a: w for a, w in wanted.items() if a not in removed and not (replace and w >= 1.0)}
    out.update(dict.fromkeys(added, 1.0))
    return out


def score_movie(profile: MovieProfile, wanted: Mapping[str, float]) -> float:
    """``Σ weight × praise`` over the wanted aspects (see the module docstring)."""
    return sum(weight * profile.aspects[a].praise for a, weight in wanted.items() if a in profile.aspects)


def rank_movies(
    profiles: Mapping[str, MovieProfile], wanted: Mapping[str, float], exclude: Collection[str] = (),
) -> list[tuple[str, float]]:
    """Every movie not excluded, best first, with its score."""
    candidates = {m: p for m, p in profiles.items() if m not in exclude}
    scale = {a: max(float(np.mean([p.aspects[a].praise if a in p.aspects else 0.0 for p in candidates.values()])), 1e-3)
             for a in wanted} if candidates else {}
    relative = {a: w / scale[a] for a, w in wanted.items()}
    scored = [(m, score_movie(p, relative), p.reviews) for m, p in candidates.items()]
    return [(m, s) for m, s, _ in sorted(scored, key=lambda t: (-t[1], -t[2], t[0]))]


def recommend(
    profiles: Mapping[str, MovieProfile], titles: Mapping[str, str], wanted: Mapping[str, float],
    exclude: Collection[str] = (), k: int = 3,
) -> list[Recommendation]:
    """The top ``k`` movies with a positive score, each with its reasons (wanted aspects it is praised for)."""
    out = []
    for movie_id, score in rank_movies(profiles, wanted, exclude)[:k]:
        if score <= 0:
            break
        profile = profiles[movie_id]
        reasons = tuple(
            Reason(a, profile.aspects[a].positive, profile.reviews, profile.aspects[a].quote("positive"))
            for a in wanted if a in profile.aspects and profile.aspects[a].positive > 0
        )
        out.append(Recommendation(movie_id, titles.get(movie_id, movie_id), round(score, 4), reasons))
    return out
