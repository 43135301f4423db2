"""One storage interface: :class:`ExperimentStore`, implemented by every backend.

A store saves an experiment and its generation strategy, saves the trials that changed,
loads an experiment (with its strategy) by name, and runs one change under its lock
(:meth:`ExperimentStore.locked`). Every front door (``optimize``, ``OptimizationLoop``,
``AxClient``, the ``Scheduler``, Polaris) takes one ``store`` argument and saves through
this protocol only, never looking at which backend it has. Two backends implement it:

- :class:`JSONFileStore`: JSON files (:mod:`ax.storage.json_store`), written atomically;
  either one file (every name maps to it) or a directory of ``<name>.json`` files. A JSON
  file cannot be written in part, so saving trials rewrites the file.
- :class:`SQLStore`: the SQL store (:mod:`ax.storage.sqa_store`) on one engine: SQLite or
  PostgreSQL; saving trials writes only those rows, merging what other writers stored.

Polaris's checkpoint is a format on top of a store (:mod:`polaris.checkpoint`).

:func:`as_store` turns what front doors accepted before (a JSON path, an SQLAlchemy URL or
``DBSettings``) into a store. Both backends pass the conformance suite shipped in
:mod:`ax.storage.testing`. SQLAlchemy is imported only when an SQL store is used.

Example:
    >>> store = as_store("run.json")  # or "sqlite:///ax.db", SQLStore.from_url(...)
    >>> store.save_experiment(experiment, generation_strategy)
    >>> experiment, generation_strategy = store.load(experiment.name)
"""

from __future__ import annotations

import contextlib
import os
import weakref
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Any,
    ContextManager,
    Dict,
    Iterable,
    Iterator,
    List,
    Optional,
    Protocol,
    Sequence,
    Tuple,
    Union,
    runtime_checkable,
)

from ax.core.base_trial import BaseTrial
from ax.core.experiment import Experiment
from ax.exceptions import StorageError, UserInputError, UserInputTypeError
from ax.modelbridge.generation_strategy import GenerationStrategy

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import Engine

    from ax.storage.sqa_store.structs import DBSettings

TLoaded = Tuple[Experiment, Optional[GenerationStrategy]]


class StoreTransaction(Protocol):
    """One change of an experiment under a store's lock (yielded by
    :meth:`ExperimentStore.locked`).

    Attributes:
        merged_trials: Trials other writers had stored, merged into the in-memory
            experiment when the lock was taken (0 for a store with one writer).
    """

    merged_trials: int

    def save(
        self,
        indices: Optional[Sequence[int]] = None,
        generation_strategy: Optional[GenerationStrategy] = None,
    ) -> None:
        """Write the trials at ``indices`` (None: every changed trial) and new ones, and
        the strategy when given. Called at most once per block."""
        ...  # pragma: no cover - a protocol


@runtime_checkable
class ExperimentStore(Protocol):
    """Saves and loads experiments and their generation strategies, by name.

    Lifecycle: a front door calls :meth:`save_experiment` when it creates (or first
    stores) an experiment, then :meth:`save_trials` (or a :meth:`locked` block) after every
    change, from the one thread that changes the experiment; :meth:`load` and
    :meth:`exists` at start-up. No method mutates the experiment or strategy given, except
    a :meth:`locked` block of a store shared by several writers, which merges the other
    writers' trials into the experiment. A store object need not be thread-safe.

    Attributes:
        name: How messages and the conformance suite name the backend.
        shared: Whether several processes may write one experiment at once
            (:meth:`locked` then merges what the others stored).
    """

    name: str
    shared: bool

    def save_experiment(
        self, experiment: Experiment, generation_strategy: Optional[GenerationStrategy] = None
    ) -> None:
        """Save the whole experiment (and the strategy, if given)."""
        ...  # pragma: no cover - a protocol

    def save_trials(
        self,
        experiment: Experiment,
        trials: Iterable[BaseTrial],
        generation_strategy: Optional[GenerationStrategy] = None,
    ) -> None:
        """Save the trials of ``experiment`` that changed (and the strategy, if given)."""
        ...  # pragma: no cover - a protocol

    def load(self, name: str) -> TLoaded:
        """The experiment named ``name`` and its strategy (None if none was saved).

        Raises:
            ExperimentNotFoundError / FileNotFoundError: Nothing is stored under ``name``.
        """
        ...  # pragma: no cover - a protocol

    def exists(self, name: str) -> bool:
        """Whether an experiment named ``name`` is stored."""
        ...  # pragma: no cover - a protocol

    def locked(self, experiment: Experiment, function: str) -> ContextManager[StoreTransaction]:
        """A block that changes ``experiment`` and saves it through the transaction it
        yields; everything is written at the end of the block, nothing if it raises.

        With a shared store the experiment is locked for the block and the other writers'
        trials are merged into it first (so a new trial gets the next free index).

        Args:
            experiment: The in-memory experiment.
            function: Named in errors.
        """
        ...  # pragma: no cover - a protocol


class _FileTransaction:
    """A JSON file's "transaction": the file is written whole when ``save`` is called."""

    merged_trials = 0

    def __init__(self, store: JSONFileStore, experiment: Experiment) -> None:
        self.store = store
        self.experiment = experiment

    def save(
        self,
        indices: Optional[Sequence[int]] = None,
        generation_strategy: Optional[GenerationStrategy] = None,
    ) -> None:
        self.store.save_experiment(self.experiment, generation_strategy)


class JSONFileStore:
    """Experiments in JSON files: one ``file``, or ``<name>.json`` in a ``directory``.

    A file is written whole (atomically) at every save. A save without a strategy keeps
    the strategy this store last saved with the same experiment object, so that saving
    changed trials never drops the stored strategy.

    Args:
        path: A ``.json`` file (every experiment name maps to it), or a directory.
        single_file: Whether ``path`` is one file (True) or a directory (False); None:
            a file when ``path`` ends with ``.json``.

    Raises:
        UserInputTypeError: ``path`` is not a string or path, or ``single_file`` is not a
            bool or None.
    """

    name = "json"
    shared = False

    def __init__(
        self, path: Union[str, os.PathLike[str]], single_file: Optional[bool] = None
    ) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise UserInputTypeError(
                f"JSONFileStore: path must be a str or os.PathLike, got {type(path).__name__} "
                f"{path!r}"
            )
        if single_file is not None and not isinstance(single_file, bool):
            raise UserInputTypeError(
                f"JSONFileStore: single_file must be a bool or None, got {single_file!r}"
            )
        self.path = Path(os.fspath(path))
        self.single_file = self.path.suffix == ".json" if single_file is None else single_file
        # name -> [(an experiment, the strategy last saved or loaded with it)]
        self._strategies: Dict[
            Optional[str], List[Tuple[weakref.ref[Experiment], GenerationStrategy]]
        ] = {}

    def file_for(self, name: str) -> Path:
        """The file that holds experiment ``name``."""
        return self.path if self.single_file else self.path / f"{name}.json"

    def save_experiment(
        self, experiment: Experiment, generation_strategy: Optional[GenerationStrategy] = None
    ) -> None:
        if self.single_file:
            path = self.path
        else:
            path = self.file_for(experiment.name)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise StorageError(
                    f"{self!r}: could not create the directory {os.fspath(path.parent)!r}: {err}"
                ) from err
        if generation_strategy is None:
            generation_strategy = self._last_strategy(experiment)
        else:
            self._remember(experiment, generation_strategy)
        self.write_file(path, experiment, generation_strategy)

    def write_file(
        self, path: Path, experiment: Experiment, generation_strategy: Optional[GenerationStrategy]
    ) -> None:
        """Write one file, atomically (a file format built on this store overrides it)."""
        from ax.storage.json_store import generation_strategy as json_gs
        from ax.storage.json_store.save import save as json_save

        if generation_strategy is None:
            json_save(experiment, path)
        else:
            json_gs.save_experiment_and_generation_strategy(experiment, generation_strategy, path)

    def read_file(self, path: Path, name: str) -> TLoaded:
        """Read the file of experiment ``name`` written by :meth:`write_file`."""
        from ax.storage.json_store import generation_strategy as json_gs

        return json_gs.load_experiment_and_generation_strategy(path)

    def save_trials(
        self,
        experiment: Experiment,
        trials: Iterable[BaseTrial],
        generation_strategy: Optional[GenerationStrategy] = None,
    ) -> None:
        self.save_experiment(experiment, generation_strategy)  # a file is written whole

    def _remember(self, experiment: Experiment, strategy: GenerationStrategy) -> None:
        kept = [
            (ref, gs)
            for ref, gs in self._strategies.get(experiment._name, [])
            if ref() is not None and ref() is not experiment
        ]
        self._strategies[experiment._name] = kept + [(weakref.ref(experiment), strategy)]

    def _last_strategy(self, experiment: Experiment) -> Optional[GenerationStrategy]:
        for ref, strategy in self._strategies.get(experiment._name, []):
            if ref() is experiment:
                return strategy
        return None

    def load(self, name: str) -> TLoaded:
        experiment, strategy = self.read_file(self.file_for(name), name)
        if strategy is not None:
            self._remember(experiment, strategy)
        return experiment, strategy

    def exists(self, name: str) -> bool:
        return self.file_for(name).exists()

    @contextlib.contextmanager
    def locked(self, experiment: Experiment, function: str) -> Iterator[StoreTransaction]:
        yield _FileTransaction(self, experiment)

    def __repr__(self) -> str:
        return f"JSONFileStore({os.fspath(self.path)!r})"


class SQLStore:
    """Experiments in the SQL store, on one SQLAlchemy engine (SQLite or PostgreSQL).

    Args:
        engine: The engine (see :func:`ax.storage.sqa_store.db.create_engine_for_url`).
        name: How the conformance suite and messages name this backend.
    """

    shared = True

    def __init__(self, engine: Engine, name: str = "sql") -> None:
        self.engine = engine
        self.name = name

    @classmethod
    def from_url(cls, url: str) -> SQLStore:
        """A store on the shared engine for ``url`` (tables created or upgraded)."""
        from ax.storage.sqa_store.structs import DBSettings

        return cls.from_settings(DBSettings(url=url))

    @classmethod
    def from_settings(cls, db_settings: DBSettings) -> SQLStore:
        """A store on the shared engine for the settings, with the tables created or
        upgraded and the settings' custom classes (``DBSettings(config=...)``) registered."""
        from ax.storage.sqa_store.db import create_all_tables, engine_for_url
        from ax.storage.sqa_store.sqa_config import apply_config

        apply_config(db_settings.config, "DBSettings")
        engine = engine_for_url(
            db_settings.url, echo=db_settings.echo, lock_timeout_s=db_settings.lock_timeout_s
        )
        create_all_tables(engine)
        return cls(engine, name=db_settings.url.split(":", 1)[0])

    def save_experiment(
        self, experiment: Experiment, generation_strategy: Optional[GenerationStrategy] = None
    ) -> None:
        from ax.storage.sqa_store.save import save_experiment

        save_experiment(experiment, engine=self.engine, generation_strategy=generation_strategy)

    def save_trials(
        self,
        experiment: Experiment,
        trials: Iterable[BaseTrial],
        generation_strategy: Optional[GenerationStrategy] = None,
    ) -> None:
        from ax.storage.sqa_store.save import save_or_update_trials

        save_or_update_trials(
            experiment, trials, engine=self.engine, generation_strategy=generation_strategy
        )

    def load(self, name: str) -> TLoaded:
        from ax.storage.sqa_store.load import load_experiment_and_generation_strategy

        return load_experiment_and_generation_strategy(name, engine=self.engine)

    def exists(self, name: str) -> bool:
        from ax.storage.sqa_store.load import list_experiment_names

        return name in list_experiment_names(self.engine)

    def locked(self, experiment: Experiment, function: str) -> ContextManager[StoreTransaction]:
        from ax.storage.sqa_store.save import locked_experiment

        return locked_experiment(experiment, self.engine, function)

    def __repr__(self) -> str:
        return f"SQLStore({self.engine.url!r})"


def as_store(target: Any, argument: str = "store") -> Optional[ExperimentStore]:
    """The store for what a front door was given: a store, a JSON path, an SQLAlchemy URL
    (``sqlite:///...``, ``postgresql://...``), ``DBSettings``, or None (no store).

    Args:
        target: What the front door was given.
        argument: How the error names it (e.g. ``"AxClient: store"``).

    Raises:
        UserInputTypeError: ``target`` is none of these.
        UserInputError: ``target`` is an empty path.
    """
    if target is None or isinstance(target, ExperimentStore):
        return target
    if isinstance(target, str) and "://" in target:
        return SQLStore.from_url(target)
    if isinstance(target, (str, os.PathLike)):
        if not os.fspath(target):
            raise UserInputError(f"{argument} must not be an empty path, got {target!r}")
        return JSONFileStore(target)
    from ax.storage.sqa_store.structs import DBSettings

    if isinstance(target, DBSettings):
        return SQLStore.from_settings(target)
    raise UserInputTypeError(
        f"{argument} must be an ExperimentStore, a JSON path, a database URL, DBSettings or "
        f"None, got {type(target).__name__} {target!r}"
    )


__all__ = [
    "ExperimentStore",
    "JSONFileStore",
    "SQLStore",
    "StoreTransaction",
    "TLoaded",
    "as_store",
]
