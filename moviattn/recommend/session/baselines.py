"""Baselines that often beat neural session models (Ludewig & Jannach 2018): popularity, S-POP,
Markov-1, item-kNN and session-kNN (SKNN, V-SKNN), all count-based and fitted in seconds.

Every baseline adds the item's normalised popularity times ``1e-6`` to its scores: under
conservative ties an item scored 0 by a count model (no transition from the last movie, no
neighbour) would lose to every other zero, so without the back-off these models are punished for
ties rather than judged on what they know. The weight is far below any count or similarity the
models produce on MovieLens, so it only orders items the model itself cannot tell apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch

from .models import EpochCallback, Recommender
from .splits import Split

BACKOFF = 1e-6


def _csr_state(prefix: str, matrix: sp.csr_matrix) -> dict[str, torch.Tensor]:
    return {
        f"{prefix}.data": torch.from_numpy(matrix.data.astype(np.float32)),
        f"{prefix}.indices": torch.from_numpy(matrix.indices.astype(np.int64)),
        f"{prefix}.indptr": torch.from_numpy(matrix.indptr.astype(np.int64)),
        f"{prefix}.shape": torch.tensor(matrix.shape),
    }


def _csr_load(prefix: str, state: Mapping[str, torch.Tensor]) -> sp.csr_matrix:
    parts = (state[f"{prefix}.{key}"].numpy() for key in ("data", "indices", "indptr"))
    return sp.csr_matrix(tuple(parts), shape=tuple(state[f"{prefix}.shape"].tolist()))


def _last_items(contexts: Sequence[np.ndarray]) -> np.ndarray:
    """Last item of each context, -1 for an empty one."""
    return np.array([c[-1] if len(c) else -1 for c in contexts], dtype=np.int64)


class MostPopular(Recommender):
    """Items by their number of training events: the same list for everyone."""

    name = "pop"

    def fit(self, split: Split, progress: bool = False, on_epoch: EpochCallback | None = None) -> "MostPopular":
        self.n_items = split.n_items
        counts = np.bincount(np.concatenate(split.train), minlength=split.n_items).astype(np.float32)
        self.popularity = counts / max(1.0, counts.max())
        self._fit_rest(split)
        return self

    def _fit_rest(self, split: Split) -> None:
        """Model-specific fitting after the popularity (none here)."""

    def backoff(self, rows: int) -> np.ndarray:
        return np.broadcast_to(BACKOFF * self.popularity, (rows, self.n_items)).copy()

    def scores(self, contexts: Sequence[np.ndarray], users: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.popularity, (len(contexts), self.n_items)).copy()

    def _extra_state(self) -> dict[str, torch.Tensor]:
        return {}

    def _load_extra(self, state: Mapping[str, torch.Tensor]) -> None:
        """Restore what ``_extra_state`` saved (nothing here)."""

    def state(self) -> dict[str, torch.Tensor]:
        return {"popularity": torch.from_numpy(self.popularity), **self._extra_state()}

    def load_state(self, state: Mapping[str, torch.Tensor], n_items: int) -> "MostPopular":
        self.n_items, self.popularity = n_items, state["popularity"].numpy()
        self._load_extra(state)
        return self


class SessionPopular(MostPopular):
    """S-POP: items by how often they occur in the current session, popularity breaking ties.

    On MovieLens a user rates a movie once, so with seen items excluded S-POP equals popularity.
    """

    name = "spop"

    def scores(self, contexts: Sequence[np.ndarray], users: np.ndarray) -> np.ndarray:
        scores = self.backoff(len(contexts)) * 1e3  # popularity below one occurrence
        for row, context in enumerate(contexts):
            np.add.at(scores[row], context, 1.0)
        return scores


class Markov(MostPopular):
    """Markov-1: counts of ``last item → next item`` in the training sessions."""

    name = "markov"

    def _fit_rest(self, split: Split) -> None:
        pairs = [(s[:-1], s[1:]) for s in split.train if len(s) > 1]
        rows = np.concatenate([p[0] for p in pairs])
        cols = np.concatenate([p[1] for p in pairs])
        self.transitions = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(self.n_items, self.n_items))

    def scores(self, contexts: Sequence[np.ndarray], users: np.ndarray) -> np.ndarray:
        scores = self.backoff(len(contexts))
        last = _last_items(contexts)
        known = last >= 0
        scores[known] += self.transitions[last[known]].toarray()
        return scores

    def _extra_state(self) -> dict[str, torch.Tensor]:
        return _csr_state("transitions", self.transitions)

    def _load_extra(self, state: Mapping[str, torch.Tensor]) -> None:
        self.transitions = _csr_load("transitions", state)


class ItemKNN(MostPopular):
    """Item-kNN: cosine similarity of items by co-occurrence in training sessions, from the last item.

    ``window`` counts only pairs at most that many positions apart (``0``: the whole session), which
    on whole-history sessions turns "rated by the same users" into "rated around the same time".
    """

    name = "iknn"
    DEFAULTS = {"window": 0}

    def _fit_rest(self, split: Split) -> None:
        window = int(self.params["window"])
        if window > 0:
            rows, cols = [], []
            for s in split.train:
                for gap in range(1, min(window, len(s) - 1) + 1):
                    rows += [s[:-gap], s[gap:]]
                    cols += [s[gap:], s[:-gap]]
            rows, cols = np.concatenate(rows), np.concatenate(cols)
            co = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(self.n_items, self.n_items))
        else:
            x = _session_matrix(split.train, self.n_items)
            co = (x.T @ x).tocsr()
        co.setdiag(0)
        co.eliminate_zeros()
        norm = np.sqrt(np.asarray(co.sum(axis=1)).ravel()) + 1e-9
        self.similarity = sp.csr_matrix(sp.diags(1 / norm) @ co @ sp.diags(1 / norm), dtype=np.float32)

    def scores(self, contexts: Sequence[np.ndarray], users: np.ndarray) -> np.ndarray:
        scores = self.backoff(len(contexts))
        last = _last_items(contexts)
        known = last >= 0
        scores[known] += self.similarity[last[known]].toarray()
        return scores

    def _extra_state(self) -> dict[str, torch.Tensor]:
        return _csr_state("similarity", self.similarity)

    def _load_extra(self, state: Mapping[str, torch.Tensor]) -> None:
        self.similarity = _csr_load("similarity", state)


def _session_matrix(sessions: Sequence[np.ndarray], n_items: int) -> sp.csr_matrix:
    """Binary sessions × items matrix."""
    rows = np.repeat(np.arange(len(sessions)), [len(s) for s in sessions])
    x = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, np.concatenate(sessions))), shape=(len(sessions), n_items))
    x.data[:] = 1.0
    return x


class SessionKNN(MostPopular):
    """SKNN: the ``k`` training sessions most similar (cosine) to the current one vote for their items.

    Sessions of the querying user are never neighbours (in leave-one-out they contain the user's
    own past, which says nothing about the next movie). All training sessions are candidates
    (Ludewig & Jannach sample recent ones to bound the cost; MovieLens is small enough not to).
    """

    name = "sknn"
    DEFAULTS: dict[str, Any] = {"k": 100}
    #: V-SKNN weights context items by position; SKNN weighs them equally.
    positional = False

    def _fit_rest(self, split: Split) -> None:
        self.sessions = _session_matrix(split.train, self.n_items)
        self.session_users = split.train_users.copy()

    def _weights(self, context: np.ndarray) -> np.ndarray:
        if not self.positional:
            return np.ones(len(context), dtype=np.float32)
        return (np.arange(1, len(context) + 1) / len(context)).astype(np.float32)  # linear decay into the past

    def scores(self, contexts: Sequence[np.ndarray], users: np.ndarray) -> np.ndarray:
        query = np.zeros((len(contexts), self.n_items), dtype=np.float32)
        for row, context in enumerate(contexts):
            np.maximum.at(query[row], context, self._weights(context))
        lengths = np.asarray(self.sessions.sum(axis=1)).ravel()
        sims = (self.sessions @ query.T).T / (np.sqrt(lengths)[None, :] * np.sqrt((query**2).sum(1, keepdims=True)) + 1e-9)
        sims[users[:, None] == self.session_users[None, :]] = 0.0
        k = int(self.params["k"])
        if k < sims.shape[1]:
            cut = np.partition(sims, -k, axis=1)[:, -k][:, None]
            sims[sims < cut] = 0.0
        return self.backoff(len(contexts)) + np.asarray(sims @ self.sessions)

    def _extra_state(self) -> dict[str, torch.Tensor]:
        return {**_csr_state("sessions", self.sessions), "session_users": torch.from_numpy(self.session_users)}

    def _load_extra(self, state: Mapping[str, torch.Tensor]) -> None:
        self.sessions, self.session_users = _csr_load("sessions", state), state["session_users"].numpy()


class VSessionKNN(SessionKNN):
    """V-SKNN: SKNN with recent context items weighted more (linear decay)."""

    name = "vsknn"
    positional = True
