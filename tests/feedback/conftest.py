"""The store's tests run on SQLite always, and on PostgreSQL where ``MOVIATTN_TEST_POSTGRES_URL`` names a server
(``.ci/run`` starts one); each PostgreSQL test gets its own fresh schema."""

from __future__ import annotations

import os
import secrets

import pytest
import sqlalchemy as sa

from moviattn.feedback.store import FeedbackStore

POSTGRES = os.environ.get("MOVIATTN_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not POSTGRES, reason="MOVIATTN_TEST_POSTGRES_URL not set"))]


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'feedback.sqlite3'}"
        return
    name = f"t_{secrets.token_hex(6)}"
    admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {name}"))
    yield sa.engine.make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture
def store(database_url):
    opened = FeedbackStore(database_url)
    yield opened
    opened.close()
