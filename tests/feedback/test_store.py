"""The store on SQLite and PostgreSQL: migration from empty, refusal of a newer schema, slates, reactions, bad input."""

from __future__ import annotations

import multiprocessing

import pytest
import sqlalchemy as sa

from moviattn.feedback.data import ShownItem, Slate
from moviattn.feedback.store import MAX_REACTIONS_PER_VISITOR, FeedbackError, FeedbackStore, SchemaTooNew, new_slate_id, schema_revision


def _slate(movies=("m1", "m2", "m3"), surface="diary") -> Slate:
    return Slate(new_slate_id(), surface, "thompson", "1", "joy",
                 tuple(ShownItem(m, p, 0.5, 1.0 - p / 10) for p, m in enumerate(movies)), {m: 1.0 for m in movies})


def test_migration_from_an_empty_database(database_url):
    engine = sa.create_engine(database_url)
    assert schema_revision(engine) is None
    store = FeedbackStore(database_url)
    assert schema_revision(engine) == store.revision == "0001"
    assert {"slates", "slate_items", "reactions", "alembic_version"} <= set(sa.inspect(engine).get_table_names())
    FeedbackStore(database_url).close()  # opening again changes nothing
    store.close()
    engine.dispose()


def test_a_newer_schema_is_refused_and_left_alone(store):
    with store.engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(SchemaTooNew, match="newer than this moviattn knows"):
        FeedbackStore(store.url)
    assert schema_revision(store.engine) == "9999"


def test_slates_reactions_replays_and_undo(store):
    slate = _slate()
    store.log_slate("v1", slate, emotions={"joy": 0.9})
    assert store.react("v1", slate.slate_id, "m2", "dislike") is None
    assert store.react("v1", slate.slate_id, "m2", "dislike") == "dislike"  # replay: the same row
    store.react("v1", slate.slate_id, "m1", "like")
    assert store.stats()["reactions"] == 2
    assert store.hidden_movies("v1", "diary") == {"m2"}
    assert store.hidden_movies("v2", "diary") == set()
    assert store.undo("v1", slate.slate_id, "m2") == "dislike"
    assert store.hidden_movies("v1", "diary") == set()
    logged = list(store.logged_slates())
    assert logged[0].rewards == {"m1": 1.0, "m2": 0.0, "m3": 0.0}
    assert [i.propensity for i in logged[0].items] == [0.5] * 3
    assert store.table("slates")[0]["diary_text"] is None
    assert store.reward_counts("diary")[("joy", "m1")] == (1.0, 1)


@pytest.mark.parametrize("slate_id, movie, reaction, message", [
    ("0" * 32, "m1", "like", "not one shown to you"),  # forged / unknown
    (None, "m1", "like", "not one shown to you"),  # another visitor's slate (see below)
    ("own", "m9", "like", "was not in this recommendation"),
    ("own", "m1", "love", "unknown reaction"),
])
def test_bad_reactions_are_refused_and_nothing_is_written(store, slate_id, movie, reaction, message):
    own, other = _slate(), _slate()
    store.log_slate("v1", own)
    store.log_slate("v2", other)
    chosen = {"own": own.slate_id, None: other.slate_id}.get(slate_id, slate_id)
    with pytest.raises(FeedbackError, match=message):
        store.react("v1", chosen, movie, reaction)
    assert store.stats()["reactions"] == 0


@pytest.mark.slow
def test_ten_thousand_clicks_from_one_visitor(store):
    """10,000 clicks on SQLite; 1,000 on PostgreSQL, where each is a network round trip (54 s for 10,000 under load)."""
    slate = _slate()
    store.log_slate("v1", slate)
    for click in range(10_000 if store.url.startswith("sqlite") else 1_000):
        store.react("v1", slate.slate_id, "m1", ("like", "dislike")[click % 2])
    assert store.stats()["reactions"] == 1
    many = _slate(tuple(f"m{i}" for i in range(MAX_REACTIONS_PER_VISITOR + 1)))
    store.log_slate("v1", many)
    for i in range(MAX_REACTIONS_PER_VISITOR - 1):
        store.react("v1", many.slate_id, f"m{i}", "like")
    with pytest.raises(FeedbackError, match="reactions kept for this visit already"):
        store.react("v1", many.slate_id, f"m{MAX_REACTIONS_PER_VISITOR}", "like")
    assert store.stats()["reactions"] == MAX_REACTIONS_PER_VISITOR


def _react_many(url: str, slate_ids: list[str]) -> None:
    store = FeedbackStore(url)
    for slate_id in slate_ids:
        store.react("v1", slate_id, "m1", "like")
    store.close()


@pytest.mark.slow
def test_two_processes_on_one_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    store = FeedbackStore(url)
    slates = [_slate() for _ in range(200)]
    for slate in slates:
        store.log_slate("v1", slate)
    ids = [s.slate_id for s in slates]
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_react_many, args=(url, part)) for part in (ids[:100], ids[100:])]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [w.exitcode for w in workers] == [0, 0]
    assert store.stats()["reactions"] == 200
