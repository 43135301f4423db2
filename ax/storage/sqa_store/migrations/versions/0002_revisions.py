"""Revisions for many writers: ``experiment.revision``, ``trial.version``/``revision``,
``data_version.revision`` (rows of an older database start at 0).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("experiment") as batch:
        batch.add_column(sa.Column("revision", sa.BigInteger, nullable=False, server_default="0"))
    with op.batch_alter_table("trial") as batch:
        batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("revision", sa.BigInteger, nullable=False, server_default="0"))
    op.create_index("ix_trial_revision", "trial", ["revision"])
    with op.batch_alter_table("data_version") as batch:
        batch.add_column(sa.Column("revision", sa.BigInteger, nullable=False, server_default="0"))
    op.create_index("ix_data_version_revision", "data_version", ["revision"])


def downgrade() -> None:
    op.drop_index("ix_data_version_revision", "data_version")
    with op.batch_alter_table("data_version") as batch:
        batch.drop_column("revision")
    op.drop_index("ix_trial_revision", "trial")
    with op.batch_alter_table("trial") as batch:
        batch.drop_column("revision")
        batch.drop_column("version")
    with op.batch_alter_table("experiment") as batch:
        batch.drop_column("revision")
