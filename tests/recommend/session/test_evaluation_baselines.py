"""Hand-computed ranking cases with ties, seen-item exclusion, and every baseline on tiny examples."""

from __future__ import annotations

import numpy as np
import pytest

from moviattn.metrics import metric, rank_counts
from moviattn.recommend.session.evaluation import evaluate, seen_mask, summary
from moviattn.recommend.session.models import BASELINES, create, parse_settings
from moviattn.recommend.session.splits import Protocol, Queries, Split, make_split
from moviattn.registry import UnknownChoice


class Fixed:
    """A scorer returning fixed rows."""

    sequence_aware = False

    def __init__(self, rows):
        self.rows = np.asarray(rows, dtype=float)

    def scores(self, contexts, users):
        return self.rows[: len(contexts)]


def test_conservative_ties_by_hand():
    # target 0 scores 0.5; item 1 is higher, items 2 and 3 tie: conservative rank 4, optimistic rank 2
    scores = np.array([[0.5, 0.9, 0.5, 0.5, 0.1]])
    counts = rank_counts(scores, [0])
    assert (counts.higher[0], counts.tied[0]) == (1, 2)
    assert metric("mrr", counts, 20, "conservative")[0] == pytest.approx(1 / 4)
    assert metric("mrr", counts, 20, "optimistic")[0] == pytest.approx(1 / 2)
    assert metric("recall", counts, 3, "conservative")[0] == 0.0
    assert metric("ndcg", counts, 10, "conservative")[0] == pytest.approx(1 / np.log2(5))
    assert metric("mrr", counts, 20, "expected")[0] == pytest.approx((1 / 2 + 1 / 3 + 1 / 4) / 3)
    # a constant scorer earns nothing for ties: rank = number of items
    flat = rank_counts(np.zeros((1, 30)), [7])
    assert metric("recall", flat, 20, "conservative")[0] == 0.0


def test_seen_items_are_excluded_but_never_the_target():
    queries = Queries(np.array([0, 1]), [np.array([1, 2]), np.array([], dtype=int)], np.array([0, 0]), np.array([0, 0]))
    model = Fixed([[0.5, 0.9, 0.5, 0.5, 0.1], [0.5, 0.9, 0.5, 0.5, 0.1]])
    assert seen_mask(queries.history, 5).tolist() == [[False, True, True, False, False], [False] * 5]
    excluded = evaluate(model, queries)  # row 0: only item 3 ties → rank 2; row 1: rank 4
    assert excluded["mrr@20"] == pytest.approx((1 / 2 + 1 / 4) / 2)
    assert evaluate(model, queries, exclude_seen=False)["mrr@20"] == pytest.approx(1 / 4)
    assert set(excluded) == {"recall@20", "mrr@20", "hit@10", "ndcg@10"}
    assert summary(rank_counts(np.array([[1.0, 0.0]]), [0]))["hit@10"] == 1.0


def tiny_split() -> Split:
    """Sessions by hand: 0→1→2 twice, 0→3 once, 4 alone, plus one query per context below."""
    train = [np.array([0, 1, 2]), np.array([0, 1, 2]), np.array([0, 3]), np.array([4, 4])]
    queries = Queries(np.array([9, 9]), [np.array([0]), np.array([0, 1])], np.array([0, 0]), np.array([1, 2]))
    return Split(Protocol(), np.array(["a", "b", "c", "d", "e"]), np.array(["u"]), train, np.array([0, 1, 2, 3]), queries, queries, "tiny")


def test_popularity_and_session_popularity():
    split = tiny_split()
    pop = create("pop").fit(split).scores([np.array([0])], np.array([9]))[0]
    assert np.argsort(-pop, kind="stable").tolist() == [0, 1, 2, 4, 3]  # counts 3, 2, 2, 2, 1
    spop = create("spop").fit(split).scores([np.array([3, 3, 4])], np.array([9]))[0]
    assert np.argsort(-spop, kind="stable").tolist()[:2] == [3, 4]  # in-session counts first
    assert spop[0] > spop[1]  # then popularity


def test_markov_counts_transitions_from_the_last_item():
    scores = create("markov").fit(tiny_split()).scores([np.array([4, 0]), np.array([]), np.array([1])], np.array([9, 9, 9]))
    assert scores[0, 1] == pytest.approx(2, abs=1e-5) and scores[0, 3] == pytest.approx(1, abs=1e-5)
    assert scores[0, 2] < 1e-5  # never followed 0: only the popularity back-off
    assert np.argmax(scores[1]) == 0  # empty context: popularity
    assert np.argmax(scores[2]) == 2


def test_item_knn_cosine_and_window():
    model = create("iknn").fit(tiny_split())
    scores = model.scores([np.array([1])], np.array([9]))[0]
    assert np.argmax(scores) in (0, 2) and scores[3] < 1e-5 and scores[1] < 1e-5  # itself excluded
    near = create("iknn", window=1).fit(tiny_split()).scores([np.array([0])], np.array([9]))[0]
    assert near[2] < 1e-5 and near[1] > near[3] > 0  # 0 and 2 are two apart


def test_session_knn_neighbours_vote_and_skip_the_users_own_sessions():
    split = tiny_split()
    for name in ("sknn", "vsknn"):
        model = create(name, k=2).fit(split)
        scores = model.scores([np.array([0, 1])], np.array([9]))[0]
        assert scores[2] > 1 > max(scores[3], scores[4])  # both neighbours (sessions 0, 1) hold item 2
        own = model.scores([np.array([0, 1])], np.array([0]))[0]  # user 0 owns session 0: one neighbour left
        assert own[2] < scores[2]
    vs = create("vsknn", k=1).fit(split).scores([np.array([1, 3])], np.array([9]))[0]
    assert vs[0] > 0 and vs[2] < 1e-5  # the recent item 3 picks session 2 (0→3), not a 0→1→2 one


def test_every_baseline_beats_popularity_on_a_markov_source(split):
    pop = evaluate(create("pop").fit(split), split.test)["mrr@20"]
    results = {name: evaluate(create(name).fit(split), split.test) for name in BASELINES}
    assert results["markov"]["mrr@20"] > 0.5 > 3 * pop
    assert results["iknn"]["mrr@20"] > 2 * pop


def test_hyper_parameters_are_checked_and_converted():
    assert create("iknn", window="3").params["window"] == 3
    assert create("gru4rec", tied="true", lr="0.1").params | {} == {**create("gru4rec").params, "tied": True, "lr": 0.1}
    with pytest.raises(UnknownChoice, match="unknown parameter of iknn 'k'"):
        create("iknn", k=3)
    with pytest.raises(ValueError, match="window must be a number"):
        create("iknn", window="wide")
    with pytest.raises(UnknownChoice, match="unknown model 'fm'"):
        create("fm")
    assert parse_settings(["hidden=10", "lr = 0.1"]) == {"hidden": "10", "lr": "0.1"}
    with pytest.raises(ValueError, match="name=value"):
        parse_settings(["hidden"])


def test_protocol_defaults_are_recbole_ml1m():
    assert (Protocol().min_rating, Protocol().core, Protocol().split, Protocol().tie_break) == (3.0, 10, "loo", "file")
    assert make_split is not None


def test_contexts_are_the_session_or_the_whole_history():
    queries = Queries(np.array([0]), [np.array([5, 6, 7])], np.array([2]), np.array([8]))
    assert queries.contexts()[0].tolist() == [7] and queries.contexts(sequence_aware=True)[0].tolist() == [5, 6, 7]
    split = tiny_split()
    split.train_users = np.array([0, 0, 1, 1])
    joined = create("gru4rec", sequence_aware=True).training_sequences(split)
    assert [s.tolist() for s in joined] == [[0, 1, 2, 0, 1, 2], [0, 3, 4, 4]]
    assert len(create("gru4rec").training_sequences(split)) == 4
