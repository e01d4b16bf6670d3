"""The request → slate → reaction path: re-ranking within a visit, propensities, a database down, read-only or full."""

from __future__ import annotations

import sqlite3

import pytest

from moviattn.feedback.service import NOT_KEPT, FeedbackService, visitor_key
from moviattn.feedback.store import FeedbackError

SCORES = {f"m{i}": 1.0 - i / 10 for i in range(8)}


@pytest.mark.parametrize("policy", ["static", "thompson"])
def test_a_disliked_movie_never_comes_back_in_the_visit(store, policy):
    service = FeedbackService(store, {"diary": policy}, seed=0, salt="s")
    visitor = service.visitor("session-1")
    first = service.present(visitor, "diary", "joy", SCORES, 3)
    assert first.kept and len(first.movie_ids) == 3
    assert all(0 < i.propensity <= 1 for i in first.slate.items)
    gone = first.movie_ids[0]
    assert service.react(visitor, first.slate, gone, "👎") is None
    for _ in range(5):
        assert gone not in service.present(visitor, "diary", "joy", SCORES, 3).movie_ids
    other = service.present(service.visitor("session-2"), "diary", "joy", SCORES, 3)
    with pytest.raises(FeedbackError, match="not one shown to you"):
        service.react(service.visitor("session-2"), first.slate, gone, "👍")
    assert other.kept
    service.undo(visitor, first.slate, gone)
    assert store.hidden_movies(visitor, "diary") == set()


def test_visitor_keys_are_salted_hashes():
    assert visitor_key("abc", "s1") != visitor_key("abc", "s2") and len(visitor_key("abc", "s1")) == 64


def test_database_down_keeps_recommending_with_a_notice(tmp_path):
    service = FeedbackService.open("postgresql+psycopg://nobody@127.0.0.1:1/none", salt="s")
    assert service.store is None
    visitor = service.visitor("x")
    shown = service.present(visitor, "diary", "joy", SCORES, 3)
    assert len(shown.movie_ids) == 3 and shown.notice == NOT_KEPT
    assert service.react(visitor, shown.slate, shown.movie_ids[0], "관심 없음") == NOT_KEPT
    assert shown.movie_ids[0] not in service.present(visitor, "diary", "joy", SCORES, 3).movie_ids  # kept in memory


def test_read_only_and_full_disk_sqlite(tmp_path):
    from moviattn.feedback.store import FeedbackStore

    url = f"sqlite:///{tmp_path / 'f.sqlite3'}"
    store = FeedbackStore(url)
    service = FeedbackService(store, salt="s")
    visitor = service.visitor("x")
    assert service.present(visitor, "diary", "joy", SCORES, 3).kept
    store.engine.dispose()
    (tmp_path / "f.sqlite3").chmod(0o444)
    read_only = FeedbackService(FeedbackStore(f"sqlite:///file:{tmp_path / 'f.sqlite3'}?mode=ro&uri=true"), salt="s")
    shown = read_only.present(visitor, "diary", "joy", SCORES, 3)
    assert len(shown.movie_ids) == 3 and shown.notice == NOT_KEPT
    (tmp_path / "f.sqlite3").chmod(0o644)
    with sqlite3.connect(tmp_path / "f.sqlite3") as raw:
        pages = raw.execute("PRAGMA page_count").fetchone()[0]
    from sqlalchemy import event

    full = FeedbackStore(url)
    event.listen(full.engine, "connect", lambda c, _r: c.execute(f"PRAGMA max_page_count={pages}"))
    full.engine.dispose()
    service = FeedbackService(full, salt="s")
    big = {f"movie-{i:05d}" * 3: 1.0 for i in range(2000)}
    results = [service.present(visitor, "diary", "x" * 150, big, 3) for _ in range(200)]
    assert any(r.notice == NOT_KEPT for r in results) and all(len(r.movie_ids) == 3 for r in results)
