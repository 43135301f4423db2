"""Intermediate (progression) data: the ``progression`` table, append-only.

One row per saved chunk of a trial's intermediate observations: ``seq`` is the trial's
row number where the chunk starts, ``body`` the chunk's columns as JSON text.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "progression",
        sa.Column(
            "experiment_id",
            sa.Integer,
            sa.ForeignKey("experiment.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("trial_index", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("revision", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.create_index("ix_progression_revision", "progression", ["revision"])


def downgrade() -> None:
    op.drop_index("ix_progression_revision", "progression")
    op.drop_table("progression")
