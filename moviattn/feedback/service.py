"""One path from a request to a logged slate and back, for the app's tabs and the simulated visitors.

``FeedbackService.present`` takes the static recommender's scores for a request, removes what the
visitor hid in this visit, lets the surface's policy pick the slate, logs it with its propensities
and returns it; ``react``/``undo`` keep a reaction and teach the bandit. When the database is down,
read-only or full, the slate is still shown (the visit's hidden movies are also kept in memory) and
``notice`` says that reactions are not kept; no exception reaches the tab.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from ..paths import cache_dir, feedback_salt
from .data import HIDING, REACTIONS, REWARDS, ShownItem, Slate
from .policies import StaticPolicy, ThompsonPolicy, make_policy
from .store import FeedbackError, FeedbackStore, new_slate_id

log = logging.getLogger(__name__)

#: Candidates (best static scores) a slate is chosen from and logged with: the estimators' action set.
CANDIDATES = 50
#: Visits whose hidden movies are kept in memory (for a database that is down).
VISITS_IN_MEMORY = 10_000
NOT_KEPT = "반응이 저장되지 않습니다 (reactions are not kept right now: the feedback database is unavailable)"


def visitor_key(session_hash: str, salt: str) -> str:
    """The anonymous visitor key: SHA-256 of the salt and Gradio's session hash (never an IP)."""
    return hashlib.sha256(f"{salt}\0{session_hash}".encode()).hexdigest()


def default_salt() -> str:
    """``$MOVIATTN_FEEDBACK_SALT``, else a random salt created once in the cache folder (``feedback.salt``)."""
    configured = feedback_salt()
    if configured:
        return configured
    path = Path(cache_dir("feedback.salt"))
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(16))
        return path.read_text().strip()
    except OSError:  # read-only cache: a salt for this process only
        return secrets.token_hex(16)


@dataclass(frozen=True)
class Shown:
    """What a tab shows: the slate (its movies in order), and a notice where reactions are not kept."""

    slate: Slate
    kept: bool
    notice: str | None = None

    @property
    def movie_ids(self) -> list[str]:
        return [i.movie_id for i in self.slate.items]


class FeedbackService:
    """Slates and reactions of every surface, on one store (None: unavailable, nothing kept)."""

    def __init__(self, store: FeedbackStore | None, policies: Mapping[str, str] | None = None, seed: int | None = None, salt: str | None = None):
        """``policies``: surface → policy name (default ``thompson`` everywhere; ``static`` is the baseline)."""
        self.store = store
        self.salt = salt or default_salt()
        self.policy_names = dict(policies or {})
        self._policies: dict[str, StaticPolicy | ThompsonPolicy] = {}
        self._hidden: OrderedDict[tuple[str, str], set[str]] = OrderedDict()
        self._lock = threading.Lock()
        self.rng = np.random.default_rng(seed)

    @classmethod
    def open(cls, url: str | None = None, **kwargs) -> "FeedbackService":
        """On the database at ``url`` (default the app's); a database that cannot be opened gives a service that keeps nothing."""
        try:
            return cls(FeedbackStore(url), **kwargs)
        except FeedbackError:
            raise
        except (sa.exc.SQLAlchemyError, OSError) as exc:
            log.warning("feedback database unavailable: %s", exc)
            return cls(None, **kwargs)

    def visitor(self, session_hash: str | None) -> str:
        return visitor_key(session_hash or "anonymous", self.salt)

    def policy(self, surface: str) -> StaticPolicy | ThompsonPolicy:
        """The surface's policy, its bandit counts read from the store on first use."""
        with self._lock:
            if surface not in self._policies:
                policy = make_policy(self.policy_names.get(surface, "thompson"))
                if self.store is not None and isinstance(policy, ThompsonPolicy):
                    try:
                        for (context, movie), (hits, shown) in self.store.reward_counts(surface).items():
                            policy.update(context, movie, shown, hits)
                    except sa.exc.SQLAlchemyError as exc:
                        log.warning("feedback: bandit counts not read: %s", exc)
                self._policies[surface] = policy
            return self._policies[surface]

    def _hidden_in_visit(self, visitor: str, surface: str) -> set[str]:
        with self._lock:
            hidden = self._hidden.setdefault((visitor, surface), set())
            self._hidden.move_to_end((visitor, surface))
            while len(self._hidden) > VISITS_IN_MEMORY:
                self._hidden.popitem(last=False)
            return hidden

    def hidden(self, visitor: str, surface: str) -> tuple[set[str], str | None]:
        """The movies ``visitor`` marked 👎 or 관심 없음 on ``surface`` in this visit, and a notice where the database is unavailable."""
        hidden = set(self._hidden_in_visit(visitor, surface))
        if self.store is None:
            return hidden, NOT_KEPT
        try:
            return hidden | self.store.hidden_movies(visitor, surface), None
        except sa.exc.SQLAlchemyError:
            return hidden, NOT_KEPT

    def present(self, visitor: str, surface: str, context: str, scores: Mapping[str, float], k: int,
                emotions: dict[str, float] | None = None, diary_text: str | None = None) -> Shown:
        """Pick and log a slate of ``k`` movies from ``scores`` (movie → static score) for ``visitor``'s request."""
        hidden, notice = self.hidden(visitor, surface)
        # -inf marks a movie the recommender rules out (already seen): never a candidate
        best = sorted((m for m in scores if m not in hidden and math.isfinite(scores[m])), key=lambda m: (-scores[m], m))[:CANDIDATES]
        candidates = {m: float(scores[m]) for m in best}
        policy = self.policy(surface)
        chosen = policy.slate(context, candidates, k, self.rng)
        inclusion = policy.inclusion(context, candidates, k)
        slate = Slate(new_slate_id(), surface, policy.name, policy.version, context,
                      tuple(ShownItem(m, p, max(inclusion[m], 1e-6), candidates[m]) for p, m in enumerate(chosen)), candidates)
        for movie in chosen:
            policy.update(context, movie, 1, 0.0)
        kept = notice is None and self._kept(lambda store: store.log_slate(visitor, slate, emotions, diary_text))
        return Shown(slate, kept, None if kept else NOT_KEPT)

    def _kept(self, write) -> bool:
        if self.store is None:
            return False
        try:
            write(self.store)
            return True
        except sa.exc.SQLAlchemyError as exc:
            log.warning("feedback not kept: %s", exc)
            return False

    def react(self, visitor: str, slate: Slate, movie_id: str, reaction: str) -> str | None:
        """Keep a reaction (a button label or a stored name) to a movie of ``slate``; a notice where it is not kept.
        Raises FeedbackError for a slate that is not the visitor's, a movie it did not show, an unknown reaction."""
        name = REACTIONS.get(reaction, reaction)
        if name not in REWARDS:
            raise FeedbackError(f"unknown reaction {reaction!r}; choose one of {', '.join(REACTIONS)}")
        if movie_id not in {i.movie_id for i in slate.items}:
            raise FeedbackError(f"movie {movie_id!r} was not in this recommendation")
        if name in HIDING:
            self._hidden_in_visit(visitor, slate.surface).add(movie_id)
        earlier: list[str | None] = [None]

        def write(store: FeedbackStore) -> None:
            earlier[0] = store.react(visitor, slate.slate_id, movie_id, name)

        if not self._kept(write):
            return NOT_KEPT
        self.policy(slate.surface).update(slate.context, movie_id, 0, REWARDS[name] - REWARDS.get(earlier[0] or "", 0.0))
        return None

    def undo(self, visitor: str, slate: Slate, movie_id: str) -> str | None:
        """Take a reaction back (the movie may come back); a notice where the database is unavailable."""
        self._hidden_in_visit(visitor, slate.surface).discard(movie_id)
        removed: list[str | None] = [None]

        def write(store: FeedbackStore) -> None:
            removed[0] = store.undo(visitor, slate.slate_id, movie_id)

        if not self._kept(write):
            return NOT_KEPT
        if removed[0] is not None:
            self.policy(slate.surface).update(slate.context, movie_id, 0, -REWARDS[removed[0]])
        return None
