"""The storage conformance suite, shipped with the package (as Optuna ships its storage
tests): every :class:`~ax.storage.store.ExperimentStore` must pass it.

Subclass :class:`StoreConformance` in a test module and give it a ``backend`` fixture that
yields a :class:`Backend` over a fresh, empty store; pytest then runs every ``test_*``
method on it::

    import pytest
    from ax.storage.store import JSONFileStore
    from ax.storage.testing import Backend, StoreConformance

    @pytest.fixture
    def backend(tmp_path):
        yield Backend(JSONFileStore(tmp_path))

    class TestMyStore(StoreConformance):
        pass

This module imports pytest; it is for tests, never imported by ``import ax``. SQLAlchemy is
imported only by :func:`reset_database`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple

import pytest

from ax.core.arm import Arm
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.optimization_config import OptimizationConfig
from ax.core.runner import Runner
from ax.exceptions import JSONEncodeError, StorageError
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.storage.metric_registry import register_metric
from ax.storage.runner_registry import register_runner
from ax.storage.store import ExperimentStore, JSONFileStore, SQLStore
from ax.utils.testing.core_stubs import (
    get_experiment_with_everything,
    get_experiment_with_trials,
    get_simple_experiment,
)
from ax.utils.testing.multi_objective_stubs import get_multi_objective_experiment

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import Engine


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
    """What the suite drives: an :class:`~ax.storage.store.ExperimentStore`, by name.

    Args:
        store: The store under test (fresh and empty).
    """

    def __init__(self, store: ExperimentStore, name: Optional[str] = None) -> None:
        self.store = store
        self.name = name if name is not None else str(getattr(store, "name", "store"))

    def save(self, experiment: Experiment) -> None:
        self.store.save_experiment(experiment)

    def load(self, name: str) -> Experiment:
        return self.store.load(name)[0]

    def exists(self, name: str) -> bool:
        return self.store.exists(name)

    def save_with_strategy(self, experiment: Experiment, strategy: GenerationStrategy) -> None:
        self.store.save_experiment(experiment, strategy)

    def load_with_strategy(self, name: str) -> Tuple[Experiment, Optional[GenerationStrategy]]:
        return self.store.load(name)


class JSONBackend(Backend):
    """One ``<name>.json`` file per experiment in a directory."""

    def __init__(self, directory: Path) -> None:
        super().__init__(JSONFileStore(directory), "json")
        self.directory = directory


class SQLBackend(Backend):
    """The SQL store on one engine."""

    def __init__(self, name: str, engine: Engine) -> None:
        super().__init__(SQLStore(engine, name), name)
        self.engine = engine


def reset_database(engine: Engine) -> None:
    """Drop the store's tables (and the schema version), then create them afresh."""
    from sqlalchemy import text

    from ax.storage.sqa_store.db import create_all_tables
    from ax.storage.sqa_store.schema import metadata

    metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    create_all_tables(engine)


def _assert_same(loaded: Experiment, experiment: Experiment) -> None:
    assert loaded == experiment
    assert loaded._trial_indices_by_status == experiment._trial_indices_by_status
    assert loaded._last_data_ts == experiment._last_data_ts
    assert loaded.time_created == experiment.time_created
    assert loaded._arms_by_name.keys() == experiment._arms_by_name.keys()
    assert {i: list(v) for i, v in loaded._data_by_trial.items()} == {
        i: list(v) for i, v in experiment._data_by_trial.items()
    }
    for index, versions in experiment._data_by_trial.items():
        for ts, data in versions.items():
            assert loaded._data_by_trial[index][ts] == data


class StoreConformance:
    """The conformance suite: every ``test_*`` method runs on the ``backend`` fixture."""

    def test_round_trip_of_experiment_with_everything(self, backend: Backend) -> None:
        experiment = get_experiment_with_everything()
        backend.save(experiment)
        _assert_same(backend.load(experiment.name), experiment)

    @pytest.mark.parametrize("scalarized", [False, True])
    def test_round_trip_of_multi_objective_experiment(
        self, backend: Backend, scalarized: bool
    ) -> None:
        experiment = get_multi_objective_experiment(
            3, name=f"moo_{scalarized}", scalarized=scalarized
        )
        backend.save(experiment)
        loaded = backend.load(experiment.name)
        _assert_same(loaded, experiment)
        config, original = loaded.optimization_config, experiment.optimization_config
        assert config is not None and original is not None
        assert type(config) is type(original) and type(config.objective) is type(original.objective)
        assert repr(config) == repr(original)

    def test_round_trip_of_simple_experiment(self, backend: Backend) -> None:
        experiment = get_simple_experiment()
        backend.save(experiment)
        loaded = backend.load(experiment.name)
        assert type(loaded) is type(experiment)
        _assert_same(loaded, experiment)

    def test_custom_registered_metric_and_runner_round_trip(self, backend: Backend) -> None:
        register_metric(ConformanceMetric)
        register_runner(ConformanceRunner)
        experiment = get_experiment_with_trials(2)
        experiment.add_tracking_metric(
            ConformanceMetric("t", threshold=0.5, tags={"team": ("a", 1)}, lower_is_better=True)
        )
        experiment.runner = ConformanceRunner("gpu", priority=3)
        trial = experiment.new_trial().add_arm(Arm({f"x{i}": 0.25 for i in range(6)}))
        trial.run()
        backend.save(experiment)
        loaded = backend.load(experiment.name)
        _assert_same(loaded, experiment)
        metric = loaded.metrics["t"]
        assert type(metric) is ConformanceMetric and metric.tags == {"team": ("a", 1)}
        assert type(loaded.runner) is ConformanceRunner and loaded.runner.priority == 3
        assert loaded.trials[trial.index].run_metadata == {"job": f"gpu-{trial.index}"}

    def test_unregistered_metric_names_register_metric_and_writes_nothing(
        self, backend: Backend
    ) -> None:
        experiment = get_experiment_with_trials(1)
        experiment.add_tracking_metric(UnregisteredMetric("u"))
        with pytest.raises(JSONEncodeError, match=r"UnregisteredMetric.*register_metric"):
            backend.save(experiment)
        assert not backend.exists(experiment.name)

    def test_saving_twice_is_idempotent(self, backend: Backend) -> None:
        experiment = get_experiment_with_everything()
        backend.save(experiment)
        backend.save(experiment)
        _assert_same(backend.load(experiment.name), experiment)

    def test_saving_after_changes_stores_the_changes(self, backend: Backend) -> None:
        experiment = get_experiment_with_trials(3)
        backend.save(experiment)
        trial = experiment.new_trial().add_arm(Arm({f"x{i}": 0.75 for i in range(6)}))
        trial.mark_running(no_runner_required=True)
        arm = trial.arm
        assert arm is not None
        experiment.attach_data(Data.from_evaluations({arm.name: {"m": (1.5, 0.1)}}, trial.index))
        trial.mark_completed()
        experiment.optimization_config = OptimizationConfig(Objective(Metric("m2"), minimize=True))
        backend.save(experiment)
        _assert_same(backend.load(experiment.name), experiment)

    def test_loaded_experiment_continues_and_saves_again(self, backend: Backend) -> None:
        experiment = get_experiment_with_trials(2)
        backend.save(experiment)
        loaded = backend.load(experiment.name)
        trial = loaded.new_trial().add_arm(Arm({f"x{i}": 0.5 for i in range(6)}))
        trial.mark_running(no_runner_required=True)
        backend.save(loaded)
        again = backend.load(experiment.name)
        _assert_same(again, loaded)
        assert len(again.trials) == len(experiment.trials) + 1

    def test_generation_strategy_round_trip_continues_exactly(self, backend: Backend) -> None:
        def strategy() -> GenerationStrategy:
            return GenerationStrategy(
                [
                    GenerationStep(Models.SOBOL, num_trials=3, model_kwargs={"seed": 5}),
                    GenerationStep(Models.UNIFORM, num_trials=-1, model_kwargs={"seed": 9}),
                ]
            )

        def step(exp: Experiment, gs: GenerationStrategy) -> object:
            trial = exp.new_trial(generator_run=gs.gen(exp))
            trial.mark_running(no_runner_required=True)
            arm = trial.arm
            assert arm is not None
            x0 = arm.parameters["x0"]
            assert isinstance(x0, float)
            exp.attach_data(Data.from_evaluations({arm.name: {"m": (x0, 0.0)}}, trial.index))
            trial.mark_completed()
            return arm.parameters

        def experiment() -> Experiment:
            exp = get_experiment_with_trials(0)
            exp.optimization_config = OptimizationConfig(Objective(Metric("m"), minimize=True))
            return exp

        reference_exp, reference_gs = experiment(), strategy()
        expected = [step(reference_exp, reference_gs) for _ in range(5)]
        exp, gs = experiment(), strategy()
        exp._time_created = reference_exp._time_created
        got = [step(exp, gs) for _ in range(2)]
        backend.save_with_strategy(exp, gs)
        loaded_exp, loaded_gs = backend.load_with_strategy(exp.name)
        assert loaded_gs is not None
        assert loaded_gs.name == gs.name and loaded_gs.steps == gs.steps
        assert loaded_gs.current_step_index == gs.current_step_index
        assert loaded_gs.experiment is loaded_exp
        got += [step(loaded_exp, loaded_gs) for _ in range(3)]
        assert got == expected

    def test_saving_trials_keeps_the_stored_strategy(self, backend: Backend) -> None:
        experiment = get_experiment_with_trials(0)
        experiment.optimization_config = OptimizationConfig(Objective(Metric("m"), minimize=True))
        strategy = GenerationStrategy(
            [GenerationStep(Models.SOBOL, num_trials=-1, model_kwargs={"seed": 3})]
        )
        trial = experiment.new_trial(generator_run=strategy.gen(experiment))
        backend.save_with_strategy(experiment, strategy)
        trial.mark_running(no_runner_required=True)
        backend.store.save_trials(experiment, [trial])
        loaded, loaded_strategy = backend.load_with_strategy(experiment.name)
        _assert_same(loaded, experiment)
        assert loaded_strategy is not None and loaded_strategy.steps == strategy.steps
        assert loaded_strategy.experiment is loaded

    def test_locked_block_saves_a_new_trial_and_a_failed_block_nothing(
        self, backend: Backend
    ) -> None:
        experiment = get_experiment_with_trials(1)
        backend.save(experiment)
        with backend.store.locked(experiment, "conformance") as transaction:
            assert transaction.merged_trials == 0  # nobody else wrote meanwhile
            trial = experiment.new_trial().add_arm(Arm({f"x{i}": 0.5 for i in range(6)}))
            trial.mark_running(no_runner_required=True)
            transaction.save([trial.index])
        _assert_same(backend.load(experiment.name), experiment)
        stored = len(experiment.trials)
        with (
            pytest.raises(RuntimeError, match="block failed"),
            backend.store.locked(experiment, "conformance"),
        ):
            raise RuntimeError("block failed")
        assert len(backend.load(experiment.name).trials) == stored

    def test_unknown_name_does_not_exist_and_does_not_load(self, backend: Backend) -> None:
        assert not backend.exists("no_such_experiment")
        with pytest.raises((StorageError, FileNotFoundError)):
            backend.load("no_such_experiment")
        assert isinstance(backend.store, ExperimentStore)
        assert isinstance(backend.store.shared, bool)


__all__ = [
    "Backend",
    "ConformanceMetric",
    "ConformanceRunner",
    "JSONBackend",
    "SQLBackend",
    "StoreConformance",
    "UnregisteredMetric",
    "reset_database",
]
