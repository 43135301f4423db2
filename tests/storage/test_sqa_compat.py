"""Ax 0.1's SQL entry points on the store: init_test_engine_and_session_factory, creator=,
SQAConfig with custom class registries, save/load with config=, DBSettings(config=) and
the helpers of ax.service.utils.storage."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from ax.core.arm import Arm
from ax.core.experiment import Experiment
from ax.core.objective import Objective
from ax.core.optimization_config import OptimizationConfig
from ax.core.parameter import RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType
from ax.exceptions import StorageError, UserInputError, UserInputTypeError
from ax.storage.sqa_store import db
from ax.storage.sqa_store.sqa_config import SQAConfig
from tests.storage.custom_classes import ClusterRunner, LatencyMetric, Threshold, make_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def isolated_registries_and_engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No process-wide engine, and registrations undone after the test."""
    from ax.storage import metric_registry, runner_registry
    from ax.storage.json_store import registry

    monkeypatch.setattr(db, "_ENGINE", None)
    monkeypatch.setattr(db, "_SESSION_FACTORY", None)
    tables = [
        registry.REGISTRY,
        registry._ENCODERS,
        registry._DECODERS,
        metric_registry.METRIC_REGISTRY,
        metric_registry.REVERSE_METRIC_REGISTRY,
        runner_registry.RUNNER_REGISTRY,
        runner_registry.REVERSE_RUNNER_REGISTRY,
    ]
    saved = [dict(t) for t in tables]
    yield
    for table, copy in zip(tables, saved):
        table.clear()
        table.update(copy)  # type: ignore[attr-defined]


def _experiment(name: str = "latency") -> Experiment:
    exp = Experiment(
        SearchSpace([RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0)]),
        name=name,
        optimization_config=OptimizationConfig(
            Objective(LatencyMetric("p99", Threshold(250.0)), minimize=True)
        ),
        runner=ClusterRunner("gpu"),
    )
    exp.new_trial().add_arm(Arm({"x": 0.25}))
    return exp


def test_init_test_engine_and_session_factory() -> None:
    from ax.storage.sqa_store.load import load_experiment
    from ax.storage.sqa_store.save import save_experiment
    from ax.utils.testing.core_stubs import get_experiment_with_trials

    engine = db.init_test_engine_and_session_factory(force_init=True)
    assert str(engine.url) == "sqlite://" and db.get_engine() is engine
    assert db.init_test_engine_and_session_factory() is engine  # kept unless force_init
    experiment = get_experiment_with_trials(2)
    save_experiment(experiment)  # no engine argument: the test database
    assert load_experiment(experiment.name) == experiment
    fresh = db.init_test_engine_and_session_factory(force_init=True)
    assert fresh is not engine
    with pytest.raises(StorageError, match="no experiment"):
        load_experiment(experiment.name)


def test_init_engine_with_creator(tmp_path: Path) -> None:
    from ax.storage.sqa_store.load import load_experiment
    from ax.storage.sqa_store.save import save_experiment
    from ax.utils.testing.core_stubs import get_experiment_with_trials

    path = tmp_path / "created.db"
    calls = []

    def creator() -> sqlite3.Connection:
        calls.append(1)
        return sqlite3.connect(path, check_same_thread=False)

    engine = db.init_engine_and_session_factory(url="sqlite://", creator=creator)
    db.create_all_tables()
    experiment = get_experiment_with_trials(1)
    save_experiment(experiment)
    assert load_experiment(experiment.name) == experiment
    assert calls and path.exists()
    engine.dispose()
    with pytest.raises(UserInputTypeError, match="creator must be callable"):
        db.init_engine_and_session_factory(url="sqlite://", creator=3, force_init=True)  # type: ignore[arg-type]


def test_save_and_load_with_sqa_config(tmp_path: Path) -> None:
    from ax.storage.sqa_store.load import load_experiment
    from ax.storage.sqa_store.save import save_experiment

    engine = db.engine_for_url(f"sqlite:///{tmp_path / 'custom.db'}")
    db.create_all_tables(engine)
    experiment = _experiment()
    with pytest.raises(Exception, match="LatencyMetric"):  # unregistered: a clear refusal
        save_experiment(experiment, engine=engine)
    config = make_config()
    save_experiment(experiment, engine=engine, config=config)
    loaded = load_experiment("latency", engine=engine, config=config)
    assert loaded == experiment
    metric = loaded.optimization_config.objective.metric  # type: ignore[union-attr]
    assert isinstance(metric, LatencyMetric) and metric.threshold == Threshold(250.0)
    assert isinstance(loaded.runner, ClusterRunner) and loaded.runner.queue == "gpu"
    from ax.storage.metric_registry import METRIC_REGISTRY

    assert METRIC_REGISTRY[LatencyMetric] == 4242


def test_a_fresh_process_needs_the_config_to_load(tmp_path: Path) -> None:
    from ax.storage.sqa_store.save import save_experiment

    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    engine = db.engine_for_url(url)
    db.create_all_tables(engine)
    save_experiment(_experiment(), engine=engine, config=make_config())
    script = (
        "from ax.storage.sqa_store import db\n"
        "from ax.storage.sqa_store.load import load_experiment\n"
        "from tests.storage.custom_classes import make_config\n"
        f"engine = db.engine_for_url({url!r})\n"
        "try:\n"
        "    load_experiment('latency', engine=engine)\n"
        "except Exception as err:\n"
        "    print('without:', type(err).__name__, err)\n"
        "exp = load_experiment('latency', engine=engine, config=make_config())\n"
        "metric = exp.optimization_config.objective.metric\n"
        "print('with:', type(exp.runner).__name__, metric.threshold.value)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "without: JSONDecodeError" in out.stdout and "LatencyMetric" in out.stdout
    assert "with: ClusterRunner 250.0" in out.stdout


def test_sqa_config_validation() -> None:
    with pytest.raises(UserInputTypeError, match="metric_registry must be a dict"):
        SQAConfig(metric_registry=[LatencyMetric])  # type: ignore[arg-type]
    with pytest.raises(UserInputError, match="also have an encoder"):
        SQAConfig(json_decoder_registry={"Threshold": Threshold})
    with pytest.raises(UserInputTypeError, match="expected a subclass of Metric"):
        SQAConfig(metric_registry={Threshold: None}).register()
    from ax.storage.sqa_store.save import save_experiment

    with pytest.raises(UserInputTypeError, match="config must be an"):
        save_experiment(_experiment(), engine=None, config={"metric_registry": {}})  # type: ignore[arg-type]


def test_service_storage_helpers(tmp_path: Path) -> None:
    from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
    from ax.modelbridge.registry import Models
    from ax.service.utils import storage
    from ax.storage.sqa_store.structs import DBSettings

    settings = DBSettings(url=f"sqlite:///{tmp_path / 'service.db'}", config=make_config())
    engine = storage.initialize_db(settings)
    assert db.get_engine() is engine
    experiment = _experiment("svc")
    storage.save_experiment(experiment, settings)
    assert storage.load_experiment("svc", settings) == experiment
    strategy = GenerationStrategy(
        [GenerationStep(Models.SOBOL, num_trials=-1, model_kwargs={"seed": 0})]
    )
    trial = experiment.new_trial(generator_run=strategy.gen(experiment, n=1))
    storage.save_new_trial(experiment, trial, settings)
    trial.mark_running(no_runner_required=True)
    storage.save_updated_trial(experiment, trial, settings)
    storage.save_generation_strategy(strategy, settings)
    loaded, loaded_strategy = storage.load_experiment_and_generation_strategy("svc", settings)
    assert loaded == experiment and loaded.trials[1].status.name == "RUNNING"
    assert loaded_strategy is not None and loaded_strategy.name == strategy.name
    again = storage.load_generation_strategy("svc", settings, experiment=loaded)
    assert again.experiment is loaded
    storage.save_experiment_and_generation_strategy(experiment, strategy, settings)
    with pytest.raises(UserInputTypeError, match="db_settings must be an"):
        storage.load_experiment("svc", "sqlite://")  # type: ignore[arg-type]
    with pytest.raises(StorageError, match="no experiment"):
        storage.load_experiment("nope", settings)
    with pytest.raises(UserInputTypeError, match="DBSettings: config must be an SQAConfig"):
        DBSettings(url="sqlite://", config={})  # type: ignore[arg-type]


def test_ax_client_with_db_settings_config(tmp_path: Path) -> None:
    from ax.service.ax_client import AxClient
    from ax.storage.sqa_store.structs import DBSettings

    settings = DBSettings(url=f"sqlite:///{tmp_path / 'client.db'}", config=make_config())
    client = AxClient(db_settings=settings, random_seed=0, verbose_logging=False)
    client.create_experiment(
        name="client",
        parameters=[{"name": "x", "type": "range", "bounds": [0.0, 1.0]}],
        objective_name="f",
    )
    client.experiment.add_tracking_metric(LatencyMetric("p99", Threshold(100.0, "s")))
    params, index = client.get_next_trial()
    client.complete_trial(index, {"f": (params["x"], 0.0)})
    other = AxClient(db_settings=settings, verbose_logging=False)
    other.load_experiment_from_database("client")
    assert other.experiment.metrics["p99"] == LatencyMetric("p99", Threshold(100.0, "s"))
