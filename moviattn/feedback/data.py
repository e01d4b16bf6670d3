"""What a shown slate and a reaction are: the records the store keeps and the estimators read."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Reactions a visitor can give, button label → stored name; 👍 and 봤어요 count as a hit (reward 1).
REACTIONS = {"👍": "like", "👎": "dislike", "봤어요": "seen", "관심 없음": "not_interested"}
REWARDS = {"like": 1.0, "seen": 1.0, "dislike": 0.0, "not_interested": 0.0}
#: Reactions after which a movie never comes back within the visit.
HIDING = frozenset({"dislike", "not_interested"})
SURFACES = ("diary", "next_movie", "aspects")


@dataclass(frozen=True)
class ShownItem:
    """One movie of a slate: where it was shown and how likely the logging policy was to show it."""

    movie_id: str
    position: int
    propensity: float  # P(movie in the slate | context) under the logging policy
    score: float  # the static recommender's score


@dataclass(frozen=True)
class Slate:
    """A shown slate, as logged (``slate_id`` is an unguessable token handed to the visitor's page)."""

    slate_id: str
    surface: str
    policy: str
    policy_version: str
    context: str
    items: tuple[ShownItem, ...]
    candidates: dict[str, float] = field(default_factory=dict)  # movie → static score the policy chose from


@dataclass(frozen=True)
class LoggedSlate:
    """A slate with its rewards, as the off-policy estimators read it."""

    surface: str
    policy: str
    context: str
    items: tuple[ShownItem, ...]
    candidates: dict[str, float]
    rewards: dict[str, float]  # shown movie → 1 (👍/봤어요) or 0
