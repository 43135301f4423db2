"""Mixed and discrete search spaces end to end: discrete structure, dispatch, GP candidates."""

from __future__ import annotations

import logging
from typing import Any, Dict, List

import numpy as np
import pytest

from ax.core.arm import Arm
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.observation import ObservationFeatures
from ax.core.parameter import ChoiceParameter, FixedParameter, RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType
from ax.exceptions import DataRequiredError, UserInputError
from ax.modelbridge.dispatch_utils import choose_generation_strategy, model_choice
from ax.modelbridge.mixed_space import discrete_structure
from ax.modelbridge.registry import Models
from tests.modelbridge import make_config, mixed_parameters, mixed_search_space

FAST = {"seed": 0, "num_restarts": 2, "raw_samples": 64, "maxiter": 30}


def objective(p: Dict[str, Any]) -> float:
    value = (p["x"] - 0.5) ** 2 + 0.1 * (p["n"] - 3) ** 2 + (0.0 if p["opt"] == "adam" else 1.0)
    return value + (0.3 if p["flag"] else 0.0) + 0.01 * np.log(p["k"]) + 0.001 * p["size"]


def experiment_with_data(space: SearchSpace, rows: List[Dict[str, Any]], f: Any) -> Experiment:
    exp = Experiment(space, name="mixed", optimization_config=make_config())
    for params in rows:
        trial = exp.new_trial()
        trial.add_arm(Arm(parameters=params))
        trial.mark_running(no_runner_required=True)
        arm = trial.arms[0]
        exp.attach_data(
            Data.from_evaluations(
                {arm.name: {"m1": (f(arm.parameters), 0.0), "m2": (1.0, 0.0)}}, trial.index
            )
        )
        trial.mark_completed()
    return exp


def assert_valid(space: SearchSpace, params: Dict[str, Any]) -> None:
    for name, p in space.parameters.items():
        value = params[name]
        if isinstance(p, RangeParameter):
            assert p.lower <= value <= p.upper
            if p.parameter_type is ParameterType.INT:
                assert isinstance(value, int) and not isinstance(value, bool)
        elif isinstance(p, ChoiceParameter):
            assert value in p.values
        elif isinstance(p, FixedParameter):
            assert value == p.value
    for constraint in space.parameter_constraints:
        assert constraint.check(params)


def test_discrete_structure_of_a_mixed_space_round_trips() -> None:
    space = mixed_search_space()
    exp = experiment_with_data(space, [mixed_parameters(i) for i in range(8)], objective)
    bridge = Models.GPEI(experiment=exp, data=exp.lookup_data(), **FAST)
    names = list(bridge.parameters)  # type: ignore[attr-defined]
    s = discrete_structure(bridge.transforms, bridge._model_space, names)
    assert s is not None
    by_name = {names[j]: values for j, values in s.lattices.items()}
    # ints (plain and log), the ordered choice and the bool are lattices; "opt" one group
    assert set(by_name) == {"n", "k", "size", "flag_OH_PARAM_"}
    assert len(by_name["n"]) == 10 and len(by_name["k"]) == 1000 and len(by_name["size"]) == 3
    assert [[names[j] for j in g] for g in s.groups] == [[f"opt_OH_PARAM__{i}" for i in range(3)]]
    # every lattice value untransforms to an allowed value, and back to itself
    for name in ("n", "size"):
        for v in by_name[name]:
            point = {c: 0.0 for c in names}
            point[name] = float(v)
            for j in s.groups[0]:
                point[names[j]] = 0.0
            point[names[s.groups[0][0]]] = 1.0
            original = bridge._untransform_features(
                [ObservationFeatures(point)], bridge._model_space
            )[0].parameters
            assert original[name] in (
                space.parameters[name].values  # type: ignore[attr-defined]
                if name == "size"
                else range(1, 11)
            )
            assert bridge.rounding_func(names, bridge._model_space)(
                np.array([point[c] for c in names])
            )[names.index(name)] == pytest.approx(float(v))


def test_gp_candidates_in_a_mixed_space_are_valid_and_satisfy_constraints() -> None:
    space = mixed_search_space()
    rows = [p for p in (mixed_parameters(i) for i in range(10)) if p["x"] + 0.5 * p["n"] <= 4]
    exp = experiment_with_data(space, rows, objective)
    bridge = Models.GPEI(experiment=exp, data=exp.lookup_data(), **FAST)
    run = bridge.gen(3)
    assert len(run.arms) == 3
    for arm in run.arms:
        assert_valid(space, arm.parameters)
    assert run.gen_metadata["discrete_search"]["one_hot_groups"] == 1


def test_the_bridge_fits_one_lengthscale_per_unordered_choice() -> None:
    space = mixed_search_space()
    exp = experiment_with_data(space, [mixed_parameters(i) for i in range(10)], objective)
    bridge = Models.GPEI(experiment=exp, data=exp.lookup_data(), **FAST)
    names = list(bridge.parameters)  # type: ignore[attr-defined]
    group = [names.index(f"opt_OH_PARAM__{i}") for i in range(3)]
    generator = bridge.model  # type: ignore[attr-defined]
    assert generator.shared_lengthscales == [group]
    ls = generator.model.covar_module.lengthscale.detach().numpy()  # `m x 1 x d`
    for row in ls.reshape(-1, len(names)):
        assert len(set(row[group].tolist())) == 1
        assert len(set(np.delete(row, group).tolist())) > 1  # the other columns stay free


def test_a_space_of_only_categorical_parameters_is_modelled() -> None:
    space = SearchSpace(
        [
            ChoiceParameter("a", ParameterType.STRING, [f"a{i}" for i in range(50)]),
            ChoiceParameter("b", ParameterType.STRING, ["x", "y", "z"]),
            ChoiceParameter("c", ParameterType.BOOL, [True, False]),
        ]
    )
    assert model_choice(space)[0]
    rng = np.random.default_rng(0)
    rows = [
        {"a": f"a{rng.integers(50)}", "b": ["x", "y", "z"][i % 3], "c": bool(i % 2)}
        for i in range(12)
    ]

    def f(p: Dict[str, Any]) -> float:
        return float(p["a"] == "a7") + (p["b"] == "z") + 0.5 * p["c"]

    exp = experiment_with_data(space, rows, f)
    bridge = Models.GPEI(experiment=exp, data=exp.lookup_data(), **FAST)
    run = bridge.gen(2)
    for arm in run.arms:
        assert_valid(space, arm.parameters)
    assert run.gen_metadata["discrete_search"]["configurations"] == 300


def test_choose_generation_strategy_models_mixed_spaces_and_says_why(
    caplog: pytest.LogCaptureFixture,
) -> None:
    space = SearchSpace(
        [
            RangeParameter("lr", ParameterType.FLOAT, 1e-4, 1e-1, log_scale=True),
            RangeParameter("layers", ParameterType.INT, 1, 8),
            RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0),
            ChoiceParameter("opt", ParameterType.STRING, ["sgd", "adam", "rms"]),
            ChoiceParameter("flag", ParameterType.BOOL, [True, False]),
        ]
    )
    with caplog.at_level(logging.INFO, logger="ax.modelbridge.dispatch_utils"):
        strategy = choose_generation_strategy(space, random_seed=0)
    assert [s.model for s in strategy.steps] == [Models.SOBOL, Models.GPEI]
    assert any("can be modelled" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "parameters, num_trials, reason",
    [
        ([FixedParameter("f", ParameterType.FLOAT, 1.0)], None, "no tunable parameter"),
        (
            [ChoiceParameter("a", ParameterType.STRING, ["x", "y", "z"])],
            10,
            "quasi-random search can try them all",
        ),
        (
            [ChoiceParameter("a", ParameterType.INT, list(range(1200)))],
            None,
            "more than 1000",
        ),
    ],
)
def test_quasi_random_only_where_no_model_can_help(
    parameters: List[Any], num_trials: Any, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    space = SearchSpace(parameters)
    use, why = model_choice(space, num_trials)
    assert not use and reason in why
    with caplog.at_level(logging.INFO, logger="ax.modelbridge.dispatch_utils"):
        strategy = choose_generation_strategy(space, num_trials=num_trials)
    assert [s.model for s in strategy.steps] == [Models.SOBOL]
    assert any(reason in r.getMessage() for r in caplog.records)


def test_bad_input_gets_a_clear_error() -> None:
    with pytest.raises(UserInputError, match="'a': values must hold at least 2 values"):
        ChoiceParameter("a", ParameterType.STRING, ["only"])
    space = mixed_search_space()
    exp = Experiment(space, name="empty", optimization_config=make_config())
    with pytest.raises(DataRequiredError):  # every trial failed: no data
        Models.GPEI(experiment=exp, data=Data(), **FAST)


def test_constant_data_still_gives_valid_candidates() -> None:
    space = mixed_search_space()
    rows = [p for p in (mixed_parameters(i) for i in range(8)) if p["x"] + 0.5 * p["n"] <= 4]
    exp = experiment_with_data(space, rows, lambda p: 1.0)
    bridge = Models.GPEI(experiment=exp, data=exp.lookup_data(), **FAST)
    for arm in bridge.gen(1).arms:
        assert_valid(space, arm.parameters)
