"""Engines, sessions, transactions and schema creation of the SQL store.

SQLite (the embedded default) runs in WAL mode with a busy timeout, and every write
transaction starts with ``BEGIN IMMEDIATE``, so concurrent writers from several processes
queue up instead of failing; readers never block writers. PostgreSQL URLs work the same
(with a ``lock_timeout``). A writer waits at most ``lock_timeout_s`` (default 60 s) for
another connection's lock, then gets :class:`~ax.exceptions.DatabaseLockedError` naming
the database; nothing is written.

Example:
    >>> init_engine_and_session_factory(url="sqlite:///ax.db")
    >>> create_all_tables()
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
import weakref
from typing import Any, Callable, Dict, Iterator, Optional

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, scoped_session, sessionmaker
from sqlalchemy.pool import StaticPool

from ax.exceptions import DatabaseLockedError, StorageError, UserInputError, UserInputTypeError
from ax.storage.sqa_store.structs import DEFAULT_LOCK_TIMEOUT_S, check_lock_timeout

SQLITE_BUSY_TIMEOUT_S = DEFAULT_LOCK_TIMEOUT_S
"""The default lock wait (seconds), for SQLite and PostgreSQL alike."""
_LOCK_TIMEOUTS: weakref.WeakKeyDictionary[Engine, float] = weakref.WeakKeyDictionary()
_READ_OPTION = "ax_read_only"

_LOCK = threading.Lock()
_ENGINE: Optional[Engine] = None
_SESSION_FACTORY: Optional[scoped_session[Session]] = None
_ENGINES_BY_URL: Dict[str, Engine] = {}


def create_engine_for_url(
    url: str, echo: bool = False, lock_timeout_s: float = SQLITE_BUSY_TIMEOUT_S, **kwargs: Any
) -> Engine:
    """A new engine for ``url``, configured for the store (see the module docs).

    Args:
        url: A SQLAlchemy URL (``sqlite:///path.db``, ``sqlite://`` for memory,
            ``postgresql+psycopg://...``).
        echo: Log statements.
        lock_timeout_s: How long a write waits for another connection's lock before
            failing with DatabaseLockedError (> 0).
        kwargs: More arguments of ``sqlalchemy.create_engine``.

    Raises:
        UserInputTypeError: ``url`` is not a str.
        UserInputError: ``url`` is not a valid SQLAlchemy URL, or ``lock_timeout_s`` is
            not a positive number.
    """
    if not isinstance(url, str):
        raise UserInputTypeError(f"create_engine: url must be a str, got {type(url).__name__}")
    lock_timeout_s = check_lock_timeout("create_engine", lock_timeout_s)
    try:
        if url.startswith("sqlite"):
            engine = _sqlite_engine(url, echo, lock_timeout_s, **kwargs)
        else:
            if url.startswith("postgresql"):
                connect_args = dict(kwargs.pop("connect_args", {}))
                options = connect_args.get("options", "")
                connect_args["options"] = (
                    f"{options} -c lock_timeout={int(lock_timeout_s * 1000)}".strip()
                )
                kwargs["connect_args"] = connect_args
            engine = create_engine(url, echo=echo, pool_pre_ping=True, **kwargs)
    except (ArgumentError, ImportError) as err:
        raise UserInputError(f"create_engine: cannot use url {url!r}: {err}") from err
    _LOCK_TIMEOUTS[engine] = lock_timeout_s
    return engine


def _sqlite_engine(url: str, echo: bool, lock_timeout_s: float, **kwargs: Any) -> Engine:
    connect_args = dict(kwargs.pop("connect_args", {}))
    connect_args.setdefault("timeout", lock_timeout_s)
    connect_args.setdefault("check_same_thread", False)
    memory = url in ("sqlite://", "sqlite:///:memory:")
    if memory:
        kwargs.setdefault("poolclass", StaticPool)
    engine = create_engine(url, echo=echo, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        if not memory:
            enable_wal(cursor, lock_timeout_s)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout_s * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        read_only = conn.get_execution_options().get(_READ_OPTION, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def enable_wal(cursor: Any, timeout_s: float) -> None:
    """Put a SQLite database in WAL mode, waiting out other connections doing the same.

    The mode is stored in the database file, so only the first connection to a new
    database changes it; the others find it set and change nothing. Changing it takes an
    exclusive lock, and when several processes open a new database at once SQLite can
    answer "database is locked" at once, without waiting on the busy timeout (two
    connections that each hold a shared lock and both want the exclusive one). Those
    attempts are retried, with a growing pause, for at most ``timeout_s`` seconds.

    Args:
        cursor: A DB-API cursor of a SQLite connection.
        timeout_s: How long to keep retrying a locked database.

    Raises:
        sqlite3.OperationalError: Still locked after ``timeout_s``, or another error.
    """
    deadline = time.monotonic() + timeout_s
    pause = 0.005
    while True:
        try:
            row = cursor.execute("PRAGMA journal_mode").fetchone()
            if row is None or str(row[0]).lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as err:
            message = str(err).lower()
            locked = "locked" in message or "busy" in message
            if not locked or time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(2.0 * pause, 0.25)


def init_engine_and_session_factory(
    url: Optional[str] = None,
    echo: bool = False,
    force_init: bool = False,
    engine: Optional[Engine] = None,
    creator: Optional[Callable[[], Any]] = None,
) -> Engine:
    """Set the process-wide engine and session factory used when no engine is passed.

    Args:
        url: A SQLAlchemy URL; ignored when ``engine`` is given.
        echo: Log statements.
        force_init: Replace an engine set earlier (otherwise the first one is kept).
        engine: An engine made elsewhere (e.g. by :func:`create_engine_for_url`).
        creator: As in Ax 0.1: a function returning a new DB-API connection, used by the
            engine instead of connecting to ``url`` itself (``url`` still names the
            dialect, e.g. ``"postgresql+psycopg://"``).

    Returns:
        The engine in use.

    Raises:
        UserInputError: Neither ``url`` nor ``engine`` was given.
        UserInputTypeError: ``creator`` is not callable.
    """
    global _ENGINE, _SESSION_FACTORY
    with _LOCK:
        if _ENGINE is not None and not force_init:
            return _ENGINE
        if engine is None:
            if url is None:
                raise UserInputError(
                    "init_engine_and_session_factory: give url= or engine= (with creator=, "
                    "url still names the dialect)"
                )
            if creator is not None and not callable(creator):
                raise UserInputTypeError(
                    f"init_engine_and_session_factory: creator must be callable, got {creator!r}"
                )
            extra: Dict[str, Any] = {} if creator is None else {"creator": creator}
            engine = create_engine_for_url(url, echo=echo, **extra)
        _ENGINE = engine
        _SESSION_FACTORY = scoped_session(sessionmaker(bind=engine))
        return engine


def init_test_engine_and_session_factory(
    tier_or_path: Optional[str] = None, echo: bool = False, force_init: bool = False
) -> Engine:
    """A throwaway database for tests, with the tables created, set process-wide.

    As in Ax 0.1: an in-memory SQLite database (or a SQLite file at ``tier_or_path``),
    so that ``save_experiment(experiment)`` and ``load_experiment(name)`` work without
    an engine argument.

    Args:
        tier_or_path: None for an in-memory database, or the path of a SQLite file.
        echo: Log statements.
        force_init: Replace an engine set earlier (otherwise the first one is kept, as
            by :func:`init_engine_and_session_factory`).

    Returns:
        The engine in use.

    Example:
        >>> init_test_engine_and_session_factory(force_init=True)
        >>> save_experiment(experiment)
    """
    if _ENGINE is not None and not force_init:
        return _ENGINE
    url = "sqlite://" if tier_or_path is None else f"sqlite:///{tier_or_path}"
    engine = init_engine_and_session_factory(url=url, echo=echo, force_init=True)
    create_all_tables(engine)
    return engine


def get_engine() -> Engine:
    """The engine set by :func:`init_engine_and_session_factory`.

    Raises:
        StorageError: None was set yet.
    """
    if _ENGINE is None:
        raise StorageError(
            "get_engine: no database engine yet; call "
            "init_engine_and_session_factory(url=...) first"
        )
    return _ENGINE


def get_session() -> Session:
    """A session of the process-wide session factory (ORM access to the same database)."""
    get_engine()
    assert _SESSION_FACTORY is not None  # set together with the engine
    return _SESSION_FACTORY()


@contextlib.contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits at the end of the block, or rolls back on an error."""
    session = get_session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def engine_for_url(
    url: str, echo: bool = False, lock_timeout_s: float = SQLITE_BUSY_TIMEOUT_S
) -> Engine:
    """A shared engine per URL and settings (made on first use), e.g. for ``DBSettings``."""
    with _LOCK:
        key = f"{os.getpid()}:{url}:{echo}:{lock_timeout_s}"
        engine = _ENGINES_BY_URL.get(key)
        if engine is None:
            engine = create_engine_for_url(url, echo=echo, lock_timeout_s=lock_timeout_s)
            _ENGINES_BY_URL[key] = engine
        return engine


def resolve_engine(engine: Optional[Engine]) -> Engine:
    """``engine``, or the process-wide one."""
    return get_engine() if engine is None else engine


@contextlib.contextmanager
def transaction(engine: Engine, function: str, read_only: bool = False) -> Iterator[Connection]:
    """One transaction: committed at the end of the block, rolled back on any error.

    Database errors are raised as StorageError naming ``function``; the database keeps
    its last committed state.
    """
    try:
        with engine.connect() as conn:
            if read_only:
                # One snapshot for every read of the block: SQLite's deferred BEGIN gives
                # that in WAL mode; elsewhere (PostgreSQL) REPEATABLE READ does.
                options: Dict[str, Any] = {_READ_OPTION: True}
                if engine.dialect.name != "sqlite":
                    options["isolation_level"] = "REPEATABLE READ"
                conn.execution_options(**options)
            with conn.begin():
                yield conn
    except SQLAlchemyError as err:
        if _is_lock_timeout(err):
            waited = _LOCK_TIMEOUTS.get(engine, SQLITE_BUSY_TIMEOUT_S)
            raise DatabaseLockedError(
                f"{function}: the database {database_label(engine)} stayed locked by another "
                f"connection for {waited:g} s (the lock wait); nothing was written",
                hint="retry when the other writer is done, or raise the wait with "
                "DBSettings(lock_timeout_s=...) / create_engine_for_url(lock_timeout_s=...)",
            ) from err
        hint = ""
        if not _tables_exist(engine):
            hint = "create the tables first: ax.storage.sqa_store.db.create_all_tables(engine)"
        raise StorageError(
            f"{function}: the database operation failed ({type(err).__name__}: "
            f"{str(err).splitlines()[0]}); the last committed state is unchanged",
            hint=hint,
        ) from err


def database_label(engine: Engine) -> str:
    """The database named in messages: its file for SQLite, else its URL (no password)."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return repr(url.database or ":memory:")
    return repr(url.render_as_string(hide_password=True))


def _is_lock_timeout(err: SQLAlchemyError) -> bool:
    text = str(getattr(err, "orig", err)).lower()
    return (
        "database is locked" in text
        or "lock timeout" in text
        or type(getattr(err, "orig", None)).__name__ == "LockNotAvailable"
    )


def _tables_exist(engine: Engine) -> bool:
    try:
        return inspect(engine).has_table("experiment")
    except SQLAlchemyError:
        return False


def create_all_tables(engine: Optional[Engine] = None) -> None:
    """Create the tables, or upgrade them to the current schema (Alembic ``upgrade head``).

    Safe to call every time: on an up-to-date database it changes nothing. A database
    written by an older version of the package is migrated in place.

    Args:
        engine: The engine (default: the process-wide one).

    Raises:
        StorageError: The migration failed (the database is unchanged).
    """
    from ax.storage.sqa_store.migrations.runner import upgrade

    upgrade(resolve_engine(engine), "head")


__all__ = [
    "create_all_tables",
    "database_label",
    "enable_wal",
    "create_engine_for_url",
    "engine_for_url",
    "get_engine",
    "get_session",
    "init_engine_and_session_factory",
    "init_test_engine_and_session_factory",
    "session_scope",
    "transaction",
]
