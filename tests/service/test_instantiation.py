"""Parsing of parameter dicts and constraint strings, and the experiment builders."""

from __future__ import annotations

import math
import re
from typing import Any, Dict, List

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ax.core.arm import Arm
from ax.core.experiment import Experiment
from ax.core.parameter import ChoiceParameter, FixedParameter, Parameter, RangeParameter
from ax.core.parameter_constraint import OrderConstraint, ParameterConstraint
from ax.core.simple_experiment import SimpleExperiment
from ax.core.types import ComparisonOp, ParameterType
from ax.exceptions import UserInputError
from ax.service.utils.instantiation import (
    RangeParameterSpec,
    constraint_from_str,
    data_from_evaluations,
    make_experiment,
    make_search_space,
    make_simple_experiment,
    outcome_constraint_from_str,
    parameter_from_json,
    parameters_from_json,
    raw_data_to_evaluation,
)

FLOAT, INT = ParameterType.FLOAT, ParameterType.INT
BOOL, STRING = ParameterType.BOOL, ParameterType.STRING


# ---------------------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    "representation, expected",
    [
        (
            {"name": "x", "type": "range", "bounds": [0.0, 1.0]},
            RangeParameter("x", FLOAT, 0.0, 1.0),
        ),
        ({"name": "n", "type": "range", "bounds": [0, 10]}, RangeParameter("n", INT, 0, 10)),
        (
            {"name": "x", "type": "range", "bounds": [0, 10], "value_type": "float"},
            RangeParameter("x", FLOAT, 0.0, 10.0),
        ),
        (
            {"name": "n", "type": "range", "bounds": [1.0, 4.0], "value_type": "int"},
            RangeParameter("n", INT, 1, 4),
        ),
        (
            {"name": "lr", "type": "range", "bounds": [1e-4, 0.1], "log_scale": True},
            RangeParameter("lr", FLOAT, 1e-4, 0.1, log_scale=True),
        ),
        (
            {"name": "x", "type": "range", "bounds": [0.0, 1.0], "digits": 2},
            RangeParameter("x", FLOAT, 0.0, 1.0, digits=2),
        ),
        (
            {
                "name": "fid",
                "type": "range",
                "bounds": [0.1, 1.0],
                "is_fidelity": True,
                "target_value": 1.0,
            },
            RangeParameter("fid", FLOAT, 0.1, 1.0, is_fidelity=True, target_value=1.0),
        ),
        (
            {"name": "x", "type": "range", "bounds": (np.float64(0.0), np.float64(2.0))},
            RangeParameter("x", FLOAT, 0.0, 2.0),
        ),
        (
            {"name": "n", "type": "range", "bounds": [np.int64(1), np.int64(3)]},
            RangeParameter("n", INT, 1, 3),
        ),
        (
            {"name": "opt", "type": "choice", "values": ["adam", "sgd"]},
            ChoiceParameter("opt", STRING, ["adam", "sgd"]),
        ),
        (
            {"name": "k", "type": "choice", "values": [8, 16, 32], "is_ordered": True},
            ChoiceParameter("k", INT, [8, 16, 32], is_ordered=True),
        ),
        (
            {"name": "b", "type": "choice", "values": [True, False]},
            ChoiceParameter("b", BOOL, [True, False]),
        ),
        (
            {"name": "t", "type": "choice", "values": [1, 2.5], "value_type": "float"},
            ChoiceParameter("t", FLOAT, [1.0, 2.5]),
        ),
        (
            {"name": "task", "type": "choice", "values": ["a", "b"], "is_task": True},
            ChoiceParameter("task", STRING, ["a", "b"], is_task=True),
        ),
        (
            {"name": "mode", "type": "fixed", "value": "fast"},
            FixedParameter("mode", STRING, "fast"),
        ),
        ({"name": "f", "type": "fixed", "value": 3}, FixedParameter("f", INT, 3)),
        (
            {"name": "f", "type": "fixed", "value": 3, "value_type": "float"},
            FixedParameter("f", FLOAT, 3.0),
        ),
        ({"name": "f", "type": "fixed", "value": False}, FixedParameter("f", BOOL, False)),
    ],
)
def test_parameter_from_json_builds_the_parameter(
    representation: Dict[str, Any], expected: Parameter
) -> None:
    parameter = parameter_from_json(representation)
    assert parameter == expected
    assert type(parameter) is type(expected)


@pytest.mark.parametrize(
    "representation, message",
    [
        (
            {"name": "lr", "type": "range", "bound": [0.0, 1.0]},
            r"parameter 'lr': unknown key 'bound' for a range parameter \(did you mean "
            r"'bounds'\?\)",
        ),
        (
            {"name": "lr", "type": "range", "bounds": [0.0, 1.0], "log": True},
            r"parameter 'lr': unknown key 'log'.*allowed keys",
        ),
        (
            {"name": "c", "type": "choice", "values": [1, 2], "bounds": [0, 1]},
            r"parameter 'c': unknown key 'bounds' for a choice parameter",
        ),
        ({"name": "x", "type": "range"}, r"parameter 'x': missing key 'bounds'"),
        (
            {"name": "x", "type": "range", "bounds": [0.0]},
            r"parameter 'x': key 'bounds' must be a list of exactly 2 numbers.*got \[0\.0\]",
        ),
        (
            {"name": "x", "type": "range", "bounds": ["a", "b"]},
            r"parameter 'x': key 'bounds' must be .*got \['a', 'b'\]",
        ),
        (
            {"name": "x", "type": "range", "bounds": [0, 1.5]},
            r"parameter 'x': every value of bounds must have the type of the first \(int\), "
            r"got 1\.5 \(float\).*value_type='float'",
        ),
        (
            {"name": "x", "type": "range", "bounds": [0.0, 1.0], "log_scale": 1},
            r"parameter 'x': key 'log_scale' must be a bool, got 1",
        ),
        (
            {"name": "x", "type": "range", "bounds": [0.0, 1.0], "digits": "2"},
            r"parameter 'x': key 'digits' must be a non-negative int, got '2'",
        ),
        (
            {"name": "x", "type": "range", "bounds": [0.0, 1.0], "digits": -1},
            r"'x'.*digits must be a non-negative int or None, got -1",
        ),
        (
            {"name": "x", "type": "range", "bounds": [1.0, 0.0]},
            r"'x'.*lower must be < upper, got lower=1\.0, upper=0\.0",
        ),
        (
            {"name": "x", "type": "range", "bounds": [0.0, 1.0], "value_type": "str"},
            r"parameter 'x': a range parameter takes value_type 'int' or 'float', got "
            r"value_type='str'",
        ),
        (
            {"name": "x", "type": "range", "bounds": [0.0, 1.5], "value_type": "int"},
            r"parameter 'x': bounds must hold int values for value_type='int', got 1\.5",
        ),
        (
            {"name": "x", "type": "range", "bounds": [0.0, 1.0], "value_type": "double"},
            r"parameter 'x': key 'value_type' must be one of 'int', 'float', 'bool', 'str', "
            r"got 'double'",
        ),
        (
            {"name": "x", "type": "rnage", "bounds": [0.0, 1.0]},
            r"parameter 'x': key 'type' must be one of 'range', 'choice', 'fixed', got "
            r"'rnage' \(did you mean 'range'\?\)",
        ),
        ({"name": "x", "bounds": [0.0, 1.0]}, r"parameter 'x': key 'type' must be .*got None"),
        ({"type": "range", "bounds": [0.0, 1.0]}, r"key 'name' must be a non-empty string"),
        ({"name": 3, "type": "fixed", "value": 1}, r"key 'name' must be .*got 3"),
        (
            {"name": "c", "type": "choice", "values": [1]},
            r"parameter 'c': key 'values' must be a list of at least 2 .*got \[1\]",
        ),
        (
            {"name": "c", "type": "choice", "values": [1, "a"]},
            r"parameter 'c': every value of values must have the type of the first \(int\), "
            r"got 'a' \(str\)",
        ),
        (
            {"name": "c", "type": "choice", "values": [True, 1]},
            r"parameter 'c': every value of values .*\(bool\), got 1 \(int\)",
        ),
        (
            {"name": "c", "type": "choice", "values": ["a", "a"]},
            r"'c'.*",
        ),
        (
            {"name": "f", "type": "fixed", "value": [1, 2]},
            r"parameter 'f': key 'value' must be a single bool, int, float or str, got \[1, 2\]",
        ),
        (
            {"name": "f", "type": "fixed", "value": "a", "value_type": "int"},
            r"parameter 'f': value must hold int values for value_type='int', got 'a'",
        ),
        (
            {"name": "f", "type": "range", "bounds": [0.0, 1.0], "is_fidelity": True},
            r"'f'.*target_value must be set",
        ),
    ],
)
def test_parameter_from_json_errors_name_parameter_key_and_value(
    representation: Dict[str, Any], message: str
) -> None:
    with pytest.raises(UserInputError, match=message):
        parameter_from_json(representation)


@pytest.mark.parametrize("representation", [[1], "x", None, 3.0])
def test_parameter_from_json_rejects_non_dicts(representation: Any) -> None:
    with pytest.raises(UserInputError, match=r"must be a dict with 'name' and 'type', got"):
        parameter_from_json(representation)


def test_parameter_specs_are_pydantic_models_that_forbid_extra_keys() -> None:
    spec = RangeParameterSpec.model_validate({"name": "x", "type": "range", "bounds": [0, 1]})
    assert spec.to_parameter() == RangeParameter("x", INT, 0, 1)
    assert RangeParameterSpec.model_config.get("extra") == "forbid"


def test_parameters_from_json_checks_the_list() -> None:
    assert [p.name for p in parameters_from_json([_x("a"), _x("b")])] == ["a", "b"]
    with pytest.raises(UserInputError, match=r"parameter 'a': the name is used by two"):
        parameters_from_json([_x("a"), _x("a")])
    with pytest.raises(UserInputError, match=r"at least one parameter, got \[\]"):
        parameters_from_json([])
    with pytest.raises(UserInputError, match=r"must be a list of parameter dicts, got"):
        parameters_from_json(_x("a"))  # type: ignore[arg-type]


def _x(name: str, lower: float = 0.0, upper: float = 1.0) -> Dict[str, Any]:
    return {"name": name, "type": "range", "bounds": [lower, upper]}


# ---------------------------------------------------------------------------- constraints

PARAMETERS: Dict[str, Parameter] = {
    p.name: p
    for p in parameters_from_json(
        [_x(n) for n in ("x", "y", "x1", "x2", "x3", "x4", "x5")]
        + [
            {"name": "lr", "type": "range", "bounds": [1e-3, 1.0], "log_scale": True},
            {"name": "c", "type": "choice", "values": [1, 2, 3]},
        ]
    )
}


@pytest.mark.parametrize(
    "text, weights, bound",
    [
        ("x1 + x2 <= 2", {"x1": 1.0, "x2": 1.0}, 2.0),
        ("x1+x2<=2.0", {"x1": 1.0, "x2": 1.0}, 2.0),
        ("-x3 + 2*x4 - 3.5*x5 >= 2", {"x3": 1.0, "x4": -2.0, "x5": 3.5}, -2.0),
        ("x - y >= 1", {"x": -1.0, "y": 1.0}, -1.0),
        ("2*x1 + x2 <= 3", {"x1": 2.0, "x2": 1.0}, 3.0),
        ("2 * x1 + x2 * 0.5 <= 3", {"x1": 2.0, "x2": 0.5}, 3.0),
        ("x1 + x2 <= x3 + 1", {"x1": 1.0, "x2": 1.0, "x3": -1.0}, 1.0),
        ("x1 <= 1e-3", {"x1": 1.0}, 0.001),
        ("1 + x1 <= 2", {"x1": 1.0}, 1.0),
        ("x1 - x2 <= -0.5", {"x1": 1.0, "x2": -1.0}, -0.5),
    ],
)
def test_linear_constraints(text: str, weights: Dict[str, float], bound: float) -> None:
    constraint = constraint_from_str(text, PARAMETERS)
    assert type(constraint) is ParameterConstraint
    assert constraint.constraint_dict == weights
    assert constraint.bound == pytest.approx(bound)


@pytest.mark.parametrize(
    "text, lower, upper",
    [("x1 <= x2", "x1", "x2"), ("x1>=x2", "x2", "x1"), (" x <= y ", "x", "y")],
)
def test_order_constraints(text: str, lower: str, upper: str) -> None:
    constraint = constraint_from_str(text, PARAMETERS)
    assert isinstance(constraint, OrderConstraint)
    assert (constraint.lower_parameter.name, constraint.upper_parameter.name) == (lower, upper)


@pytest.mark.parametrize(
    "text, message",
    [
        ("x1 + z <= 1", r"parameter constraint 'x1 \+ z <= 1': unknown parameter 'z'"),
        ("x1 + xx2 <= 1", r"unknown parameter 'xx2' \(did you mean 'x2'\?\)"),
        ("x1 < 2", r"'x1 < 2': comparison '<' is not supported; use '<=' or '>='"),
        ("x1 == 2", r"'x1 == 2': comparison '==' is not supported"),
        ("x1 + x2", r"'x1 \+ x2': expected exactly one '<=' or '>=', found 0"),
        ("x1 <= x2 <= 3", r"expected exactly one '<=' or '>=', found 2"),
        ("2x1 <= 3", r"'2x1 <= 3': write 2\*x1 \(with '\*'\)"),
        ("x1 $ 2 <= 1", r"'x1 \$ 2 <= 1': unexpected character '\$' at position 3"),
        ("<= 1", r"'<= 1': a side of the inequality is empty"),
        ("x1 + <= 1", r"a term is missing after the last sign"),
        ("x1 x2 <= 1", r"expected '\+' or '-' between terms, got 'x2'"),
        ("2* <= 1", r"'\*' after '2' must be followed by a parameter name"),
        ("x1 - x1 <= 1", r"'x1 - x1 <= 1': no parameter is left"),
        ("c <= 1", r"'c <= 1': parameter 'c' cannot be constrained"),
        ("lr + x <= 1", r"parameter 'lr' cannot be constrained"),
        ("lr <= x", r"'lr <= x': parameter 'lr' cannot be constrained"),
    ],
)
def test_constraint_errors_quote_the_text(text: str, message: str) -> None:
    with pytest.raises(UserInputError, match=message):
        constraint_from_str(text, PARAMETERS)


def test_constraint_must_be_a_string() -> None:
    with pytest.raises(UserInputError, match=r"must be a string such as .*got 3"):
        constraint_from_str(3, PARAMETERS)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["x1", "x2", "x3"]), st.integers(-5, 5).filter(bool)),
        min_size=1,
        max_size=3,
        unique_by=lambda t: t[0],
    ),
    st.integers(-10, 10),
    st.booleans(),
)
def test_linear_constraint_round_trip(terms: List[Any], bound: int, leq: bool) -> None:
    text = " ".join(
        f"{'-' if w < 0 else ('+' if i else '')} {abs(w)}*{name}"
        for i, (name, w) in enumerate(terms)
    )
    text += f" {'<=' if leq else '>='} {bound}"
    constraint = constraint_from_str(text, PARAMETERS)
    sign = 1.0 if leq else -1.0
    assert constraint.constraint_dict == {name: sign * w for name, w in terms}
    assert constraint.bound == sign * bound


@pytest.mark.parametrize(
    "text, metric, op, bound, relative",
    [
        ("l2norm <= 1.25", "l2norm", ComparisonOp.LEQ, 1.25, False),
        ("m >= -3%", "m", ComparisonOp.GEQ, -3.0, True),
        ("m<=2", "m", ComparisonOp.LEQ, 2.0, False),
        ("  cost >= 1e3 ", "cost", ComparisonOp.GEQ, 1000.0, False),
        ("m <= 5 %", "m", ComparisonOp.LEQ, 5.0, True),
    ],
)
def test_outcome_constraints(
    text: str, metric: str, op: ComparisonOp, bound: float, relative: bool
) -> None:
    constraint = outcome_constraint_from_str(text)
    assert constraint.metric.name == metric
    assert (constraint.op, constraint.bound, constraint.relative) == (op, bound, relative)


@pytest.mark.parametrize("text", ["m == 3", "m <= abc", "<= 3", "m <=", "a b <= 3", "m < 3"])
def test_outcome_constraint_errors_quote_the_text(text: str) -> None:
    with pytest.raises(UserInputError, match=re.escape(repr(text)) + r": expected 'metric <="):
        outcome_constraint_from_str(text)
    with pytest.raises(UserInputError, match=r"must be a string such as 'm <= 1.5', got 3"):
        outcome_constraint_from_str(3)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- builders


def test_make_experiment_builds_everything() -> None:
    experiment = make_experiment(
        parameters=[_x("x1", -5.0, 10.0), _x("x2", 0.0, 15.0)],
        name="branin",
        objective_name="branin",
        minimize=True,
        parameter_constraints=["x1 + x2 <= 20"],
        outcome_constraints=["l2norm <= 1.25", "cost >= -5%"],
        status_quo={"x1": 0.0, "x2": 0.0},
        experiment_type="test",
    )
    assert type(experiment) is Experiment
    config = experiment.optimization_config
    assert config is not None
    assert config.objective.minimize is True
    assert config.objective.metric.lower_is_better is True
    assert [c.metric.name for c in config.outcome_constraints] == ["l2norm", "cost"]
    assert experiment.search_space.parameter_constraints[0].constraint_dict == {
        "x1": 1.0,
        "x2": 1.0,
    }
    assert experiment.status_quo == Arm({"x1": 0.0, "x2": 0.0}, name="status_quo")
    assert experiment.experiment_type == "test"


def test_make_experiment_default_objective_maximises() -> None:
    experiment = make_experiment([_x("x")])
    config = experiment.optimization_config
    assert config is not None
    assert config.objective.metric.name == "objective"
    assert (config.objective.minimize, config.objective.metric.lower_is_better) == (False, False)


def test_relative_constraint_needs_a_status_quo() -> None:
    with pytest.raises(UserInputError, match=r"'cost >= -5%': a relative constraint .*status quo"):
        make_experiment([_x("x")], outcome_constraints=["cost >= -5%"])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"outcome_constraints": ["objective <= 1"]}, r"metric 'objective' is the objective"),
        ({"outcome_constraints": "m <= 1"}, r"outcome_constraints must be a list of strings"),
        ({"parameter_constraints": "x <= 1"}, r"parameter_constraints must be a list of strings"),
        ({"minimize": "yes"}, r"minimize must be a bool, got 'yes'"),
        ({"status_quo": {"x": "a"}}, r"experiment None: .*'x'"),
    ],
)
def test_make_experiment_errors(kwargs: Dict[str, Any], message: str) -> None:
    with pytest.raises(UserInputError, match=message):
        make_experiment([_x("x")], **kwargs)


def test_make_search_space_wraps_core_errors() -> None:
    space = make_search_space([_x("x"), _x("y")], ["x <= y"])
    assert isinstance(space.parameter_constraints[0], OrderConstraint)


def test_make_simple_experiment_sets_direction_and_function() -> None:
    experiment = make_simple_experiment(
        [_x("x")], lambda p: p["x"] ** 2, name="s", objective_name="y", minimize=True
    )
    assert isinstance(experiment, SimpleExperiment)
    config = experiment.optimization_config
    assert config is not None
    assert config.objective.metric.name == "y"
    assert config.objective.metric.lower_is_better is True
    trial = experiment.new_trial().add_arm(Arm({"x": 0.5}))
    assert experiment.eval_trial(trial).columns["mean"].tolist() == [0.25]


# ---------------------------------------------------------------------------- raw data


@pytest.mark.parametrize(
    "raw, expected",
    [
        ({"a": (1.0, 0.1)}, {"a": (1.0, 0.1)}),
        ((2.0, 0.5), {"obj": (2.0, 0.5)}),
        (3, {"obj": (3.0, None)}),
        (np.float32(1.5), {"obj": (1.5, None)}),
        ([({"f": 1}, {"a": (1.0, 0.0)})], [({"f": 1}, {"a": (1.0, 0.0)})]),
    ],
)
def test_raw_data_to_evaluation(raw: Any, expected: Any) -> None:
    assert raw_data_to_evaluation(raw, "obj") == expected


@pytest.mark.parametrize(
    "raw, message",
    [
        ({"a": {"b": 1}}, r"metric 'a' maps to a dict"),
        ("1.0", r"expected a number, .*got '1.0' \(str\)"),
        (True, r"got True \(bool\)"),
        (math.nan, r"metric 'obj' has a non-finite mean nan"),
        ((math.inf, 0.0), r"metric 'obj' has a non-finite mean inf"),
        ({"a": (math.nan, 0.0)}, r"metric 'a' has a non-finite mean nan"),
    ],
)
def test_raw_data_to_evaluation_errors(raw: Any, message: str) -> None:
    with pytest.raises(UserInputError, match=message):
        raw_data_to_evaluation(raw, "obj")


def test_data_from_evaluations() -> None:
    data = data_from_evaluations({"0_0": {"a": (1.0, 0.1)}, "0_1": {"a": (2.0, None)}}, 0)
    assert data.columns["mean"].tolist() == [1.0, 2.0]
    fidelity = data_from_evaluations({"0_0": [({"f": 1}, {"a": (1.0, 0.0)})]}, 0)
    assert fidelity.columns["fidelities"].tolist() == ['{"f": 1}']
    with pytest.raises(UserInputError, match=r"trial 0: evaluations must be all"):
        data_from_evaluations({"0_0": {"a": 1.0}, "0_1": [({"f": 1}, {"a": 1.0})]}, 0)
    with pytest.raises(UserInputError, match=r"trial 3: .*finite"):
        data_from_evaluations({"0_0": {"a": (math.nan, 0.0)}}, 3)
