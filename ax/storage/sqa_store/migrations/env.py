"""Alembic environment: migrates the connection passed in ``config.attributes``."""

from __future__ import annotations

from alembic import context

from ax.storage.sqa_store.schema import metadata


def _run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # pragma: no cover - always run through migrations.runner
        raise RuntimeError("run the migrations with ax.storage.sqa_store.db.create_all_tables")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


_run_migrations()
