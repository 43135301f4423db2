"""ax.utils.validation: the shared type and range checks."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from ax.exceptions import UserInputError, UserInputTypeError
from ax.utils.validation import (
    check_bool,
    check_fixed_features,
    check_float,
    check_int,
    check_int_at_least,
    check_optional_int,
    is_int,
)


@pytest.mark.parametrize("value", [3, np.int64(3), np.uint8(3)])
def test_check_int_accepts_python_and_numpy_integers(value: Any) -> None:
    result = check_int("Owner", "n", value, minimum=1)
    assert result == 3 and type(result) is int


@pytest.mark.parametrize("value", [True, np.bool_(True), 2.0, "2", None])
def test_check_int_refuses_other_types_naming_owner_field_and_value(value: Any) -> None:
    assert not is_int(value)
    with pytest.raises(UserInputTypeError, match=rf"^Owner: n must be an int, got {value!r} \("):
        check_int("Owner", "n", value)


def test_check_int_range_and_error_class_choice() -> None:
    with pytest.raises(UserInputError, match=r"^Owner: n must be >= 1, got n=0$"):
        check_int("Owner", "n", 0, minimum=1)
    with pytest.raises(UserInputError, match="n must be an integer, got 'x'") as info:
        check_int("Owner", "n", "x", type_error=UserInputError, noun="an integer")
    assert not isinstance(info.value, UserInputTypeError)
    assert check_optional_int("Owner", "seed", None, 0) is None
    with pytest.raises(UserInputTypeError, match="seed must be an int or None, got 1.5"):
        check_optional_int("Owner", "seed", 1.5, 0)


def test_check_int_at_least_one_message() -> None:
    assert check_int_at_least("Owner", "n", np.int32(2), 1) == 2
    for bad in (0, 1.0, True):
        with pytest.raises(UserInputError, match=rf"^Owner: n must be an int >= 1, got {bad!r}$"):
            check_int_at_least("Owner", "n", bad, 1)
    with pytest.raises(UserInputError, match=r"must be an int >= 0 or None, got -1"):
        check_int_at_least("Owner", "k", -1, 0, none_allowed=True)


def test_check_bool() -> None:
    assert check_bool("Owner", "flag", np.bool_(False)) is False
    for bad in (1, 0, "yes", None):
        with pytest.raises(UserInputTypeError, match=rf"^Owner: flag must be a bool, got {bad!r}"):
            check_bool("Owner", "flag", bad)
    with pytest.raises(UserInputError):
        check_bool("Owner", "flag", 1, type_error=UserInputError)


def test_check_float() -> None:
    assert check_float("Owner", "x", np.float32(0.5), 0) == 0.5
    with pytest.raises(UserInputError, match=r"x must be finite and > 0, got x=0.0"):
        check_float("Owner", "x", 0, 0, strict=True)
    with pytest.raises(UserInputError, match=r"x must be finite and >= 0, got x=-1.0"):
        check_float("Owner", "x", -1, 0)
    with pytest.raises(UserInputError, match=r"x must be finite, got x=nan"):
        check_float("Owner", "x", math.nan)
    with pytest.raises(UserInputTypeError, match=r"x must be a number of seconds, got True"):
        check_float("Owner", "x", True, noun="a number of seconds")


def test_check_fixed_features() -> None:
    assert check_fixed_features("G", None, 2) == {}
    assert check_fixed_features("G", {np.int64(1): 1}, 2) == {1: 1.0}
    assert check_fixed_features("G", {0: "a"}, 1, finite_values=False) == {0: "a"}
    with pytest.raises(UserInputError, match=r"G: fixed_features must be a dict"):
        check_fixed_features("G", [0.5], 2)
    with pytest.raises(UserInputError, match=r"^G: fixed_features key must be < d=2, got 2$"):
        check_fixed_features("G", {2: 0.5}, 2)
    with pytest.raises(UserInputError, match=r"key must be a dimension index < d=2, got 3$"):
        check_fixed_features("G", {3: 0.5}, 2, index_name="dimension")
    with pytest.raises(UserInputError, match=r"key must be a parameter index < 2, got 5"):
        check_fixed_features("G", {5: "a"}, 2, index_name="parameter", size_name="")
    with pytest.raises(UserInputError, match=r"fixed_features key must be >= 0"):
        check_fixed_features("G", {-1: 0.5}, 2)
    with pytest.raises(UserInputError, match=r"fixed_features\[0\] must be finite"):
        check_fixed_features("G", {0: math.inf}, 2)


def test_repeat_field_false_shows_the_value_as_given() -> None:
    with pytest.raises(UserInputError, match=r"^Loop: total_trials must be >= 1, got 0$"):
        check_int("Loop", "total_trials", 0, 1, repeat_field=False)
    with pytest.raises(UserInputError, match=r"^Loop: wait_time must be finite and >= 0, got -1$"):
        check_float("Loop", "wait_time", -1, 0, repeat_field=False)
