"""Tests of ``optimize`` / ``OptimizationLoop`` with ``executor=``: trials run via the Scheduler.

Evaluation functions are module-level so that process workers can unpickle them.
Strategies are seeded Sobol where arms are compared, so they do not depend on the order
results arrive in.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

from ax.core.experiment import Experiment
from ax.core.runner import Runner
from ax.core.types import TParameterization, TrialStatus
from ax.exceptions import UserInputError, UserInputTypeError
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.service.executors import process_pool_executor
from ax.service.managed_loop import OptimizationAbortedError, OptimizationLoop, optimize
from ax.service.utils.instantiation import make_experiment

PARAMETERS = [
    {"name": "x1", "type": "range", "bounds": [0.0, 1.0]},
    {"name": "x2", "type": "range", "bounds": [0.0, 1.0]},
]
CHEAP_GP = {"num_restarts": 2, "raw_samples": 32}


# --------------------------------------------------------------------- evaluation functions
def quadratic(parameters: TParameterization) -> float:
    x1, x2 = float(parameters["x1"]), float(parameters["x2"])  # type: ignore[arg-type]
    return (x1 - 0.3) ** 2 + (x2 - 0.7) ** 2


def weighted_quadratic(parameters: TParameterization, weight: Optional[float]) -> Any:
    """The loop's two-argument form; a one-arm trial gets weight None."""
    assert weight is None
    return {"objective": (quadratic(parameters), 0.0), "extra": (1.0, 0.0)}


def fails_on_large_x1(parameters: TParameterization) -> float:
    if float(parameters["x1"]) > 0.5:  # type: ignore[arg-type]
        raise ValueError(f"boom at x1={parameters['x1']}")
    return quadratic(parameters)


def always_fails(parameters: TParameterization) -> float:
    raise RuntimeError("always broken")


class DoNothingRunner(Runner):
    def run(self, trial: Any) -> Dict[str, Any]:
        return {}


# --------------------------------------------------------------------- helpers
def sobol(seed: int = 0) -> GenerationStrategy:
    return GenerationStrategy(
        [GenerationStep(Models.SOBOL, num_trials=-1, model_kwargs={"seed": seed})]
    )


def arms_of(experiment: Experiment) -> List[TParameterization]:
    return [dict(t.arms[0].parameters) for _, t in sorted(experiment.trials.items())]


def means_of(experiment: Experiment, metric: str = "objective") -> Dict[int, float]:
    data = experiment.lookup_data().filter(metric_names=[metric])
    return {int(t): float(m) for t, m in zip(data.columns["trial_index"], data.columns["mean"])}


def statuses(experiment: Experiment) -> Dict[int, TrialStatus]:
    return {i: t.status for i, t in experiment.trials.items()}


def sequential(total_trials: int, function: Any = quadratic) -> Experiment:
    loop = OptimizationLoop.with_evaluation_function(
        PARAMETERS, function, minimize=True, total_trials=total_trials, generation_strategy=sobol()
    )
    return loop.full_run().experiment


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=2) as executor:
        yield executor


# --------------------------------------------------------------------- running
def test_optimize_on_a_thread_pool_equals_the_sequential_run(pool: ThreadPoolExecutor) -> None:
    best, (means, _), experiment, model = optimize(
        PARAMETERS,
        quadratic,
        minimize=True,
        total_trials=6,
        generation_strategy=sobol(),
        max_workers=2,
        executor=pool,
    )
    expected = sequential(6)
    assert statuses(experiment) == {i: TrialStatus.COMPLETED for i in range(6)}
    assert arms_of(experiment) == arms_of(expected)
    assert means_of(experiment) == pytest.approx(means_of(expected))
    assert means["objective"] == pytest.approx(min(means_of(experiment).values()))
    assert model is not None


def test_model_steps_evaluate_each_trial_once(pool: ThreadPoolExecutor) -> None:
    calls: List[int] = []
    lock = threading.Lock()

    def counted(parameters: TParameterization) -> float:
        with lock:
            calls.append(1)
        return quadratic(parameters)

    strategy = GenerationStrategy(
        [
            GenerationStep(
                Models.SOBOL, num_trials=3, min_trials_observed=2, model_kwargs={"seed": 0}
            ),
            GenerationStep(
                Models.GPEI,
                num_trials=-1,
                max_parallelism=2,
                model_kwargs={"seed": 0, "options": CHEAP_GP},
            ),
        ]
    )
    loop = OptimizationLoop.with_evaluation_function(
        PARAMETERS,
        counted,
        minimize=True,
        total_trials=5,
        generation_strategy=strategy,
        max_workers=2,
        executor=pool,
    ).full_run()
    assert statuses(loop.experiment) == {i: TrialStatus.COMPLETED for i in range(5)}
    assert len(calls) == 5  # the strategy's data fetch does not evaluate trials in flight
    assert loop.current_trial == 5
    assert loop.get_best_point()[0]


def test_process_pool_with_a_two_argument_function() -> None:
    with process_pool_executor(2) as processes:
        loop = OptimizationLoop.with_evaluation_function(
            PARAMETERS,
            weighted_quadratic,
            minimize=True,
            total_trials=4,
            generation_strategy=sobol(),
            max_workers=2,
            executor=processes,
        ).full_run()
    expected = sequential(4, weighted_quadratic)
    assert arms_of(loop.experiment) == arms_of(expected)
    assert means_of(loop.experiment) == pytest.approx(means_of(expected))
    assert means_of(loop.experiment, "extra") == {i: 1.0 for i in range(4)}


def test_failures_are_recorded_and_counted(pool: ThreadPoolExecutor) -> None:
    loop = OptimizationLoop.with_evaluation_function(
        PARAMETERS,
        fails_on_large_x1,
        minimize=True,
        total_trials=6,
        generation_strategy=sobol(),
        executor=pool,
    ).full_run()
    trials = loop.experiment.trials
    failed = [i for i, t in sorted(trials.items()) if t.status is TrialStatus.FAILED]
    expected = sequential(6, fails_on_large_x1)
    assert failed == [i for i, t in expected.trials.items() if t.status is TrialStatus.FAILED]
    assert failed and len(failed) < 6
    for index in failed:
        assert "ValueError: boom at x1=" in (trials[index].failed_reason or "")
    assert loop.num_failed_trials == len(failed)
    assert loop.last_failure is not None and loop.last_failure[0] == failed[-1]
    assert loop.current_trial == 6
    assert loop.get_best_point()[0]


def test_consecutive_failures_abort(pool: ThreadPoolExecutor) -> None:
    loop = OptimizationLoop.with_evaluation_function(
        PARAMETERS,
        always_fails,
        total_trials=10,
        generation_strategy=sobol(),
        max_consecutive_failures=2,
        executor=pool,
    )
    with pytest.raises(OptimizationAbortedError, match="max_consecutive_failures=2") as info:
        loop.full_run()
    assert "always broken" in info.value.last_reason
    found = set(statuses(loop.experiment).values())
    assert found <= {TrialStatus.FAILED, TrialStatus.ABANDONED} and TrialStatus.FAILED in found
    assert loop.consecutive_failures >= 2


def test_save_and_load_continues_the_run(pool: ThreadPoolExecutor, tmp_path: Path) -> None:
    path = str(tmp_path / "loop.json")
    loop = OptimizationLoop.with_evaluation_function(
        PARAMETERS,
        quadratic,
        minimize=True,
        total_trials=3,
        generation_strategy=sobol(),
        executor=pool,
    ).full_run()
    loop.save_to_json_file(path)
    resumed = OptimizationLoop.load_from_json_file(
        path, quadratic, total_trials=6, executor=pool, max_workers=2
    ).full_run()
    assert resumed.current_trial == 6
    assert statuses(resumed.experiment) == {i: TrialStatus.COMPLETED for i in range(6)}
    assert arms_of(resumed.experiment) == arms_of(sequential(6))


def test_progress_bar_follows_the_run(
    pool: ThreadPoolExecutor, capsys: pytest.CaptureFixture[str]
) -> None:
    OptimizationLoop.with_evaluation_function(
        PARAMETERS,
        quadratic,
        total_trials=4,
        generation_strategy=sobol(),
        show_progress=True,
        executor=pool,
    ).full_run()
    assert "4/4" in capsys.readouterr().err


def test_run_async_without_executor_still_uses_its_thread_pool() -> None:
    loop = OptimizationLoop.with_evaluation_function(
        PARAMETERS, quadratic, total_trials=4, generation_strategy=sobol(), run_async=True
    )
    assert loop.executor is None
    assert statuses(loop.full_run().experiment) == {i: TrialStatus.COMPLETED for i in range(4)}


# --------------------------------------------------------------------- unsupported / bad input
def test_batch_trials_are_refused_by_name(pool: ThreadPoolExecutor) -> None:
    with pytest.raises(UserInputError, match=r"arms_per_trial=2 \(batch trials\)"):
        OptimizationLoop.with_evaluation_function(
            PARAMETERS, quadratic, arms_per_trial=2, executor=pool
        )


def test_runner_experiments_are_refused(pool: ThreadPoolExecutor) -> None:
    experiment = make_experiment(PARAMETERS, name="deployed", runner=DoNothingRunner())
    with pytest.raises(UserInputError, match="'deployed' is run by its runner and metrics"):
        OptimizationLoop(experiment, executor=pool)


def test_unpicklable_function_for_a_process_pool_is_named() -> None:
    with (
        process_pool_executor(1) as processes,
        pytest.raises(UserInputError, match="<lambda> cannot be pickled"),
    ):
        optimize(PARAMETERS, lambda p: 0.0, total_trials=2, executor=processes)


def test_executor_type_is_checked() -> None:
    with pytest.raises(UserInputTypeError, match="executor must be a concurrent.futures.Executor"):
        optimize(PARAMETERS, quadratic, total_trials=2, executor="processes")  # type: ignore[arg-type]


def test_max_workers_defaults_to_the_given_pool_size(pool: ThreadPoolExecutor) -> None:
    # A 2-worker pool keeps 2 trials in flight, not the generic default of 4.
    loop = OptimizationLoop.with_evaluation_function(
        PARAMETERS, quadratic, total_trials=6, generation_strategy=sobol(), executor=pool
    )
    assert loop.max_workers == 2
    small = OptimizationLoop.with_evaluation_function(
        PARAMETERS, quadratic, total_trials=1, generation_strategy=sobol(), executor=pool
    )
    assert small.max_workers == 1
    plain = OptimizationLoop.with_evaluation_function(
        PARAMETERS, quadratic, total_trials=6, generation_strategy=sobol(), run_async=True
    )
    assert plain.max_workers == 4
