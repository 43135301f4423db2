"""Tests of the Scheduler: one conformance suite run over thread, process and Dask executors.

Evaluation functions are module-level so that process and Dask workers can unpickle them
(by reference: the worker imports this module). Sleeps are tiny; strategies are Sobol only.
"""

from __future__ import annotations

import math
import sys
import time
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest

from ax.core.experiment import Experiment
from ax.core.types import TParameterization, TrialStatus
from ax.exceptions import NoDataError, UnsupportedError, UserInputError, UserInputTypeError
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.service.executors import dask_executor, process_pool_executor
from ax.service.managed_loop import OptimizationAbortedError
from ax.service.scheduler import Scheduler, SchedulerOptions
from ax.service.utils.instantiation import make_experiment
from ax.storage.json_store.generation_strategy import load_experiment_and_generation_strategy

PARAMETERS = [
    {"name": "x1", "type": "range", "bounds": [0.0, 1.0]},
    {"name": "x2", "type": "range", "bounds": [0.0, 1.0]},
]


# --------------------------------------------------------------------- evaluation functions
def quadratic(parameters: TParameterization) -> float:
    x1, x2 = float(parameters["x1"]), float(parameters["x2"])  # type: ignore[arg-type]
    return (x1 - 0.3) ** 2 + (x2 - 0.7) ** 2


def slow_quadratic(parameters: TParameterization) -> Tuple[float, float]:
    time.sleep(0.05)
    return quadratic(parameters), 0.0


def fails_on_large_x1(parameters: TParameterization) -> float:
    if float(parameters["x1"]) > 0.5:  # type: ignore[arg-type]
        raise ValueError(f"boom at x1={parameters['x1']}")
    return quadratic(parameters)


def returns_nan(parameters: TParameterization) -> float:
    return math.nan


def always_fails(parameters: TParameterization) -> float:
    raise RuntimeError("always broken")


def sleeps_long(parameters: TParameterization) -> float:
    time.sleep(1.0)
    return 0.0


# --------------------------------------------------------------------- fixtures
def sobol(seed: int = 0) -> GenerationStrategy:
    return GenerationStrategy(
        [GenerationStep(Models.SOBOL, num_trials=-1, model_kwargs={"seed": seed})]
    )


def experiment() -> Experiment:
    return make_experiment(PARAMETERS, name="sched", objective_name="y", minimize=True)


def options(**kwargs: Any) -> SchedulerOptions:
    kwargs.setdefault("max_parallelism", 2)
    kwargs.setdefault("total_trials", 6)
    kwargs.setdefault("poll_interval", 0.01)
    return SchedulerOptions(**kwargs)


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        processes=True,
        n_workers=2,
        threads_per_worker=1,
        # ":0", not None: the scheduler still serves HTTP (on 8787 by default) with None.
        dashboard_address=":0",
        host="127.0.0.1",
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def process_pool() -> Iterator[Executor]:
    pool = process_pool_executor(2)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(params=["thread", "process", "dask"])
def executor(request: pytest.FixtureRequest) -> Iterator[Executor]:
    if request.param == "thread":
        pool = ThreadPoolExecutor(max_workers=2)
        try:
            yield pool
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    elif request.param == "process":
        yield request.getfixturevalue("process_pool")
    else:
        yield dask_executor(request.getfixturevalue("dask_client"))


def by_status(exp: Experiment) -> Dict[TrialStatus, List[int]]:
    out: Dict[TrialStatus, List[int]] = {}
    for trial in exp.trials.values():
        out.setdefault(trial.status, []).append(trial.index)
    return out


def objective_means(exp: Experiment) -> Dict[int, float]:
    data = exp.lookup_data()
    return {int(t): float(m) for t, m in zip(data.columns["trial_index"], data.columns["mean"])}


# --------------------------------------------------------------------- conformance suite
@pytest.mark.parametrize("max_parallelism", [1, 2])
def test_runs_to_total_trials_with_at_most_n_in_flight(
    executor: Executor, max_parallelism: int
) -> None:
    # The executors have 2 workers: with max_parallelism=1 the Scheduler alone limits it.
    exp = experiment()
    opts = options(total_trials=6, max_parallelism=max_parallelism)
    scheduler = Scheduler(exp, sobol(), slow_quadratic, executor, opts)
    assert scheduler.run_all_trials() is scheduler
    assert by_status(exp) == {TrialStatus.COMPLETED: list(range(6))}
    assert scheduler.num_trials_finished == 6
    assert scheduler.stats.trials_finished == 6
    events = []
    for trial in exp.trials.values():
        events.append((trial.run_metadata["worker_started"], 1))
        events.append((trial.run_metadata["worker_finished"], -1))
    running, peak = 0, 0
    for _, step in sorted(events, key=lambda e: (e[0], e[1])):
        running += step
        peak = max(peak, running)
    assert 1 <= peak <= max_parallelism
    assert set(objective_means(exp)) == set(range(6))


def test_failures_are_recorded_and_the_run_goes_on(executor: Executor) -> None:
    exp = experiment()
    opts = options(total_trials=8, max_consecutive_failures=8)
    Scheduler(exp, sobol(), fails_on_large_x1, executor, opts).run_all_trials()
    statuses = by_status(exp)
    assert len(exp.trials) == 8
    failed = statuses.get(TrialStatus.FAILED, [])
    completed = statuses.get(TrialStatus.COMPLETED, [])
    assert failed and completed and sorted(failed + completed) == list(range(8))
    for index in failed:
        trial = exp.trials[index]
        assert float(trial.arms[0].parameters["x1"]) > 0.5  # type: ignore[arg-type]
        assert trial.failed_reason is not None
        assert trial.failed_reason.startswith("ValueError: boom at x1=")
        assert "fails_on_large_x1" in trial.failed_reason
        assert "ValueError" in trial.run_metadata["traceback"]
    assert set(objective_means(exp)) == set(completed)


def test_non_finite_result_fails_the_trial(executor: Executor) -> None:
    exp = experiment()
    opts = options(total_trials=2, max_consecutive_failures=5)
    Scheduler(exp, sobol(), returns_nan, executor, opts).run_all_trials()
    assert by_status(exp) == {TrialStatus.FAILED: [0, 1]}
    assert all("non-finite" in (t.failed_reason or "") for t in exp.trials.values())


def test_consecutive_failures_abort(executor: Executor) -> None:
    exp = experiment()
    opts = options(total_trials=10, max_consecutive_failures=3)
    scheduler = Scheduler(exp, sobol(), always_fails, executor, opts)
    with pytest.raises(OptimizationAbortedError, match="3 trials failed in a row") as info:
        scheduler.run_all_trials()
    assert info.value.num_failures == 3
    assert "RuntimeError: always broken" in info.value.last_reason
    statuses = by_status(exp)
    # Results already in hand when the limit is hit are recorded too (at most one more).
    assert 3 <= len(statuses[TrialStatus.FAILED]) <= 4
    assert set(statuses) <= {TrialStatus.FAILED, TrialStatus.ABANDONED}
    assert len(exp.trials) < 10


def test_timeout_fails_the_trial(executor: Executor) -> None:
    exp = experiment()
    opts = options(total_trials=2, timeout_s=0.2, max_consecutive_failures=5)
    Scheduler(exp, sobol(), sleeps_long, executor, opts).run_all_trials()
    assert by_status(exp) == {TrialStatus.FAILED: [0, 1]}
    assert all(t.failed_reason == "timed out after 0.2 s" for t in exp.trials.values())


def test_persists_after_each_trial_and_reload_equals(executor: Executor, tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    exp = experiment()
    scheduler = Scheduler(exp, sobol(), quadratic, executor, options(persistence=path))
    for done in range(1, 4):
        scheduler.run_n_trials(1)
        loaded, strategy = load_experiment_and_generation_strategy(path)
        assert by_status(loaded) == {TrialStatus.COMPLETED: list(range(done))}
        assert loaded == exp
        assert strategy is not None and strategy.name == "Sobol"
    scheduler.run_all_trials()
    loaded, _ = load_experiment_and_generation_strategy(path)
    assert loaded == exp and len(loaded.trials) == 6


def test_resume_after_reload(executor: Executor, tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    exp = experiment()
    Scheduler(exp, sobol(), quadratic, executor, options(persistence=path)).run_n_trials(3)
    # Simulate a crash with one trial in flight: reload, and leave a RUNNING trial.
    loaded, strategy = load_experiment_and_generation_strategy(path)
    assert strategy is not None
    loaded.new_trial(strategy.gen(loaded, n=1)).mark_running(no_runner_required=True)
    scheduler = Scheduler(loaded, strategy, quadratic, executor, options(persistence=path))
    assert scheduler.num_trials_finished == 3
    interrupted = loaded.trials[3]
    assert interrupted.status is TrialStatus.ABANDONED
    assert "resumed" in (interrupted.abandoned_reason or "")
    scheduler.run_all_trials()
    statuses = by_status(loaded)
    assert statuses[TrialStatus.COMPLETED] == [0, 1, 2, 4, 5, 6]
    points = {tuple(sorted(t.arms[0].parameters.items())) for t in loaded.trials.values()}
    assert len(points) == 7  # the reloaded strategy continued, it did not start over
    reloaded, _ = load_experiment_and_generation_strategy(path)
    assert reloaded == loaded


def test_results_identical_across_executors(executor: Executor) -> None:
    exp = experiment()
    Scheduler(exp, sobol(seed=7), quadratic, executor, options(total_trials=6)).run_all_trials()
    reference_exp = experiment()
    reference_strategy = sobol(seed=7)
    expected = {}
    for index in range(6):
        arm = reference_strategy.gen(reference_exp, n=1).arms[0]
        expected[index] = (dict(arm.parameters), quadratic(arm.parameters))
    got = {
        t.index: (dict(t.arms[0].parameters), objective_means(exp)[t.index])
        for t in exp.trials.values()
    }
    assert got == expected


# --------------------------------------------------------------------- not per executor
def test_default_executor_is_owned_and_shut_down() -> None:
    exp = experiment()
    scheduler = Scheduler(exp, sobol(), quadratic, options=options(total_trials=2))
    scheduler.run_all_trials()
    assert by_status(exp) == {TrialStatus.COMPLETED: [0, 1]}
    assert scheduler._executor is None  # the pool it created was shut down


def test_given_executor_is_not_shut_down() -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        Scheduler(experiment(), sobol(), quadratic, pool, options(total_trials=2)).run_all_trials()
        assert pool.submit(int, "3").result() == 3


def test_unpicklable_function_is_named() -> None:
    def local_function(parameters: TParameterization) -> float:
        return 0.0

    with pytest.raises(
        UserInputError, match=r"evaluation_function .*local_function cannot be pickled"
    ):
        Scheduler(experiment(), sobol(), local_function)
    # A thread pool needs no pickling.
    with ThreadPoolExecutor(max_workers=1) as pool:
        Scheduler(experiment(), sobol(), local_function, pool)


def test_sql_persistence(tmp_path: Path) -> None:
    pytest.importorskip("sqlalchemy")
    from ax.storage.sqa_store.db import engine_for_url
    from ax.storage.sqa_store.load import load_experiment
    from ax.storage.sqa_store.structs import DBSettings

    url = f"sqlite:///{tmp_path / 'ax.db'}"
    exp = experiment()
    with ThreadPoolExecutor(max_workers=2) as pool:
        scheduler = Scheduler(
            exp, sobol(), quadratic, pool, options(total_trials=4, persistence=DBSettings(url))
        )
        scheduler.run_n_trials(2)
        loaded = load_experiment("sched", engine=engine_for_url(url))
        assert by_status(loaded) == {TrialStatus.COMPLETED: [0, 1]}
        scheduler.run_all_trials()
    loaded = load_experiment("sched", engine=engine_for_url(url))
    assert by_status(loaded) == {TrialStatus.COMPLETED: [0, 1, 2, 3]}
    assert objective_means(loaded) == objective_means(exp)


def test_from_ax_client_and_best_parameters() -> None:
    from ax.service.ax_client import AxClient

    client = AxClient(generation_strategy=sobol(), verbose_logging=False)
    client.create_experiment(parameters=PARAMETERS, objective_name="y", minimize=True)
    with ThreadPoolExecutor(max_workers=2) as pool:
        scheduler = Scheduler.from_ax_client(client, quadratic, pool, options(total_trials=5))
        with pytest.raises(NoDataError, match="no COMPLETED trial"):
            scheduler.get_best_parameters()
        scheduler.run_all_trials()
    assert len(client.experiment.trials) == 5
    best, (means, _) = scheduler.get_best_parameters()
    assert (
        means["y"]
        == pytest.approx(quadratic(best))
        == min(objective_means(client.experiment).values())
    )


def test_run_n_trials_respects_total_and_needs_budget() -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        exp = experiment()
        scheduler = Scheduler(exp, sobol(), quadratic, pool, options(total_trials=3))
        scheduler.run_n_trials(5)
        assert len(exp.trials) == 3
        unbounded = Scheduler(experiment(), sobol(), quadratic, pool, options(total_trials=None))
        with pytest.raises(UserInputError, match="total_trials is None"):
            unbounded.run_all_trials()
        with pytest.raises(UserInputError, match="n must be >= 1, got 0"):
            unbounded.run_n_trials(0)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"max_parallelism": 0}, UserInputError, "max_parallelism must be >= 1, got 0"),
        ({"max_parallelism": 1.5}, UserInputTypeError, "max_parallelism must be an int, got 1.5"),
        ({"total_trials": 0}, UserInputError, "total_trials must be >= 1, got 0"),
        ({"timeout_s": 0}, UserInputError, "timeout_s must be finite and > 0, got 0"),
        ({"timeout_s": "1"}, UserInputTypeError, "timeout_s must be a number of seconds, got '1'"),
        ({"max_consecutive_failures": 0}, UserInputError, "max_consecutive_failures must be >= 1"),
        ({"poll_interval": -1.0}, UserInputError, "poll_interval must be finite and > 0, got -1.0"),
        (
            {"persistence": "run.txt"},
            UserInputError,
            "persistence path must end with '.json', got 'run.txt'",
        ),
        ({"persistence": 3}, UserInputTypeError, "persistence must be a JSON file path.*got int 3"),
    ],
)
def test_options_are_validated(kwargs: Dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        SchedulerOptions(**kwargs)


def test_scheduler_argument_errors() -> None:
    with pytest.raises(UserInputTypeError, match="experiment must be an Experiment, got str"):
        Scheduler("exp", sobol(), quadratic)  # type: ignore[arg-type]
    with pytest.raises(UserInputTypeError, match="executor must be a concurrent.futures.Executor"):
        Scheduler(experiment(), sobol(), quadratic, executor=object())  # type: ignore[arg-type]
    with pytest.raises(
        UserInputTypeError, match="options must be a SchedulerOptions or None, got dict"
    ):
        Scheduler(experiment(), sobol(), quadratic, options={})  # type: ignore[arg-type]


def test_dask_missing_gives_actionable_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(UnsupportedError, match="'distributed' package is not installed") as info:
        dask_executor("tcp://127.0.0.1:8786")
    assert "ax-experiments[dask]" in info.value.hint


def test_process_pool_executor_validates() -> None:
    with pytest.raises(UserInputError, match="max_workers must be >= 1, got 0"):
        process_pool_executor(0)
