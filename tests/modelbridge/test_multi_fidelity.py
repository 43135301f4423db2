"""Fidelity parameters through the torch bridge, the registry and choose_generation_strategy."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from ax.benchmark.synthetic_functions import aug_branin
from ax.core.arm import Arm
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.optimization_config import OptimizationConfig
from ax.core.parameter import RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType
from ax.exceptions import UserInputError, UserInputTypeError
from ax.modelbridge.dispatch_utils import choose_generation_strategy, fidelity_parameter_names
from ax.modelbridge.registry import Models
from ax.models.torch.fidelity import FidelityCostModel

pytestmark = pytest.mark.timeout(90)

KG_CHEAP = {"num_fantasies": 4, "num_restarts": 1, "raw_samples": 16, "maxiter": 10}


def space(target: float = 100.0, epochs_type: ParameterType = ParameterType.INT) -> SearchSpace:
    """Branin's two inputs and an integer fidelity ``epochs`` in [10, 100]."""
    return SearchSpace(
        [
            RangeParameter("x1", ParameterType.FLOAT, -5.0, 10.0),
            RangeParameter("x2", ParameterType.FLOAT, 0.0, 15.0),
            RangeParameter("epochs", epochs_type, 10, 100, is_fidelity=True, target_value=target),
        ]
    )


def experiment_with_data(n: int = 8, target: float = 100.0) -> Experiment:
    exp = Experiment(
        space(target),
        name="mf",
        optimization_config=OptimizationConfig(Objective(Metric("f"), minimize=True)),
    )
    rng = np.random.default_rng(0)
    for i in range(n):
        params = {
            "x1": float(rng.uniform(-5, 10)),
            "x2": float(rng.uniform(0, 15)),
            "epochs": int(rng.integers(10, 60)),
        }
        trial = exp.new_trial().add_arm(Arm(params))
        trial.mark_running(no_runner_required=True)
        s = (params["epochs"] - 10) / 90
        value = float(aug_branin(params["x1"], params["x2"], s))
        exp.attach_data(Data.from_evaluations({trial.arm.name: {"f": (value, 0.0)}}, i))
        trial.mark_completed()
    return exp


@pytest.mark.slow
def test_gpkg_is_multi_fidelity_with_the_cost_in_the_users_units() -> None:
    exp = experiment_with_data()
    bridge = Models.GPKG(
        experiment=exp,
        data=exp.lookup_data(),
        seed=0,
        cost_model={"fixed_cost": 1.0, "cost_per_unit": 0.1},
        **KG_CHEAP,
    )
    run = bridge.gen(1)
    params = run.arms[0].parameters
    assert -5 <= params["x1"] <= 10 and 0 <= params["x2"] <= 15
    assert isinstance(params["epochs"], int) and 10 <= params["epochs"] <= 100
    meta = run.gen_metadata
    assert meta["acquisition"] == ["qMFKG"]
    assert meta["target_fidelities"] == {"epochs": 100.0}
    # cost = 1 + 0.1 * epochs; epochs = 10 + 90 z  =>  2 + 9 z in model coordinates
    assert meta["fidelity_cost"]["fixed_cost"] == pytest.approx(2.0)
    assert meta["fidelity_cost"]["weights"] == {"epochs": pytest.approx(9.0)}
    best = run.best_arm_predictions
    assert best is not None and best[0].parameters["epochs"] == 100
    assert run.model_kwargs["cost_model"] == {"fixed_cost": 1.0, "cost_per_unit": 0.1}


def test_gpei_proposes_and_recommends_at_the_target_fidelity() -> None:
    exp = experiment_with_data()
    bridge = Models.GPEI(
        experiment=exp, data=exp.lookup_data(), seed=0, options={"num_restarts": 2}
    )
    run = bridge.gen(2)
    assert [arm.parameters["epochs"] for arm in run.arms] == [100, 100]
    assert run.best_arm_predictions is not None
    assert run.best_arm_predictions[0].parameters["epochs"] == 100


def test_bad_fidelity_setups_get_clear_errors() -> None:
    # A target outside the fidelity's range is refused when the parameter is declared
    # (RangeParameter checks it), before any model sees it.
    with pytest.raises(UserInputError, match=r"'epochs': target_value must lie within.*150"):
        experiment_with_data(target=150.0)
    exp = experiment_with_data()
    bridge = Models.GPKG(
        experiment=exp,
        data=exp.lookup_data(),
        seed=0,
        cost_model={"cost_per_unit": {"steps": 1.0}},
        **KG_CHEAP,
    )
    with pytest.raises(UserInputError, match=r"names \['steps'\], which are not fidelity"):
        bridge.gen(1)
    with pytest.raises(UserInputError, match=r"fixed_cost must be a finite number > 0, got -3"):
        Models.GPKG(experiment=exp, data=exp.lookup_data(), cost_model={"fixed_cost": -3})
    with pytest.raises(UserInputError, match="target_value must be set for a fidelity parameter"):
        RangeParameter("s", ParameterType.FLOAT, 0.0, 1.0, is_fidelity=True)


# ---------------------------------------------------------------------------- dispatch
def test_choose_generation_strategy_picks_multi_fidelity_kg_and_says_why(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="ax"):
        strategy = choose_generation_strategy(
            space(), random_seed=3, fidelity_cost_model=FidelityCostModel(fixed_cost=2.0)
        )
    steps = strategy.steps
    assert [s.model for s in steps] == [Models.SOBOL, Models.GPKG]
    assert steps[1].model_kwargs == {
        "seed": 3,
        "cost_model": {"fixed_cost": 2.0, "cost_per_unit": 1.0},
    }
    assert "fidelity parameters ['epochs'] found" in caplog.text
    assert "GPKG" in caplog.text
    assert fidelity_parameter_names(space()) == ["epochs"]
    plain = SearchSpace([RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0)])
    assert choose_generation_strategy(plain).steps[1].model == Models.GPEI
    default = choose_generation_strategy(space())
    assert default.steps[1].model_kwargs == {"seed": None}


@pytest.mark.parametrize(
    "cost, error, match",
    [
        ({"fixed_cost": 0}, UserInputError, "fixed_cost must be a finite number > 0, got 0"),
        (
            {"cost_per_unit": {"x1": 1.0}},
            UserInputError,
            r"unknown: \['x1'\], missing: \['epochs'\]",
        ),
        ("cheap", UserInputTypeError, "must be a FidelityCostModel or a dict"),
    ],
)
def test_choose_generation_strategy_validates_the_cost_model(
    cost: object, error: type, match: str
) -> None:
    with pytest.raises(error, match=match):
        choose_generation_strategy(space(), fidelity_cost_model=cost)  # type: ignore[arg-type]


def test_cost_model_without_fidelity_parameters_is_refused() -> None:
    plain = SearchSpace([RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0)])
    with pytest.raises(UserInputError, match="has no fidelity parameter"):
        choose_generation_strategy(plain, fidelity_cost_model={"fixed_cost": 1.0})
