"""PowerTransformY: the Yeo-Johnson map, its fit, the round trip and the bad configs."""

from __future__ import annotations

import copy
from typing import Any, List

import numpy as np
import pytest
from scipy import stats

from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.optimization_config import OptimizationConfig
from ax.core.outcome_constraint import OutcomeConstraint
from ax.core.parameter import RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ComparisonOp, ParameterType
from ax.exceptions import DataRequiredError, UserInputError
from ax.modelbridge.registry import TRANSFORM_REGISTRY, Models, Y_trans
from ax.modelbridge.transforms.power_transform_y import (
    PowerTransformY,
    fit_yeo_johnson,
    yeo_johnson,
    yeo_johnson_inverse,
)
from tests.modelbridge import CONT_X_TRANS, float_experiment

SPACE = SearchSpace([RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0)])
RNG = np.random.default_rng(0)
SKEWED = RNG.lognormal(sigma=1.2, size=25)  # right-skewed, like a loss over decades


def _data(means: List[float], sems: List[float], names: List[str]) -> ObservationData:
    return ObservationData(names, np.asarray(means, float), np.diag(np.square(sems)))


def _train() -> List[ObservationData]:
    pairs = zip(SKEWED, SKEWED[::-1])
    return [_data([float(a), float(-b)], [0.1, 0.2], ["m1", "m2"]) for a, b in pairs]


@pytest.mark.parametrize("lam", [-1.5, 0.0, 0.5, 1.0, 2.0, 3.0])
def test_yeo_johnson_matches_scipy_and_inverts(lam: float) -> None:
    z = np.linspace(-3.0, 3.0, 25)
    t = yeo_johnson(z, lam)
    np.testing.assert_allclose(t, stats.yeojohnson(z, lam), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(yeo_johnson_inverse(t, lam), z, rtol=1e-9, atol=1e-12)


def test_inverse_clips_values_beyond_the_range_of_the_map() -> None:
    # lam < 0: the map is bounded above by -1 / lam; a model may predict beyond it.
    back = yeo_johnson_inverse(np.array([10.0, -10.0]), -1.0)
    assert np.all(np.isfinite(back)) and back[0] > 1e6
    back = yeo_johnson_inverse(np.array([-10.0]), 3.0)  # bounded below by -1 / (lam - 2)
    assert np.isfinite(back[0]) and back[0] < -1e6


def test_fit_matches_scipy_and_reads_the_skew() -> None:
    right = fit_yeo_johnson(SKEWED)
    z = (SKEWED - SKEWED.mean()) / SKEWED.std()
    assert right.lam == pytest.approx(stats.yeojohnson_normmax(z), abs=1e-3)
    assert right.lam < 1.0
    assert fit_yeo_johnson(-SKEWED).lam > 1.0
    # the derivative of the whole map agrees with a finite difference
    eps = 1e-6
    diff = (right.forward(SKEWED + eps) - right.forward(SKEWED - eps)) / (2 * eps)
    np.testing.assert_allclose(right.derivative(SKEWED), diff, rtol=1e-5)
    np.testing.assert_allclose(right.inverse(right.forward(SKEWED)), SKEWED, rtol=1e-9)


def test_fit_stays_in_bounds_and_leaves_few_values_alone() -> None:
    assert fit_yeo_johnson(SKEWED, bounds=(0.5, 2.0)).lam >= 0.5
    few = fit_yeo_johnson(np.array([1.0, 1.0, 2.0, 50.0]))
    assert few.lam == 1.0  # three distinct values: only standardised
    constant = fit_yeo_johnson(np.full(6, 3.0))
    assert (constant.lam, constant.scale) == (1.0, 1.0)
    np.testing.assert_allclose(constant.forward(np.array([3.0, 4.0])), [0.0, 1.0])


def test_round_trip_moments_and_constraint_bounds() -> None:
    t = PowerTransformY(SPACE, [], _train())
    assert set(t.maps) == {"m1", "m2"} and t.maps["m1"].lam < 1.0 < t.maps["m2"].lam
    data = [_data([2.0, -1.0], [0.3, 0.1], ["m1", "m2"])]
    data[0].covariance[0, 1] = data[0].covariance[1, 0] = 0.01
    forward = t.transform_observation_data(copy.deepcopy(data), [])[0]
    d1 = float(t.maps["m1"].derivative(np.array([2.0]))[0])
    d2 = float(t.maps["m2"].derivative(np.array([-1.0]))[0])
    assert forward.means[0] == pytest.approx(float(t.maps["m1"].forward(np.array([2.0]))[0]))
    assert forward.covariance[0, 0] == pytest.approx(0.09 * d1 * d1)
    assert forward.covariance[0, 1] == pytest.approx(0.01 * d1 * d2)
    back = t.untransform_observation_data([forward], [])[0]
    np.testing.assert_allclose(back.means, data[0].means, rtol=1e-9)
    np.testing.assert_allclose(back.covariance, data[0].covariance, rtol=1e-9)
    config = OptimizationConfig(
        Objective(Metric("m1"), minimize=True),
        [OutcomeConstraint(Metric("m2"), ComparisonOp.GEQ, -2.0, relative=False)],
    )
    mapped = t.transform_optimization_config(copy.deepcopy(config), None, None)
    expected = float(t.maps["m2"].forward(np.array([-2.0]))[0])
    assert mapped.outcome_constraints[0].bound == pytest.approx(expected)
    relative = OptimizationConfig(
        Objective(Metric("m1"), minimize=True),
        [OutcomeConstraint(Metric("m2"), ComparisonOp.GEQ, -2.0, relative=True)],
    )
    with pytest.raises(UserInputError, match="is relative"):
        t.transform_optimization_config(relative, None, None)


def test_only_the_named_metrics_are_transformed() -> None:
    t = PowerTransformY(SPACE, [], _train(), config={"metrics": ["m1"]})
    forward = t.transform_observation_data([_data([2.0, -1.0], [0.3, 0.1], ["m1", "m2"])], [])[0]
    assert forward.means[1] == -1.0 and forward.covariance[1, 1] == pytest.approx(0.01)
    assert forward.means[0] != 2.0


@pytest.mark.parametrize(
    "data, config, error, match",
    [
        ([], None, DataRequiredError, "without training data, got 0 observations"),
        (None, {"metrics": ["m3"]}, DataRequiredError, r"metric\(s\) \['m3'\]"),
        (None, {"metrics": "m1"}, UserInputError, "non-empty list of metric names"),
        (None, {"lambda_bounds": 2.0}, UserInputError, r"must be a \(low, high\) pair, got 2.0"),
        (None, {"lambda_bounds": (2.0, 1.0)}, UserInputError, "must have low < high"),
        (None, {"lambda_bounds": (0.0, float("inf"))}, UserInputError, r"lambda_bounds\[1\]"),
        (None, {"lambda_bounds": ("a", 1.0)}, UserInputError, r"lambda_bounds\[0\]"),
    ],
)
def test_bad_input_is_named(data: Any, config: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        PowerTransformY(SPACE, [], _train() if data is None else data, config=config)


def test_registered_and_usable_from_a_model() -> None:
    assert TRANSFORM_REGISTRY["PowerTransformY"] is PowerTransformY
    exp, data = float_experiment(n_trials=6)
    bridge = Models.GPEI(
        experiment=exp,
        data=data,
        seed=0,
        options={"num_restarts": 2, "raw_samples": 32},
        transforms=[*CONT_X_TRANS, *Y_trans[:-1], PowerTransformY, Y_trans[-1]],
    )
    run = bridge.gen(1)
    assert "PowerTransformY" in bridge.transforms
    assert exp.search_space.check_membership(run.arms[0].parameters)
    df = data.df
    means, _ = bridge.predict([ObservationFeatures(dict(exp.trials[0].arm.parameters))])
    for name, values in means.items():
        observed = df[df.metric_name == name]
        first = float(observed[observed.trial_index == 0]["mean"].iloc[0])
        spread = float(observed["mean"].max() - observed["mean"].min())
        assert abs(values[0] - first) < 0.25 * spread  # back on the metric's own scale
