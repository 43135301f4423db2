"""Running the migrations programmatically (Alembic with a Config built in code)."""

from __future__ import annotations

import os
from typing import Optional

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from ax.exceptions import StorageError

MIGRATIONS_DIR = os.path.dirname(os.path.abspath(__file__))


def alembic_config() -> Config:
    """An Alembic Config pointing at this package's migration scripts."""
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    return config


def head_revision() -> Optional[str]:
    """The newest revision the package knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> Optional[str]:
    """The revision the database is at (None: no schema yet)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _run(engine: Engine, action: str, revision: str) -> None:
    config = alembic_config()
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            if action == "upgrade":
                command.upgrade(config, revision)
            else:
                command.stamp(config, revision)
    except SQLAlchemyError as err:
        raise StorageError(
            f"create_all_tables: migrating the database to {revision!r} failed "
            f"({type(err).__name__}: {str(err).splitlines()[0]}); it is unchanged"
        ) from err


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to ``revision`` in one transaction (a no-op when there)."""
    _run(engine, "upgrade", revision)


def stamp(engine: Engine, revision: str) -> None:
    """Record ``revision`` as the database's schema version without migrating."""
    _run(engine, "stamp", revision)


__all__ = ["alembic_config", "current_revision", "head_revision", "stamp", "upgrade"]
