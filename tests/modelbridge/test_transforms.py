"""Tests for the transforms of ax.modelbridge.transforms."""

from __future__ import annotations

import math
import subprocess
import sys
from typing import Any, Dict, List, Optional, Type

import numpy as np
import pytest

from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.observation import Observation, ObservationData, ObservationFeatures
from ax.core.optimization_config import OptimizationConfig
from ax.core.outcome_constraint import OutcomeConstraint
from ax.core.parameter import ChoiceParameter, FixedParameter, RangeParameter
from ax.core.parameter_constraint import OrderConstraint, ParameterConstraint, SumConstraint
from ax.core.search_space import SearchSpace
from ax.core.types import ComparisonOp, ParameterType
from ax.exceptions import DataRequiredError, UnsupportedError, UserInputError, UserInputTypeError
from ax.modelbridge.transforms.base import Transform
from ax.modelbridge.transforms.derelativize import Derelativize
from ax.modelbridge.transforms.int_range_to_choice import IntRangeToChoice
from ax.modelbridge.transforms.int_to_float import IntToFloat
from ax.modelbridge.transforms.ivw import IVW, ivw_metric_merge
from ax.modelbridge.transforms.log import Log
from ax.modelbridge.transforms.one_hot import OneHot, OneHotEncoder
from ax.modelbridge.transforms.ordered_choice_encode import OrderedChoiceEncode
from ax.modelbridge.transforms.remove_fixed import RemoveFixed
from ax.modelbridge.transforms.search_space_to_choice import SearchSpaceToChoice
from ax.modelbridge.transforms.standardize_y import StandardizeY
from ax.modelbridge.transforms.unit_x import UnitX
from ax.modelbridge.transforms.winsorize import Winsorize
from tests.modelbridge import CONT_X_TRANS, mixed_parameters, mixed_search_space

INT, FLOAT, STRING, BOOL = (
    ParameterType.INT,
    ParameterType.FLOAT,
    ParameterType.STRING,
    ParameterType.BOOL,
)


def feats(*parameter_dicts: Dict[str, Any]) -> List[ObservationFeatures]:
    return [ObservationFeatures(dict(p)) for p in parameter_dicts]


def round_trip(transform: Transform, parameters: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    forward = transform.transform_observation_features(feats(*parameters))
    return [f.parameters for f in transform.untransform_observation_features(forward)]


def _ranges(space: SearchSpace) -> List[RangeParameter]:
    ranges = [p for p in space.parameters.values() if isinstance(p, RangeParameter)]
    assert len(ranges) == len(space.parameters)
    return ranges


# ----------------------------------------------------------------------------- base


def test_base_is_identity_and_checks_config() -> None:
    space = mixed_search_space()
    t = Transform(space, [], [])
    f = feats({"x": 1.0})
    d = [ObservationData(["m"], [1.0], [[1.0]])]
    assert t.transform_search_space(space) is space
    assert t.transform_observation_features(f) is f
    assert t.untransform_observation_features(f) is f
    assert t.transform_observation_data(d, f) is d
    assert t.untransform_observation_data(d, f) is d
    config = OptimizationConfig(Objective(Metric("m")))
    assert t.transform_optimization_config(config, None, None) is config
    assert repr(t) == "Transform(config={})"
    with pytest.raises(UserInputError, match=r"Transform: unknown config keys \['bogus'\]"):
        Transform(space, [], [], config={"bogus": 1})
    with pytest.raises(UserInputTypeError, match="config must be a dict, got 3"):
        Transform(space, [], [], config=3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "cls",
    [RemoveFixed, OrderedChoiceEncode, IntToFloat, Log, UnitX, IntRangeToChoice, StandardizeY],
)
def test_unknown_config_keys_are_named(cls: Type[Transform]) -> None:
    data = [ObservationData(["m"], [1.0], [[1.0]])]
    with pytest.raises(UserInputError, match=rf"{cls.__name__}: unknown config keys \['nope'\]"):
        cls(mixed_search_space(), [], data, config={"nope": 1})


# ----------------------------------------------------------------------------- pipeline


def _pipeline(space: SearchSpace) -> List[Transform]:
    transforms: List[Transform] = []
    for cls in CONT_X_TRANS:
        t = cls(space, [], [])
        space = t.transform_search_space(space)
        transforms.append(t)
    return transforms


@pytest.mark.parametrize("i", range(8))
def test_continuous_pipeline_round_trip_is_identity(i: int) -> None:
    space = mixed_search_space()
    transforms = _pipeline(space)
    original = mixed_parameters(i)
    features = feats(original)
    transformed_space = space
    for t in transforms:
        transformed_space = t.transform_search_space(transformed_space)
        features = t.transform_observation_features(features)
    assert transformed_space.check_membership(features[0].parameters, raise_error=True)
    assert all(
        isinstance(p, RangeParameter) and (p.lower, p.upper) == (0.0, 1.0)
        for p in transformed_space.parameters.values()
    )
    for t in reversed(transforms):
        features = t.untransform_observation_features(features)
    back = features[0].parameters
    assert back.keys() == original.keys()
    for name, value in original.items():
        if isinstance(value, float):
            assert back[name] == pytest.approx(value, rel=1e-12)
        else:
            assert back[name] == value and type(back[name]) is type(value)


# ----------------------------------------------------------------------------- RemoveFixed


def test_remove_fixed() -> None:
    space = mixed_search_space()
    t = RemoveFixed(space, [], [])
    assert "mode" not in t.transform_search_space(space).parameters
    assert round_trip(t, [mixed_parameters(1)]) == [mixed_parameters(1)]
    partial = t.transform_observation_features(feats({"x": 0.5, "mode": "fast"}))
    assert partial[0].parameters == {"x": 0.5}
    with pytest.raises(
        UserInputError, match="parameter 'mode' is fixed to 'fast', got mode='slow'"
    ):
        t.transform_observation_features(feats({"mode": "slow"}))


def test_remove_fixed_folds_fixed_values_into_constraints() -> None:
    space = SearchSpace(
        [
            RangeParameter("x", FLOAT, 0.0, 5.0),
            FixedParameter("f", INT, 2),
        ],
        [ParameterConstraint({"x": 1.0, "f": 1.0}, 3.0), ParameterConstraint({"f": 1.0}, 4.0)],
    )
    new = RemoveFixed(space, [], []).transform_search_space(space)
    (constraint,) = new.parameter_constraints
    assert constraint.constraint_dict == {"x": 1.0} and constraint.bound == 1.0


# ----------------------------------------------------------------------------- OrderedChoiceEncode


def test_ordered_choice_encode() -> None:
    space = mixed_search_space()
    t = OrderedChoiceEncode(space, [], [])
    size = t.transform_search_space(space).parameters["size"]
    assert isinstance(size, RangeParameter) and size.parameter_type is INT
    assert (size.lower, size.upper) == (0, 2)
    assert t.transform_observation_features(feats({"size": 32}))[0].parameters == {"size": 2}
    assert round_trip(t, [{"size": v} for v in (8, 16, 32)]) == [{"size": v} for v in (8, 16, 32)]
    back = t.untransform_observation_features(feats({"size": 1.4}))
    assert back[0].parameters == {"size": 16}
    with pytest.raises(UserInputError, match=r"parameter 'size' must be in \[0, 2\], got 5"):
        t.untransform_observation_features(feats({"size": 5}))
    with pytest.raises(UserInputError, match="value 12 of parameter 'size' is not one of"):
        t.transform_observation_features(feats({"size": 12}))


def test_ordered_choice_encode_rejects_fidelity_and_constraints() -> None:
    fidelity = SearchSpace(
        [ChoiceParameter("s", INT, [1, 2], is_ordered=True, is_fidelity=True, target_value=2)]
    )
    with pytest.raises(UnsupportedError, match="cannot encode fidelity parameter 's'"):
        OrderedChoiceEncode(fidelity, [], [])
    constrained = SearchSpace(
        [
            ChoiceParameter("s", INT, [1, 2], is_ordered=True),
            RangeParameter("x", FLOAT, 0.0, 1.0),
        ],
        [ParameterConstraint({"s": 1.0, "x": 1.0}, 2.0)],
    )
    with pytest.raises(UnsupportedError, match="parameter 's' is used in parameter constraint"):
        OrderedChoiceEncode(constrained, [], [])


# ----------------------------------------------------------------------------- OneHot


def test_one_hot_encoder_sorts_classes_without_sklearn() -> None:
    enc = OneHotEncoder(["sgd", "adam", "rms"])
    assert enc.classes == ["adam", "rms", "sgd"] and enc.width == 3
    assert enc.encode("sgd") == [0.0, 0.0, 1.0]
    binary = OneHotEncoder([True, False])
    assert binary.classes == [False, True] and binary.encode(True) == [1.0]
    code = "import sys, ax.modelbridge.transforms.one_hot; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_one_hot_space_and_round_trip() -> None:
    space = mixed_search_space()
    t = OneHot(space, [], [])
    new = t.transform_search_space(space).parameters
    assert [n for n in new if "_OH_PARAM_" in n] == [
        "opt_OH_PARAM__0",
        "opt_OH_PARAM__1",
        "opt_OH_PARAM__2",
        "flag_OH_PARAM_",
    ]
    assert all(
        isinstance(new[n], RangeParameter) and new[n].parameter_type is FLOAT
        for n in new
        if "_OH_PARAM_" in n
    )
    forward = t.transform_observation_features(feats({"opt": "sgd", "flag": True}))
    assert forward[0].parameters == {
        "opt_OH_PARAM__0": 0.0,
        "opt_OH_PARAM__1": 0.0,
        "opt_OH_PARAM__2": 1.0,
        "flag_OH_PARAM_": 1.0,
    }
    values = [{"opt": o, "flag": f} for o in ("sgd", "adam", "rms") for f in (True, False)]
    assert round_trip(t, values) == values


def test_one_hot_strict_argmax_and_randomized_rounding() -> None:
    space = mixed_search_space()
    t = OneHot(space, [], [])
    row = {"opt_OH_PARAM__0": 0.2, "opt_OH_PARAM__1": 0.7, "opt_OH_PARAM__2": 0.1}
    back = t.untransform_observation_features(feats({**row, "flag_OH_PARAM_": 0.3}))
    assert back[0].parameters == {"opt": "rms", "flag": False}
    tie = {"opt_OH_PARAM__0": 0.5, "opt_OH_PARAM__1": 0.5, "opt_OH_PARAM__2": 0.0}
    picks = {t.untransform_observation_features(feats(tie))[0].parameters["opt"] for _ in range(50)}
    assert picks == {"adam", "rms"}  # ties broken at random, never the smaller one
    randomized = OneHot(space, [], [], config={"rounding": "randomized", "seed": 3})
    draws = [
        randomized.untransform_observation_features(feats(row))[0].parameters["opt"]
        for _ in range(400)
    ]
    assert 0.6 < draws.count("rms") / 400 < 0.8
    again = OneHot(space, [], [], config={"rounding": "randomized", "seed": 3})
    assert [
        again.untransform_observation_features(feats(row))[0].parameters["opt"] for _ in range(400)
    ] == draws


def test_one_hot_errors() -> None:
    space = mixed_search_space()
    with pytest.raises(UserInputError, match=r"config\['rounding'\] must be one of"):
        OneHot(space, [], [], config={"rounding": "nearest"})
    with pytest.raises(UserInputError, match=r"OneHot: unknown config keys \['seeds'\]"):
        OneHot(space, [], [], config={"seeds": 1})
    t = OneHot(space, [], [])
    with pytest.raises(UserInputError, match="value 'lbfgs' of parameter 'opt' is not one of"):
        t.transform_observation_features(feats({"opt": "lbfgs"}))
    fidelity = SearchSpace(
        [ChoiceParameter("c", STRING, ["a", "b"], is_fidelity=True, target_value="a")]
    )
    with pytest.raises(UnsupportedError, match="cannot encode fidelity parameter 'c'"):
        OneHot(fidelity, [], [])
    clash = SearchSpace(
        [
            ChoiceParameter("c", STRING, ["a", "b"]),
            RangeParameter("c_OH_PARAM_", FLOAT, 0.0, 1.0),
        ]
    )
    with pytest.raises(UnsupportedError, match="encoded parameter name 'c_OH_PARAM_' is already"):
        OneHot(clash, [], [])


# ----------------------------------------------------------------------------- IntToFloat


def test_int_to_float_space_and_rounding() -> None:
    space = mixed_search_space(constrained=False)
    t = IntToFloat(space, [], [])
    new = t.transform_search_space(space).parameters
    n, k = new["n"], new["k"]
    assert (
        isinstance(n, RangeParameter)
        and n.parameter_type is FLOAT
        and (n.lower, n.upper)
        == (
            1.0,
            10.0,
        )
    )
    assert isinstance(k, RangeParameter) and k.log_scale and k.parameter_type is FLOAT
    assert not t.contains_constrained_integer
    assert t.transform_observation_features(feats({"n": 3}))[0].parameters == {"n": 3.0}
    assert round_trip(t, [{"n": 3, "k": 999}]) == [{"n": 3, "k": 999}]
    back = t.untransform_observation_features(feats({"n": 3.6, "k": 1000.4}))[0].parameters
    assert back == {"n": 4, "k": 1000} and type(back["n"]) is int


def _constrained_int_space() -> SearchSpace:
    return SearchSpace(
        [RangeParameter("a", INT, 0, 10), RangeParameter("b", INT, 0, 10)],
        [ParameterConstraint({"a": 1.0, "b": 1.0}, 10.0)],
    )


def test_int_to_float_randomized_rounding_respects_constraints() -> None:
    space = _constrained_int_space()
    t = IntToFloat(space, [], [], config={"seed": 7})
    assert t.contains_constrained_integer
    # Nearest rounding gives (6, 5), which breaks a + b <= 10.
    results: List[Dict[str, Any]] = [
        t.untransform_observation_features(feats({"a": 5.6, "b": 4.6}))[0].parameters
        for _ in range(30)
    ]
    assert all(r["a"] + r["b"] <= 10 for r in results)
    assert all(r["a"] in (5, 6) and r["b"] in (4, 5) for r in results)
    again = IntToFloat(space, [], [], config={"seed": 7})
    assert [
        again.untransform_observation_features(feats({"a": 5.6, "b": 4.6}))[0].parameters
        for _ in range(30)
    ] == results
    # Feasible nearest rounding is kept as is.
    ok = t.untransform_observation_features(feats({"a": 2.2, "b": 3.7}))[0].parameters
    assert ok == {"a": 2, "b": 4}


def test_int_to_float_keeps_nearest_when_no_rounding_is_feasible() -> None:
    space = _constrained_int_space()
    t = IntToFloat(space, [], [], config={"max_round_attempts": 5})
    back = t.untransform_observation_features(feats({"a": 9.6, "b": 9.4}))[0].parameters
    assert back == {"a": 10, "b": 9}


def test_int_to_float_config_validation() -> None:
    with pytest.raises(UserInputError, match=r"config\['max_round_attempts'\] must be an int >= 1"):
        IntToFloat(_constrained_int_space(), [], [], config={"max_round_attempts": 0})


# ----------------------------------------------------------------------------- Log


def test_log_space_and_round_trip() -> None:
    space = SearchSpace(
        [
            RangeParameter("lr", FLOAT, 1e-4, 0.3, log_scale=True),
            RangeParameter("x", FLOAT, 1.0, 2.0),
        ]
    )
    t = Log(space, [], [])
    lr = t.transform_search_space(space).parameters["lr"]
    assert isinstance(lr, RangeParameter) and not lr.log_scale
    assert lr.lower == pytest.approx(-4.0) and lr.upper == pytest.approx(math.log10(0.3))
    assert t.transform_observation_features(feats({"lr": 0.01, "x": 1.5}))[0].parameters == {
        "lr": pytest.approx(-2.0),
        "x": 1.5,
    }
    for value in (1e-4, 0.0123, 0.1, 0.3):
        (back,) = round_trip(t, [{"lr": value}])
        assert back["lr"] == pytest.approx(value, rel=1e-12)
        assert 1e-4 <= back["lr"] <= 0.3  # clipped into the bounds
    assert t.untransform_observation_features(feats({"lr": -1.0}))[0].parameters == {
        "lr": pytest.approx(0.1)
    }


def test_log_errors_and_fidelity_target() -> None:
    space = SearchSpace(
        [RangeParameter("lr", FLOAT, 0.01, 1.0, log_scale=True, is_fidelity=True, target_value=1.0)]
    )
    t = Log(space, [], [])
    assert t.transform_search_space(space).parameters["lr"].target_value == 0.0
    with pytest.raises(UserInputError, match="parameter 'lr' is on a log scale and must be > 0"):
        t.transform_observation_features(feats({"lr": 0.0}))
    constrained = SearchSpace(
        [
            RangeParameter("lr", FLOAT, 0.01, 1.0, log_scale=True),
            RangeParameter("x", FLOAT, 0.0, 1.0),
        ],
        [ParameterConstraint({"lr": 1.0, "x": 1.0}, 1.5)],
    )
    with pytest.raises(UnsupportedError, match="Log: parameter 'lr' is used in parameter"):
        Log(constrained, [], [])


# ----------------------------------------------------------------------------- UnitX


def test_unit_x_space_round_trip_and_constraint_rewrite() -> None:
    x = RangeParameter("x", FLOAT, -1.0, 3.0)
    y = RangeParameter("y", FLOAT, 2.0, 4.0)
    n = RangeParameter("n", INT, 1, 10)  # not transformed (INT)
    space = SearchSpace(
        [x, y, n],
        [
            ParameterConstraint({"x": 1.0, "n": 0.5}, 4.0),
            OrderConstraint(x, y),
            SumConstraint([x, y], is_upper_bound=False, bound=3.0),
        ],
    )
    t = UnitX(space, [], [])
    new = t.transform_search_space(space)
    assert [(p.lower, p.upper) for p in _ranges(new)] == [
        (0.0, 1.0),
        (0.0, 1.0),
        (1, 10),
    ]
    first = new.parameter_constraints[0]
    # w' = w (u - l), b' = b - sum w l over transformed parameters.
    assert first.constraint_dict == {"x": 4.0, "n": 0.5} and first.bound == 5.0
    assert all(type(c) is ParameterConstraint for c in new.parameter_constraints)
    rng = np.random.default_rng(0)
    for _ in range(200):
        p = {
            "x": float(rng.uniform(-1, 3)),
            "y": float(rng.uniform(2, 4)),
            "n": int(rng.integers(1, 11)),
        }
        q = t.transform_observation_features(feats(p))[0].parameters
        assert space.check_membership(p) == new.check_membership(q)
        (back,) = round_trip(t, [p])
        assert back["x"] == pytest.approx(p["x"]) and back["y"] == pytest.approx(p["y"])
        assert back["n"] == p["n"]
    assert t.transform_observation_features(feats({"x": 1.0}))[0].parameters == {"x": 0.5}
    edge = t.untransform_observation_features(feats({"x": 1.0, "y": 0.0}))[0].parameters
    assert edge == {"x": 3.0, "y": 2.0}


def test_unit_x_fidelity_target_value() -> None:
    space = SearchSpace(
        [
            RangeParameter("fid", FLOAT, 0.0, 2.0, is_fidelity=True, target_value=2.0),
            RangeParameter("ifid", INT, 1, 5, is_fidelity=True, target_value=5),
        ]
    )
    new = UnitX(space, [], []).transform_search_space(space).parameters
    assert new["fid"].target_value == 1.0
    assert new["ifid"].target_value == 5  # not handled by UnitX: no KeyError (reference quirk)


# ----------------------------------------------------------------------------- IntRangeToChoice


def test_int_range_to_choice() -> None:
    a = RangeParameter("a", INT, 1, 3)
    b = RangeParameter("b", INT, 0, 5)
    space = SearchSpace([a, b, RangeParameter("x", FLOAT, 0.0, 1.0)], [OrderConstraint(a, b)])
    t = IntRangeToChoice(space, [], [])
    new = t.transform_search_space(space)
    choice = new.parameters["a"]
    assert isinstance(choice, ChoiceParameter) and choice.values == [1, 2, 3] and choice.is_ordered
    assert isinstance(new.parameters["x"], RangeParameter)
    (constraint,) = new.parameter_constraints
    assert constraint.constraint_dict == {"a": 1.0, "b": -1.0} and constraint.bound == 0.0
    assert round_trip(t, [{"a": 2, "b": 4, "x": 0.5}]) == [{"a": 2, "b": 4, "x": 0.5}]
    big = SearchSpace([RangeParameter("n", INT, 0, 10**7)])
    with pytest.raises(UnsupportedError, match="parameter 'n' has 10000001 values"):
        IntRangeToChoice(big, [], [])


# ----------------------------------------------------------------------------- IVW


def test_ivw_merges_repeated_metrics() -> None:
    obsd = ObservationData(["m", "a", "m"], [1.0, 5.0, 3.0], np.diag([1.0, 2.0, 3.0]))
    merged = ivw_metric_merge(obsd)
    assert merged.metric_names == ["a", "m"]
    np.testing.assert_allclose(merged.means, [5.0, 0.75 * 1.0 + 0.25 * 3.0])
    np.testing.assert_allclose(merged.covariance, np.diag([2.0, 0.75]))
    unique = ObservationData(["b", "a"], [1.0, 2.0], np.eye(2))
    assert ivw_metric_merge(unique) is unique
    t = IVW(mixed_search_space(), [], [])
    out = t.transform_observation_data([obsd.clone()], [])
    assert out[0] == merged
    assert t.untransform_observation_data(out, []) is out


def test_ivw_propagates_covariance() -> None:
    cov = np.array([[1.0, 0.5, 0.0], [0.5, 2.0, 0.3], [0.0, 0.3, 1.0]])
    obsd = ObservationData(["m", "a", "m"], [1.0, 5.0, 3.0], cov)
    merged = ivw_metric_merge(obsd)
    W = np.array([[0.0, 1.0, 0.0], [0.5, 0.0, 0.5]])
    np.testing.assert_allclose(merged.covariance, W @ cov @ W.T)


def test_ivw_noiseless_and_unknown_noise() -> None:
    noiseless = ObservationData(["m", "m"], [1.0, 1.0], np.diag([0.0, 0.5]))
    assert ivw_metric_merge(noiseless).means.tolist() == [1.0]
    assert ivw_metric_merge(noiseless).covariance.tolist() == [[0.0]]
    conflict = ObservationData(["m", "m"], [1.0, 2.0], np.zeros((2, 2)))
    with pytest.warns(UserWarning, match="noiseless measurements of metric 'm' conflict"):
        assert ivw_metric_merge(conflict).means.tolist() == [1.0]
    with pytest.raises(UserInputError, match="noiseless measurements of metric 'm' conflict"):
        IVW(mixed_search_space(), [], [], config={"conflicting_noiseless": "raise"})
        ivw_metric_merge(conflict, "raise")
    assert ivw_metric_merge(conflict, "ignore").means.tolist() == [1.0]
    unknown = ObservationData(["m", "m", "a"], [1.0, 3.0, 4.0], np.diag([np.nan, np.nan, 1.0]))
    merged = ivw_metric_merge(unknown)
    assert merged.means.tolist() == [4.0, 2.0]
    assert merged.covariance[0, 0] == 1.0 and np.isnan(merged.covariance[1, 1])
    with pytest.raises(UserInputError, match=r"config\['conflicting_noiseless'\] must be one of"):
        IVW(mixed_search_space(), [], [], config={"conflicting_noiseless": "loud"})


# ----------------------------------------------------------------------------- Derelativize


class _StubBridge:
    """The parts of a ModelBridge that Derelativize uses."""

    def __init__(self, status_quo: Optional[Observation], space: SearchSpace) -> None:
        self.status_quo = status_quo
        self.model_space = space
        self.predicted: List[ObservationFeatures] = []

    def predict(self, features: List[ObservationFeatures]) -> Any:
        self.predicted.extend(features)
        return {"m1": [2.0], "m2": [20.0]}, {}


def _relative_config() -> OptimizationConfig:
    return OptimizationConfig(
        Objective(Metric("m1"), minimize=True),
        [
            OutcomeConstraint(Metric("m2"), ComparisonOp.LEQ, 10.0, relative=True),
            OutcomeConstraint(Metric("m3"), ComparisonOp.GEQ, 1.0, relative=False),
        ],
    )


def test_derelativize_uses_status_quo_prediction() -> None:
    space = SearchSpace([RangeParameter("x", FLOAT, 0.0, 1.0)])
    sq = Observation(
        ObservationFeatures({"x": 0.5}),
        ObservationData(["m2", "m2"], [30.0, 50.0], np.diag([1.0, 1.0])),
        arm_name="status_quo",
    )
    bridge = _StubBridge(sq, space)
    t = Derelativize(space, [], [])
    config = _relative_config()
    new = t.transform_optimization_config(config.clone(), bridge, None)  # type: ignore[arg-type]
    m2, m3 = new.outcome_constraints
    assert m2.bound == pytest.approx(1.1 * 20.0) and not m2.relative
    assert m3.bound == 1.0 and not m3.relative
    assert config.outcome_constraints[0].relative  # the caller's config is untouched
    assert bridge.predicted == [ObservationFeatures({"x": 0.5})]
    # Out of design: the raw (IVW-merged) observation is used instead.
    sq.features.parameters["x"] = 7.0
    out = t.transform_optimization_config(_relative_config(), bridge, None)  # type: ignore[arg-type]
    assert out.outcome_constraints[0].bound == pytest.approx(1.1 * 40.0)
    plain = OptimizationConfig(Objective(Metric("m1")))
    assert t.transform_optimization_config(plain, None, None) is plain


def test_derelativize_errors() -> None:
    space = SearchSpace([RangeParameter("x", FLOAT, 0.0, 1.0)])
    t = Derelativize(space, [], [])
    with pytest.raises(
        UserInputError, match=r"constraint OutcomeConstraint\(m2 <= 10.0%\) is relative"
    ):
        t.transform_optimization_config(_relative_config(), _StubBridge(None, space), None)  # type: ignore[arg-type]
    with pytest.raises(UserInputError, match="no status quo"):
        t.transform_optimization_config(_relative_config(), None, None)
    sq = Observation(
        ObservationFeatures({"x": 3.0}), ObservationData(["m1"], [1.0], [[1.0]]), "status_quo"
    )
    with pytest.raises(DataRequiredError, match="has no value for metric 'm2'"):
        t.transform_optimization_config(_relative_config(), _StubBridge(sq, space), None)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- StandardizeY


def _y_data() -> List[ObservationData]:
    return [
        ObservationData(["m", "c"], [1.0, 5.0], np.diag([0.5, 0.1])),
        ObservationData(["m", "c"], [3.0, 5.0], np.diag([0.5, 0.1])),
        ObservationData(["m"], [5.0], [[np.nan]]),
    ]


def test_standardize_y_round_trip() -> None:
    space = mixed_search_space()
    t = StandardizeY(space, [], _y_data())
    std = float(np.std([1.0, 3.0, 5.0]))
    assert t.Ymean == {"m": 3.0, "c": 5.0}
    assert t.Ystd == {"m": pytest.approx(std), "c": 1.0}  # constant metric: std -> 1
    data = t.transform_observation_data(_y_data(), [])
    np.testing.assert_allclose(data[0].means, [(1.0 - 3.0) / std, 0.0])
    np.testing.assert_allclose(np.diag(data[0].covariance), [0.5 / std**2, 0.1])
    assert np.isnan(data[2].covariance[0, 0])
    back = t.untransform_observation_data(data, [])
    for got, want in zip(back, _y_data()):
        np.testing.assert_allclose(got.means, want.means)
        np.testing.assert_allclose(got.covariance, want.covariance)


def test_standardize_y_config_and_errors() -> None:
    space = mixed_search_space()
    t = StandardizeY(space, [], _y_data())
    config = OptimizationConfig(
        Objective(Metric("x")),
        [OutcomeConstraint(Metric("m"), ComparisonOp.LEQ, 4.0, relative=False)],
    )
    new = t.transform_optimization_config(config.clone(), None, None)
    assert new.outcome_constraints[0].bound == pytest.approx((4.0 - 3.0) / t.Ystd["m"])
    relative = OptimizationConfig(
        Objective(Metric("x")), [OutcomeConstraint(Metric("m"), ComparisonOp.LEQ, 4.0)]
    )
    with pytest.raises(
        UserInputError, match=r"constraint OutcomeConstraint\(m <= 4.0%\) is relative"
    ):
        t.transform_optimization_config(relative, None, None)
    unknown = OptimizationConfig(
        Objective(Metric("x")),
        [OutcomeConstraint(Metric("q"), ComparisonOp.LEQ, 4.0, relative=False)],
    )
    with pytest.raises(DataRequiredError, match="no training data for metric 'q'"):
        t.transform_optimization_config(unknown, None, None)
    with pytest.raises(DataRequiredError, match="metric 'q' had no training data"):
        t.transform_observation_data([ObservationData(["q"], [1.0], [[1.0]])], [])
    with pytest.raises(DataRequiredError, match="cannot standardise without training data"):
        StandardizeY(space, [], [])


# ----------------------------------------------------------------------------- SearchSpaceToChoice


def test_search_space_to_choice() -> None:
    space = SearchSpace(
        [RangeParameter("x", FLOAT, 0.0, 1.0), ChoiceParameter("c", STRING, ["a", "b"])]
    )
    observed = [{"x": 0.1, "c": "a"}, {"x": 0.2, "c": "b"}, {"x": 0.1, "c": "a"}]
    t = SearchSpaceToChoice(space, feats(*observed), [])
    new = t.transform_search_space(space)
    (arms,) = new.parameters.values()
    assert isinstance(arms, ChoiceParameter) and arms.name == "arms" and len(arms.values) == 2
    forward = t.transform_observation_features(feats(*observed))
    assert [f.parameters for f in forward] == [
        {"arms": arms.values[0]},
        {"arms": arms.values[1]},
        {"arms": arms.values[0]},
    ]
    assert round_trip(t, observed) == observed
    single = SearchSpaceToChoice(space, feats(observed[0]), [])
    assert isinstance(single.transform_search_space(space).parameters["arms"], FixedParameter)
    with pytest.raises(UserInputError, match="are not one of the 2 observed arms"):
        t.transform_observation_features(feats({"x": 0.9, "c": "a"}))
    with pytest.raises(UserInputError, match="'arms' value 'zzz' is not the signature"):
        t.untransform_observation_features(feats({"arms": "zzz"}))


def test_search_space_to_choice_errors() -> None:
    fidelity = SearchSpace(
        [RangeParameter("f", FLOAT, 0.0, 1.0, is_fidelity=True, target_value=1.0)]
    )
    with pytest.raises(
        UnsupportedError, match=r"fidelity parameters are not supported, got \['f'\]"
    ):
        SearchSpaceToChoice(fidelity, feats({"f": 0.5}), [])
    with pytest.raises(DataRequiredError, match="needs observed arms"):
        SearchSpaceToChoice(mixed_search_space(), [], [])


# ----------------------------------------------------------------------------- Winsorize


def test_winsorize_clips_to_percentiles() -> None:
    data = [ObservationData(["m"], [float(v)], [[1.0]]) for v in range(10)]
    t = Winsorize(
        mixed_search_space(),
        [],
        data,
        config={"winsorization_lower": 0.2, "winsorization_upper": 0.2},
    )
    lower, upper = t.cutoffs["m"]
    assert (lower, upper) == (1.0, 8.0)
    out = t.transform_observation_data([d.clone() for d in data], [])
    assert [float(d.means[0]) for d in out] == [1, 1, 2, 3, 4, 5, 6, 7, 8, 8]
    assert t.untransform_observation_data(out, []) is out  # clipping cannot be undone
    other = t.transform_observation_data([ObservationData(["z"], [100.0], [[1.0]])], [])
    assert other[0].means.tolist() == [100.0]
    unchanged = Winsorize(mixed_search_space(), [], data)
    assert unchanged.cutoffs["m"] == (0.0, 9.0)


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ({"winsorization_lower": 1.5}, r"config\['winsorization_lower'\] must be in \[0.0, 1.0\)"),
        ({"winsorization_upper": -0.1}, r"config\['winsorization_upper'\] must be in"),
        ({"winsorization_upper": "0.1"}, r"config\['winsorization_upper'\] must be a number"),
        (
            {"winsorization_lower": 0.6, "winsorization_upper": 0.5},
            "winsorization_lower \\+ winsorization_upper must be < 1",
        ),
        (
            {"winsorization_middle": 0.1},
            r"Winsorize: unknown config keys \['winsorization_middle'\]",
        ),
    ],
)
def test_winsorize_config_validation(config: Dict[str, Any], match: str) -> None:
    with pytest.raises(UserInputError, match=match):
        Winsorize(mixed_search_space(), [], [], config=config)
