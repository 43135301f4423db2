"""AxClient with SQL storage: saves after every change, resumes from the database."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

from ax.core.types import TParameterization, TrialStatus
from ax.exceptions import StorageError, UnsupportedError
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.service.ax_client import AxClient
from ax.storage.sqa_store.db import engine_for_url
from ax.storage.sqa_store.load import load_experiment
from ax.storage.sqa_store.save import save_experiment
from ax.storage.sqa_store.structs import DBSettings
from ax.utils.testing.core_stubs import get_experiment_with_trials

PARAMETERS = [
    {"name": "x1", "type": "range", "bounds": [-5.0, 10.0]},
    {"name": "x2", "type": "range", "bounds": [0.0, 15.0]},
]


def evaluate(parameters: TParameterization) -> Dict[str, Any]:
    x1, x2 = float(parameters["x1"]), float(parameters["x2"])  # type: ignore[arg-type]
    return {"objective": ((x1 - 1.0) ** 2 + (x2 - 2.0) ** 2, 0.0)}


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[DBSettings]:
    settings = DBSettings(url=f"sqlite:///{tmp_path / 'ax.db'}")
    yield settings
    engine_for_url(settings.url).dispose()


def _client(settings: DBSettings, **kwargs: Any) -> AxClient:
    return AxClient(db_settings=settings, random_seed=7, verbose_logging=False, **kwargs)


def _stored(client: AxClient, settings: DBSettings) -> Any:
    return load_experiment(client.experiment.name, engine=engine_for_url(settings.url))


def test_every_change_is_saved(settings: DBSettings) -> None:
    client = _client(settings)
    client.create_experiment(name="db_exp", parameters=PARAMETERS, minimize=True)
    assert _stored(client, settings) == client.experiment
    parameters, index = client.get_next_trial()
    assert _stored(client, settings) == client.experiment
    client.complete_trial(index, raw_data=evaluate(parameters))
    assert _stored(client, settings) == client.experiment
    client.update_trial_data(index, raw_data={"objective": (0.5, 0.1)})
    assert _stored(client, settings) == client.experiment
    _, failed = client.get_next_trial()
    client.log_trial_failure(failed, reason="crashed")
    _, abandoned = client.get_next_trial()
    client.abandon_trial(abandoned, reason="not needed")
    _, attached = client.attach_trial({"x1": 1.0, "x2": 2.0})
    stored = _stored(client, settings)
    assert stored == client.experiment
    assert stored.trials[failed].status == TrialStatus.FAILED
    assert stored.trials[abandoned].status == TrialStatus.ABANDONED
    assert stored.trials[attached].status == TrialStatus.RUNNING


def test_load_experiment_from_database_continues_exactly(settings: DBSettings) -> None:
    client = _client(settings)
    client.create_experiment(
        name="resume",
        parameters=PARAMETERS,
        minimize=True,
        choose_generation_strategy_kwargs={"num_initialization_trials": 6},
    )
    for _ in range(4):
        parameters, index = client.get_next_trial()
        client.complete_trial(index, raw_data=evaluate(parameters))
    resumed = _client(settings)
    resumed.load_experiment_from_database("resume")
    assert resumed.experiment == client.experiment
    assert resumed.generation_strategy.name == client.generation_strategy.name
    assert (
        resumed.generation_strategy.current_step_index
        == client.generation_strategy.current_step_index
    )
    # The original client now shares the database with `resumed` (its next trial would
    # be merged into `resumed`, which then continues after it): an exact copy of it,
    # without the database, gives what it would generate next.
    twin = AxClient.from_json_snapshot(client.to_json_snapshot())
    expected, _ = twin.get_next_trial()
    got, _ = resumed.get_next_trial()
    assert got == expected


def test_get_next_trials_saves_each_trial(settings: DBSettings) -> None:
    client = _client(settings)
    client.create_experiment(name="batch", parameters=PARAMETERS, minimize=True)
    trials, _ = client.get_next_trials(3)
    assert len(trials) == 3
    assert _stored(client, settings) == client.experiment


def test_loading_an_experiment_without_a_strategy_chooses_one(settings: DBSettings) -> None:
    client = _client(settings)  # creates the tables
    experiment = get_experiment_with_trials(3)
    save_experiment(experiment, engine=engine_for_url(settings.url))
    client.load_experiment_from_database(experiment.name)
    assert client.experiment == experiment
    resumed = _client(settings)
    resumed.load_experiment_from_database(experiment.name)
    assert resumed.generation_strategy.name == client.generation_strategy.name


def test_an_explicit_strategy_is_kept(settings: DBSettings) -> None:
    strategy = GenerationStrategy([GenerationStep(Models.SOBOL, num_trials=-1)])
    client = AxClient(generation_strategy=strategy, db_settings=settings, verbose_logging=False)
    client.create_experiment(name="explicit", parameters=PARAMETERS, minimize=True)
    client.get_next_trial()
    resumed = AxClient(db_settings=settings, verbose_logging=False)
    resumed.load_experiment_from_database("explicit")
    assert resumed.generation_strategy.steps == client.generation_strategy.steps


def test_unknown_experiment_name_raises(settings: DBSettings) -> None:
    client = _client(settings)
    with pytest.raises(StorageError, match="no experiment named 'missing'"):
        client.load_experiment_from_database("missing")


def test_a_second_experiment_with_the_same_name_is_refused(settings: DBSettings) -> None:
    _client(settings).create_experiment(name="taken", parameters=PARAMETERS)
    client = _client(settings)
    with pytest.raises(StorageError, match="another experiment named 'taken'"):
        client.create_experiment(name="taken", parameters=PARAMETERS)
    with pytest.raises(Exception, match="no experiment yet"):
        client.experiment  # noqa: B018


def test_storage_errors_can_be_suppressed(
    settings: DBSettings, caplog: pytest.LogCaptureFixture
) -> None:
    _client(settings).create_experiment(name="taken", parameters=PARAMETERS)
    client = _client(settings, suppress_storage_errors=True)
    with caplog.at_level(logging.ERROR, logger="ax"):
        client.create_experiment(name="taken", parameters=PARAMETERS)
    assert "could not save the experiment" in caplog.text
    assert client.experiment.name == "taken"


def test_db_settings_of_another_type_are_refused() -> None:
    with pytest.raises(UnsupportedError, match=r"db_settings must be .*DBSettings.*got str"):
        AxClient(db_settings="sqlite:///ax.db")


def test_loading_needs_db_settings() -> None:
    with pytest.raises(UnsupportedError, match="'exp'.*this client has no db_settings"):
        AxClient().load_experiment_from_database("exp")
