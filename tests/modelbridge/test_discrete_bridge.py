"""Tests for ax.modelbridge.discrete (DiscreteModelBridge): factorial and Thompson."""

from __future__ import annotations

import itertools
from typing import Any, Dict, Optional, Tuple, cast

import numpy as np
import pytest

from ax.core.arm import Arm
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.observation import ObservationFeatures
from ax.core.optimization_config import OptimizationConfig
from ax.core.outcome_constraint import OutcomeConstraint
from ax.core.parameter import ChoiceParameter, FixedParameter, RangeParameter
from ax.core.parameter_constraint import OrderConstraint
from ax.core.search_space import SearchSpace
from ax.core.types import ComparisonOp, ParameterType
from ax.exceptions import DataRequiredError, UnsupportedError
from ax.modelbridge.discrete import DiscreteModelBridge
from ax.modelbridge.transforms.int_range_to_choice import IntRangeToChoice
from ax.models.discrete.eb_thompson import EmpiricalBayesThompsonSampler
from ax.models.discrete.full_factorial import FullFactorialGenerator
from ax.models.discrete.thompson import ThompsonSampler
from tests.modelbridge import TS_TRANS


def factorial_space() -> SearchSpace:
    return SearchSpace(
        [
            RangeParameter("n", ParameterType.INT, 1, 3),
            ChoiceParameter("size", ParameterType.INT, [8, 16], is_ordered=True),
            ChoiceParameter("opt", ParameterType.STRING, ["sgd", "adam"]),
            FixedParameter("mode", ParameterType.STRING, "fast"),
        ]
    )


def test_full_factorial_gives_every_combination() -> None:
    space = factorial_space()
    bridge = DiscreteModelBridge(space, FullFactorialGenerator(), transforms=[IntRangeToChoice])
    gr = bridge.gen(-1)
    combos = {(a.parameters["n"], a.parameters["size"], a.parameters["opt"]) for a in gr.arms}
    assert combos == set(itertools.product([1, 2, 3], [8, 16], ["sgd", "adam"]))
    assert len(gr.arms) == 12 and gr.weights == [1.0] * 12
    for arm in gr.arms:
        space.check_membership(arm.parameters, raise_error=True)
    assert gr.model_predictions is None  # the factorial design predicts nothing
    assert gr.model_state_after_gen == {"max_cardinality": 100, "check_cardinality": True}
    fixed = bridge.gen(-1, fixed_features=ObservationFeatures({"opt": "adam", "n": 2}))
    assert {(a.parameters["n"], a.parameters["opt"]) for a in fixed.arms} == {(2, "adam")}
    assert len(fixed.arms) == 2


def test_factorial_drops_points_breaking_parameter_constraints() -> None:
    a = RangeParameter("a", ParameterType.INT, 1, 3)
    b = RangeParameter("b", ParameterType.INT, 1, 3)
    space = SearchSpace([a, b], [OrderConstraint(a, b)])
    bridge = DiscreteModelBridge(space, FullFactorialGenerator(), transforms=[IntRangeToChoice])
    arms = bridge.gen(-1).arms
    assert {(x.parameters["a"], x.parameters["b"]) for x in arms} == {
        (1, 1),
        (1, 2),
        (1, 3),
        (2, 2),
        (2, 3),
        (3, 3),
    }


def test_float_range_needs_a_discrete_transform() -> None:
    space = SearchSpace([RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0)])
    with pytest.raises(
        UnsupportedError, match="parameter 'x' .* is not a choice or fixed parameter"
    ):
        DiscreteModelBridge(space, FullFactorialGenerator(), transforms=[IntRangeToChoice])


def thompson_experiment(
    relative: bool = False, sem: Optional[float] = 0.1
) -> Tuple[Experiment, Data]:
    space = SearchSpace(
        [
            ChoiceParameter("a", ParameterType.INT, [1, 2, 3], is_ordered=True),
            ChoiceParameter("c", ParameterType.STRING, ["u", "v"]),
        ]
    )
    config = OptimizationConfig(
        Objective(Metric("m1"), minimize=True),
        [OutcomeConstraint(Metric("m2"), ComparisonOp.LEQ, 50.0 if relative else 2.5, relative)],
    )
    exp = Experiment(
        search_space=space,
        name="ts",
        optimization_config=config,
        status_quo=Arm({"a": 2, "c": "u"}, name="status_quo") if relative else None,
    )
    trial = exp.new_batch_trial()
    trial.add_arms_and_weights(
        [Arm({"a": a, "c": c}) for a in (1, 2, 3) for c in ("u", "v") if (a, c) != (2, "u")]
    )
    if relative:
        trial.set_status_quo_with_weight(exp.status_quo, 1.0)  # type: ignore[arg-type]
    else:
        trial.add_arm(Arm({"a": 2, "c": "u"}))
    evaluations: Dict[str, Dict[str, Any]] = {}
    for arm in trial.arms:
        a = float(cast(int, arm.parameters["a"]))
        v = 0.5 if arm.parameters["c"] == "v" else 0.0
        evaluations[arm.name] = {"m1": (a + v, sem), "m2": (a, sem)}
    data = Data.from_evaluations(evaluations, trial.index)
    exp.attach_data(data)
    return exp, data


def thompson_bridge(
    exp: Experiment, data: Data, model: Optional[ThompsonSampler] = None
) -> DiscreteModelBridge:
    return DiscreteModelBridge(
        exp.search_space,
        model or ThompsonSampler(num_samples=2000, seed=0),
        transforms=TS_TRANS,
        experiment=exp,
        data=data,
    )


def test_thompson_prefers_the_best_feasible_arm() -> None:
    exp, data = thompson_experiment()
    bridge = thompson_bridge(exp, data)
    assert bridge.outcomes == ["m1", "m2"]
    gr = bridge.gen(-1)
    assert sum(gr.weights) == pytest.approx(1.0)
    assert gr.arms[0].parameters == {"a": 1, "c": "u"}
    assert gr.arms[0].name == exp.arms_by_signature[gr.arms[0].signature].name
    for arm in gr.arms:
        exp.search_space.check_membership(arm.parameters, raise_error=True)
        assert arm.parameters["a"] in (1, 2)  # m2 <= 2.5 rules out a = 3
    assert gr.model_predictions is not None
    means, _ = gr.model_predictions
    assert means["m1"][0] == pytest.approx(1.0)  # untransformed back to raw units
    assert "win_probabilities" in (gr.gen_metadata or {})
    one = bridge.gen(1)
    assert len(one.arms) == 1 and one.weights == [1.0]


def test_thompson_predict_and_relative_constraints() -> None:
    exp, data = thompson_experiment(relative=True)
    bridge = thompson_bridge(exp, data)
    assert bridge.status_quo is not None and bridge.status_quo.arm_name == "status_quo"
    means, covs = bridge.predict([ObservationFeatures({"a": 3, "c": "v"})])
    assert means["m1"] == [pytest.approx(3.5)] and covs["m1"]["m1"] == [pytest.approx(0.01)]
    # m2 <= +50% of the status quo (2.0) means m2 <= 3: every arm is feasible.
    gr = bridge.gen(-1)
    assert {arm.parameters["a"] for arm in gr.arms} <= {1, 2, 3}
    assert gr.arms[0].parameters == {"a": 1, "c": "u"}


def test_empirical_bayes_thompson() -> None:
    exp, data = thompson_experiment()
    bridge = thompson_bridge(exp, data, EmpiricalBayesThompsonSampler(num_samples=2000, seed=1))
    gr = bridge.gen(2)
    assert len(gr.arms) <= 2 and sum(gr.weights) == pytest.approx(1.0)


def test_thompson_needs_known_noise_and_config_metrics() -> None:
    exp, data = thompson_experiment(sem=None)
    with pytest.raises(UnsupportedError, match="metric 'm1' has an observation with unknown noise"):
        thompson_bridge(exp, data)
    exp, data = thompson_experiment()
    only_m1 = Data.from_columns(
        {
            name: np.asarray(col)[data.columns["metric_name"] == "m1"]
            for name, col in data.columns.items()
        }
    )
    bridge = DiscreteModelBridge(
        exp.search_space,
        ThompsonSampler(num_samples=500, seed=0),
        transforms=TS_TRANS[:1] + TS_TRANS[3:],  # IVW and SearchSpaceToChoice only
        experiment=exp,
        data=only_m1,
    )
    with pytest.raises(DataRequiredError, match=r"no training data for metric\(s\) \['m2'\]"):
        bridge.gen(1)


def test_arm_observed_in_several_trials_is_pooled_by_inverse_variance() -> None:
    from ax.modelbridge.discrete import inverse_variance_pool

    assert inverse_variance_pool([(1.0, 0.5)]) == (1.0, 0.5)
    mean, variance = inverse_variance_pool([(1.0, 1.0), (4.0, 0.5)])
    assert mean == pytest.approx(3.0) and variance == pytest.approx(1 / 3)
    assert inverse_variance_pool([(1.0, 0.0), (3.0, 0.0), (9.0, 1.0)]) == (2.0, 0.0)


def test_factorial_over_more_than_the_hard_limit_is_refused() -> None:
    from ax.exceptions import UserInputError

    space = SearchSpace(
        [ChoiceParameter(f"f{i}", ParameterType.INT, list(range(10))) for i in range(7)]
    )
    bridge = DiscreteModelBridge(
        space, FullFactorialGenerator(check_cardinality=False), transforms=[]
    )
    with pytest.raises(UserInputError, match="10000000 combinations, more than can be listed"):
        bridge.gen(-1)
