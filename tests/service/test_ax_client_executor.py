"""Tests of ``AxClient.run_trials``: the client's trials run through the Scheduler.

Evaluation functions are module-level so that process and Dask workers can unpickle them.
Strategies are seeded Sobol, so arms do not depend on the order results arrive in.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from ax.core.types import TParameterization, TrialStatus
from ax.exceptions import UserInputError, UserInputTypeError
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.service.ax_client import AxClient
from ax.service.managed_loop import OptimizationAbortedError
from ax.service.utils.trial_execution import default_max_parallelism, strategy_parallelism

PARAMETERS = [
    {"name": "x1", "type": "range", "bounds": [0.0, 1.0]},
    {"name": "x2", "type": "range", "bounds": [0.0, 1.0]},
]


# --------------------------------------------------------------------- evaluation functions
def quadratic(parameters: TParameterization) -> Dict[str, Any]:
    x1, x2 = float(parameters["x1"]), float(parameters["x2"])  # type: ignore[arg-type]
    return {"y": ((x1 - 0.3) ** 2 + (x2 - 0.7) ** 2, 0.0)}


def fails_on_large_x1(parameters: TParameterization) -> float:
    if float(parameters["x1"]) > 0.5:  # type: ignore[arg-type]
        raise ValueError(f"boom at x1={parameters['x1']}")
    return float(quadratic(parameters)["y"][0])


def always_fails(parameters: TParameterization) -> float:
    raise RuntimeError("always broken")


# --------------------------------------------------------------------- helpers
def sobol(seed: int = 0) -> GenerationStrategy:
    return GenerationStrategy(
        [GenerationStep(Models.SOBOL, num_trials=-1, model_kwargs={"seed": seed})]
    )


def new_client(**kwargs: Any) -> AxClient:
    kwargs.setdefault("generation_strategy", sobol())
    client = AxClient(verbose_logging=False, **kwargs)
    client.create_experiment(name="exe", parameters=PARAMETERS, objective_name="y", minimize=True)
    return client


def arms(client: AxClient) -> List[TParameterization]:
    return [dict(t.arms[0].parameters) for _, t in sorted(client.experiment.trials.items())]


def means(client: AxClient) -> Dict[int, float]:
    data = client.experiment.lookup_data()
    return {int(t): float(m) for t, m in zip(data.columns["trial_index"], data.columns["mean"])}


def statuses(client: AxClient) -> Dict[int, TrialStatus]:
    return {i: t.status for i, t in client.experiment.trials.items()}


def sequential(num_trials: int) -> AxClient:
    client = new_client()
    for _ in range(num_trials):
        parameters, index = client.get_next_trial()
        client.complete_trial(index, raw_data=quadratic(parameters))
    return client


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=2) as executor:
        yield executor


# --------------------------------------------------------------------- running
def test_thread_pool_run_equals_sequential_ask_tell(pool: ThreadPoolExecutor) -> None:
    client = new_client()
    assert client.run_trials(quadratic, 6, executor=pool, max_parallelism=2) == list(range(6))
    expected = sequential(6)
    assert arms(client) == arms(expected)
    assert means(client) == pytest.approx(means(expected))
    assert set(statuses(client).values()) == {TrialStatus.COMPLETED}
    best, (best_means, _) = client.get_best_parameters()  # type: ignore[misc]
    assert best_means["y"] == pytest.approx(min(means(client).values()))
    assert len(client.get_trials_data_frame()) == 6


def test_run_trials_continues_after_ask_tell_and_adds_more(pool: ThreadPoolExecutor) -> None:
    client = sequential(2)
    assert client.run_trials(quadratic, 3, executor=pool) == [2, 3, 4]
    parameters, index = client.get_next_trial()  # ask-tell goes on after the run
    client.complete_trial(index, raw_data=quadratic(parameters))
    assert arms(client) == arms(sequential(6))


def test_default_process_pool_with_a_module_level_function() -> None:
    client = new_client()
    client.run_trials(quadratic, 4, max_parallelism=2)
    assert statuses(client) == {i: TrialStatus.COMPLETED for i in range(4)}
    assert arms(client) == arms(sequential(4))
    assert means(client) == pytest.approx(means(sequential(4)))


def test_dask_local_cluster() -> None:
    distributed = pytest.importorskip("distributed")
    from ax.service.executors import dask_executor

    with (
        distributed.LocalCluster(
            processes=False, n_workers=1, threads_per_worker=2, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as dask_client,
    ):
        client = new_client()
        client.run_trials(quadratic, 3, executor=dask_executor(dask_client), max_parallelism=2)
    assert statuses(client) == {i: TrialStatus.COMPLETED for i in range(3)}
    assert arms(client) == arms(sequential(3))


def test_failures_are_recorded_and_the_run_goes_on(pool: ThreadPoolExecutor) -> None:
    client = new_client()
    client.run_trials(fails_on_large_x1, 6, executor=pool)
    trials = client.experiment.trials
    failed = [i for i, t in trials.items() if t.status is TrialStatus.FAILED]
    assert failed == [i for i, p in enumerate(arms(client)) if float(p["x1"]) > 0.5]  # type: ignore[arg-type]
    assert failed and len(failed) < 6
    for index in failed:
        assert "ValueError: boom at x1=" in (trials[index].failed_reason or "")
    assert client.get_best_parameters() is not None


def test_consecutive_failures_abort(pool: ThreadPoolExecutor) -> None:
    client = new_client()
    with pytest.raises(OptimizationAbortedError, match="max_consecutive_failures=2"):
        client.run_trials(always_fails, 10, executor=pool, max_consecutive_failures=2)
    found = set(statuses(client).values())
    assert found <= {TrialStatus.FAILED, TrialStatus.ABANDONED}
    assert TrialStatus.FAILED in found
    # Nothing is left RUNNING: the client can go on.
    client.run_trials(quadratic, 1, executor=pool)


# --------------------------------------------------------------------- persistence
def test_db_persistence_and_reload_continues(pool: ThreadPoolExecutor, tmp_path: Path) -> None:
    pytest.importorskip("sqlalchemy")
    from ax.storage.sqa_store.structs import DBSettings

    settings = DBSettings(url=f"sqlite:///{tmp_path / 'ax.db'}")
    client = new_client(db_settings=settings)
    client.run_trials(fails_on_large_x1, 4, executor=pool)

    reloaded = AxClient(db_settings=settings, verbose_logging=False)
    reloaded.load_experiment_from_database("exe")
    assert statuses(reloaded) == statuses(client)
    assert arms(reloaded) == arms(client)
    assert means(reloaded) == pytest.approx(means(client))
    for index, trial in client.experiment.trials.items():
        assert reloaded.experiment.trials[index].failed_reason == trial.failed_reason

    reloaded.run_trials(fails_on_large_x1, 2, executor=pool)  # the same Sobol stream goes on
    parameters, index = reloaded.get_next_trial()
    reloaded.complete_trial(index, raw_data=quadratic(parameters))
    uninterrupted = new_client()
    uninterrupted.run_trials(fails_on_large_x1, 6, executor=pool)
    assert arms(reloaded)[:6] == arms(uninterrupted)

    again = AxClient(db_settings=settings, verbose_logging=False)
    again.load_experiment_from_database("exe")
    assert statuses(again) == statuses(reloaded)
    assert means(again) == pytest.approx(means(reloaded))


# --------------------------------------------------------------------- bad input
def test_no_experiment_yet() -> None:
    with pytest.raises(UserInputError, match="AxClient.run_trials: .*no experiment yet"):
        AxClient(verbose_logging=False).run_trials(quadratic, 2)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"num_trials": 0}, UserInputError, "num_trials must be >= 1, got num_trials=0"),
        ({"num_trials": "3"}, UserInputTypeError, "num_trials must be an int, got '3'"),
        ({"num_trials": True}, UserInputTypeError, "num_trials must be an int"),
        ({"max_parallelism": 0}, UserInputError, "max_parallelism must be >= 1"),
        ({"max_consecutive_failures": 0}, UserInputError, "max_consecutive_failures must be"),
        ({"timeout_s": -1.0}, UserInputError, r"AxClient.run_trials: timeout_s must be"),
        ({"executor": "pool"}, UserInputTypeError, "executor must be a concurrent.futures"),
        ({"evaluation_function": 3}, UserInputTypeError, "evaluation_function must be callable"),
    ],
)
def test_bad_arguments_are_named(kwargs: Dict[str, Any], error: type, match: str) -> None:
    client = new_client()
    arguments: Dict[str, Any] = {"evaluation_function": quadratic, "num_trials": 2}
    arguments.update(kwargs)
    with pytest.raises(error, match=match):
        client.run_trials(**arguments)
    assert client.experiment.trials == {}


def test_lambda_with_the_default_process_pool_is_named() -> None:
    client = new_client()
    with pytest.raises(UserInputError, match="<lambda> cannot be pickled"):
        client.run_trials(lambda p: 0.0, 2)
    assert client.experiment.trials == {}


def test_unfinished_trials_must_be_finished_first(pool: ThreadPoolExecutor) -> None:
    client = new_client()
    _, index = client.get_next_trial()
    with pytest.raises(UserInputError, match=r"trial\(s\) \[0\] .* not finished"):
        client.run_trials(quadratic, 2, executor=pool)
    assert client.experiment.trials[index].status is TrialStatus.RUNNING
    client.abandon_trial(index)
    assert client.run_trials(quadratic, 2, executor=pool) == [1, 2]


# --------------------------------------------------------------------- default parallelism
def test_default_max_parallelism() -> None:
    two_steps = GenerationStrategy(
        [
            GenerationStep(Models.SOBOL, num_trials=5),
            GenerationStep(Models.GPEI, num_trials=-1, max_parallelism=3),
        ]
    )
    assert strategy_parallelism(two_steps) == 5
    assert strategy_parallelism(sobol()) is None
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert default_max_parallelism(two_steps, 20, pool) == 4
        assert default_max_parallelism(two_steps, 2, pool) == 2
        assert default_max_parallelism(sobol(), 20, pool) == 4
    with ThreadPoolExecutor(max_workers=16) as pool:
        assert default_max_parallelism(two_steps, 20, pool) == 5
    assert 1 <= default_max_parallelism(sobol(), 3, None) <= 3
    assert math.isfinite(default_max_parallelism(two_steps, 100, None))


def test_default_strategy_waits_for_data_between_steps(pool: ThreadPoolExecutor) -> None:
    client = AxClient(random_seed=0, verbose_logging=False)
    client.create_experiment(parameters=PARAMETERS, objective_name="y", minimize=True)
    client.run_trials(quadratic, 6, executor=pool, max_parallelism=2)
    assert statuses(client) == {i: TrialStatus.COMPLETED for i in range(6)}
    assert client.experiment.trials[5].generator_run.model_key == "GPEI"  # type: ignore[attr-defined]
    assert client.get_best_parameters() is not None
