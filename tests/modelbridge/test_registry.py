from __future__ import annotations

import subprocess
import sys

import pytest

from ax.core.experiment import Experiment
from ax.core.parameter import ChoiceParameter, RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType
from ax.exceptions import UserInputError
from ax.modelbridge.discrete import DiscreteModelBridge
from ax.modelbridge.random import RandomModelBridge
from ax.modelbridge.registry import (
    Cont_X_trans,
    GP_Y_trans,
    Models,
    get_model_from_generator_run,
)
from ax.modelbridge.transforms.log import Log
from ax.modelbridge.transforms.power_transform_y import PowerTransformY
from ax.modelbridge.transforms.standardize_y import StandardizeY
from ax.models.discrete.full_factorial import FullFactorialGenerator
from ax.models.random.sobol import SobolGenerator


def _space() -> SearchSpace:
    return SearchSpace(
        [
            RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0),
            RangeParameter("lr", ParameterType.FLOAT, 1e-4, 1.0, log_scale=True),
            ChoiceParameter("c", ParameterType.STRING, ["a", "b"]),
        ]
    )


def test_members_and_values() -> None:
    assert [m.name for m in Models] == [
        "SOBOL",
        "GPEI",
        "GPKG",
        "GPMES",
        "FACTORIAL",
        "THOMPSON",
        "BOTORCH",
        "EMPIRICAL_BAYES_THOMPSON",
        "UNIFORM",
        "TPE",
        "MOO",
    ]
    assert Models.SOBOL.value == "Sobol" and Models.BOTORCH.value == "BO"
    assert Models.SOBOL.model_class is SobolGenerator
    assert Models.SOBOL.model_bridge_class is RandomModelBridge


def test_importing_registry_does_not_import_torch() -> None:
    code = "import sys, ax.modelbridge.registry; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_call_splits_kwargs_between_model_and_bridge() -> None:
    bridge = Models.SOBOL(search_space=_space(), seed=3, transform_configs=None)
    assert isinstance(bridge, RandomModelBridge)
    assert isinstance(bridge.model, SobolGenerator)
    assert bridge.model.get_state()["seed"] == 3
    gr = bridge.gen(4)
    assert gr.model_key == "Sobol" and gr.model_kwargs == {"seed": 3}
    assert gr.bridge_kwargs == {"transform_configs": None}
    for arm in gr.arms:
        assert _space().check_membership(arm.parameters)


def test_unknown_kwargs_are_named() -> None:
    with pytest.raises(UserInputError, match=r"unknown keyword argument\(s\) \['sede'\]"):
        Models.SOBOL(search_space=_space(), sede=3)
    with pytest.raises(UserInputError, match="pass search_space= or experiment="):
        Models.SOBOL()
    with pytest.raises(UserInputError, match="unknown transform 'Nope'"):
        Models.SOBOL(search_space=_space(), transforms=["Nope"])


def test_transforms_by_name_are_stored_as_names() -> None:
    bridge = Models.UNIFORM(search_space=_space(), transforms=[t.__name__ for t in Cont_X_trans])
    gr = bridge.gen(2)
    assert gr.bridge_kwargs == {"transforms": [t.__name__ for t in Cont_X_trans]}


def test_view_defaults_and_kwargs() -> None:
    model_defaults, bridge_defaults = Models.SOBOL.view_defaults()
    assert model_defaults["scramble"] is True and model_defaults["seed"] is None
    assert bridge_defaults["transforms"] == Cont_X_trans
    assert Log in bridge_defaults["transforms"]
    model_kwargs, bridge_kwargs = Models.SOBOL.view_kwargs()
    assert "seed" in model_kwargs and "transforms" in bridge_kwargs
    assert "search_space" not in bridge_kwargs
    factorial_defaults = Models.FACTORIAL.view_defaults()[1]
    assert factorial_defaults["fit_out_of_design"] is True


def test_single_objective_gp_power_transforms_its_outcomes() -> None:
    # Issue 10: GPEI and BO fit a Yeo-Johnson transform before standardising; the
    # multi-objective and other models keep Ax's Y_trans.
    for member in (Models.GPEI, Models.BOTORCH):
        transforms = member.view_defaults()[1]["transforms"]
        assert transforms == Cont_X_trans + GP_Y_trans
        assert transforms.index(PowerTransformY) == transforms.index(StandardizeY) - 1
    for member in (Models.MOO, Models.GPKG, Models.GPMES, Models.TPE):
        assert PowerTransformY not in member.view_defaults()[1]["transforms"]


def test_factorial_through_registry() -> None:
    space = SearchSpace(
        [
            ChoiceParameter("a", ParameterType.STRING, ["x", "y"]),
            RangeParameter("b", ParameterType.INT, 1, 3),
        ]
    )
    bridge = Models.FACTORIAL(search_space=space)
    assert isinstance(bridge, DiscreteModelBridge)
    assert isinstance(bridge.model, FullFactorialGenerator)
    gr = bridge.gen(-1)
    assert len(gr.arms) == 6


def test_get_model_from_generator_run_resumes_after_gen() -> None:
    exp = Experiment(_space(), name="e")
    first = Models.SOBOL(experiment=exp, seed=11)
    run_a = first.gen(2)
    continued = first.gen(2)
    rebuilt = get_model_from_generator_run(
        run_a, experiment=exp, data=exp.lookup_data(), after_gen=True
    )
    assert [a.parameters for a in rebuilt.gen(2).arms] == [a.parameters for a in continued.arms]
    fresh = get_model_from_generator_run(run_a, experiment=exp, data=exp.lookup_data())
    assert [a.parameters for a in fresh.gen(2).arms] == [a.parameters for a in run_a.arms]


def test_get_model_from_manual_run_raises() -> None:
    from ax.core.arm import Arm
    from ax.core.generator_run import GeneratorRun

    exp = Experiment(_space(), name="e")
    with pytest.raises(UserInputError, match="has no model_key"):
        get_model_from_generator_run(
            GeneratorRun([Arm({"x": 0.1, "lr": 0.1, "c": "a"})]), exp, exp.lookup_data()
        )


def _xy_experiment(name: str) -> Experiment:
    """An experiment on ``x, y`` in [0, 1] minimising metric ``m``, without trials."""
    from ax.core.metric import Metric
    from ax.core.objective import Objective
    from ax.core.optimization_config import OptimizationConfig

    space = SearchSpace(
        [
            RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0),
            RangeParameter("y", ParameterType.FLOAT, 0.0, 1.0),
        ]
    )
    return Experiment(
        space,
        name=name,
        optimization_config=OptimizationConfig(Objective(Metric("m"), minimize=True)),
    )


def _experiment_with_data(n: int = 6) -> Experiment:
    from ax.core.data import Data

    exp = _xy_experiment("reg")
    sobol = Models.SOBOL(experiment=exp, seed=0)
    for _ in range(n):
        trial = exp.new_trial(generator_run=sobol.gen(1))
        trial.mark_running(no_runner_required=True)
        p = trial.arm.parameters  # type: ignore[union-attr]
        value = (p["x"] - 0.3) ** 2 + (p["y"] - 0.6) ** 2
        exp.attach_data(Data.from_evaluations({trial.arm.name: {"m": (value, 0.01)}}, trial.index))  # type: ignore[union-attr]
        trial.mark_completed()
    return exp


CHEAP = {"num_restarts": 2, "raw_samples": 32}


@pytest.mark.parametrize(
    "member, kwargs",
    [
        (Models.GPEI, {"options": CHEAP}),
        (Models.BOTORCH, {"options": CHEAP}),
        (Models.GPKG, {"options": {**CHEAP, "num_fantasies": 4}}),
        (Models.GPMES, {"options": {**CHEAP, "num_candidates": 64}}),
        (Models.TPE, {"n_startup": 3}),
    ],
)
def test_model_based_members_generate_in_design(member: Models, kwargs: dict) -> None:
    exp = _experiment_with_data()
    bridge = member(experiment=exp, data=exp.lookup_data(), seed=1, **kwargs)
    gr = bridge.gen(2)
    assert gr.model_key == member.value
    assert len(gr.arms) == 2
    for arm in gr.arms:
        assert exp.search_space.check_membership(arm.parameters)
    assert gr.model_state_after_gen is not None


@pytest.mark.parametrize("member", [Models.THOMPSON, Models.EMPIRICAL_BAYES_THOMPSON])
def test_bandit_members(member: Models) -> None:
    exp = _experiment_with_data()
    bridge = member(experiment=exp, data=exp.lookup_data())
    gr = bridge.gen(-1)
    assert gr.arms and abs(sum(gr.weights) - 1.0) < 1e-9
    assert {a.name for a in gr.arms} <= set(exp.arms_by_name)


def test_gp_on_constant_data_does_not_crash() -> None:
    from ax.core.data import Data

    exp = _experiment_with_data(4)
    rows = [
        Data.from_evaluations({t.arm.name: {"m": (1.0, 0.0)}}, t.index)  # type: ignore[attr-defined]
        for t in exp.trials.values()
    ]
    bridge = Models.GPEI(experiment=exp, data=Data.from_multiple_data(rows), options=CHEAP)
    gr = bridge.gen(1)
    assert exp.search_space.check_membership(gr.arms[0].parameters)


def test_model_given_unknown_metric_raises() -> None:
    from ax.core.data import Data

    exp = _experiment_with_data(4)
    extra = Data.from_evaluations({"0_0": {"surprise": (1.0, 0.0)}}, 0)
    with pytest.raises(UserInputError, match="surprise"):
        Models.GPEI(
            experiment=exp,
            data=Data.from_multiple_data([exp.lookup_data(), extra]),
            options=CHEAP,
        )
