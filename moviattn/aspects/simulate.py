"""Simulated users in the critiquing protocol (Luo et al. 2020, "Latent linear critiquing"), on aspect profiles.

A user has a target movie *t* and starts, as a visitor of the tab does, from another movie *s* they
did not like (drawn by seed) and the aspect *t* is most praised for relative to the other movies (what
they missed). Each turn the system recommends k = 3 movies not shown before; if *t* is among them the
session succeeds at that turn. Otherwise the user critiques with an aspect that *t*'s reviews praise
and none of the shown movies is praised for as much (the one where *t*'s lead is largest, not yet
used); the system updates the wanted aspects as the conversation does (``recommend.critiqued``: the
critique added at weight 1) and recommends again, up to 5 turns.

Compared, on the same users: **critiquing** (the system above), **random aspect** (the user critiques
with a random unused aspect of the inventory), **no critique** (the system ignores critiques and
shows its first ranking's next movies) and **popularity** (the movies with the most positive reviews
first, whatever is said). Reported: success within 1, 3 and 5 turns with 95 % Wilson intervals, and
mean turns (a failure counts as 5) with a 95 % bootstrap interval over users.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..metrics import wilson_interval
from .inventory import Inventory, shipped_inventory
from .profiles import MovieProfile
from .recommend import critiqued, missed, rank_movies

K = 3
MAX_TURNS = 5
METHODS = ("critiquing", "random aspect", "no critique", "popularity")


@dataclass(frozen=True)
class SimulatedUser:
    target: str
    start: str


def _praise(profile: MovieProfile, aspect: str) -> float:
    stat = profile.aspects.get(aspect)
    return stat.praise if stat else 0.0


def draw_users(profiles: Mapping[str, MovieProfile], count: int, seed: int = 13) -> list[SimulatedUser]:
    """``count`` (target, start) pairs drawn by seed: targets with at least one praised aspect, start ≠ target."""
    rng = np.random.default_rng(seed)
    movies = sorted(profiles)
    targets = [m for m in movies if any(s.positive for s in profiles[m].aspects.values())]
    users = []
    for _ in range(count):
        target = targets[rng.integers(len(targets))]
        start = movies[rng.integers(len(movies))]
        while start == target:
            start = movies[rng.integers(len(movies))]
        users.append(SimulatedUser(target, start))
    return users


def _leading_aspect(profiles: Mapping[str, MovieProfile], target: str, shown: list[str], used: set[str]) -> str | None:
    """The aspect where the target's praise (relative to the mean movie) most exceeds every shown movie's."""
    best, lead = None, 0.0
    for aspect, stat in profiles[target].aspects.items():
        if aspect in used or stat.positive == 0:
            continue
        gap = stat.praise - max((_praise(profiles[m], aspect) for m in shown), default=0.0)
        if gap > lead:
            best, lead = aspect, gap
    return best


def run_user(profiles: Mapping[str, MovieProfile], user: SimulatedUser, method: str, inventory: Inventory,
             rng: np.random.Generator) -> int | None:
    """The turn (1-based) at which the target was recommended, or None within :data:`MAX_TURNS`."""
    first = _leading_aspect(profiles, user.target, [], set())
    wanted = missed(profiles[user.start], first, "negative")
    exclude = {user.start}
    used = {first}
    popularity = sorted((m for m in profiles if m != user.start), key=lambda m: (-sum(s.positive for s in profiles[m].aspects.values()), m))
    fixed = [m for m, _ in rank_movies(profiles, wanted, exclude)]
    for turn in range(1, MAX_TURNS + 1):
        if method == "popularity":
            ranking = popularity
        elif method == "no critique":
            ranking = fixed
        else:
            ranking = [m for m, _ in rank_movies(profiles, wanted, exclude)]
        shown = [m for m in ranking if m not in exclude][:K]
        if user.target in shown:
            return turn
        exclude.update(shown)
        if method == "random aspect":
            left = [a for a in inventory.names() if a not in used]
            critique = left[rng.integers(len(left))] if left else None
        else:
            critique = _leading_aspect(profiles, user.target, shown, used)
        if critique:
            used.add(critique)
            wanted = critiqued(wanted, [critique])
    return None


def simulate(profiles: Mapping[str, MovieProfile], users: int = 400, seed: int = 13,
             inventory: Inventory | None = None) -> dict[str, dict]:
    """Every method on the same drawn users: success@1/3/5 with Wilson intervals, mean turns with a bootstrap interval."""
    inventory = inventory or shipped_inventory()
    drawn = draw_users(profiles, users, seed)
    out: dict[str, dict] = {}
    for method in METHODS:
        began = time.perf_counter()
        rng = np.random.default_rng(seed + 1)
        turns = [run_user(profiles, u, method, inventory, rng) for u in drawn]
        row: dict[str, object] = {}
        for k in (1, 3, MAX_TURNS):
            hits = sum(t is not None and t <= k for t in turns)
            row[f"success@{k}"] = {"value": hits / len(turns), "interval": wilson_interval(hits, len(turns))}
        capped = np.array([t if t is not None else MAX_TURNS for t in turns], dtype=float)
        boot = np.random.default_rng(seed).choice(capped, (1000, len(capped))).mean(1)
        row["mean turns"] = {"value": float(capped.mean()), "interval": (float(np.percentile(boot, 2.5)), float(np.percentile(boot, 97.5)))}
        row["seconds"] = time.perf_counter() - began
        out[method] = row
    chance = min(1.0, K * MAX_TURNS / max(len(profiles) - 1, 1))
    out["n"] = {"users": len(drawn), "movies": len(profiles), "random order success@5": chance}
    return out
