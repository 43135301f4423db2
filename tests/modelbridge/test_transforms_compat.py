"""The transforms Ax 0.1.13 had beyond the standard lists, with round-trip tests.

Round trip: transform then untransform gives back the original observation features and
data (and the search space transforms as documented).
"""

from __future__ import annotations

import copy
import math
from typing import Any, Dict, List

import numpy as np
import pytest

from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.optimization_config import OptimizationConfig
from ax.core.outcome_constraint import OutcomeConstraint
from ax.core.parameter import ChoiceParameter, RangeParameter
from ax.core.parameter_constraint import ParameterConstraint
from ax.core.search_space import SearchSpace
from ax.core.types import ComparisonOp, ParameterType
from ax.exceptions import DataRequiredError, UnsupportedError, UserInputError
from ax.modelbridge.registry import TRANSFORM_REGISTRY, Models, Y_trans
from ax.modelbridge.transforms.base import Transform
from ax.modelbridge.transforms.cap_parameter import CapParameter
from ax.modelbridge.transforms.cast import Cast
from ax.modelbridge.transforms.centered_unit_x import CenteredUnitX
from ax.modelbridge.transforms.int_to_float import IntToFloat
from ax.modelbridge.transforms.inverse_gaussian_cdf_y import InverseGaussianCdfY
from ax.modelbridge.transforms.log_y import LogY
from ax.modelbridge.transforms.percentile_y import PercentileY
from ax.modelbridge.transforms.stratified_standardize_y import StratifiedStandardizeY
from ax.modelbridge.transforms.task_encode import TaskEncode
from ax.modelbridge.transforms.trial_as_task import TRIAL_PARAM, TrialAsTask
from tests.modelbridge import CONT_X_TRANS, float_experiment

FLOAT, INT, STRING = ParameterType.FLOAT, ParameterType.INT, ParameterType.STRING


def _data(means: List[float], sems: List[float], names: List[str]) -> ObservationData:
    cov = np.diag(np.square(sems)).astype(np.float64)
    return ObservationData(names, np.asarray(means, dtype=np.float64), cov)


def _y_round_trip(
    transform: Transform, data: List[ObservationData], features: List[ObservationFeatures]
) -> List[ObservationData]:
    forward = transform.transform_observation_data(copy.deepcopy(data), features)
    return transform.untransform_observation_data(forward, features)


def _x_round_trip(transform: Transform, parameters: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    forward = transform.transform_observation_features(
        [ObservationFeatures(dict(p)) for p in parameters]
    )
    return [f.parameters for f in transform.untransform_observation_features(forward)]


def _config(bound: float, relative: bool = False) -> OptimizationConfig:
    return OptimizationConfig(
        Objective(Metric("m1"), minimize=True),
        [OutcomeConstraint(Metric("m2"), ComparisonOp.LEQ, bound, relative=relative)],
    )


SPACE = SearchSpace([RangeParameter("x", FLOAT, 0.0, 1.0)])
TRAIN = [
    _data([1.0, 4.0], [0.1, 0.5], ["m1", "m2"]),
    _data([2.0, 8.0], [0.2, 0.5], ["m1", "m2"]),
    _data([4.0, 2.0], [0.3, 0.1], ["m1", "m2"]),
]
FEATURES = [ObservationFeatures({"x": v}) for v in (0.1, 0.5, 0.9)]


# ---------------------------------------------------------------------------- LogY


def test_log_y_round_trip_and_moments() -> None:
    t = LogY(SPACE, FEATURES, TRAIN, config={"metrics": ["m2"]})
    data = [_data([4.0, 2.0], [0.1, 0.5], ["m1", "m2"])]
    data[0].covariance[0, 1] = data[0].covariance[1, 0] = 0.02
    forward = t.transform_observation_data(copy.deepcopy(data), FEATURES[:1])[0]
    var = math.log1p(0.25 / 4.0)
    assert forward.means[1] == pytest.approx(math.log(2.0) - var / 2)
    assert forward.covariance[1, 1] == pytest.approx(var)
    assert forward.means[0] == 4.0 and forward.covariance[0, 0] == pytest.approx(0.01)
    assert forward.covariance[0, 1] == pytest.approx(0.01)  # 0.02 / mean 2 (delta method)
    back = t.untransform_observation_data([forward], FEATURES[:1])[0]
    np.testing.assert_allclose(back.means, data[0].means)
    np.testing.assert_allclose(back.covariance, data[0].covariance)
    config = t.transform_optimization_config(_config(3.0), None, None)
    assert config.outcome_constraints[0].bound == pytest.approx(math.log(3.0))


@pytest.mark.parametrize(
    "config, error, match",
    [
        (None, UserInputError, "config must name the metrics"),
        ({"metrics": "m2"}, UserInputError, "non-empty list of metric names"),
        ({"metrics": ["m2"], "match_ci_width": True}, UnsupportedError, "match_ci_width"),
    ],
)
def test_log_y_bad_config(config: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        LogY(SPACE, FEATURES, TRAIN, config=config)


def test_log_y_refuses_non_positive_means_and_bounds() -> None:
    t = LogY(SPACE, FEATURES, TRAIN, config={"metrics": ["m2"]})
    with pytest.raises(UserInputError, match=r"means must be > 0.*'m2': -1.0"):
        t.transform_observation_data([_data([1.0, -1.0], [0.1, 0.1], ["m1", "m2"])], [])
    with pytest.raises(UserInputError, match="needs a bound > 0"):
        t.transform_optimization_config(_config(0.0), None, None)
    with pytest.raises(UserInputError, match="is relative"):
        t.transform_optimization_config(_config(5.0, relative=True), None, None)


# ------------------------------------------------------------- PercentileY, InverseGaussianCdfY


def test_percentile_y_round_trip_on_training_means() -> None:
    t = PercentileY(SPACE, FEATURES, TRAIN)
    forward = t.transform_observation_data(copy.deepcopy(TRAIN), FEATURES)
    assert [float(d.means[0]) for d in forward] == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert [float(d.means[1]) for d in forward] == pytest.approx([2 / 3, 1.0, 1 / 3])
    assert all(np.isnan(d.covariance).all() for d in forward)  # noise is not carried over
    back = t.untransform_observation_data(forward, FEATURES)
    for original, restored in zip(TRAIN, back):
        np.testing.assert_allclose(restored.means, original.means)
    assert t.transform_optimization_config(_config(4.0), None, None).outcome_constraints[
        0
    ].bound == pytest.approx(2 / 3)


def test_percentile_y_winsorized_feeds_inverse_gaussian_cdf_y() -> None:
    t = PercentileY(SPACE, FEATURES, TRAIN, config={"winsorize": True, "metrics": ["m1"]})
    forward = t.transform_observation_data(copy.deepcopy(TRAIN), FEATURES)
    # Percentiles 1/3, 2/3, 1 squeezed into [1/(2n), 1 - 1/(2n)] = [1/6, 5/6].
    expected = [1 / 6 + p * 2 / 3 for p in (1 / 3, 2 / 3, 1.0)]
    assert [float(d.means[0]) for d in forward] == pytest.approx(expected)
    assert [float(d.means[1]) for d in forward] == [4.0, 8.0, 2.0]  # m2 untouched
    assert all(0.0 < float(d.means[0]) < 1.0 for d in forward)
    g = InverseGaussianCdfY(SPACE, FEATURES, forward, config={"metrics": ["m1"]})
    z = g.transform_observation_data(copy.deepcopy(forward), FEATURES)
    assert all(math.isfinite(float(d.means[0])) for d in z)
    with pytest.raises(DataRequiredError, match=r"no training data for metric\(s\) \['m9'\]"):
        PercentileY(SPACE, FEATURES, TRAIN, config={"metrics": ["m9"]})


def test_inverse_gaussian_cdf_y_round_trip() -> None:
    data = [_data([0.2, 0.975], [0.01, 0.005], ["p", "q"])]
    t = InverseGaussianCdfY(SPACE, [], [])
    forward = t.transform_observation_data(copy.deepcopy(data), FEATURES[:1])[0]
    assert forward.means[1] == pytest.approx(1.959963984540054)
    phi = math.exp(-(1.959963984540054**2) / 2) / math.sqrt(2 * math.pi)
    assert forward.covariance[1, 1] == pytest.approx(0.005**2 / phi**2)
    back = _y_round_trip(t, data, FEATURES[:1])[0]
    np.testing.assert_allclose(back.means, data[0].means)
    np.testing.assert_allclose(back.covariance, data[0].covariance)
    with pytest.raises(UserInputError, match=r"means must be in \[0, 1\]"):
        t.transform_observation_data([_data([1.5], [0.1], ["p"])], [])


# ------------------------------------------------------------------ StratifiedStandardizeY


def _task_space() -> SearchSpace:
    return SearchSpace(
        [
            RangeParameter("x", FLOAT, 0.0, 1.0),
            ChoiceParameter("task", STRING, ["a", "b"], is_task=True),
        ]
    )


def test_stratified_standardize_y_round_trip_per_stratum() -> None:
    features = [
        ObservationFeatures({"x": 0.1, "task": "a"}),
        ObservationFeatures({"x": 0.2, "task": "a"}),
        ObservationFeatures({"x": 0.3, "task": "b"}),
        ObservationFeatures({"x": 0.4, "task": "b"}),
    ]
    data = [
        _data([1.0], [0.1], ["m2"]),
        _data([3.0], [0.1], ["m2"]),
        _data([100.0], [1.0], ["m2"]),
        _data([300.0], [1.0], ["m2"]),
    ]
    t = StratifiedStandardizeY(_task_space(), features, data)
    assert t.p_name == "task"
    forward = t.transform_observation_data(copy.deepcopy(data), features)
    assert [float(d.means[0]) for d in forward] == pytest.approx([-1.0, 1.0, -1.0, 1.0])
    assert float(forward[2].covariance[0, 0]) == pytest.approx(1.0 / 100.0**2)
    back = t.untransform_observation_data(forward, features)
    for original, restored in zip(data, back):
        np.testing.assert_allclose(restored.means, original.means)
        np.testing.assert_allclose(restored.covariance, original.covariance)
    fixed = ObservationFeatures({"task": "b"})
    bound = t.transform_optimization_config(_config(400.0), None, fixed).outcome_constraints[0]
    assert bound.bound == pytest.approx(2.0)
    with pytest.raises(UserInputError, match="needs 'task' fixed"):
        t.transform_optimization_config(_config(400.0), None, None)
    with pytest.raises(UserInputError, match="exactly one task parameter"):
        StratifiedStandardizeY(SPACE, FEATURES, TRAIN)
    with pytest.raises(UserInputError, match="lack the stratification parameter 'task'"):
        StratifiedStandardizeY(_task_space(), FEATURES, TRAIN)


# ---------------------------------------------------------------------------- X transforms


def test_centered_unit_x_round_trip_and_constraints() -> None:
    space = SearchSpace(
        [RangeParameter("a", FLOAT, 2.0, 4.0), RangeParameter("b", FLOAT, 0.0, 10.0)],
        [ParameterConstraint({"a": 1.0, "b": 0.5}, bound=6.0)],
    )
    t = CenteredUnitX(space, [], [])
    new_space = t.transform_search_space(space.clone())
    assert [(p.lower, p.upper) for p in new_space.parameters.values()] == [(-1.0, 1.0)] * 2
    points = [
        {"a": 2.0, "b": 0.0},
        {"a": 3.0, "b": 5.0},
        {"a": 4.0, "b": 10.0},
        {"a": 2.5, "b": 3.0},
    ]
    forward = t.transform_observation_features([ObservationFeatures(dict(p)) for p in points])
    assert [f.parameters["a"] for f in forward] == pytest.approx([-1.0, 0.0, 1.0, -0.5])
    # The rewritten constraint holds exactly where the original does.
    for p, f in zip(points, forward):
        assert space.parameter_constraints[0].check(p) == new_space.parameter_constraints[0].check(
            f.parameters
        )
    for original, restored in zip(points, _x_round_trip(t, points)):
        assert restored == pytest.approx(original)


def test_cast_round_trip_and_types() -> None:
    space = SearchSpace(
        [
            RangeParameter("n", INT, 1, 10),
            RangeParameter("x", FLOAT, 0.0, 1.0, digits=2),
            ChoiceParameter("flag", ParameterType.BOOL, [True, False]),
        ]
    )
    t = Cast(space, [], [])
    points = [{"n": 3, "x": 0.25, "flag": True}, {"n": 10, "x": 1.0, "flag": False}]
    assert _x_round_trip(t, points) == points
    back = t.untransform_observation_features([ObservationFeatures({"n": 3.0, "x": 0.123456})])
    assert back[0].parameters == {"n": 3, "x": 0.12}
    assert type(back[0].parameters["n"]) is int
    none = t.untransform_observation_features([ObservationFeatures({"n": None, "other": 1.5})])
    assert none[0].parameters == {"n": None, "other": 1.5}


def test_cap_parameter_caps_the_search_space_only() -> None:
    space = SearchSpace([RangeParameter("x", FLOAT, 0.0, 1.0), RangeParameter("n", INT, 1, 10)])
    t = CapParameter(space, [], [], config={"x": 0.5, "n": 20})
    new_space = t.transform_search_space(space.clone())
    assert new_space.parameters["x"].upper == 0.5  # type: ignore[attr-defined]
    assert new_space.parameters["n"].upper == 10  # type: ignore[attr-defined]  # above: kept
    points = [{"x": 0.9, "n": 3}]
    assert _x_round_trip(t, points) == points
    with pytest.raises(UserInputError, match="'y' is not a range parameter"):
        CapParameter(space, [], [], config={"y": 1.0})
    with pytest.raises(UserInputError, match="below its lower bound"):
        CapParameter(space, [], [], config={"x": -1.0})
    with pytest.raises(UserInputError, match="cap of 'x' must be a number, got 'high'"):
        CapParameter(space, [], [], config={"x": "high"})
    as_text = CapParameter(space, [], [], config={"n": "4"}).transform_search_space(space.clone())
    assert as_text.parameters["n"].upper == 4  # type: ignore[attr-defined]


def test_task_encode_round_trip() -> None:
    t = TaskEncode(_task_space(), [], [])
    new_space = t.transform_search_space(_task_space())
    task = new_space.parameters["task"]
    assert isinstance(task, ChoiceParameter) and task.values == [0, 1] and task.is_task
    points = [{"x": 0.5, "task": "a"}, {"x": 0.1, "task": "b"}]
    forward = t.transform_observation_features([ObservationFeatures(dict(p)) for p in points])
    assert [f.parameters["task"] for f in forward] == [0, 1]
    assert _x_round_trip(t, points) == points
    with pytest.raises(UserInputError, match="TaskEncode: value 'c' of parameter 'task'"):
        t.transform_observation_features([ObservationFeatures({"task": "c"})])


def test_trial_as_task_round_trip() -> None:
    features = [ObservationFeatures({"x": 0.1}, trial_index=i) for i in (0, 1, 1, 2)]
    t = TrialAsTask(SPACE, features, [])
    new_space = t.transform_search_space(SPACE.clone())
    param = new_space.parameters[TRIAL_PARAM]
    assert isinstance(param, ChoiceParameter) and param.values == ["0", "1", "2"]
    assert param.is_task
    forward = t.transform_observation_features(copy.deepcopy(features))
    assert [f.parameters[TRIAL_PARAM] for f in forward] == ["0", "1", "1", "2"]
    back = t.untransform_observation_features(forward)
    assert [(f.parameters, f.trial_index) for f in back] == [
        (f.parameters, f.trial_index) for f in features
    ]
    # A candidate with the task fixed (no trial index yet) gets its trial index back.
    candidate = t.untransform_observation_features(
        [ObservationFeatures({"x": 0.3, TRIAL_PARAM: "2"})]
    )[0]
    assert candidate.parameters == {"x": 0.3} and candidate.trial_index == 2
    mapped = TrialAsTask(
        SPACE, features, [], config={"trial_level_map": {"era": {0: "old", 1: "new", 2: "new"}}}
    )
    forward = mapped.transform_observation_features(copy.deepcopy(features))
    assert [f.parameters["era"] for f in forward] == ["old", "new", "new", "new"]
    assert TrialAsTask(SPACE, features[:1], []).trial_level_map == {}  # one trial: no-op
    with pytest.raises(UserInputError, match="trial 5 is not in the trial_level_map"):
        mapped.transform_observation_features([ObservationFeatures({"x": 0.1}, trial_index=5)])


@pytest.mark.parametrize("rounding", ["strict", "randomized"])
def test_int_to_float_rounding_round_trip(rounding: str) -> None:
    space = SearchSpace([RangeParameter("n", INT, 0, 10), RangeParameter("x", FLOAT, 0.0, 1.0)])
    t = IntToFloat(space, [], [], config={"rounding": rounding, "seed": 0})
    assert t.rounding == rounding
    points = [{"n": n, "x": 0.5} for n in range(11)]
    assert _x_round_trip(t, points) == points


def test_int_to_float_randomized_rounding_is_unbiased() -> None:
    space = SearchSpace([RangeParameter("n", INT, 0, 10)])
    strict = IntToFloat(space, [], [])
    randomized = IntToFloat(space, [], [], config={"rounding": "randomized", "seed": 1})
    values = [
        randomized.untransform_observation_features([ObservationFeatures({"n": 2.3})])[
            0
        ].parameters["n"]
        for _ in range(2000)
    ]
    assert set(values) == {2, 3}
    assert np.mean(values) == pytest.approx(2.3, abs=0.05)
    assert (
        strict.untransform_observation_features([ObservationFeatures({"n": 2.3})])[0].parameters[
            "n"
        ]
        == 2
    )
    with pytest.raises(UserInputError, match=r"config\['rounding'\] must be one of"):
        IntToFloat(space, [], [], config={"rounding": "up"})


# ---------------------------------------------------------------------------- registry


def test_new_transforms_are_registered_and_usable_from_models() -> None:
    for name in (
        "Cast",
        "CapParameter",
        "CenteredUnitX",
        "InverseGaussianCdfY",
        "LogY",
        "PercentileY",
        "StratifiedStandardizeY",
        "TaskEncode",
        "TrialAsTask",
    ):
        assert TRANSFORM_REGISTRY[name].__name__ == name
    exp, data = float_experiment(n_trials=6)
    bridge = Models.GPEI(
        experiment=exp,
        data=data,
        seed=0,
        options={"num_restarts": 2, "raw_samples": 32},
        transforms=["Cast", *[t.__name__ for t in CONT_X_TRANS], "LogY", *Y_trans],
        transform_configs={"LogY": {"metrics": ["m2"]}},
    )
    run = bridge.gen(1)
    assert list(bridge.transforms)[:1] == ["Cast"] and "LogY" in bridge.transforms
    assert run.bridge_kwargs["transforms"][0] == "Cast"
    assert exp.search_space.check_membership(run.arms[0].parameters)
    means, _ = bridge.predict([ObservationFeatures(dict(run.arms[0].parameters))])
    assert means["m2"][0] > 0  # back on the original (positive) scale
