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
  It is parsed whole, and only the trials whose part of the document changed are decoded
  into the copy already held (:func:`ax.storage.json_store.follow.follow_document`).

Decoding a large experiment costs far more than asking whether it changed, so each
snapshot is kept with its marker (SQL: the experiment row's ``updated_at``, hashes and
data time, the strategy's ``updated_at`` and the trial count; JSON: the file's
``mtime_ns``, size and inode) and read again only when the marker moves. A SQL store is
then read incrementally: only the trials and data versions committed since the last
snapshot are decoded into the copy already held (:func:`ax.storage.sqa_store.sync.follow`),
and the snapshot names the trials that changed, so views rebuild only their rows.

A SQL copy is updated in place, so a caller that reads a snapshot while other threads
may refresh it holds it still with :meth:`StoreReader.reading`.
"""

from __future__ import annotations

import datetime
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, FrozenSet, Iterator, List, Optional

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
            Entries whose name starts with :data:`PER_TRIAL` hold values per trial
            index; they are carried into the next snapshot of an incremental read,
            where only the trials of ``changed`` need computing again.
        changed: The indices of the trials that changed since the previous snapshot of
            this experiment when it was read incrementally; None when it was read whole
            (nothing carried over).
    """

    name: str
    experiment: Experiment
    generation_strategy: Optional[GenerationStrategy]
    marker: str
    updated_at: Optional[datetime.datetime]
    derived: Dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    changed: Optional[FrozenSet[int]] = field(default=None, compare=False)


PER_TRIAL = "per_trial:"
"""Prefix of the :attr:`Snapshot.derived` entries kept per trial across incremental reads."""


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
        self._name_locks: Dict[str, threading.RLock] = {}

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
        """The experiment's current state, read again only if its marker moved.

        A later call may update the returned snapshot's experiment in place (SQL
        stores); to read it while other threads may refresh it, use :meth:`reading`.

        Raises:
            ExperimentMissingError: No experiment has that name.
            DashboardStoreError: The store cannot be read or the experiment decoded.
        """
        with self._name_lock(name):  # one read per change, however many requests wait
            return self._current(name)

    @contextmanager
    def reading(self, name: str) -> Iterator[Snapshot]:
        """The experiment's current state, held still (no refresh of this experiment by
        another thread) until the block ends.

        Raises:
            ExperimentMissingError: No experiment has that name.
            DashboardStoreError: The store cannot be read or the experiment decoded.
        """
        with self._name_lock(name):
            yield self._current(name)

    def _name_lock(self, name: str) -> threading.RLock:
        with self._lock:
            return self._name_locks.setdefault(name, threading.RLock())

    def _current(self, name: str) -> Snapshot:
        marker = self.marker(name)
        cached = self._cache.get(name)
        if cached is not None and cached.marker == marker:
            return cached
        snapshot = self._read(name)
        self._cache[name] = snapshot
        return snapshot

    def forget(self, name: str) -> None:
        """Drop the cached snapshot of ``name`` (after the dashboard itself wrote): the
        next one is read whole."""
        with self._name_lock(name):
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
        previous = self._cache.get(name)
        if previous is not None:
            snapshot = self._follow(previous, marker, updated)
            if snapshot is not None:
                return snapshot
        try:
            experiment, strategy = load_experiment_and_generation_strategy(name, engine=self.engine)
        except ExperimentNotFoundError as err:
            raise ExperimentMissingError(str(err)) from err
        except AxError as err:
            raise DashboardStoreError(
                f"cannot read experiment {name!r} from {self.description}: {err.message}"
            ) from err
        # The strategy's stamp is not known here: the first incremental read reads it.
        return Snapshot(name, experiment, strategy, marker, updated)

    def _follow(
        self, previous: Snapshot, marker: str, updated: Optional[datetime.datetime]
    ) -> Optional[Snapshot]:
        """``previous`` brought up to date by reading only what changed, or None when it
        cannot be (its settings changed: read it whole)."""
        from sqlalchemy import select
        from sqlalchemy.exc import SQLAlchemyError

        from ax.storage.sqa_store.load import read_generation_strategy
        from ax.storage.sqa_store.schema import experiment_table, generation_strategy_table
        from ax.storage.sqa_store.sync import database_key, follow, get_tracker

        experiment = previous.experiment
        e, g = experiment_table, generation_strategy_table
        try:
            with self.engine.connect() as conn, conn.begin():
                tracker = get_tracker(experiment, database_key(conn))
                if tracker is None:
                    return None
                changed = follow(conn, experiment, tracker)
                if changed is None:
                    return None
                strategy_stamp = conn.execute(
                    select(g.c.updated_at)
                    .select_from(g.join(e, g.c.experiment_id == e.c.id))
                    .where(e.c.name == previous.name)
                ).scalar()
                strategy = previous.generation_strategy
                if (
                    "strategy_updated_at" not in previous.derived
                    or strategy_stamp != previous.derived["strategy_updated_at"]
                ):
                    strategy = (
                        None
                        if strategy_stamp is None
                        else read_generation_strategy(conn, experiment)
                    )
        except SQLAlchemyError as err:
            raise DashboardStoreError(
                f"cannot read experiment {previous.name!r} from {self.description}: "
                f"{_first_line(err)}"
            ) from err
        except AxError as err:
            raise DashboardStoreError(
                f"cannot read experiment {previous.name!r} from {self.description}: {err.message}"
            ) from err
        carried = {k: v for k, v in previous.derived.items() if k.startswith(PER_TRIAL)}
        carried["strategy_updated_at"] = strategy_stamp
        return Snapshot(
            previous.name,
            experiment,
            strategy,
            marker,
            updated,
            derived=carried,
            changed=frozenset(changed),
        )

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
    """One JSON file (one experiment), parsed whole on each change; only the trials that
    changed are decoded again."""

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
        from ax.storage.json_store.load import parse_document

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
        except AxError as err:
            raise DashboardStoreError(
                f"{self.description} is not a readable saved experiment: {err.message}"
            ) from err
        previous = self._cache.get(self._name) if self._name is not None else None
        snapshot = None
        if previous is not None and "document" in previous.derived:
            snapshot = self._follow(previous, document, stat)
        if snapshot is None:
            snapshot = self._decode(document, stat)
        if name is not None and name != snapshot.name:
            raise ExperimentMissingError(
                f"no experiment named {name!r} in {self.description} (it holds {snapshot.name!r})"
            )
        self._name = snapshot.name
        self._cache[snapshot.name] = snapshot
        return snapshot

    def _decode(self, document: Any, stat: os.stat_result) -> Snapshot:
        from ax.storage.json_store.load import decode_document

        try:
            experiment = decode_document(document)
            strategy = self._strategy(document, experiment)
        except AxError as err:
            raise DashboardStoreError(
                f"{self.description} is not a readable saved experiment: {err.message}"
            ) from err
        found = experiment._name or "(unnamed)"
        updated = datetime.datetime.fromtimestamp(stat.st_mtime, datetime.timezone.utc)
        snapshot = Snapshot(found, experiment, strategy, _file_marker(stat), updated)
        snapshot.derived["document"] = document
        return snapshot

    def _follow(
        self, previous: Snapshot, document: Any, stat: os.stat_result
    ) -> Optional[Snapshot]:
        """``previous`` brought up to ``document`` by decoding only the trials that
        changed, or None when it cannot be (decode the document whole)."""
        from ax.storage.json_store.follow import follow_document

        old = previous.derived["document"]
        experiment = previous.experiment
        try:
            changed = follow_document(experiment, old, document)
            if changed is None:
                return None
            strategy = previous.generation_strategy
            if document.get("generation_strategy") != old.get("generation_strategy"):
                strategy = self._strategy(document, experiment)
        except AxError:
            self._cache.pop(previous.name, None)  # partly updated: never serve it again
            return None
        carried = {k: v for k, v in previous.derived.items() if k.startswith(PER_TRIAL)}
        carried["document"] = document
        updated = datetime.datetime.fromtimestamp(stat.st_mtime, datetime.timezone.utc)
        return Snapshot(
            previous.name,
            experiment,
            strategy,
            _file_marker(stat),
            updated,
            derived=carried,
            changed=frozenset(changed),
        )

    @staticmethod
    def _strategy(document: Any, experiment: Experiment) -> Optional[GenerationStrategy]:
        from ax.storage.json_store.generation_strategy import generation_strategy_from_json

        raw = document.get("generation_strategy")
        return None if raw is None else generation_strategy_from_json(raw, experiment=experiment)


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
    "PER_TRIAL",
    "DashboardStoreError",
    "ExperimentMissingError",
    "JSONFileReader",
    "SQLStoreReader",
    "Snapshot",
    "StoreReader",
    "open_store",
]
