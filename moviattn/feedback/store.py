"""The feedback database, by URL: SQLAlchemy 2 Core tables, versioned by the Alembic migrations shipped here.

SQLite (the default, a file in the cache folder) runs in WAL mode with a busy timeout, so two app
processes on one file wait for each other instead of failing; PostgreSQL (CI, or any server by
``MOVIATTN_DATABASE_URL``) needs nothing special. No row is duplicated: a reaction is keyed by
(slate, movie) — a replay or a second click replaces the visitor's earlier reaction to that movie
of that slate — and slate ids are random 128-bit tokens checked against the visitor who was shown them.
A database whose schema is newer than this code's migrations is refused (``SchemaTooNew``), never altered.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from ..paths import database_url
from .data import HIDING, REACTIONS, REWARDS, LoggedSlate, ShownItem, Slate

MIGRATIONS = Path(__file__).with_name("migrations")
#: Seconds a writer waits for another process's lock on a SQLite file before giving up.
SQLITE_BUSY_TIMEOUT_S = 15
#: Reactions one visitor may keep; beyond, clicks are refused with a message (10,000 clicks stay harmless).
MAX_REACTIONS_PER_VISITOR = 500

metadata = sa.MetaData()
slates = sa.Table(
    "slates", metadata,
    sa.Column("slate_id", sa.String(32), primary_key=True),
    sa.Column("visitor", sa.String(64), nullable=False, index=True),
    sa.Column("surface", sa.String(32), nullable=False),
    sa.Column("policy", sa.String(32), nullable=False),
    sa.Column("policy_version", sa.String(16), nullable=False),
    sa.Column("context", sa.String(200), nullable=False),
    sa.Column("candidates", sa.JSON, nullable=False),
    sa.Column("emotions", sa.JSON, nullable=True),
    sa.Column("diary_text", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
slate_items = sa.Table(
    "slate_items", metadata,
    sa.Column("slate_id", sa.String(32), sa.ForeignKey("slates.slate_id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("movie_id", sa.String(64), nullable=False),
    sa.Column("propensity", sa.Float, nullable=False),
    sa.Column("score", sa.Float, nullable=False),
)
reactions = sa.Table(
    "reactions", metadata,
    sa.Column("slate_id", sa.String(32), sa.ForeignKey("slates.slate_id", ondelete="CASCADE"), primary_key=True),
    sa.Column("movie_id", sa.String(64), primary_key=True),
    sa.Column("visitor", sa.String(64), nullable=False, index=True),
    sa.Column("reaction", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


class FeedbackError(ValueError):
    """A reaction or a database the store refuses, with the reason in words (shown to the visitor)."""


class SchemaTooNew(FeedbackError):
    """The database was written by a newer moviattn; it is left as it is."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def engine_for(url: str) -> sa.Engine:
    """An engine for ``url``; SQLite files get their folder, WAL and a busy timeout (two processes, one file)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def _alembic_config(connection: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def schema_revision(engine: sa.Engine) -> str | None:
    """The database's Alembic revision (None: empty or never migrated)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: sa.Engine) -> str:
    """Bring the schema to this code's head revision; refuse (``SchemaTooNew``) a revision this code does not know."""
    script = ScriptDirectory(str(MIGRATIONS))
    head = script.get_current_head()
    current = schema_revision(engine)
    if current is not None and current not in {rev.revision for rev in script.walk_revisions()}:
        raise SchemaTooNew(
            f"the feedback database is at schema revision {current}, newer than this moviattn knows (head {head}); "
            "it was left unchanged: upgrade moviattn, or point MOVIATTN_DATABASE_URL / --db at another database")
    if current != head:
        with engine.begin() as connection:
            command.upgrade(_alembic_config(connection), "head")
    return head


class FeedbackStore:
    """Slates and reactions in the database at ``url`` (default: ``paths.database_url()``), migrated on open."""

    def __init__(self, url: str | None = None):
        self.url = url or database_url()
        self.engine = engine_for(self.url)
        self.revision = migrate(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def log_slate(self, visitor: str, slate: Slate, emotions: dict[str, float] | None = None, diary_text: str | None = None) -> None:
        """Keep a shown slate with each item's propensity (``diary_text`` only where the visitor agreed)."""
        with self.engine.begin() as connection:
            connection.execute(slates.insert().values(
                slate_id=slate.slate_id, visitor=visitor, surface=slate.surface, policy=slate.policy,
                policy_version=slate.policy_version, context=slate.context, candidates=slate.candidates,
                emotions=emotions, diary_text=diary_text, created_at=_now()))
            if slate.items:
                connection.execute(slate_items.insert(), [
                    {"slate_id": slate.slate_id, "position": i.position, "movie_id": i.movie_id, "propensity": i.propensity, "score": i.score}
                    for i in slate.items])

    def react(self, visitor: str, slate_id: str, movie_id: str, reaction: str) -> str | None:
        """Keep ``visitor``'s reaction to ``movie_id`` of their slate ``slate_id`` (replacing an earlier one to the
        same movie of the same slate); the earlier reaction's name, or None. Refuses an unknown or another
        visitor's slate, a movie the slate did not show, an unknown reaction and a visitor over the limit."""
        if reaction not in REWARDS:
            raise FeedbackError(f"unknown reaction {reaction!r}; choose one of {', '.join(REACTIONS.values())}")
        with self.engine.begin() as connection:
            owner = connection.execute(sa.select(slates.c.visitor).where(slates.c.slate_id == slate_id)).scalar()
            if owner != visitor:  # unknown, forged, or another visitor's: the same answer, so nothing leaks
                raise FeedbackError("this recommendation is not one shown to you (unknown or expired slate); recommend again")
            shown = connection.execute(sa.select(slate_items.c.movie_id).where(
                slate_items.c.slate_id == slate_id, slate_items.c.movie_id == movie_id)).first()
            if shown is None:
                raise FeedbackError(f"movie {movie_id!r} was not in this recommendation")
            key = (reactions.c.slate_id == slate_id) & (reactions.c.movie_id == movie_id)
            earlier = connection.execute(sa.select(reactions.c.reaction).where(key).with_for_update()).scalar()
            if earlier is not None:
                connection.execute(reactions.update().where(key).values(reaction=reaction, created_at=_now()))
                return earlier
            count = connection.execute(sa.select(sa.func.count()).select_from(reactions).where(reactions.c.visitor == visitor)).scalar()
            if count >= MAX_REACTIONS_PER_VISITOR:
                raise FeedbackError(f"{MAX_REACTIONS_PER_VISITOR} reactions kept for this visit already; further ones are not kept")
            connection.execute(reactions.insert().values(slate_id=slate_id, movie_id=movie_id, visitor=visitor, reaction=reaction, created_at=_now()))
        return None

    def undo(self, visitor: str, slate_id: str, movie_id: str) -> str | None:
        """Remove ``visitor``'s reaction to ``movie_id`` of ``slate_id``; the removed reaction's name, or None."""
        key = (reactions.c.slate_id == slate_id) & (reactions.c.movie_id == movie_id) & (reactions.c.visitor == visitor)
        with self.engine.begin() as connection:
            earlier = connection.execute(sa.select(reactions.c.reaction).where(key)).scalar()
            connection.execute(reactions.delete().where(key))
        return earlier

    def reactions_of(self, visitor: str, surface: str | None = None) -> list[dict[str, Any]]:
        """The visitor's own reactions, newest first (slate, surface, movie, reaction, time); never anyone else's."""
        query = (sa.select(reactions.c.slate_id, slates.c.surface, reactions.c.movie_id, reactions.c.reaction, reactions.c.created_at)
                 .join(slates, slates.c.slate_id == reactions.c.slate_id).where(reactions.c.visitor == visitor)
                 .order_by(reactions.c.created_at.desc()))
        if surface:
            query = query.where(slates.c.surface == surface)
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def hidden_movies(self, visitor: str, surface: str) -> set[str]:
        """Movies the visitor marked 👎 or 관심 없음 on ``surface``: they never come back in this visit."""
        return {r["movie_id"] for r in self.reactions_of(visitor, surface) if r["reaction"] in HIDING}

    def reward_counts(self, surface: str) -> dict[tuple[str, str], tuple[float, int]]:
        """(context, movie) → (hits, times shown) over every visitor's slates on ``surface`` (the bandit's prior)."""
        hit = sa.case((reactions.c.reaction.in_([r for r, v in REWARDS.items() if v > 0]), 1), else_=0)
        query = (sa.select(slates.c.context, slate_items.c.movie_id, sa.func.sum(hit), sa.func.count())
                 .select_from(slate_items.join(slates, slates.c.slate_id == slate_items.c.slate_id)
                              .outerjoin(reactions, (reactions.c.slate_id == slate_items.c.slate_id) & (reactions.c.movie_id == slate_items.c.movie_id)))
                 .where(slates.c.surface == surface).group_by(slates.c.context, slate_items.c.movie_id))
        with self.engine.connect() as connection:
            return {(c, m): (float(h or 0), int(n)) for c, m, h, n in connection.execute(query)}

    def logged_slates(self, surface: str | None = None) -> Iterator[LoggedSlate]:
        """Every slate with its items and rewards (no reaction: reward 0), oldest first, for the estimators."""
        where = [slates.c.surface == surface] if surface else []
        with self.engine.connect() as connection:
            rewards: dict[str, dict[str, float]] = {}
            for slate_id, movie_id, reaction in connection.execute(
                    sa.select(reactions.c.slate_id, reactions.c.movie_id, reactions.c.reaction).join(slates, slates.c.slate_id == reactions.c.slate_id).where(*where)):
                rewards.setdefault(slate_id, {})[movie_id] = REWARDS[reaction]
            items: dict[str, list[ShownItem]] = {}
            for row in connection.execute(sa.select(slate_items).join(slates, slates.c.slate_id == slate_items.c.slate_id).where(*where)):
                items.setdefault(row.slate_id, []).append(ShownItem(row.movie_id, row.position, row.propensity, row.score))
            for row in connection.execute(sa.select(slates).where(*where).order_by(slates.c.created_at)):
                shown = tuple(sorted(items.get(row.slate_id, []), key=lambda i: i.position))
                got = rewards.get(row.slate_id, {})
                yield LoggedSlate(row.surface, row.policy, row.context, shown, dict(row.candidates), {i.movie_id: got.get(i.movie_id, 0.0) for i in shown})

    def table(self, name: str) -> list[dict[str, Any]]:
        """All rows of one table (``slates``, ``slate_items`` or ``reactions``), for export; the diary text only where kept."""
        chosen = {t.name: t for t in (slates, slate_items, reactions)}[name]
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(sa.select(chosen))]

    def stats(self) -> dict[str, Any]:
        """Rows per table, visitors, and slates and reactions per surface and policy."""
        with self.engine.connect() as connection:
            count = lambda t: connection.execute(sa.select(sa.func.count()).select_from(t)).scalar()  # noqa: E731
            per_policy = connection.execute(sa.select(slates.c.surface, slates.c.policy, sa.func.count()).group_by(slates.c.surface, slates.c.policy)).all()
            per_reaction = connection.execute(sa.select(reactions.c.reaction, sa.func.count()).group_by(reactions.c.reaction)).all()
            visitors = connection.execute(sa.select(sa.func.count(sa.distinct(slates.c.visitor)))).scalar()
            return {"schema": self.revision, "slates": count(slates), "shown items": count(slate_items), "reactions": count(reactions),
                    "visitors": visitors, "slates by surface/policy": {f"{s}/{p}": n for s, p, n in per_policy},
                    "reactions by kind": dict(per_reaction)}


def new_slate_id() -> str:
    """An unguessable slate id (128 random bits): a forged id names no slate."""
    return secrets.token_hex(16)
