from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ax.core.arm import Arm
from ax.core.base import Base
from ax.exceptions import ImmutabilityError, UserInputError, UserInputTypeError


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({"x1": 0.5, "x2": 1}, "d60fd9316df151631df2fd47d798b659"),
        ({"y": 0.25, "x": 0.75, "z": 75}, "e404759576329f580463cc3e73874dcb"),
        ({"x": 1.0}, "24cbff03c16147a44d4a86c0bc0655c4"),
    ],
)
def test_signature_test_vectors(parameters: dict, expected: str) -> None:
    assert Arm(parameters).signature == expected
    assert Arm.md5hash(parameters) == expected


def test_signature_ignores_key_order_but_not_value_type() -> None:
    assert Arm({"a": 1, "b": 2.0}).signature == Arm({"b": 2.0, "a": 1}).signature
    assert Arm({"x": 1}).signature != Arm({"x": 1.0}).signature
    assert Arm({"x": 1}).signature != Arm({"x": True}).signature


def test_numpy_scalars_become_python_scalars() -> None:
    raw: dict[str, Any] = {
        "f": np.float64(0.5),
        "i": np.int64(1),
        "b": np.bool_(True),
        "s": np.str_("a"),
    }
    arm = Arm(raw)
    params = arm.parameters
    assert params == {"f": 0.5, "i": 1, "b": True, "s": "a"}
    assert [type(v) for v in params.values()] == [float, int, bool, str]
    assert arm.signature == Arm({"f": 0.5, "i": 1, "b": True, "s": "a"}).signature
    assert Arm.md5hash({"x1": np.float32(0.5), "x2": np.int8(1)}) == (
        "d60fd9316df151631df2fd47d798b659"
    )


def test_parameters_is_a_copy() -> None:
    source = {"x": 1.0}
    arm = Arm(source)
    source["x"] = 2.0
    assert arm.parameters == {"x": 1.0}
    arm.parameters["x"] = 3.0
    assert arm.parameters == {"x": 1.0}


def test_none_values_are_allowed() -> None:
    arm = Arm({"x": None})
    assert arm.parameters == {"x": None}
    assert len(arm.signature) == 32


def test_name_unset_raises() -> None:
    arm = Arm({"x": 1.0})
    assert not arm.has_name
    with pytest.raises(UserInputError, match="Arm's name is None"):
        _ = arm.name


def test_name_set_once() -> None:
    arm = Arm({"x": 1.0})
    arm.name = "0_0"
    assert arm.has_name
    assert arm.name == "0_0"
    arm.name = "0_0"  # the same name again is a no-op
    with pytest.raises(ImmutabilityError, match="'0_0'.*immutable.*'1_0'"):
        arm.name = "1_0"
    assert arm.name == "0_0"


def test_name_in_constructor() -> None:
    arm = Arm({"x": 1.0}, name="status_quo")
    assert arm.name == "status_quo"
    with pytest.raises(ImmutabilityError, match="'other'"):
        arm.name = "other"


@pytest.mark.parametrize("bad", [1, ["a"]])
def test_name_must_be_str(bad: object) -> None:
    with pytest.raises(
        UserInputTypeError, match=f"name must be a str, got {bad!r}".replace("[", r"\[")
    ):
        Arm({"x": 1.0}, name=bad)  # type: ignore[arg-type]


def test_name_must_not_be_empty() -> None:
    with pytest.raises(UserInputError, match="name must be a non-empty str, got ''"):
        Arm({"x": 1.0}, name="")


def test_name_or_short_signature() -> None:
    arm = Arm({"x1": 0.5, "x2": 1})
    assert arm.name_or_short_signature == "b659"
    arm.name = "0_1"
    assert arm.name_or_short_signature == "0_1"


def test_clone() -> None:
    arm = Arm({"x": 1.0}, name="0_0")
    clone = arm.clone()
    assert clone == arm
    assert clone is not arm
    assert clone.name == "0_0"
    cleared = arm.clone(clear_name=True)
    assert not cleared.has_name
    assert cleared.parameters == arm.parameters
    assert cleared != arm
    cleared.name = "1_0"  # the clone's name is independent of the original's
    assert arm.name == "0_0"
    assert not Arm({"x": 1.0}).clone().has_name


def test_repr() -> None:
    assert repr(Arm({"b": 1, "a": "s"})) == "Arm(parameters={'b': 1, 'a': 's'})"
    assert repr(Arm({"x": 0.5}, name="0_0")) == "Arm(name='0_0', parameters={'x': 0.5})"


def test_equality_and_hash() -> None:
    a = Arm({"x": 1.0, "y": "a"})
    b = Arm({"y": "a", "x": 1.0})
    assert isinstance(a, Base)
    assert a == b
    assert hash(a) == hash(b) == hash(int(a.signature, 16))
    assert len({a, b}) == 1
    assert a != Arm({"x": 1.0, "y": "b"})
    assert a != Arm({"x": 1, "y": "a"})  # 1 and 1.0 have different signatures
    assert a != {"x": 1.0, "y": "a"}
    named = Arm({"x": 1.0, "y": "a"}, name="0_0")
    assert named != a
    assert named == Arm({"x": 1.0, "y": "a"}, name="0_0")
    assert named != Arm({"x": 1.0, "y": "a"}, name="0_1")


def test_signature_cache_does_not_affect_equality() -> None:
    a = Arm({"x": 0.5})
    b = Arm({"x": 0.5})
    _ = a.signature  # cached on a only
    assert a == b
    assert "_signature" in Arm._eq_exclude


def test_parameters_must_be_a_mapping() -> None:
    with pytest.raises(UserInputTypeError, match=r"parameters must be a mapping.*\[1, 2\]"):
        Arm([1, 2])  # type: ignore[arg-type]


def test_parameter_names_must_be_str() -> None:
    with pytest.raises(UserInputTypeError, match="parameter names must be str, got 1"):
        Arm({1: 0.5})  # type: ignore[dict-item]


@pytest.mark.parametrize("bad", [[1.0], {"a": 1}, object(), np.array([1.0, 2.0])])
def test_parameter_values_must_be_scalars(bad: object) -> None:
    with pytest.raises(UserInputTypeError, match="value of parameter 'x' must be a str"):
        Arm({"x": bad})  # type: ignore[dict-item]
