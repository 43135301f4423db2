"""End to end at the loop and developer levels (the service level is in tests/service).

Branin (2-D) and Hartmann6 (6-D), each with a parameter constraint and an outcome
constraint on an L2 norm, run by Sobol then the GP (cheap acquisition settings). Each run
is saved part-way, reloaded in a fresh object and continued; it must propose exactly the
arms an uninterrupted run proposes, keep every completed trial once, and end with a best
point that satisfies both constraints.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Callable, Dict, List, NamedTuple, Tuple

import numpy as np
import pytest

from ax.benchmark.synthetic_functions import branin, hartmann6
from ax.core.experiment import Experiment
from ax.core.objective import Objective
from ax.core.optimization_config import OptimizationConfig
from ax.core.outcome_constraint import OutcomeConstraint
from ax.core.parameter import RangeParameter
from ax.core.parameter_constraint import ParameterConstraint
from ax.core.search_space import SearchSpace
from ax.core.types import ComparisonOp, ParameterType, TrialStatus
from ax.metrics.branin import BraninMetric
from ax.metrics.hartmann6 import Hartmann6Metric
from ax.metrics.l2norm import L2NormMetric
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.runners.synthetic import SyntheticRunner
from ax.service.managed_loop import OptimizationLoop
from ax.storage.json_store.generation_strategy import (
    load_experiment_and_generation_strategy,
    save_experiment_and_generation_strategy,
)

pytestmark = pytest.mark.integration

TOTAL, SAVE_AT = 8, 6  # 5 Sobol trials, then the GP; saved after the first GP trial
CHEAP = {"num_restarts": 2, "raw_samples": 32}


class Problem(NamedTuple):
    name: str
    parameters: List[Tuple[str, float, float]]
    parameter_constraint: Tuple[Dict[str, float], float]  # weights . x <= bound
    norm_bound: float
    function: Callable[[np.ndarray], float]
    metric: Callable[[str, List[str]], Any]


PROBLEMS = [
    Problem(
        "branin",
        [("x1", -5.0, 10.0), ("x2", 0.0, 15.0)],
        ({"x1": 1.0, "x2": 1.0}, 15.0),
        13.0,
        lambda x: float(branin(x)),
        BraninMetric,
    ),
    Problem(
        "hartmann6",
        [(f"x{i}", 0.0, 1.0) for i in range(1, 7)],
        ({"x1": 1.0, "x2": 1.0}, 1.5),
        1.25,
        lambda x: float(hartmann6(x)),
        Hartmann6Metric,
    ),
]


def _strategy(seed: int) -> GenerationStrategy:
    return GenerationStrategy(
        [
            GenerationStep(
                Models.SOBOL, num_trials=5, min_trials_observed=3, model_kwargs={"seed": seed}
            ),
            GenerationStep(
                Models.GPEI, num_trials=-1, model_kwargs={"seed": seed, "options": CHEAP}
            ),
        ]
    )


def _names(problem: Problem) -> List[str]:
    return [name for name, _, _ in problem.parameters]


def _feasible(problem: Problem, parameters: Dict[str, Any]) -> bool:
    x = np.array([parameters[n] for n in _names(problem)], dtype=float)
    weights, bound = problem.parameter_constraint
    linear = sum(w * parameters[n] for n, w in weights.items())
    return linear <= bound + 1e-9 and float(np.linalg.norm(x)) <= problem.norm_bound + 1e-9


# ---------------------------------------------------------------------------- loop level


def _loop_parameters(problem: Problem) -> List[Dict[str, Any]]:
    return [{"name": n, "type": "range", "bounds": [lo, hi]} for n, lo, hi in problem.parameters]


def _loop_constraint(problem: Problem) -> str:
    weights, bound = problem.parameter_constraint
    return " + ".join(weights) + f" <= {bound}"


def _evaluation(problem: Problem) -> Callable[[Dict[str, Any]], Dict[str, Tuple[float, float]]]:
    def evaluate(parameters: Dict[str, Any]) -> Dict[str, Tuple[float, float]]:
        x = np.array([parameters[n] for n in _names(problem)], dtype=float)
        return {"objective": (problem.function(x), 0.0), "l2norm": (float(np.linalg.norm(x)), 0.0)}

    return evaluate


def _loop(problem: Problem, total: int) -> OptimizationLoop:
    return OptimizationLoop.with_evaluation_function(
        parameters=_loop_parameters(problem),
        evaluation_function=_evaluation(problem),
        experiment_name=f"loop_{problem.name}",
        minimize=True,
        parameter_constraints=[_loop_constraint(problem)],
        outcome_constraints=[f"l2norm <= {problem.norm_bound}"],
        total_trials=total,
        generation_strategy=_strategy(seed=1),
    )


def _arms(experiment: Experiment) -> List[Dict[str, Any]]:
    return [experiment.trials[i].arms[0].parameters for i in sorted(experiment.trials)]


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.name)
def test_loop_level_save_reload_continue(problem: Problem, tmp_path: Path) -> None:
    straight = _loop(problem, TOTAL).full_run()

    first = _loop(problem, SAVE_AT).full_run()
    path = tmp_path / "loop.json"
    first.save_to_json_file(str(path))
    resumed = OptimizationLoop.load_from_json_file(
        str(path), evaluation_function=_evaluation(problem), total_trials=TOTAL
    )
    assert resumed.current_trial == SAVE_AT
    resumed.full_run()

    assert _arms(resumed.experiment) == _arms(straight.experiment)
    completed = resumed.experiment.trial_indices_by_status[TrialStatus.COMPLETED]
    assert completed == set(range(TOTAL))
    assert sorted(resumed.experiment.lookup_data().trial_indices) == list(range(TOTAL))
    for arm in (t.arms[0] for t in resumed.experiment.trials.values()):
        weights, bound = problem.parameter_constraint
        assert sum(w * arm.parameters[n] for n, w in weights.items()) <= bound + 1e-9
    best, (means, _) = resumed.get_best_point()
    assert _feasible(problem, best)
    assert set(means) >= {"objective"}


# ---------------------------------------------------------------------------- developer level


def _developer_experiment(problem: Problem) -> Experiment:
    names = _names(problem)
    weights, bound = problem.parameter_constraint
    space = SearchSpace(
        [RangeParameter(n, ParameterType.FLOAT, lo, hi) for n, lo, hi in problem.parameters],
        parameter_constraints=[ParameterConstraint(weights, bound)],
    )
    config = OptimizationConfig(
        objective=Objective(problem.metric("objective", names), minimize=True),
        outcome_constraints=[
            OutcomeConstraint(
                L2NormMetric("l2norm", names), ComparisonOp.LEQ, problem.norm_bound, relative=False
            )
        ],
    )
    return Experiment(
        space, name=f"dev_{problem.name}", optimization_config=config, runner=SyntheticRunner()
    )


def _developer_step(experiment: Experiment, strategy: GenerationStrategy) -> None:
    trial = experiment.new_trial(generator_run=strategy.gen(experiment))
    trial.run()  # SyntheticRunner: RUNNING
    experiment.attach_data(trial.fetch_data())  # metrics compute their values live
    trial.mark_completed()


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.name)
def test_developer_level_save_reload_continue(problem: Problem, tmp_path: Path) -> None:
    straight_exp, straight_gs = _developer_experiment(problem), _strategy(seed=2)
    for _ in range(TOTAL):
        _developer_step(straight_exp, straight_gs)

    experiment, strategy = _developer_experiment(problem), _strategy(seed=2)
    for _ in range(SAVE_AT):
        _developer_step(experiment, strategy)
    path = tmp_path / "developer.json"
    save_experiment_and_generation_strategy(experiment, strategy, path)
    loaded, loaded_strategy = load_experiment_and_generation_strategy(path)
    assert loaded == experiment and loaded_strategy is not None
    for _ in range(TOTAL - SAVE_AT):
        _developer_step(loaded, loaded_strategy)

    assert _arms(loaded) == _arms(straight_exp)
    assert loaded_strategy.current_step_index == 1
    data = loaded.lookup_data()
    assert sorted(data.trial_indices) == list(range(TOTAL))
    assert len(data) == 2 * TOTAL  # objective and l2norm, each trial once
    feasible = [
        (t.get_metric_mean("objective"), t.arms[0].parameters)
        for t in loaded.trials.values()
        if t.get_metric_mean("l2norm") <= problem.norm_bound
    ]
    assert feasible, "no feasible trial"
    best_value, best_parameters = min(feasible, key=lambda pair: pair[0])
    assert _feasible(problem, best_parameters)
    assert math.isfinite(best_value)
