"""Storage backends behind one interface, for the conformance suite (test_conformance.py).

Each backend saves and loads experiments (and generation strategies) by name: ``json``
writes one file per experiment, ``sqlite`` and ``postgres`` use the SQL store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from sqlalchemy import Engine, text

from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.core.runner import Runner
from ax.modelbridge.generation_strategy import GenerationStrategy
from ax.storage.json_store import generation_strategy as json_gs
from ax.storage.json_store.load import load as json_load
from ax.storage.json_store.save import save as json_save
from ax.storage.sqa_store.db import create_all_tables
from ax.storage.sqa_store.load import (
    ExperimentNotFoundError,
    load_experiment,
    load_experiment_and_generation_strategy,
)
from ax.storage.sqa_store.save import save_experiment
from ax.storage.sqa_store.schema import metadata


class ConformanceMetric(Metric):
    """A custom metric with extra constructor arguments (registered by the suite)."""

    def __init__(
        self,
        name: str,
        threshold: float,
        tags: Optional[Dict[str, Any]] = None,
        lower_is_better: Optional[bool] = None,
    ) -> None:
        super().__init__(name, lower_is_better=lower_is_better)
        self.threshold = threshold
        self.tags = tags


class ConformanceRunner(Runner):
    """A custom runner with constructor arguments (registered by the suite)."""

    def __init__(self, queue: str, priority: int = 0) -> None:
        self.queue = queue
        self.priority = priority

    def run(self, trial: Any) -> Dict[str, Any]:
        return {"job": f"{self.queue}-{trial.index}"}


class UnregisteredMetric(Metric):
    """A metric class nobody registers."""


class Backend:
    """Saves and loads experiments by name."""

    name = "backend"

    def save(self, experiment: Experiment) -> None:
        raise NotImplementedError

    def load(self, name: str) -> Experiment:
        raise NotImplementedError

    def exists(self, name: str) -> bool:
        raise NotImplementedError

    def save_with_strategy(self, experiment: Experiment, strategy: GenerationStrategy) -> None:
        raise NotImplementedError

    def load_with_strategy(self, name: str) -> Tuple[Experiment, Optional[GenerationStrategy]]:
        raise NotImplementedError


class JSONBackend(Backend):
    """One ``<name>.json`` file per experiment in a directory."""

    name = "json"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, name: str) -> Path:
        return self.directory / f"{name}.json"

    def save(self, experiment: Experiment) -> None:
        json_save(experiment, self._path(experiment.name))

    def load(self, name: str) -> Experiment:
        return json_load(self._path(name))

    def exists(self, name: str) -> bool:
        return self._path(name).exists()

    def save_with_strategy(self, experiment: Experiment, strategy: GenerationStrategy) -> None:
        json_gs.save_experiment_and_generation_strategy(
            experiment, strategy, self._path(experiment.name)
        )

    def load_with_strategy(self, name: str) -> Tuple[Experiment, Optional[GenerationStrategy]]:
        return json_gs.load_experiment_and_generation_strategy(self._path(name))


class SQLBackend(Backend):
    """The SQL store on one engine."""

    def __init__(self, name: str, engine: Engine) -> None:
        self.name = name
        self.engine = engine

    def save(self, experiment: Experiment) -> None:
        save_experiment(experiment, engine=self.engine)

    def load(self, name: str) -> Experiment:
        return load_experiment(name, engine=self.engine)

    def exists(self, name: str) -> bool:
        try:
            load_experiment(name, engine=self.engine)
        except ExperimentNotFoundError:
            return False
        return True

    def save_with_strategy(self, experiment: Experiment, strategy: GenerationStrategy) -> None:
        save_experiment(experiment, engine=self.engine, generation_strategy=strategy)

    def load_with_strategy(self, name: str) -> Tuple[Experiment, Optional[GenerationStrategy]]:
        return load_experiment_and_generation_strategy(name, engine=self.engine)


def reset_database(engine: Engine) -> None:
    """Drop the store's tables (and the schema version), then create them afresh."""
    metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    create_all_tables(engine)


__all__ = [
    "Backend",
    "ConformanceMetric",
    "ConformanceRunner",
    "JSONBackend",
    "SQLBackend",
    "UnregisteredMetric",
    "reset_database",
]
