"""Multi-fidelity BO end to end: AxClient, optimize (fidelity evaluations) and the
developer API, with fidelity parameters and a cost model."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Dict, List, Tuple

import pytest

from ax.benchmark.synthetic_functions import aug_branin
from ax.core.parameter import RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType
from ax.metrics.branin import AugmentedBraninMetric
from ax.modelbridge.dispatch_utils import choose_generation_strategy
from ax.modelbridge.generation_strategy import GenerationStrategy
from ax.modelbridge.registry import Models
from ax.service.ax_client import AxClient
from ax.service.managed_loop import optimize
from ax.service.utils.best_point import get_best_parameters, get_best_raw_objective_point
from ax.service.utils.instantiation import make_search_space
from tests.stubs import get_augmented_branin_experiment

pytestmark = pytest.mark.timeout(180)

PARAMETERS: List[Dict[str, Any]] = [
    {"name": "x1", "type": "range", "bounds": [-5.0, 10.0]},
    {"name": "x2", "type": "range", "bounds": [0.0, 15.0]},
    {"name": "s", "type": "range", "bounds": [0.0, 1.0], "is_fidelity": True, "target_value": 1.0},
]
CHEAP_KG = {"num_fantasies": 4, "num_restarts": 1, "raw_samples": 16, "maxiter": 10}


def cheap_strategy(space: SearchSpace, init: int = 4) -> GenerationStrategy:
    """choose_generation_strategy's multi-fidelity strategy, with a cheap knowledge gradient."""
    chosen = choose_generation_strategy(
        space,
        random_seed=0,
        num_initialization_trials=init,
        fidelity_cost_model={"fixed_cost": 0.05, "cost_per_unit": 1.0},
    )
    sobol, gp = chosen.steps
    assert gp.model == Models.GPKG
    return GenerationStrategy(
        [sobol, replace(gp, model_kwargs={**(gp.model_kwargs or {}), **CHEAP_KG})]
    )


@pytest.mark.slow
@pytest.mark.integration
def test_ax_client_loop_uses_cheap_fidelities_and_recommends_at_the_target() -> None:
    client = AxClient(generation_strategy=cheap_strategy(make_search_space(PARAMETERS)))
    client.create_experiment(parameters=PARAMETERS, objective_name="f", minimize=True)
    fidelities = []
    for _ in range(6):
        params, index = client.get_next_trial()
        assert 0.0 <= params["s"] <= 1.0
        fidelities.append(params["s"])
        client.complete_trial(
            index, raw_data=(float(aug_branin(params["x1"], params["x2"], params["s"])), 0.0)
        )
    assert any(s < 1.0 for s in fidelities[4:])  # the knowledge gradient went cheap
    best = client.get_best_parameters()
    assert best is not None
    parameters, (means, _) = best
    assert parameters["s"] == 1.0 and math.isfinite(means["f"])
    run = client.experiment.trials[5].generator_runs[0]
    assert run.gen_metadata["acquisition"] == ["qMFKG"]


def test_ax_client_default_strategy_is_multi_fidelity() -> None:
    client = AxClient()
    client.create_experiment(
        parameters=PARAMETERS,
        objective_name="f",
        minimize=True,
        choose_generation_strategy_kwargs={"fidelity_cost_model": {"fixed_cost": 0.2}},
    )
    step = client.generation_strategy.steps[-1]
    assert step.model == Models.GPKG
    assert step.model_kwargs is not None
    assert step.model_kwargs["cost_model"] == {"fixed_cost": 0.2, "cost_per_unit": 1.0}


@pytest.mark.slow
@pytest.mark.integration
def test_optimize_with_an_evaluation_that_returns_fidelity_evaluations() -> None:
    def evaluate(
        p: Dict[str, Any],
    ) -> List[Tuple[Dict[str, float], Dict[str, Tuple[float, float]]]]:
        # the requested fidelity, and the target too for the cheapest requests
        levels = sorted({p["s"], 1.0}) if p["s"] < 0.2 else [p["s"]]
        return [({"s": s}, {"f": (float(aug_branin(p["x1"], p["x2"], s)), 0.0)}) for s in levels]

    best, (means, _), experiment, model = optimize(
        PARAMETERS,
        evaluate,
        objective_name="f",
        minimize=True,
        total_trials=6,
        generation_strategy=cheap_strategy(make_search_space(PARAMETERS)),
    )
    assert best["s"] == 1.0 and math.isfinite(means["f"])
    data = experiment.fetch_data()
    assert "fidelities" in data.df.columns
    assert len(data.df) >= len(experiment.trials)
    assert model is not None


@pytest.mark.slow
@pytest.mark.integration
def test_developer_api_with_the_augmented_branin_metric() -> None:
    experiment = get_augmented_branin_experiment("mf_dev")
    assert isinstance(experiment.optimization_config.objective.metric, AugmentedBraninMetric)  # type: ignore[union-attr]
    strategy = cheap_strategy(experiment.search_space, init=4)
    for _ in range(5):
        trial = experiment.new_trial(generator_run=strategy.gen(experiment))
        trial.run()
        trial.mark_completed()
    best = get_best_parameters(experiment)
    assert best is not None and best[0]["s"] == 1.0


def test_raw_best_point_counts_only_target_fidelity_observations() -> None:
    space = SearchSpace(
        [
            RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0),
            RangeParameter("s", ParameterType.FLOAT, 0.0, 1.0, is_fidelity=True, target_value=1.0),
        ]
    )
    client = AxClient(
        generation_strategy=GenerationStrategy(choose_generation_strategy(space).steps[:1])
    )
    client.create_experiment(
        parameters=[
            {"name": "x", "type": "range", "bounds": [0.0, 1.0]},
            {
                "name": "s",
                "type": "range",
                "bounds": [0.0, 1.0],
                "is_fidelity": True,
                "target_value": 1.0,
            },
        ],
        objective_name="f",
        minimize=True,
    )
    low, i = client.attach_trial({"x": 0.1, "s": 0.0})
    client.complete_trial(i, raw_data=(-100.0, 0.0))  # great, but at a cheap fidelity
    high, j = client.attach_trial({"x": 0.7, "s": 1.0})
    client.complete_trial(j, raw_data=(1.0, 0.0))
    parameters, values = get_best_raw_objective_point(client.experiment)
    assert parameters == {"x": 0.7, "s": 1.0} and values["f"][0] == 1.0
    # the fidelity form: arm 0 also evaluated at the target, where it is the best
    k = client.attach_trial({"x": 0.3, "s": 0.5})[1]
    client.complete_trial(
        k, raw_data=[({"s": 0.5}, {"f": (5.0, 0.0)}), ({"s": 1.0}, {"f": (0.5, 0.0)})]
    )
    parameters, values = get_best_raw_objective_point(client.experiment)
    assert parameters == {"x": 0.3, "s": 1.0} and values["f"][0] == 0.5
