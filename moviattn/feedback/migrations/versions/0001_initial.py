"""Slates, their items with propensities, and reactions (issue 34's first schema).

The tables are written out here, not imported from ``store.metadata``: a migration is a frozen record of
one revision, while ``store`` follows the newest (Alembic's own advice), so today's twin is intended.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slates",
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
    op.create_table(
        "slate_items",
        sa.Column("slate_id", sa.String(32), sa.ForeignKey("slates.slate_id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("movie_id", sa.String(64), nullable=False),
        sa.Column("propensity", sa.Float, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
    )
    op.create_table(
        "reactions",
        sa.Column("slate_id", sa.String(32), sa.ForeignKey("slates.slate_id", ondelete="CASCADE"), primary_key=True),
        sa.Column("movie_id", sa.String(64), primary_key=True),
        sa.Column("visitor", sa.String(64), nullable=False, index=True),
        sa.Column("reaction", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reactions")
    op.drop_table("slate_items")
    op.drop_table("slates")
