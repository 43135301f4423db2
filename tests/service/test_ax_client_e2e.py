"""AxClient end to end on Branin and Hartmann6, with parameter and outcome constraints.

Each run mixes the Service API's calls (a user-chosen trial, batches of trials evaluated
"in parallel", a failure), is saved to a JSON file mid-run with a trial still running,
reloaded and continued to the end; it must then match an uninterrupted run with the same
seed arm for arm.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np
import pytest

from ax.benchmark import branin, hartmann6
from ax.core.types import TParameterization, TrialStatus
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.service.ax_client import AxClient

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

CHEAP_GP = {"num_restarts": 2, "raw_samples": 32}

# ---------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    name: str
    parameters: List[Dict[str, Any]]
    objective: Callable[[TParameterization], float]
    parameter_constraint: str
    constraint_holds: Callable[[TParameterization], bool]
    l2norm_bound: float
    num_sobol: int
    total_trials: int
    save_after: int
    attached: TParameterization

    @property
    def names(self) -> List[str]:
        return [p["name"] for p in self.parameters]

    def evaluate(self, parameters: TParameterization) -> Dict[str, Tuple[float, float]]:
        x = [float(parameters[n]) for n in self.names]  # type: ignore[arg-type]
        return {
            self.name: (self.objective(parameters), 0.0),
            "l2norm": (math.sqrt(sum(v * v for v in x)), 0.0),
        }


def _f(parameters: TParameterization, name: str) -> float:
    return float(parameters[name])  # type: ignore[arg-type]


BRANIN = Problem(
    name="branin",
    parameters=[
        {"name": "x1", "type": "range", "bounds": [-5.0, 10.0]},
        {"name": "x2", "type": "range", "bounds": [0.0, 15.0]},
    ],
    objective=lambda p: branin(_f(p, "x1"), _f(p, "x2")),
    parameter_constraint="x1 + x2 <= 10",
    constraint_holds=lambda p: _f(p, "x1") + _f(p, "x2") <= 10 + 1e-6,
    l2norm_bound=10.0,
    num_sobol=5,
    total_trials=14,
    save_after=9,
    attached={"x1": 0.0, "x2": 5.0},
)
HARTMANN6 = Problem(
    name="hartmann6",
    parameters=[{"name": f"x{i}", "type": "range", "bounds": [0.0, 1.0]} for i in range(1, 7)],
    objective=lambda p: hartmann6([_f(p, f"x{i}") for i in range(1, 7)]),
    parameter_constraint="x1 + x2 <= 1.5",
    constraint_holds=lambda p: _f(p, "x1") + _f(p, "x2") <= 1.5 + 1e-6,
    l2norm_bound=1.25,
    num_sobol=6,
    total_trials=15,
    save_after=11,
    attached={f"x{i}": 0.5 for i in range(1, 7)},
)


# ---------------------------------------------------------------------------- driver


def strategy(problem: Problem, seed: int) -> GenerationStrategy:
    return GenerationStrategy(
        [
            GenerationStep(
                Models.SOBOL,
                num_trials=problem.num_sobol,
                min_trials_observed=math.ceil(problem.num_sobol / 2),
                model_kwargs={"seed": seed, "deduplicate": True},
            ),
            GenerationStep(
                Models.GPEI,
                num_trials=-1,
                max_parallelism=3,
                model_kwargs={"seed": seed, "options": CHEAP_GP},
            ),
        ]
    )


def new_client(problem: Problem, seed: int) -> AxClient:
    client = AxClient(generation_strategy=strategy(problem, seed), verbose_logging=False)
    client.create_experiment(
        name=problem.name,
        parameters=problem.parameters,
        objective_name=problem.name,
        minimize=True,
        parameter_constraints=[problem.parameter_constraint],
        outcome_constraints=[f"l2norm <= {problem.l2norm_bound}"],
    )
    return client


def advance(
    client: AxClient, problem: Problem, until: int, leave_one_running: bool = False
) -> Optional[int]:
    """Run batches of 2 trials until ``until`` trials exist, failing trial 3. With
    ``leave_one_running``, the last trial of the last batch is left RUNNING (returned)."""
    while client.experiment.num_trials < until:
        trials, reason = client.get_next_trials(2)
        assert trials, reason
        left_running: Optional[int] = None
        for index, parameters in trials.items():
            if index == 3:
                client.log_trial_failure(index, reason="simulated crash")
            elif (
                leave_one_running and client.experiment.num_trials >= until and index == max(trials)
            ):
                left_running = index
            else:
                client.complete_trial(index, problem.evaluate(parameters))
        if left_running is not None:
            return left_running
    return None


def run(problem: Problem, seed: int, tmp_path: Optional[Path]) -> AxClient:
    """The whole scenario; with ``tmp_path``, saved and reloaded mid-run."""
    client = new_client(problem, seed)
    client.attach_trial(problem.attached)
    client.complete_trial(0, problem.evaluate(problem.attached))
    running = advance(client, problem, problem.save_after, leave_one_running=True)
    assert running is not None, "the scenario must save with a trial still running"
    if tmp_path is not None:
        path = tmp_path / f"{problem.name}.json"
        client.save_to_json_file(path)
        client = AxClient.load_from_json_file(path)
        assert client.experiment.trials[running].status is TrialStatus.RUNNING
    client.complete_trial(running, problem.evaluate(client.get_trial_parameters(running)))
    advance(client, problem, problem.total_trials)
    return client


def arms(client: AxClient) -> List[TParameterization]:
    return [client.get_trial_parameters(i) for i in range(client.experiment.num_trials)]


# ---------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("problem", [BRANIN, HARTMANN6], ids=lambda p: p.name)
def test_save_reload_continue_matches_an_uninterrupted_run(
    problem: Problem, tmp_path: Path
) -> None:
    resumed = run(problem, seed=3, tmp_path=tmp_path)
    experiment = resumed.experiment
    n = experiment.num_trials
    assert n >= problem.total_trials

    # The resumed run is the uninterrupted run, arm for arm.
    assert arms(resumed) == arms(run(problem, seed=3, tmp_path=None))

    # Every trial is present once, with its status; every completed trial has its data once.
    trials = experiment.trials
    assert sorted(trials) == list(range(n))
    statuses = {i: t.status for i, t in trials.items()}
    assert statuses[3] is TrialStatus.FAILED
    assert trials[3].failed_reason == "simulated crash"
    completed = [i for i, s in statuses.items() if s is TrialStatus.COMPLETED]
    assert completed == [i for i in range(n) if i != 3]
    data = experiment.lookup_data()
    pairs = list(zip(data.columns["trial_index"].tolist(), data.columns["metric_name"].tolist()))
    assert sorted(pairs) == sorted((i, m) for i in completed for m in (problem.name, "l2norm"))
    for i in completed:
        columns = trials[i].lookup_data().columns
        observed = dict(zip(columns["metric_name"], columns["mean"]))
        assert observed[problem.name] == problem.evaluate(arms(resumed)[i])[problem.name][0]

    # The attached trial, Sobol (one more for the failed trial), then the GP; every arm
    # satisfies the parameter constraint.
    steps = [trials[i].generation_step_index for i in range(n)]
    assert steps[0] is None
    assert steps[1:] == sorted(steps[1:])  # type: ignore[type-var]
    assert steps.count(0) == problem.num_sobol + 1 and steps[-1] == 1
    assert steps[problem.save_after - 1] == 1, "save after the GP has run"
    assert all(problem.constraint_holds(p) for p in arms(resumed))

    # The best parameters satisfy both constraints, and are in the better half observed.
    best = resumed.get_best_parameters()
    assert best is not None
    parameters, (means, _) = best
    assert problem.constraint_holds(parameters)
    values = problem.evaluate(parameters)
    assert values["l2norm"][0] <= problem.l2norm_bound
    feasible = [
        problem.evaluate(arms(resumed)[i])[problem.name][0]
        for i in completed
        if problem.evaluate(arms(resumed)[i])["l2norm"][0] <= problem.l2norm_bound
    ]
    assert values[problem.name][0] <= np.median(feasible)
    assert set(means) == {problem.name, "l2norm"}

    table = resumed.get_trials_data_frame()
    assert len(table) == n and table["trial_index"].tolist() == list(range(n))
    predictions = resumed.get_model_predictions()
    assert set(predictions) == set(range(n))


def test_default_strategy_end_to_end_with_seed(tmp_path: Path) -> None:
    """The client's default strategy (choose_generation_strategy) with one seed, through a
    save and reload, gives the same arms as without."""

    def scenario(reload: bool) -> List[TParameterization]:
        client = AxClient(random_seed=5, verbose_logging=False)
        client.create_experiment(
            parameters=BRANIN.parameters,
            objective_name="branin",
            minimize=True,
            parameter_constraints=[BRANIN.parameter_constraint],
            outcome_constraints=["l2norm <= 10"],
        )
        for step in range(7):
            if reload and step == 5:
                client.save_to_json_file(tmp_path / "default.json")
                client = AxClient.load_from_json_file(tmp_path / "default.json")
            parameters, index = client.get_next_trial()
            client.complete_trial(index, BRANIN.evaluate(parameters))
        return arms(client)

    assert scenario(reload=True) == scenario(reload=False)
