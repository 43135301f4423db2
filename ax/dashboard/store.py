"""Read-only, consistent snapshots of a store, cached by a cheap change marker.

A store is a SQL database (``sqlite:///runs.db``, a PostgreSQL URL) or one JSON file
saved by ``ax.save`` / ``save_experiment_and_generation_strategy``. The dashboard never
makes a run wait:

- SQLite is opened read-only (``mode=ro``); each snapshot is one short deferred
  transaction, which in WAL mode reads one committed state without blocking the writer;
  PostgreSQL reads in one REPEATABLE READ transaction. Either way a snapshot never holds
  a half-written trial.
- A JSON file is replaced atomically by its writer (temporary file + rename), so reading
  it whole gives one complete version; the change marker is taken from the opened file.

Decoding a large experiment costs far more than asking whether it changed, so each
snapshot is kept with its marker (SQL: the experiment row's ``updated_at``, hashes and
data time, the strategy's ``updated_at`` and the trial count; JSON: the file's
``mtime_ns``, size and inode) and decoded again only when the marker moves.
"""

from __future__ import annotations

import datetime
import os
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from ax.core.experiment import Experiment
from ax.exceptions import AxError, StorageError

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import Engine

    from ax.modelbridge.generation_strategy import GenerationStrategy


class DashboardStoreError(StorageError):
    """The store cannot be opened or read (bad URL, missing or unreadable file)."""


class ExperimentMissingError(DashboardStoreError):
    """The store holds no experiment of that name."""


@dataclass(frozen=True)
class Snapshot:
    """One consistent state of one experiment.

    Attributes:
        name: The experiment's name.
        experiment: The experiment as stored.
        generation_strategy: Its stored strategy (bound to it), or None.
        marker: The change marker this state was read under.
        updated_at: When the store last changed it (UTC), if known.
        derived: Values computed from this state once (e.g. the table rows), by name.
    """

    name: str
    experiment: Experiment
    generation_strategy: Optional[GenerationStrategy]
    marker: str
    updated_at: Optional[datetime.datetime]
    derived: Dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


class StoreReader:
    """Snapshots of the experiments of one store (base of the two backends).

    Subclasses implement :meth:`markers` (cheap: no decoding) and :meth:`_read` (one
    consistent read). Thread-safe: the server calls it from a thread pool.
    """

    description: str = ""
    writable_engine: Optional[Engine] = None

    def __init__(self) -> None:
        self._cache: Dict[str, Snapshot] = {}
        self._lock = threading.Lock()
        self._name_locks: Dict[str, threading.Lock] = {}

    def markers(self) -> Dict[str, str]:
        """``{experiment name: change marker}`` for every experiment (no decoding).

        Raises:
            DashboardStoreError: The store cannot be read.
        """
        raise NotImplementedError

    def _read(self, name: str) -> Snapshot:
        raise NotImplementedError

    def names(self) -> List[str]:
        """The experiments' names, sorted."""
        return sorted(self.markers())

    def marker(self, name: str) -> str:
        """The change marker of one experiment.

        Raises:
            ExperimentMissingError: No experiment has that name.
        """
        markers = self.markers()
        if name not in markers:
            listed = ", ".join(map(repr, sorted(markers)[:5]))
            raise ExperimentMissingError(
                f"no experiment named {name!r} in {self.description} (it holds "
                f"{len(markers)} experiment(s){': ' + listed if listed else ''})"
            )
        return markers[name]

    def snapshot(self, name: str) -> Snapshot:
        """The experiment's current state, decoded again only if its marker moved.

        Raises:
            ExperimentMissingError: No experiment has that name.
            DashboardStoreError: The store cannot be read or the experiment decoded.
        """
        marker = self.marker(name)
        cached = self._cache.get(name)
        if cached is not None and cached.marker == marker:
            return cached
        with self._lock:
            name_lock = self._name_locks.setdefault(name, threading.Lock())
        with name_lock:  # one decode per change, however many requests wait for it
            cached = self._cache.get(name)
            if cached is not None and cached.marker == self.marker(name):
                return cached
            snapshot = self._read(name)
            self._cache[name] = snapshot
            return snapshot

    def forget(self, name: str) -> None:
        """Drop the cached snapshot of ``name`` (after the dashboard itself wrote)."""
        self._cache.pop(name, None)

    def close(self) -> None:
        """Release connections."""


# ---------------------------------------------------------------------------- SQL


class SQLStoreReader(StoreReader):
    """A SQL store, read-only (SQLite opened with ``mode=ro``)."""

    def __init__(self, url: str, allow_actions: bool = False) -> None:
        super().__init__()
        self.url = url
        self.engine = _read_only_engine(url)
        self.description = f"the database {_redacted(url)}"
        self._updated: Dict[str, Any] = {}
        if allow_actions:
            from ax.storage.sqa_store.db import create_engine_for_url

            self.writable_engine = create_engine_for_url(url)
        self.markers()  # fail now, with a clear message, if it is not a store

    def markers(self) -> Dict[str, str]:
        from sqlalchemy import func, select
        from sqlalchemy.exc import SQLAlchemyError

        from ax.storage.sqa_store.schema import (
            experiment_table,
            generation_strategy_table,
            trial_table,
        )

        e, g, t = experiment_table, generation_strategy_table, trial_table
        count = (
            select(func.count()).select_from(t).where(t.c.experiment_id == e.c.id)
        ).scalar_subquery()
        query = select(
            e.c.name, e.c.updated_at, e.c.body_hash, e.c.last_data_ts, g.c.updated_at, count
        ).outerjoin(g, g.c.experiment_id == e.c.id)
        try:
            with self.engine.connect() as conn, conn.begin():
                rows = conn.execute(query).all()
        except SQLAlchemyError as err:
            raise DashboardStoreError(
                f"cannot read {self.description}: {_first_line(err)}",
                hint="is it a store written by ax-experiments (AxClient(db_settings=...), "
                "save_experiment)?",
            ) from err
        self._updated = {str(r[0]): r[1] for r in rows}
        return {str(r[0]): "|".join(str(v) for v in r[1:]) for r in rows}

    def _read(self, name: str) -> Snapshot:
        from ax.storage.sqa_store.load import (
            ExperimentNotFoundError,
            load_experiment_and_generation_strategy,
        )

        marker = self.marker(name)  # taken first: a newer state only causes one more read
        updated = self._updated.get(name)
        try:
            experiment, strategy = load_experiment_and_generation_strategy(name, engine=self.engine)
        except ExperimentNotFoundError as err:
            raise ExperimentMissingError(str(err)) from err
        except AxError as err:
            raise DashboardStoreError(
                f"cannot read experiment {name!r} from {self.description}: {err.message}"
            ) from err
        return Snapshot(name, experiment, strategy, marker, updated)

    def close(self) -> None:
        self.engine.dispose()
        if self.writable_engine is not None:
            self.writable_engine.dispose()


def _read_only_engine(url: str) -> Engine:
    from sqlalchemy import create_engine, event
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError as err:
        raise DashboardStoreError(f"not a database URL: {url!r} ({err})") from err
    if parsed.get_backend_name() != "sqlite":
        from ax.storage.sqa_store.db import create_engine_for_url

        try:
            engine = create_engine_for_url(url)
        except AxError as err:
            raise DashboardStoreError(f"cannot use the store URL {_redacted(url)}: {err}") from err
        return engine.execution_options(postgresql_readonly=True)
    path = parsed.database
    if not path or path == ":memory:":
        raise DashboardStoreError(
            f"{url!r} is an in-memory database: nothing to show; give a file, "
            "e.g. sqlite:///runs.db"
        )
    if not os.path.isfile(path):
        raise DashboardStoreError(f"no such database file: {path!r} (from {url!r})")
    if not os.access(path, os.R_OK):
        raise DashboardStoreError(f"cannot read the database file {path!r}: permission denied")
    import sqlite3

    uri = f"file:{os.path.abspath(path)}?mode=ro"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, timeout=5.0, check_same_thread=False)

    engine = create_engine("sqlite://", creator=connect)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # BEGIN is emitted below

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Deferred: the snapshot starts at the first read and never takes a write lock.
        conn.exec_driver_sql("BEGIN")

    return engine


# ---------------------------------------------------------------------------- JSON


class JSONFileReader(StoreReader):
    """One JSON file (one experiment), read whole on each change."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = os.path.abspath(path)
        self.description = f"the file {path!r}"
        self._name: Optional[str] = None
        if not os.path.exists(path):
            raise DashboardStoreError(f"no such file: {path!r}")
        if os.path.isdir(path):
            raise DashboardStoreError(f"{path!r} is a directory, not a saved experiment")
        self._read(None)  # fail now if it is not a saved experiment; learn the name

    def markers(self) -> Dict[str, str]:
        try:
            stat = os.stat(self.path)
        except OSError as err:
            raise DashboardStoreError(
                f"cannot read {self.description}: {err.strerror or err}"
            ) from err
        if self._name is None:
            self._read(None)
        return {str(self._name): _file_marker(stat)}

    def _read(self, name: Optional[str]) -> Snapshot:
        from ax.storage.json_store.generation_strategy import generation_strategy_from_json
        from ax.storage.json_store.load import decode_document, parse_document

        try:
            with open(self.path, "rb") as handle:
                stat = os.fstat(handle.fileno())  # the version actually read
                raw = handle.read()
        except OSError as err:
            raise DashboardStoreError(
                f"cannot read {self.description}: {err.strerror or err}"
            ) from err
        try:
            document = parse_document(raw)
            experiment = decode_document(document)
            raw_strategy = document.get("generation_strategy")
            strategy = (
                None
                if raw_strategy is None
                else generation_strategy_from_json(raw_strategy, experiment=experiment)
            )
        except AxError as err:
            raise DashboardStoreError(
                f"{self.description} is not a readable saved experiment: {err.message}"
            ) from err
        found = experiment._name or "(unnamed)"
        self._name = found
        if name is not None and name != found:
            raise ExperimentMissingError(
                f"no experiment named {name!r} in {self.description} (it holds {found!r})"
            )
        updated = datetime.datetime.fromtimestamp(stat.st_mtime, datetime.timezone.utc)
        snapshot = Snapshot(found, experiment, strategy, _file_marker(stat), updated)
        self._cache[found] = snapshot
        return snapshot


def _file_marker(stat: os.stat_result) -> str:
    return f"{stat.st_mtime_ns}:{stat.st_size}:{stat.st_ino}"


# ---------------------------------------------------------------------------- opening


def open_store(spec: str, allow_actions: bool = False) -> StoreReader:
    """The reader of ``spec``: a SQLAlchemy URL (``scheme://...``) or a JSON file's path.

    Raises:
        DashboardStoreError: A bad URL, a missing or unreadable file, or not a store.
    """
    if "://" in spec:
        return SQLStoreReader(spec, allow_actions=allow_actions)
    return JSONFileReader(spec)


def _redacted(url: str) -> str:
    """The URL without its password."""
    try:
        from sqlalchemy.engine import make_url

        return repr(make_url(url).render_as_string(hide_password=True))
    except Exception:  # noqa: BLE001 - only for a message
        return "(an unparsable URL)"


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0] if text else ''}"


__all__ = [
    "DashboardStoreError",
    "ExperimentMissingError",
    "JSONFileReader",
    "SQLStoreReader",
    "Snapshot",
    "StoreReader",
    "open_store",
]
