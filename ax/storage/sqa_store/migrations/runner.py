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
    """Migrate the database to ``revision`` in one transaction (a no-op when there).

    Raises:
        StorageError: The database's schema revision is unknown to this package (a
            newer version of ax-experiments wrote it), or the migration failed.
    """
    check_known_revision(engine)
    _run(engine, "upgrade", revision)


def check_known_revision(engine: Engine) -> None:
    """Refuse a database whose schema revision this package does not know.

    Raises:
        StorageError: The revision is unknown: a newer version of the package wrote the
            database (its schema may differ; this version must not touch it).
    """
    try:
        current = current_revision(engine)
    except SQLAlchemyError as err:
        raise StorageError(
            f"create_all_tables: cannot read the schema version of the database "
            f"({type(err).__name__}: {str(err).splitlines()[0]})"
        ) from err
    if current is None:
        return
    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    if current not in known:
        raise StorageError(
            f"create_all_tables: the database's schema is at revision {current[:100]!r}, "
            f"which this version of ax-experiments does not know (it knows up to "
            f"{head_revision()!r}): a newer version of ax-experiments wrote this database; "
            "it was left unchanged",
            hint="upgrade ax-experiments (pip install -U ax-experiments) to open it",
        )


def stamp(engine: Engine, revision: str) -> None:
    """Record ``revision`` as the database's schema version without migrating."""
    _run(engine, "stamp", revision)


__all__ = [
    "alembic_config",
    "check_known_revision",
    "current_revision",
    "head_revision",
    "stamp",
    "upgrade",
]
