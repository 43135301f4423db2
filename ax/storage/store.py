"""One storage interface: :class:`ExperimentStore`, implemented by every backend.

A store saves an experiment and its generation strategy, saves the trials that changed,
and loads an experiment (with its strategy) by name. Two backends implement it:

- :class:`JSONFileStore`: JSON files (:mod:`ax.storage.json_store`), written atomically;
  either one file (every name maps to it) or a directory of ``<name>.json`` files. A JSON
  file cannot be written in part, so saving trials rewrites the file.
- :class:`SQLStore`: the SQL store (:mod:`ax.storage.sqa_store`) on one engine: SQLite or
  PostgreSQL; saving trials writes only those rows, merging what other writers stored.

:func:`as_store` turns what front doors accepted before (a JSON path, an SQLAlchemy URL or
``DBSettings``) into a store. Both backends pass the conformance suite shipped in
:mod:`ax.storage.testing`. SQLAlchemy is imported only when an SQL store is used.

Example:
    >>> store = as_store("run.json")
    >>> store.save_experiment(experiment, generation_strategy)
    >>> experiment, generation_strategy = store.load(experiment.name)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Optional, Protocol, Tuple, Union, runtime_checkable

from ax.core.base_trial import BaseTrial
from ax.core.experiment import Experiment
from ax.exceptions import UserInputTypeError
from ax.modelbridge.generation_strategy import GenerationStrategy

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import Engine

    from ax.storage.sqa_store.structs import DBSettings

TLoaded = Tuple[Experiment, Optional[GenerationStrategy]]


@runtime_checkable
class ExperimentStore(Protocol):
    """Saves and loads experiments and their generation strategies, by name."""

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


class JSONFileStore:
    """Experiments in JSON files: one ``file``, or ``<name>.json`` in a ``directory``.

    Args:
        path: A ``.json`` file (every experiment name maps to it), or a directory.

    Raises:
        UserInputTypeError: ``path`` is not a string or path.
    """

    name = "json"

    def __init__(self, path: Union[str, os.PathLike[str]]) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise UserInputTypeError(
                f"JSONFileStore: path must be a str or os.PathLike, got {type(path).__name__}"
            )
        self.path = Path(os.fspath(path))
        self.single_file = self.path.suffix == ".json"

    def file_for(self, name: str) -> Path:
        """The file that holds experiment ``name``."""
        return self.path if self.single_file else self.path / f"{name}.json"

    def save_experiment(
        self, experiment: Experiment, generation_strategy: Optional[GenerationStrategy] = None
    ) -> None:
        from ax.storage.json_store import generation_strategy as json_gs
        from ax.storage.json_store.save import save as json_save

        path = self.file_for(experiment.name)
        if generation_strategy is None:
            json_save(experiment, path)
        else:
            json_gs.save_experiment_and_generation_strategy(experiment, generation_strategy, path)

    def save_trials(
        self,
        experiment: Experiment,
        trials: Iterable[BaseTrial],
        generation_strategy: Optional[GenerationStrategy] = None,
    ) -> None:
        self.save_experiment(experiment, generation_strategy)  # a file is written whole

    def load(self, name: str) -> TLoaded:
        from ax.storage.json_store import generation_strategy as json_gs

        return json_gs.load_experiment_and_generation_strategy(self.file_for(name))

    def exists(self, name: str) -> bool:
        return self.file_for(name).exists()

    def __repr__(self) -> str:
        return f"JSONFileStore({os.fspath(self.path)!r})"


class SQLStore:
    """Experiments in the SQL store, on one SQLAlchemy engine (SQLite or PostgreSQL).

    Args:
        engine: The engine (see :func:`ax.storage.sqa_store.db.create_engine_for_url`).
        name: How the conformance suite and messages name this backend.
    """

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

    def __repr__(self) -> str:
        return f"SQLStore({self.engine.url!r})"


def as_store(target: Any) -> Optional[ExperimentStore]:
    """The store for what a front door was given: a store, a JSON path, an SQLAlchemy URL
    (``sqlite:///...``, ``postgresql://...``), ``DBSettings``, or None (no store).

    Raises:
        UserInputTypeError: ``target`` is none of these.
    """
    if target is None or isinstance(target, ExperimentStore):
        return target
    if isinstance(target, str) and "://" in target:
        return SQLStore.from_url(target)
    if isinstance(target, (str, os.PathLike)):
        return JSONFileStore(target)
    from ax.storage.sqa_store.structs import DBSettings

    if isinstance(target, DBSettings):
        return SQLStore.from_settings(target)
    raise UserInputTypeError(
        "store must be an ExperimentStore, a JSON path, a database URL, DBSettings or None, "
        f"got {type(target).__name__}"
    )


__all__ = ["ExperimentStore", "JSONFileStore", "SQLStore", "TLoaded", "as_store"]
