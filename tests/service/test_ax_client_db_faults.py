"""AxClient with SQL storage when the database fails: nothing is kept that the store lacks."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Iterator

import pytest

from ax.core.types import TrialStatus
from ax.exceptions import DatabaseLockedError, UserInputError, UserInputTypeError
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.service.ax_client import AxClient
from ax.service.utils.scheduler_options import SchedulerOptions
from ax.storage.sqa_store.db import engine_for_url
from ax.storage.sqa_store.load import load_experiment
from ax.storage.sqa_store.structs import DBSettings

PARAMETERS = [{"name": "x", "type": "range", "bounds": [0.0, 1.0]}]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "locked.db"


@pytest.fixture
def client(path: Path) -> Iterator[AxClient]:
    settings = DBSettings(url=f"sqlite:///{path}", lock_timeout_s=0.2)
    strategy = GenerationStrategy([GenerationStep(Models.SOBOL, num_trials=-1)])
    client = AxClient(generation_strategy=strategy, db_settings=settings, verbose_logging=False)
    client.create_experiment(name="locked", parameters=PARAMETERS, objective_name="obj")
    yield client
    engine_for_url(settings.url, lock_timeout_s=0.2).dispose()


def _hold_lock(path: Path) -> sqlite3.Connection:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    return holder


def test_a_locked_database_leaves_no_orphan_trial(client: AxClient, path: Path) -> None:
    _, first = client.get_next_trial()
    holder = _hold_lock(path)
    with pytest.raises(DatabaseLockedError, match=rf"database '{path}' stayed locked.*0.2 s"):
        client.get_next_trial()
    assert sorted(client.experiment.trials) == [first]  # the failed trial is not kept
    holder.execute("ROLLBACK")
    holder.close()
    parameters, second = client.get_next_trial()
    assert second == first + 1
    stored = load_experiment("locked", engine=client._db_engine)
    assert sorted(stored.trials) == [first, second]
    assert stored.trials[second].arms[0].parameters == parameters
    assert stored == client.experiment


def test_a_locked_database_leaves_the_trial_as_stored(client: AxClient, path: Path) -> None:
    _, index = client.get_next_trial()
    holder = _hold_lock(path)
    with pytest.raises(DatabaseLockedError):
        client.complete_trial(index, raw_data={"obj": (1.0, 0.0)})
    holder.execute("ROLLBACK")
    holder.close()
    trial = client.experiment.trials[index]
    assert trial.status == TrialStatus.RUNNING  # as in the store: the user may retry
    assert len(client.experiment.lookup_data([index])) == 0
    client.complete_trial(index, raw_data={"obj": (1.0, 0.0)})
    assert load_experiment("locked", engine=client._db_engine) == client.experiment


def test_lock_wait_is_checked() -> None:
    with pytest.raises(UserInputError, match="lock_timeout_s must be > 0 and finite, got -1"):
        DBSettings(url="sqlite://", lock_timeout_s=-1)
    with pytest.raises(UserInputTypeError, match="lock_timeout_s must be a number"):
        DBSettings(url="sqlite://", lock_timeout_s="5")  # type: ignore[arg-type]


def test_shared_scheduler_needs_a_database() -> None:
    with pytest.raises(UserInputError, match="shared=True needs persistence=DBSettings"):
        SchedulerOptions(shared=True, persistence="run.json")
    with pytest.raises(UserInputTypeError, match="shared must be a bool"):
        SchedulerOptions(shared=1)  # type: ignore[arg-type]


def test_load_if_exists_needs_a_database_and_a_name() -> None:
    with pytest.raises(UserInputError, match="load_if_exists=True needs a database"):
        AxClient().create_experiment(parameters=PARAMETERS, load_if_exists=True)
    client = AxClient(db_settings=DBSettings(url="sqlite://"))
    with pytest.raises(UserInputError, match="load_if_exists=True needs the experiment's name"):
        client.create_experiment(parameters=PARAMETERS, load_if_exists=True)
