from __future__ import annotations

from typing import Any

import pytest

from ax.core.arm import Arm
from ax.core.base import Base
from ax.core.parameter import ChoiceParameter, FixedParameter, RangeParameter
from ax.core.parameter_constraint import OrderConstraint, ParameterConstraint, SumConstraint
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType
from ax.exceptions import UserInputError, UserInputTypeError

FLOAT = ParameterType.FLOAT
INT = ParameterType.INT
STRING = ParameterType.STRING
BOOL = ParameterType.BOOL


def make_parameters() -> dict[str, Any]:
    return {
        "x1": RangeParameter("x1", FLOAT, 0.0, 1.0),
        "x2": RangeParameter("x2", FLOAT, 0.0, 1.0),
        "n": RangeParameter("n", INT, 1, 10),
        "c": ChoiceParameter("c", STRING, ["a", "b"]),
        "f": FixedParameter("f", BOOL, True),
    }


def make_space() -> SearchSpace:
    p = make_parameters()
    return SearchSpace(
        list(p.values()),
        [
            OrderConstraint(p["x1"], p["x2"]),
            SumConstraint([p["x1"], p["x2"]], is_upper_bound=True, bound=1.5),
            ParameterConstraint({"x2": 1.0, "n": 0.1}, bound=1.5),
        ],
    )


def point(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"x1": 0.2, "x2": 0.6, "n": 3, "c": "a", "f": True}
    values.update(overrides)
    return values


# ----------------------------------------------------------------------------- construction


def test_basic_properties() -> None:
    space = make_space()
    assert isinstance(space, Base)
    assert list(space.parameters) == ["x1", "x2", "n", "c", "f"]
    assert list(space.tunable_parameters) == ["x1", "x2", "n", "c"]
    assert len(space.parameter_constraints) == 3
    space.parameters.pop("x1")
    space.parameter_constraints.clear()
    assert "x1" in space.parameters and len(space.parameter_constraints) == 3
    assert SearchSpace([]).parameters == {}


def test_duplicate_parameter_names() -> None:
    with pytest.raises(UserInputError, match="parameter names must be unique, got duplicate 'x1'"):
        SearchSpace([RangeParameter("x1", FLOAT, 0, 1), RangeParameter("x1", FLOAT, 0, 2)])


@pytest.mark.parametrize(
    ("parameters", "match"),
    [
        (["x1"], "expected a Parameter, got 'x1'"),
        ("x1", "parameters must be a list, got 'x1'"),
    ],
)
def test_parameters_must_be_parameters(parameters: Any, match: str) -> None:
    with pytest.raises(UserInputTypeError, match=f"^SearchSpace: .*{match}"):
        SearchSpace(parameters)


def test_constraint_on_unknown_parameter() -> None:
    p = make_parameters()
    with pytest.raises(
        UserInputError,
        match=r"constraint ParameterConstraint\(1\.0\*x1 \+ 1\.0\*zz <= 1\.0\) refers to "
        r"parameter 'zz', which is not in the search space",
    ):
        SearchSpace(list(p.values()), [ParameterConstraint({"x1": 1.0, "zz": 1.0}, 1.0)])
    other = RangeParameter("zz", FLOAT, 0, 1)
    with pytest.raises(
        UserInputError, match=r"OrderConstraint\(x1 <= zz\) refers to parameter 'zz'"
    ):
        SearchSpace(list(p.values()), [OrderConstraint(p["x1"], other)])


def test_constraint_parameter_must_equal_definition() -> None:
    p = make_parameters()
    stale = RangeParameter("x2", FLOAT, 0.0, 2.0)
    with pytest.raises(
        UserInputError,
        match=r"SumConstraint\(x1 \+ x2 <= 1\.0\) holds RangeParameter\(name='x2', "
        r"parameter_type=FLOAT, range=\[0\.0, 2\.0\]\), which differs",
    ):
        SearchSpace(list(p.values()), [SumConstraint([p["x1"], stale], True, 1.0)])
    # An equal (but not identical) parameter is fine.
    SearchSpace(list(p.values()), [OrderConstraint(p["x1"], p["x2"].clone())])


def test_general_constraint_needs_numeric_parameters() -> None:
    p = make_parameters()
    with pytest.raises(
        UserInputError,
        match="refers to parameter 'c' of type STRING; constraints need INT or FLOAT",
    ):
        SearchSpace(list(p.values()), [ParameterConstraint({"c": 1.0}, 1.0)])


def test_constraints_must_be_constraints() -> None:
    with pytest.raises(UserInputTypeError, match="expected a ParameterConstraint, got 'x1 <= x2'"):
        SearchSpace(list(make_parameters().values()), ["x1 <= x2"])  # type: ignore[list-item]


# ----------------------------------------------------------------------------- mutation


def test_add_parameter() -> None:
    space = make_space()
    space.add_parameter(RangeParameter("z", FLOAT, 0, 1))
    assert list(space.parameters)[-1] == "z"
    with pytest.raises(UserInputError, match="parameter 'z' already exists"):
        space.add_parameter(RangeParameter("z", FLOAT, 0, 2))
    with pytest.raises(UserInputTypeError, match="expected a Parameter, got 3"):
        space.add_parameter(3)  # type: ignore[arg-type]


def test_update_parameter() -> None:
    space = make_space()
    space.update_parameter(ChoiceParameter("c", STRING, ["a", "b", "z"]))
    assert space.check_membership(point(c="z"))
    with pytest.raises(UserInputError, match="cannot update parameter 'zz', which does not exist"):
        space.update_parameter(RangeParameter("zz", FLOAT, 0, 1))
    with pytest.raises(
        UserInputError,
        match="cannot change the parameter_type of parameter 'n' from INT to FLOAT",
    ):
        space.update_parameter(RangeParameter("n", FLOAT, 0, 1))


def test_update_parameter_rebuilds_constraints() -> None:
    space = make_space()
    new_x2 = RangeParameter("x2", FLOAT, 0.0, 5.0)
    space.update_parameter(new_x2)
    order, total, general = space.parameter_constraints
    assert isinstance(order, OrderConstraint) and order.upper_parameter is new_x2
    assert isinstance(total, SumConstraint) and total.parameters[1] is new_x2
    assert general == ParameterConstraint({"x2": 1.0, "n": 0.1}, bound=1.5)
    assert space.check_membership(point(x2=1.2, n=1))


def test_refused_update_changes_nothing() -> None:
    space = make_space()
    before = space.clone()
    with pytest.raises(UserInputError, match="parameter 'x2' has log_scale=True"):
        space.update_parameter(RangeParameter("x2", FLOAT, 0.1, 1.0, log_scale=True))
    assert space == before


def test_set_and_add_parameter_constraints() -> None:
    space = make_space()
    p = space.parameters
    space.set_parameter_constraints([OrderConstraint(p["x2"], p["x1"])])
    assert space.parameter_constraints == [OrderConstraint(p["x2"], p["x1"])]
    space.add_parameter_constraints([ParameterConstraint({"n": 1.0}, 5.0)])
    assert len(space.parameter_constraints) == 2
    bad = [ParameterConstraint({"x1": 1.0}, 1.0), ParameterConstraint({"q": 1.0}, 1.0)]
    with pytest.raises(UserInputError, match="refers to parameter 'q'"):
        space.add_parameter_constraints(bad)
    with pytest.raises(UserInputError, match="refers to parameter 'q'"):
        space.set_parameter_constraints(bad)
    assert len(space.parameter_constraints) == 2
    space.set_parameter_constraints([])
    assert space.parameter_constraints == []


# ----------------------------------------------------------------------------- membership


def test_check_membership_accepts_valid_points() -> None:
    space = make_space()
    assert space.check_membership(point())
    assert space.check_membership(point(n=4.0, x1=0, x2=1))  # integral floats / ints are fine
    space.check_membership(point(), raise_error=True)


@pytest.mark.parametrize(
    ("parameterization", "error", "match"),
    [
        (
            {"x1": 0.2, "n": 3, "c": "a", "f": True},
            UserInputError,
            r"parameterization has missing parameter\(s\) \['x2'\]",
        ),
        (
            point(extra=1.0),
            UserInputError,
            r"parameterization has unknown parameter\(s\) \['extra'\]",
        ),
        (
            {"x1": 0.2, "x2": 0.6, "n": 3, "c": "a", "zz": True},
            UserInputError,
            r"missing parameter\(s\) \['f'\] and unknown parameter\(s\) \['zz'\]",
        ),
        (
            point(x2=1.5),
            UserInputError,
            r"value 1\.5 of parameter 'x2' is out of the domain of RangeParameter\(name='x2'",
        ),
        (point(n=11), UserInputError, "value 11 of parameter 'n' is out of the domain"),
        (point(c="z"), UserInputError, "value 'z' of parameter 'c' is out of the domain"),
        (point(f=False), UserInputError, "value False of parameter 'f' is out of the domain"),
        (
            point(n=2.5),
            UserInputTypeError,
            "value 2.5 of parameter 'n' has type float, which is not valid for RangeParameter",
        ),
        (point(x1="0.2"), UserInputTypeError, "value '0.2' of parameter 'x1' has type str"),
        (point(x1=True), UserInputTypeError, "value True of parameter 'x1' has type bool"),
        (point(x1=None), UserInputError, r"parameter 'x1' has no value \(None\)"),
        (
            point(x1=0.7, x2=0.6),
            UserInputError,
            r"violates constraint OrderConstraint\(x1 <= x2\) with x1=0\.7, x2=0\.6",
        ),
        (
            point(x1=0.75, x2=0.8),
            UserInputError,
            r"violates constraint SumConstraint\(x1 \+ x2 <= 1\.5\) with x1=0\.75, x2=0\.8",
        ),
        (
            point(x2=0.9, n=7),
            UserInputError,
            r"violates constraint ParameterConstraint\(1\.0\*x2 \+ 0\.1\*n <= 1\.5\) with "
            r"x2=0\.9, n=7",
        ),
    ],
)
def test_check_membership_failures(parameterization: dict, error: type, match: str) -> None:
    space = make_space()
    assert space.check_membership(parameterization) is False
    with pytest.raises(error, match=f"^SearchSpace: .*{match}"):
        space.check_membership(parameterization, raise_error=True)
    with pytest.raises(error, match=match):
        space.validate_arm(parameterization)


def test_check_membership_partial() -> None:
    space = make_space()
    partial: dict[str, Any] = {"x1": 0.3, "c": "b"}
    assert not space.check_membership(partial)
    assert space.check_membership(partial, check_all_parameters_present=False)
    # Constraints whose parameters are all present are still checked.
    violating = {"x1": 0.9, "x2": 0.8}
    assert not space.check_membership(violating, check_all_parameters_present=False)
    # Unknown names and bad values still fail.
    assert not space.check_membership({"zz": 1.0}, check_all_parameters_present=False)
    with pytest.raises(UserInputError, match="out of the domain"):
        space.check_membership({"x1": 2.0}, raise_error=True, check_all_parameters_present=False)


def test_validate_arm() -> None:
    space = make_space()
    space.validate_arm(Arm(point()))
    space.validate_arm(point())
    with pytest.raises(UserInputError, match="value 20 of parameter 'n' is out of the domain"):
        space.validate_arm(Arm(point(n=20), name="0_0"))


# ----------------------------------------------------------------------------- types


def test_check_types() -> None:
    space = make_space()
    assert space.check_types(point())
    assert space.check_types(point(x1=5.0, n=20))  # out of range but well typed
    assert space.check_types(point(x1=None))
    assert not space.check_types(point(x1=None), allow_none=False)
    assert not space.check_types(point(n=2.5))
    assert not space.check_types({"x1": 0.5})


@pytest.mark.parametrize(
    ("parameterization", "allow_none", "error", "match"),
    [
        (
            point(x1=None),
            False,
            UserInputTypeError,
            "value None of parameter 'x1' has type NoneType",
        ),
        (point(c=1), True, UserInputTypeError, "value 1 of parameter 'c' has type int"),
        ({"x1": 0.5}, True, UserInputError, r"missing parameter\(s\) \['x2', 'n', 'c', 'f'\]"),
        (point(q=1), True, UserInputError, r"unknown parameter\(s\) \['q'\]"),
    ],
)
def test_check_types_errors(
    parameterization: dict, allow_none: bool, error: type, match: str
) -> None:
    with pytest.raises(error, match=f"^SearchSpace: .*{match}"):
        make_space().check_types(parameterization, allow_none=allow_none, raise_error=True)


# ----------------------------------------------------------------------------- arms


def test_cast_arm() -> None:
    space = make_space()
    arm = Arm({"x1": 1, "n": 2.6, "c": "a", "f": True, "extra": 7}, name="0_0")
    cast = space.cast_arm(arm)
    assert cast.parameters == {"x1": 1.0, "n": 3, "c": "a", "f": True, "extra": 7}
    assert type(cast.parameters["x1"]) is float and type(cast.parameters["n"]) is int
    assert cast.name == "0_0"
    assert arm.parameters["n"] == 2.6  # the original is untouched
    assert not space.cast_arm(Arm({"n": 2.0})).has_name
    with pytest.raises(UserInputTypeError, match="'n': cannot cast 'abc' to INT"):
        space.cast_arm(Arm({"n": "abc"}))


def test_construct_arm() -> None:
    space = make_space()
    arm = space.construct_arm({"x1": 0.5, "c": "b"}, name="manual")
    assert arm.parameters == {"x1": 0.5, "x2": None, "n": None, "c": "b", "f": None}
    assert arm.name == "manual"
    assert space.construct_arm({"x1": None}).parameters["x1"] is None
    with pytest.raises(UserInputError, match="parameter 'q' is not in the search space"):
        space.construct_arm({"q": 1.0})
    with pytest.raises(UserInputError, match="value 2.0 of parameter 'x1' is out of the domain"):
        space.construct_arm({"x1": 2.0})
    with pytest.raises(UserInputTypeError, match="value 'a' of parameter 'n' has type str"):
        space.construct_arm({"n": "a"})


def test_out_of_design_arm() -> None:
    arm = make_space().out_of_design_arm()
    assert arm.parameters == {"x1": None, "x2": None, "n": None, "c": None, "f": None}
    assert not arm.has_name


# ----------------------------------------------------------------------------- clone, repr, eq


def test_clone_is_deep_and_consistent() -> None:
    space = make_space()
    clone = space.clone()
    assert clone == space and clone is not space
    for name, parameter in clone.parameters.items():
        assert parameter is not space.parameters[name]
    order = clone.parameter_constraints[0]
    assert isinstance(order, OrderConstraint)
    assert order.lower_parameter is clone.parameters["x1"]
    clone.update_parameter(RangeParameter("x1", FLOAT, 0.0, 0.5))
    assert space.parameters["x1"].upper == 1.0  # type: ignore[attr-defined]
    assert clone != space


def test_equality() -> None:
    assert make_space() == make_space()
    other = make_space()
    other.set_parameter_constraints([])
    assert other != make_space()
    p = make_parameters()
    reordered = SearchSpace([p["x2"], p["x1"], p["n"], p["c"], p["f"]])
    plain = SearchSpace(list(p.values()))
    assert reordered == plain  # dicts compare by key


def test_repr() -> None:
    x = RangeParameter("x", FLOAT, 0.0, 1.0)
    y = RangeParameter("y", FLOAT, 0.0, 1.0)
    space = SearchSpace([x, y], [OrderConstraint(x, y)])
    assert repr(space) == (
        "SearchSpace(parameters=[RangeParameter(name='x', parameter_type=FLOAT, range=[0.0, 1.0]), "
        "RangeParameter(name='y', parameter_type=FLOAT, range=[0.0, 1.0])], "
        "parameter_constraints=[OrderConstraint(x <= y)])"
    )
