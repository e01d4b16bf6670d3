"""Splits fixed in advance: leave-last-one-out per user, or a global time split.

``loo`` is the RecBole sequential protocol (ML-1M: rating ≥ 3, 10-core): each user's last event is
the test target, the one before it the validation target, and training sees only the events before
both; the test history includes the validation event as input, as in RecBole. ``time`` cuts the whole
log at two instants: events in the last ``test_days`` are test queries, the ``valid_days`` before them
validation queries, everything earlier is training, so no test event precedes a training event.
In the time split a query is every event after the first of its session whose item occurs in
training, with the user's whole earlier history as input (earlier query events included: they
are inputs, never trained on). Validation comes from before the test period in both splits; the
model chosen on validation is tested once, without retraining.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from ...registry import choose
from .data import RatingLog
from .sessions import cut_sessions, filter_rating, k_core, sort_events

SPLITS = ("loo", "time")


@dataclass(frozen=True)
class Protocol:
    """Everything that turns a rating log into a split; part of every saved model's key."""

    split: str = "loo"
    min_rating: float | None = 3.0
    core: int = 10
    gap_hours: float | None = None
    tie_break: str = "file"
    seed: int = 0
    test_days: float = 30.0
    valid_days: float = 30.0

    def __post_init__(self) -> None:
        choose("split", self.split, SPLITS)


@dataclass
class Queries:
    """Next-item queries: each user's earlier items (in order), where the current session starts, the target."""

    users: np.ndarray
    history: list[np.ndarray]
    session_start: np.ndarray
    targets: np.ndarray

    def __len__(self) -> int:
        return len(self.targets)

    def contexts(self, sequence_aware: bool = False) -> list[np.ndarray]:
        """What a model sees: the current session, or the whole history in sequence-aware mode."""
        if sequence_aware:
            return self.history
        return [h[s:] for h, s in zip(self.history, self.session_start)]


@dataclass
class Split:
    """Encoded training sessions and the validation and test queries; items are 0 .. n_items-1."""

    protocol: Protocol
    item_ids: np.ndarray
    user_ids: np.ndarray
    train: list[np.ndarray]
    train_users: np.ndarray
    valid: Queries
    test: Queries
    fingerprint: str = field(default="")

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    def item_index(self) -> dict[str, int]:
        return {item: i for i, item in enumerate(self.item_ids)}

    def train_events(self) -> int:
        return sum(len(s) for s in self.train)


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes and the sorted unique values (numeric order where every id is a number)."""
    unique = values.unique()
    numeric = pd.to_numeric(pd.Series(unique), errors="coerce")
    order = np.argsort(numeric.to_numpy(), kind="stable") if numeric.notna().all() else np.argsort(unique.astype(str), kind="stable")
    unique = unique[order]
    return pd.Index(unique).get_indexer(values), unique.astype(str)


def _queries(rows: list[tuple[int, np.ndarray, int, int]]) -> Queries:
    """``(user, items, session_start, position)`` → the query for ``items[position]``."""
    return Queries(
        users=np.array([r[0] for r in rows], dtype=np.int64),
        history=[r[1][: r[3]] for r in rows],
        session_start=np.array([r[2] for r in rows], dtype=np.int64),
        targets=np.array([r[1][r[3]] for r in rows], dtype=np.int64),
    )


def _fingerprint(protocol: Protocol, split: Split) -> str:
    digest = hashlib.sha256(json.dumps(asdict(protocol), sort_keys=True).encode())
    digest.update("\0".join(split.item_ids).encode())
    for session in split.train:
        digest.update(session.astype(np.int32).tobytes() + b"|")
    for queries in (split.valid, split.test):
        digest.update(queries.targets.astype(np.int32).tobytes())
    return digest.hexdigest()[:16]


def make_split(log: RatingLog, protocol: Protocol = Protocol()) -> Split:
    """Filter, sort, cut sessions and split ``log`` as ``protocol`` says."""
    events = k_core(filter_rating(log.events, protocol.min_rating), protocol.core)
    if events.empty:
        raise ValueError(f"no events left after rating ≥ {protocol.min_rating} and {protocol.core}-core filtering")
    events = cut_sessions(sort_events(events, protocol.tie_break, protocol.seed), protocol.gap_hours)
    item_codes, item_ids = _codes(events["item"])
    user_codes, user_ids = _codes(events["user"])
    bounds = np.flatnonzero(np.r_[True, user_codes[1:] != user_codes[:-1], True])
    sessions = events["session"].to_numpy()
    times = events["time"].to_numpy()
    cut_valid = cut_test = np.inf
    if protocol.split == "time":
        cut_test = times.max() - protocol.test_days * 86400
        cut_valid = cut_test - protocol.valid_days * 86400
    train, train_users, valid, test = [], [], [], []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        user, items, sess, when = int(user_codes[lo]), item_codes[lo:hi], sessions[lo:hi], times[lo:hi]
        starts = np.searchsorted(sess, sess)  # first position of each event's session
        if protocol.split == "loo":
            if len(items) < 3:
                continue
            n_train = len(items) - 2
            valid.append((user, items, min(starts[-2], n_train), n_train))
            test.append((user, items, starts[-1], n_train + 1))
        else:
            n_train = int(np.searchsorted(when, cut_valid))
            for position in range(max(n_train, 1), len(items)):
                if starts[position] < position:
                    (valid if when[position] < cut_test else test).append((user, items, starts[position], position))
        for s in np.unique(sess[:n_train]):
            train.append(items[:n_train][sess[:n_train] == s])
            train_users.append(user)
    if protocol.split == "time":
        known = np.zeros(len(item_ids), dtype=bool)
        known[np.concatenate(train) if train else []] = True
        valid, test = ([q for q in rows if known[q[1][q[3]]]] for rows in (valid, test))
    if not train or not valid or not test:
        raise ValueError(
            f"the {protocol.split} split left an empty part (train {len(train)}, valid {len(valid)}, test {len(test)} sessions/queries)"
        )
    split = Split(protocol, item_ids, user_ids, train, np.array(train_users, dtype=np.int64), _queries(valid), _queries(test))
    split.fingerprint = _fingerprint(protocol, split)
    return split


def split_events(split: Split) -> pd.DataFrame:
    """The training sessions as a long frame (session, user, item codes), for statistics."""
    lengths = np.array([len(s) for s in split.train])
    return pd.DataFrame(
        {
            "session": np.repeat(np.arange(len(split.train)), lengths),
            "user": np.repeat(split.train_users, lengths),
            "item": np.concatenate(split.train),
        }
    )
