"""Sorting and its tie-break, rating threshold, k-core, session cutting, statistics; both splits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from moviattn.recommend.session.data import RatingLog
from moviattn.recommend.session.sessions import cut_sessions, filter_rating, k_core, sort_events, statistics
from moviattn.recommend.session.splits import Protocol, make_split
from moviattn.registry import UnknownChoice

from .conftest import DAY


def frame(rows):
    events = pd.DataFrame(rows, columns=["user", "item", "rating", "time"])
    events["order"] = np.arange(len(events))
    return events


TIES = frame([("u", "9", 5, 100), ("u", "10", 5, 50), ("u", "2", 5, 100), ("v", "1", 5, 7), ("u", "3", 5, 100)])


def test_tie_breaks_are_deterministic_and_documented():
    assert sort_events(TIES, "file")["item"].tolist() == ["10", "9", "2", "3", "1"]  # file order within a second
    assert sort_events(TIES, "item")["item"].tolist() == ["10", "2", "3", "9", "1"]  # numeric ids as numbers
    shuffled = TIES.sample(frac=1, random_state=3)
    assert sort_events(shuffled, "file")["item"].tolist() == ["10", "9", "2", "3", "1"]  # "order", not row position
    first, again = sort_events(TIES, "random", seed=1), sort_events(TIES, "random", seed=1)
    assert first["item"].tolist() == again["item"].tolist()
    assert first["item"].tolist()[0] == "10" and first["item"].tolist()[-1] == "1"
    with pytest.raises(UnknownChoice, match="choose one of file, item, random"):
        sort_events(TIES, "time")


def test_session_cutting_whole_history_and_gap():
    events = sort_events(frame([("u", "a", 5, 0), ("u", "b", 5, 3600), ("u", "c", 5, 3 * 3600 + 1), ("v", "a", 5, 3 * 3600 + 2)]))
    assert cut_sessions(events)["session"].tolist() == [0, 0, 0, 1]
    assert cut_sessions(events, gap_hours=1)["session"].tolist() == [0, 0, 1, 2]  # a 1 h gap is not more than 1 h
    assert cut_sessions(events, gap_hours=2.5)["session"].tolist() == [0, 0, 0, 1]
    with pytest.raises(ValueError, match="positive"):
        cut_sessions(events, gap_hours=0)
    stats = statistics(cut_sessions(events, gap_hours=1))
    assert (stats.users, stats.items, stats.events, stats.sessions) == (2, 3, 4, 3)
    assert (stats.length_min, stats.length_median, stats.length_max) == (1, 1.0, 2)


def test_k_core_is_iterated_to_a_fixed_point():
    # item z has 1 event; dropping it leaves user w with 1 event, which must then go too
    rows = [(u, i, 5, t) for t, (u, i) in enumerate([("u", "x"), ("u", "y"), ("v", "x"), ("v", "y"), ("w", "z"), ("w", "x")])]
    kept = k_core(frame(rows), 2)
    assert sorted(set(kept["user"])) == ["u", "v"] and sorted(set(kept["item"])) == ["x", "y"]
    assert filter_rating(frame([("u", "x", 2, 0), ("u", "y", 3, 1)]), 3)["item"].tolist() == ["y"]


def test_leave_one_out_split(log):
    split = make_split(log, Protocol())
    item_index = split.item_index()
    by_user = {u: g for u, g in log.events.groupby("user")}
    for queries, back in ((split.test, 1), (split.valid, 2)):
        for user, history, target in zip(queries.users, queries.history, queries.targets):
            ordered = [item_index[i] for i in by_user[split.user_ids[user]].sort_values("time")["item"]]
            assert target == ordered[-back] and list(history) == ordered[:-back]
    train_by_user = dict(zip(split.train_users, split.train))
    for user, history in zip(split.valid.users, split.valid.history):
        assert list(train_by_user[user]) == list(history)  # training never sees the validation or test event
    assert split.train_events() == len(log.events) - 2 * len(by_user)
    assert split.fingerprint == make_split(log, Protocol()).fingerprint
    assert split.fingerprint != make_split(log, Protocol(tie_break="random")).fingerprint


def test_time_split_has_no_future_leakage(log):
    protocol = Protocol(split="time", test_days=3, valid_days=3, gap_hours=30)
    split = make_split(log, protocol)
    when = {(r.user, r.item): r.time for r in log.events.itertuples()}
    raw = lambda user, item: when[(split.user_ids[user], split.item_ids[item])]  # noqa: E731
    train_last = max(raw(u, i) for u, s in zip(split.train_users, split.train) for i in s)
    valid_times = [raw(u, t) for u, t in zip(split.valid.users, split.valid.targets)]
    test_times = [raw(u, t) for u, t in zip(split.test.users, split.test.targets)]
    assert train_last < min(valid_times) <= max(valid_times) < min(test_times)
    cut_test = log.events["time"].max() - 3 * DAY
    assert min(test_times) >= cut_test > max(valid_times)
    for queries in (split.valid, split.test):  # inputs come strictly before their target
        for user, history, target in zip(queries.users, queries.history, queries.targets):
            assert all(raw(user, i) < raw(user, target) for i in history)
    # one event per day and a 30 h gap: every day continues the session, so contexts are whole histories
    assert all(s == 0 for s in split.test.session_start)


def test_empty_parts_are_errors(log):
    with pytest.raises(ValueError, match="no events left"):
        make_split(log, Protocol(core=1000))
    with pytest.raises(ValueError, match="left an empty part"):
        make_split(log, Protocol(split="time", test_days=0.0001, valid_days=0.0001))
    with pytest.raises(UnknownChoice, match="unknown split 'random'"):
        Protocol(split="random")


def test_statistics_of_a_log(log):
    stats = statistics(cut_sessions(sort_events(log.events)))
    assert (stats.users, stats.events, stats.sessions, stats.length_mean) == (60, 1200, 60, 20.0)
    assert dict(stats.rows())["events"] == "1,200"


def test_ratings_below_the_threshold_are_dropped_before_the_core():
    rows = [(str(u), str(i), 1.0 if i == 0 else 5.0, u * 100 + i) for u in range(12) for i in range(12)]
    split = make_split(RatingLog(frame(rows), {}, "grid"), Protocol())
    assert "0" not in split.item_ids and split.n_items == 11
