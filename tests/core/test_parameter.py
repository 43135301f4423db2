from __future__ import annotations

import math
import re
from typing import Any, Callable

import numpy as np
import pytest

from ax.core.base import Base
from ax.core.parameter import ChoiceParameter, FixedParameter, Parameter, RangeParameter
from ax.core.types import ParameterType, TParamValue
from ax.exceptions import UserInputError, UserInputTypeError

FLOAT = ParameterType.FLOAT
INT = ParameterType.INT
STRING = ParameterType.STRING
BOOL = ParameterType.BOOL
DEFAULTS: dict[ParameterType, TParamValue] = {INT: 1, FLOAT: 1.0, STRING: "a", BOOL: True}


def float_range(**kwargs: Any) -> RangeParameter:
    args: dict[str, Any] = {"name": "x", "parameter_type": FLOAT, "lower": 0.0, "upper": 1.0}
    args.update(kwargs)
    return RangeParameter(**args)


# ----------------------------------------------------------------------------- base class


def test_parameter_is_abstract() -> None:
    with pytest.raises(TypeError):
        Parameter()  # type: ignore[abstract]


@pytest.mark.parametrize(
    ("parameter", "python_type", "numeric"),
    [
        (float_range(), float, True),
        (RangeParameter("i", INT, 0, 3), int, True),
        (ChoiceParameter("c", STRING, ["a", "b"]), str, False),
        (FixedParameter("b", BOOL, True), bool, False),
    ],
)
def test_common_properties(parameter: Parameter, python_type: type, numeric: bool) -> None:
    assert isinstance(parameter, Base)
    assert parameter.python_type is python_type
    assert parameter.is_numeric is numeric
    assert parameter.is_fidelity is False
    assert parameter.target_value is None


@pytest.mark.parametrize(
    "make",
    [
        lambda name: RangeParameter(name, FLOAT, 0.0, 1.0),
        lambda name: ChoiceParameter(name, STRING, ["a", "b"]),
        lambda name: FixedParameter(name, INT, 1),
    ],
)
@pytest.mark.parametrize("name", ["", "  ", " x", "x\n"])
def test_invalid_name(make: Callable[[str], Parameter], name: str) -> None:
    with pytest.raises(
        UserInputError, match=f"name must be a non-empty str.*got {re.escape(repr(name))}"
    ):
        make(name)


def test_name_must_be_str() -> None:
    with pytest.raises(UserInputTypeError, match="RangeParameter: name must be a str, got 3"):
        RangeParameter(3, FLOAT, 0.0, 1.0)  # type: ignore[arg-type]


def test_parameter_type_must_be_enum() -> None:
    with pytest.raises(
        UserInputTypeError, match="'x': parameter_type must be a ParameterType, got 'float'"
    ):
        FixedParameter("x", "float", 1.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "make",
    [
        lambda: RangeParameter("x", FLOAT, 0.0, 1.0, is_fidelity=True),
        lambda: ChoiceParameter("x", STRING, ["a", "b"], is_fidelity=True),
        lambda: FixedParameter("x", INT, 1, is_fidelity=True),
    ],
)
def test_fidelity_needs_target_value(make: Callable[[], Parameter]) -> None:
    with pytest.raises(UserInputError, match="'x': target_value must be set.*target_value=None"):
        make()


def test_is_fidelity_must_be_bool() -> None:
    with pytest.raises(UserInputTypeError, match="is_fidelity must be a bool, got 1"):
        FixedParameter("x", INT, 1, is_fidelity=1, target_value=1)  # type: ignore[arg-type]


def test_target_value_is_cast_and_type_checked() -> None:
    p = RangeParameter("x", INT, 0, 10, is_fidelity=True, target_value=10.0)
    assert p.is_fidelity
    assert p.target_value == 10 and type(p.target_value) is int
    c = ChoiceParameter("c", FLOAT, [1, 2], is_fidelity=True, target_value=2)
    assert c.target_value == 2.0 and type(c.target_value) is float
    with pytest.raises(UserInputTypeError, match="target_value must be a str.*got 1"):
        ChoiceParameter("c", STRING, ["a", "b"], is_fidelity=True, target_value=1)


@pytest.mark.parametrize(
    ("parameter_type", "value", "expected"),
    [
        (INT, 2.7, 3),
        (INT, 2.2, 2),
        (INT, -2.7, -3),
        (INT, 2.5, 2),  # round half to even
        (INT, "3", 3),
        (INT, "2.6", 3),
        (INT, np.float64(4.6), 5),
        (INT, True, 1),
        (FLOAT, 1, 1.0),
        (FLOAT, "0.5", 0.5),
        (STRING, 1, "1"),
        (STRING, np.str_("a"), "a"),
        (BOOL, "False", False),
        (BOOL, "true", True),
        (BOOL, 0, False),
        (BOOL, 1.0, True),
        (BOOL, np.bool_(True), True),
        (INT, None, None),
    ],
)
def test_cast(parameter_type: ParameterType, value: Any, expected: Any) -> None:
    p = FixedParameter("p", parameter_type, DEFAULTS[parameter_type])
    result = p.cast(value)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("parameter_type", "value"),
    [(INT, "abc"), (INT, math.nan), (INT, math.inf), (FLOAT, "abc"), (BOOL, 2), (BOOL, "yes")],
)
def test_cast_failure(parameter_type: ParameterType, value: Any) -> None:
    p = FixedParameter("p", parameter_type, DEFAULTS[parameter_type])
    with pytest.raises(
        UserInputTypeError, match=f"'p': cannot cast {value!r} to {parameter_type.name}"
    ):
        p.cast(value)


@pytest.mark.parametrize(
    ("parameter_type", "value", "valid"),
    [
        (INT, 3, True),
        (INT, 3.0, True),
        (INT, 3.5, False),
        (INT, True, False),
        (INT, np.int64(3), True),
        (INT, np.float64(3.0), True),
        (INT, "3", False),
        (INT, None, False),
        (INT, math.nan, False),
        (FLOAT, 1, True),
        (FLOAT, 1.5, True),
        (FLOAT, False, False),
        (FLOAT, np.float32(0.5), True),
        (FLOAT, np.bool_(True), False),
        (FLOAT, "1.5", False),
        (STRING, "a", True),
        (STRING, 1, False),
        (BOOL, True, True),
        (BOOL, np.bool_(False), True),
        (BOOL, 1, False),
    ],
)
def test_is_valid_type(parameter_type: ParameterType, value: Any, valid: bool) -> None:
    p = FixedParameter("p", parameter_type, DEFAULTS[parameter_type])
    assert p.is_valid_type(value) is valid


# ----------------------------------------------------------------------------- RangeParameter


def test_range_basic() -> None:
    p = RangeParameter("x", INT, 1.0, 10)
    assert (p.name, p.parameter_type, p.lower, p.upper) == ("x", INT, 1, 10)
    assert type(p.lower) is int and type(p.upper) is int
    assert p.log_scale is False and p.digits is None
    q = float_range(lower=0, upper=2)
    assert type(q.lower) is float and type(q.upper) is float


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"lower": 1.0, "upper": 0.0},
            UserInputError,
            r"RangeParameter 'x': lower must be < upper, got lower=1\.0, upper=0\.0",
        ),
        ({"lower": 1.0, "upper": 1.0}, UserInputError, "lower must be < upper, got lower=1.0"),
        (
            {"lower": 0.0, "log_scale": True},
            UserInputError,
            r"'x': log_scale=True requires lower > 0, got lower=0\.0",
        ),
        ({"lower": -1.0, "log_scale": True}, UserInputError, "log_scale=True.*lower=-1.0"),
        (
            {"parameter_type": STRING},
            UserInputTypeError,
            "parameter_type must be INT or FLOAT, got STRING",
        ),
        (
            {"parameter_type": BOOL},
            UserInputTypeError,
            "parameter_type must be INT or FLOAT, got BOOL",
        ),
        ({"lower": "0"}, UserInputTypeError, "'x': lower must be an int or a float.*got '0'"),
        ({"upper": True}, UserInputTypeError, "'x': upper must be an int or a float.*got True"),
        ({"lower": False}, UserInputTypeError, "lower must be an int or a float.*got False"),
        ({"lower": None}, UserInputTypeError, "lower must be .*got None"),
        ({"upper": math.nan}, UserInputError, "'x': upper must be finite, got nan"),
        ({"upper": math.inf}, UserInputError, "'x': upper must be finite, got inf"),
        ({"lower": -math.inf}, UserInputError, "lower must be finite, got -inf"),
        ({"digits": -1}, UserInputError, "digits must be a non-negative int or None, got -1"),
        ({"digits": 1.5}, UserInputTypeError, "digits must be a non-negative int or None, got 1.5"),
        ({"digits": True}, UserInputTypeError, "digits must be .*got True"),
        ({"log_scale": 1}, UserInputTypeError, "'x': log_scale must be a bool, got 1"),
        (
            {"digits": 1, "lower": 0.01, "upper": 0.02},
            UserInputError,
            "lower must be < upper, got lower=0.0, upper=0.0",
        ),
    ],
)
def test_range_errors(kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        float_range(**kwargs)


@pytest.mark.parametrize(("lower", "upper"), [(0.5, 2), (0, 2.5), (True, 2)])
def test_int_range_rejects_non_integral_bounds(lower: Any, upper: Any) -> None:
    with pytest.raises(
        UserInputTypeError, match=r"must be an int \(or an integral float\) for an? INT"
    ):
        RangeParameter("i", INT, lower, upper)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        (0.0, True),
        (1.0, True),
        (0.5, True),
        (1, True),
        (-0.1, False),
        (1.1, False),
        (None, False),
        (True, False),
        ("0.5", False),
        (math.nan, False),
    ],
)
def test_range_validate_float(value: Any, valid: bool) -> None:
    assert float_range().validate(value) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        (0, True),
        (10, True),
        (5.0, True),
        (5.5, False),
        (11, False),
        (True, False),
        (np.int64(3), True),
    ],
)
def test_range_validate_int(value: Any, valid: bool) -> None:
    assert RangeParameter("i", INT, 0, 10).validate(value) is valid


def test_range_cast_digits() -> None:
    p = float_range(digits=2)
    assert p.cast(0.12345) == 0.12
    assert p.cast(None) is None
    assert RangeParameter("i", INT, 0, 10, digits=2).cast(2.6) == 3


def test_update_range() -> None:
    p = float_range()
    assert p.update_range(upper=2) is p
    assert (p.lower, p.upper) == (0.0, 2.0) and type(p.upper) is float
    p.update_range(lower=1.0)
    assert (p.lower, p.upper) == (1.0, 2.0)
    p.update_range(lower=-1.0, upper=-0.5)
    assert (p.lower, p.upper) == (-1.0, -0.5)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"lower": 2.0}, UserInputError, "lower must be < upper, got lower=2.0, upper=1.0"),
        ({"upper": "2"}, UserInputTypeError, "upper must be an int or a float.*got '2'"),
        ({"upper": math.nan}, UserInputError, "upper must be finite, got nan"),
    ],
)
def test_update_range_errors_leave_parameter_unchanged(
    kwargs: dict, error: type, match: str
) -> None:
    p = float_range()
    with pytest.raises(error, match=match):
        p.update_range(**kwargs)
    assert (p.lower, p.upper) == (0.0, 1.0)


def test_update_range_on_log_scale() -> None:
    p = float_range(lower=1.0, upper=10.0, log_scale=True)
    with pytest.raises(UserInputError, match="log_scale=True requires lower > 0, got lower=0.0"):
        p.update_range(lower=0.0)
    assert p.lower == 1.0


def test_set_digits() -> None:
    p = float_range(lower=0.123, upper=0.987)
    assert p.set_digits(2) is p
    assert (p.digits, p.lower, p.upper) == (2, 0.12, 0.99)
    q = float_range(lower=0.011, upper=0.012)
    with pytest.raises(UserInputError, match="lower must be < upper, got lower=0.01, upper=0.01"):
        q.set_digits(2)
    assert (q.digits, q.lower, q.upper) == (None, 0.011, 0.012)
    with pytest.raises(UserInputError, match="digits must be a non-negative int or None, got -2"):
        q.set_digits(-2)


def test_set_log_scale() -> None:
    p = float_range(lower=0.1)
    assert p.set_log_scale(True) is p
    assert p.log_scale
    q = float_range()
    with pytest.raises(
        UserInputError, match="'x': log_scale=True requires lower > 0, got lower=0.0"
    ):
        q.set_log_scale(True)
    assert not q.log_scale
    with pytest.raises(UserInputTypeError, match="log_scale must be a bool, got 'yes'"):
        q.set_log_scale("yes")  # type: ignore[arg-type]


def test_range_clone_and_equality() -> None:
    p = RangeParameter(
        "x", FLOAT, 0.1, 1.0, log_scale=True, digits=3, is_fidelity=True, target_value=1.0
    )
    clone = p.clone()
    assert clone == p and clone is not p
    clone.update_range(upper=2.0)
    assert clone != p
    assert float_range() != float_range(upper=2.0)
    assert float_range() != float_range(name="y")


@pytest.mark.parametrize(
    ("parameter", "text"),
    [
        (float_range(), "RangeParameter(name='x', parameter_type=FLOAT, range=[0.0, 1.0])"),
        (
            RangeParameter("i", INT, 1, 5),
            "RangeParameter(name='i', parameter_type=INT, range=[1, 5])",
        ),
        (
            float_range(lower=0.1, log_scale=True, digits=2),
            "RangeParameter(name='x', parameter_type=FLOAT, range=[0.1, 1.0], "
            "log_scale=True, digits=2)",
        ),
        (
            float_range(is_fidelity=True, target_value=1),
            "RangeParameter(name='x', parameter_type=FLOAT, range=[0.0, 1.0], "
            "fidelity=True, target_value=1.0)",
        ),
    ],
)
def test_range_repr(parameter: RangeParameter, text: str) -> None:
    assert repr(parameter) == text


# ----------------------------------------------------------------------------- ChoiceParameter


def test_choice_basic() -> None:
    c = ChoiceParameter("c", INT, [1, 2.0, np.int64(3)])
    assert c.values == [1, 2, 3]
    assert all(type(v) is int for v in c.values)
    assert c.is_ordered is False and c.is_task is False
    f = ChoiceParameter("f", FLOAT, [1, 2.5])
    assert f.values == [1.0, 2.5] and type(f.values[0]) is float
    assert ChoiceParameter("t", STRING, ("a", "b")).values == ["a", "b"]


def test_choice_values_is_a_copy() -> None:
    c = ChoiceParameter("c", STRING, ["a", "b"])
    c.values.append("z")
    assert c.values == ["a", "b"]
    assert not c.validate("z")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"values": ["a"]},
            UserInputError,
            r"ChoiceParameter 'c': values must hold at least 2 values, got \['a'\]",
        ),
        ({"values": []}, UserInputError, r"at least 2 values, got \[\]"),
        ({"values": ["a", "b", "a"]}, UserInputError, r"duplicate 'a' \(values\[2\]='a'\)"),
        (
            {"values": [1, "a"]},
            UserInputTypeError,
            r"'c': values\[0\] must be a str for a STRING parameter, got 1",
        ),
        ({"values": "ab"}, UserInputTypeError, "'c': values must be a list of values, got 'ab'"),
        ({"values": 3}, UserInputTypeError, "values must be a list of values, got 3"),
        ({"values": ["a", None]}, UserInputTypeError, r"values\[1\] must be a str.*got None"),
        (
            {"parameter_type": INT, "values": [1, 1.0]},
            UserInputError,
            r"duplicate 1 \(values\[1\]=1\.0\)",
        ),
        (
            {"parameter_type": INT, "values": [1, True]},
            UserInputTypeError,
            r"values\[1\] must be an int.*got True",
        ),
        (
            {"parameter_type": INT, "values": [1, 1.5]},
            UserInputTypeError,
            r"values\[1\] must be an int.*got 1\.5",
        ),
        (
            {"parameter_type": FLOAT, "values": [1.0, math.nan]},
            UserInputError,
            r"values\[1\] must be finite, got nan",
        ),
        (
            {"parameter_type": BOOL, "values": [True, 0]},
            UserInputTypeError,
            r"values\[1\] must be a bool.*got 0",
        ),
        ({"is_ordered": "yes"}, UserInputTypeError, "'c': is_ordered must be a bool, got 'yes'"),
        ({"is_task": None}, UserInputTypeError, "'c': is_task must be a bool, got None"),
    ],
)
def test_choice_errors(kwargs: dict, error: type, match: str) -> None:
    args: dict[str, Any] = {"name": "c", "parameter_type": STRING, "values": ["a", "b"]}
    args.update(kwargs)
    with pytest.raises(error, match=match):
        ChoiceParameter(**args)


@pytest.mark.parametrize(
    ("parameter_type", "values", "value", "valid"),
    [
        (INT, [1, 2], 1, True),
        (INT, [1, 2], 1.0, True),
        (INT, [1, 2], True, False),
        (INT, [1, 2], 1.5, False),
        (INT, [1, 2], 3, False),
        (INT, [1, 2], None, False),
        (INT, [1, 2], "1", False),
        (FLOAT, [0.5, 1.0], 1, True),
        (FLOAT, [0.5, 1.0], np.float64(0.5), True),
        (FLOAT, [0.5, 1.0], True, False),
        (BOOL, [True, False], True, True),
        (BOOL, [True, False], 1, False),
        (STRING, ["a", "b"], "a", True),
        (STRING, ["a", "b"], "c", False),
        (STRING, ["1", "2"], 1, False),
    ],
)
def test_choice_validate_is_type_aware(
    parameter_type: ParameterType, values: list, value: Any, valid: bool
) -> None:
    assert ChoiceParameter("c", parameter_type, values).validate(value) is valid


def test_set_values() -> None:
    c = ChoiceParameter("c", INT, [1, 2])
    assert c.set_values([3, 4.0, 5]) is c
    assert c.values == [3, 4, 5]
    assert c.validate(5) and not c.validate(1)
    with pytest.raises(UserInputError, match="at least 2 values, got \\[3\\]"):
        c.set_values([3])
    with pytest.raises(UserInputError, match="duplicate 4"):
        c.set_values([4, 4])
    assert c.values == [3, 4, 5]


def test_add_values() -> None:
    c = ChoiceParameter("c", FLOAT, [1.0, 2.0])
    assert c.add_values([2, 3, 3.0, 4.5]) is c
    assert c.values == [1.0, 2.0, 3.0, 4.5]
    assert c.validate(3) and c.validate(4.5)
    with pytest.raises(UserInputTypeError, match=r"values\[0\] must be an int or a float.*got 'x'"):
        c.add_values(["x"])
    assert c.values == [1.0, 2.0, 3.0, 4.5]


def test_choice_clone_keeps_every_field() -> None:
    c = ChoiceParameter(
        "c", INT, [1, 2, 3], is_ordered=True, is_task=True, is_fidelity=True, target_value=3
    )
    clone = c.clone()
    assert clone == c and clone is not c
    assert clone.is_ordered and clone.is_task and clone.is_fidelity and clone.target_value == 3
    clone.add_values([4])
    assert c.values == [1, 2, 3]
    assert clone != c


def test_choice_equality_ignores_value_cache_but_not_order() -> None:
    assert ChoiceParameter("c", STRING, ["a", "b"]) == ChoiceParameter("c", STRING, ["a", "b"])
    assert ChoiceParameter("c", STRING, ["a", "b"]) != ChoiceParameter("c", STRING, ["b", "a"])
    assert ChoiceParameter("c", STRING, ["a", "b"]) != ChoiceParameter(
        "c", STRING, ["a", "b"], is_ordered=True
    )


@pytest.mark.parametrize(
    ("parameter", "text"),
    [
        (
            ChoiceParameter("c", STRING, ["a", "b"]),
            "ChoiceParameter(name='c', parameter_type=STRING, values=['a', 'b'])",
        ),
        (
            ChoiceParameter("c", INT, [1, 2], is_ordered=True, is_task=True),
            "ChoiceParameter(name='c', parameter_type=INT, values=[1, 2], "
            "is_ordered=True, is_task=True)",
        ),
        (
            ChoiceParameter("c", STRING, ["a", "b"], is_fidelity=True, target_value="b"),
            "ChoiceParameter(name='c', parameter_type=STRING, values=['a', 'b'], "
            "fidelity=True, target_value='b')",
        ),
    ],
)
def test_choice_repr(parameter: ChoiceParameter, text: str) -> None:
    assert repr(parameter) == text


# ----------------------------------------------------------------------------- FixedParameter


def test_fixed_basic() -> None:
    f = FixedParameter("f", FLOAT, 1)
    assert f.value == 1.0 and type(f.value) is float
    assert f.validate(1) and f.validate(1.0)
    assert not f.validate(True)
    assert not f.validate(2.0)
    assert not f.validate(None)
    b = FixedParameter("b", BOOL, True)
    assert b.validate(True) and not b.validate(1)
    assert FixedParameter("i", INT, 3.0).value == 3


def test_fixed_set_value() -> None:
    f = FixedParameter("f", STRING, "a")
    assert f.set_value("b") is f
    assert f.value == "b" and f.validate("b") and not f.validate("a")
    with pytest.raises(
        UserInputTypeError, match="'f': value must be a str for a STRING parameter, got 1"
    ):
        f.set_value(1)
    assert f.value == "b"


@pytest.mark.parametrize(
    ("parameter_type", "value", "error", "match"),
    [
        (STRING, None, UserInputTypeError, "'f': value must be a str .*got None"),
        (
            INT,
            1.5,
            UserInputTypeError,
            r"'f': value must be an int \(or an integral float\).*got 1\.5",
        ),
        (FLOAT, True, UserInputTypeError, "'f': value must be an int or a float.*got True"),
        (FLOAT, math.inf, UserInputError, "'f': value must be finite, got inf"),
        (BOOL, "True", UserInputTypeError, "'f': value must be a bool.*got 'True'"),
    ],
)
def test_fixed_errors(parameter_type: ParameterType, value: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        FixedParameter("f", parameter_type, value)


def test_fixed_clone_and_repr() -> None:
    f = FixedParameter("f", BOOL, True)
    assert repr(f) == "FixedParameter(name='f', parameter_type=BOOL, value=True)"
    assert f.clone() == f and f.clone() is not f
    g = FixedParameter("g", INT, 2, is_fidelity=True, target_value=2)
    assert (
        repr(g)
        == "FixedParameter(name='g', parameter_type=INT, value=2, fidelity=True, target_value=2)"
    )
    assert g.clone() == g
    assert f != FixedParameter("f", BOOL, False)


def test_range_target_value_must_lie_within_the_bounds() -> None:
    # Found by the front-door fuzzer: a log-scale parameter with target_value=0 was
    # accepted and then broke the Log transform with a raw "math domain error".
    with pytest.raises(UserInputError, match=r"'p0'.*must lie within.*got target_value=0"):
        RangeParameter("p0", ParameterType.FLOAT, 1.0, 2.0, log_scale=True, target_value=0)
    fidelity = RangeParameter(
        "s", ParameterType.FLOAT, 0.0, 1.0, is_fidelity=True, target_value=1.0
    )
    with pytest.raises(UserInputError, match="target_value must lie within"):
        fidelity.update_range(upper=0.5)
    assert fidelity.upper == 1.0  # unchanged after the refusal
