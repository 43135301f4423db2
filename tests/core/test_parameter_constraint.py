from __future__ import annotations

import math
from typing import Any

import pytest

from ax.core.base import Base
from ax.core.parameter import ChoiceParameter, FixedParameter, Parameter, RangeParameter
from ax.core.parameter_constraint import (
    CONSTRAINT_TOLERANCE,
    OrderConstraint,
    ParameterConstraint,
    SumConstraint,
)
from ax.core.types import ComparisonOp, ParameterType
from ax.exceptions import UnsupportedError, UserInputError, UserInputTypeError

FLOAT = ParameterType.FLOAT
INT = ParameterType.INT


def x(name: str = "x1", lower: float = 0.0, upper: float = 10.0) -> RangeParameter:
    return RangeParameter(name, FLOAT, lower, upper)


# ----------------------------------------------------------------------------- general form


def test_parameter_constraint_basic() -> None:
    c = ParameterConstraint({"x1": 1.0, "x2": 2}, bound=3)
    assert isinstance(c, Base)
    assert c.constraint_dict == {"x1": 1.0, "x2": 2.0}
    assert type(c.constraint_dict["x2"]) is float
    assert c.bound == 3.0 and type(c.bound) is float
    assert c.parameter_names == ("x1", "x2")
    assert c.op is ComparisonOp.LEQ
    assert repr(c) == "ParameterConstraint(1.0*x1 + 2.0*x2 <= 3.0)"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"x1": 1.0, "x2": 1.0}, True),  # 3 <= 3: the boundary is inside
        ({"x1": 1.0, "x2": 0.5}, True),
        ({"x1": 1, "x2": 1.5}, False),
        ({"x1": -10.0, "x2": 6.0, "other": "ignored"}, True),
    ],
)
def test_parameter_constraint_check(values: dict, expected: bool) -> None:
    assert ParameterConstraint({"x1": 1.0, "x2": 2.0}, bound=3.0).check(values) is expected


def test_check_tolerates_rounding_errors() -> None:
    c = ParameterConstraint({"a": 1.0, "b": 1.0}, bound=0.3)
    assert 0.1 + 0.2 > 0.3
    assert c.check({"a": 0.1, "b": 0.2})
    assert not c.check({"a": 0.1, "b": 0.2 + 10 * CONSTRAINT_TOLERANCE})


def test_weighted_sum() -> None:
    c = ParameterConstraint({"x1": 2.0, "x2": -1.0}, bound=0.0)
    assert c.weighted_sum({"x1": 1.5, "x2": 1.0}) == 2.0


def test_check_missing_parameter() -> None:
    c = ParameterConstraint({"x1": 1.0, "x2": 1.0}, bound=1.0)
    with pytest.raises(
        UserInputError, match=r"parameter 'x2' is not present in the parameterization"
    ):
        c.check({"x1": 0.5})


@pytest.mark.parametrize("value", ["a", None, True])
def test_check_non_numeric_value(value: Any) -> None:
    c = ParameterConstraint({"x1": 1.0}, bound=1.0)
    with pytest.raises(
        UserInputTypeError, match=f"value of parameter 'x1' must be a number, got {value!r}"
    ):
        c.check({"x1": value})


def test_constraint_dict_is_a_copy() -> None:
    source = {"x1": 1.0}
    c = ParameterConstraint(source, bound=1.0)
    source["x2"] = 1.0
    c.constraint_dict["x3"] = 1.0
    assert c.constraint_dict == {"x1": 1.0}


def test_bound_setter() -> None:
    c = ParameterConstraint({"x1": 1.0}, bound=1.0)
    c.bound = 2
    assert c.bound == 2.0
    with pytest.raises(UserInputError, match="ParameterConstraint: bound must be finite, got nan"):
        c.bound = math.nan
    with pytest.raises(UserInputTypeError, match="bound must be a number, got '3'"):
        c.bound = "3"  # type: ignore[assignment]
    assert c.bound == 2.0


@pytest.mark.parametrize(
    ("constraint_dict", "bound", "error", "match"),
    [
        ({}, 1.0, UserInputError, "constraint_dict must name at least one parameter, got {}"),
        ([("x1", 1.0)], 1.0, UserInputTypeError, r"constraint_dict must be a mapping.*\[\('x1'"),
        ({1: 1.0}, 1.0, UserInputTypeError, "parameter names must be str, got 1"),
        ({"x1": True}, 1.0, UserInputTypeError, "weight of 'x1' must be a number, got True"),
        ({"x1": "1"}, 1.0, UserInputTypeError, "weight of 'x1' must be a number, got '1'"),
        ({"x1": math.nan}, 1.0, UserInputError, "weight of 'x1' must be finite, got nan"),
        ({"x1": 1.0}, math.inf, UserInputError, "bound must be finite, got inf"),
        ({"x1": 1.0}, None, UserInputTypeError, "bound must be a number, got None"),
    ],
)
def test_parameter_constraint_errors(
    constraint_dict: Any, bound: Any, error: type, match: str
) -> None:
    with pytest.raises(error, match=match):
        ParameterConstraint(constraint_dict, bound)


def test_parameter_constraint_clone_and_equality() -> None:
    c = ParameterConstraint({"x1": 1.0, "x2": -1.0}, bound=0.5)
    clone = c.clone()
    assert clone == c and clone is not c
    clone.bound = 1.0
    assert c.bound == 0.5 and clone != c
    assert c.clone_with_transformed_parameters({"x1": x("x1")}) == c
    assert c != ParameterConstraint({"x1": 1.0, "x2": -1.0}, bound=0.6)
    assert c != ParameterConstraint({"x1": 1.0, "x2": -2.0}, bound=0.5)


# ----------------------------------------------------------------------------- OrderConstraint


def test_order_constraint() -> None:
    x1, x2 = x("x1"), RangeParameter("x2", INT, 0, 10)
    c = OrderConstraint(x1, x2)
    assert c.lower_parameter is x1 and c.upper_parameter is x2
    assert c.parameters == [x1, x2]
    assert c.constraint_dict == {"x1": 1.0, "x2": -1.0}
    assert c.bound == 0.0
    assert c.parameter_names == ("x1", "x2")
    assert c.op is ComparisonOp.LEQ
    assert repr(c) == "OrderConstraint(x1 <= x2)"
    assert c.check({"x1": 1.0, "x2": 2})
    assert c.check({"x1": 2.0, "x2": 2})
    assert not c.check({"x1": 2.5, "x2": 2})


def test_order_constraint_bound_is_fixed() -> None:
    c = OrderConstraint(x("x1"), x("x2"))
    with pytest.raises(
        UnsupportedError, match=r"OrderConstraint\(x1 <= x2\).*cannot be set \(got 1\.0\)"
    ):
        c.bound = 1.0
    assert c.bound == 0.0


def test_order_constraint_clone() -> None:
    x1, x2 = x("x1"), x("x2")
    c = OrderConstraint(x1, x2)
    clone = c.clone()
    assert clone == c
    assert clone.lower_parameter is not x1 and clone.lower_parameter == x1
    new1, new2 = x("x1", upper=5.0), x("x2", upper=5.0)
    moved = c.clone_with_transformed_parameters({"x1": new1, "x2": new2, "x3": x("x3")})
    assert moved.lower_parameter is new1 and moved.upper_parameter is new2
    assert moved != c
    with pytest.raises(
        UserInputError, match=r"parameter 'x2' is not among the transformed parameters \['x1'\]"
    ):
        c.clone_with_transformed_parameters({"x1": new1})


def constraint_parameter_errors() -> list[tuple[list[Any], type, str]]:
    return [
        ([x("a"), x("a")], UserInputError, "parameter 'a' appears more than once"),
        (
            [x("a"), ChoiceParameter("s", ParameterType.STRING, ["u", "v"])],
            UserInputError,
            "parameter 's' has type STRING; parameter constraints support only INT and FLOAT",
        ),
        (
            [x("a"), FixedParameter("f", FLOAT, 1.0)],
            UserInputError,
            "parameter 'f' is a FixedParameter; parameter constraints support only RangeParameters",
        ),
        (
            [x("a"), ChoiceParameter("c", INT, [1, 2])],
            UserInputError,
            "parameter 'c' is a ChoiceParameter",
        ),
        (
            [x("a"), RangeParameter("l", FLOAT, 0.1, 1.0, log_scale=True)],
            UserInputError,
            "parameter 'l' has log_scale=True; parameter constraints are not allowed",
        ),
        ([x("a"), "b"], UserInputTypeError, "expected a Parameter, got 'b'"),
    ]


@pytest.mark.parametrize(("parameters", "error", "match"), constraint_parameter_errors())
def test_order_constraint_errors(parameters: list[Parameter], error: type, match: str) -> None:
    with pytest.raises(error, match=f"OrderConstraint: {match}"):
        OrderConstraint(*parameters)


# ----------------------------------------------------------------------------- SumConstraint


def test_sum_constraint_upper_bound() -> None:
    x1, x2 = x("x1"), x("x2")
    c = SumConstraint([x1, x2], is_upper_bound=True, bound=5)
    assert c.parameters == [x1, x2]
    assert c.is_upper_bound
    assert c.constraint_dict == {"x1": 1.0, "x2": 1.0}
    assert c.bound == 5.0
    assert c.op is ComparisonOp.LEQ
    assert c.parameter_names == ("x1", "x2")
    assert repr(c) == "SumConstraint(x1 + x2 <= 5.0)"
    assert c.check({"x1": 2.0, "x2": 3.0})
    assert not c.check({"x1": 2.0, "x2": 3.5})


def test_sum_constraint_lower_bound() -> None:
    c = SumConstraint([x("x1"), x("x2")], is_upper_bound=False, bound=5.0)
    assert not c.is_upper_bound
    # Stored in the general form: -x1 - x2 <= -5.
    assert c.constraint_dict == {"x1": -1.0, "x2": -1.0}
    assert c.bound == -5.0
    assert c.op is ComparisonOp.GEQ
    assert repr(c) == "SumConstraint(x1 + x2 >= 5.0)"
    assert c.check({"x1": 2.0, "x2": 3.0})
    assert c.check({"x1": 4.0, "x2": 3.0})
    assert not c.check({"x1": 1.0, "x2": 3.0})


def test_sum_constraint_parameters_is_a_copy() -> None:
    c = SumConstraint([x("x1")], is_upper_bound=True, bound=1.0)
    c.parameters.append(x("x2"))
    assert c.parameter_names == ("x1",)


@pytest.mark.parametrize("is_upper_bound", [True, False])
def test_sum_constraint_clone(is_upper_bound: bool) -> None:
    x1, x2 = x("x1"), x("x2")
    c = SumConstraint([x1, x2], is_upper_bound=is_upper_bound, bound=-2.0)
    clone = c.clone()
    assert clone == c
    assert repr(clone) == repr(c)
    assert clone.parameters[0] is not x1
    new = {"x1": x("x1", upper=3.0), "x2": x("x2", upper=3.0)}
    moved = c.clone_with_transformed_parameters(new)
    assert moved.parameters[0] is new["x1"] and moved.parameters[1] is new["x2"]
    assert (moved.bound, moved.is_upper_bound) == (c.bound, c.is_upper_bound)
    with pytest.raises(UserInputError, match="parameter 'x1' is not among"):
        c.clone_with_transformed_parameters({"x2": x("x2")})


def test_sum_constraint_bound_setter_uses_general_form() -> None:
    c = SumConstraint([x("x1"), x("x2")], is_upper_bound=False, bound=5.0)
    c.bound = -4.0
    assert repr(c) == "SumConstraint(x1 + x2 >= 4.0)"
    with pytest.raises(UserInputError, match="SumConstraint: bound must be finite, got inf"):
        c.bound = math.inf


@pytest.mark.parametrize(("parameters", "error", "match"), constraint_parameter_errors())
def test_sum_constraint_parameter_errors(
    parameters: list[Parameter], error: type, match: str
) -> None:
    with pytest.raises(error, match=f"SumConstraint: {match}"):
        SumConstraint(parameters, is_upper_bound=True, bound=1.0)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (([], True, 1.0), UserInputError, r"SumConstraint: parameters must not be empty, got \[\]"),
        (
            ("x1", True, 1.0),
            UserInputTypeError,
            "parameters must be a list of Parameters, got 'x1'",
        ),
        (([x()], 1, 1.0), UserInputTypeError, "is_upper_bound must be a bool, got 1"),
        (([x()], True, math.nan), UserInputError, "SumConstraint: bound must be finite, got nan"),
        (([x()], True, "1"), UserInputTypeError, "SumConstraint: bound must be a number, got '1'"),
    ],
)
def test_sum_constraint_errors(args: tuple, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        SumConstraint(*args)


def test_constraint_types_are_not_equal_to_each_other() -> None:
    x1, x2 = x("x1"), x("x2")
    order = OrderConstraint(x1, x2)
    general = ParameterConstraint({"x1": 1.0, "x2": -1.0}, bound=0.0)
    assert order.constraint_dict == general.constraint_dict and order.bound == general.bound
    assert order != general
