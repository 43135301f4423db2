"""Branin and Hartmann6 (ax.utils.measurement.synthetic_functions)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ax.exceptions import UserInputError, UserInputTypeError
from ax.utils.measurement.synthetic_functions import Branin, Hartmann6, branin, hartmann6


@pytest.mark.parametrize("function", [branin, hartmann6])
def test_value_at_every_known_minimiser_is_fmin(function: object) -> None:
    for point in function.minimums:  # type: ignore[attr-defined]
        assert function(point) == pytest.approx(function.fmin, abs=1e-5)  # type: ignore[attr-defined,operator]


def test_branin_maximum_and_metadata() -> None:
    assert branin(branin.maximums[0]) == pytest.approx(branin.fmax, abs=1e-3)
    assert branin.required_dimensionality == 2 and branin.domain == [(-5.0, 10.0), (0.0, 15.0)]
    assert branin.name == "Branin" and repr(branin) == "Branin()"
    assert hartmann6.required_dimensionality == 6 and hartmann6.fmax == 0.0
    assert isinstance(branin, Branin) and isinstance(hartmann6, Hartmann6)


def test_call_forms() -> None:
    assert branin(math.pi, 2.275) == pytest.approx(0.397887, abs=1e-6)
    assert isinstance(branin([1.0, 2.0]), float)
    batch = branin(np.array([[1.0, 2.0], [math.pi, 2.275], [-5.0, 0.0]]))
    assert isinstance(batch, np.ndarray) and batch.shape == (3,)
    assert batch[0] == pytest.approx(branin(1.0, 2.0))
    h = hartmann6(np.full((4, 6), 0.5))
    assert h.shape == (4,) and np.allclose(h, h[0])


@pytest.mark.parametrize(
    "args, error, match",
    [
        (
            (1.0, 2.0, 3.0),
            UserInputError,
            "Branin: expected one array or 2 numbers, got 3 arguments",
        ),
        (
            ([1.0, 2.0, 3.0],),
            UserInputError,
            r"input must have shape \(2,\) or \(n, 2\), got shape \(3,\)",
        ),
        ((np.zeros((2, 2, 2)),), UserInputError, r"got shape \(2, 2, 2\)"),
        ((["a", "b"],), UserInputTypeError, "Branin: inputs must be numbers, got"),
        (([1.0, math.nan],), UserInputError, r"inputs must be finite, got \[1.0, nan\]"),
    ],
)
def test_bad_inputs(args: tuple, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        branin(*args)


@settings(max_examples=60, deadline=None)
@given(
    x1=st.floats(-5.0, 10.0),
    x2=st.floats(0.0, 15.0),
    h=st.lists(st.floats(0.0, 1.0), min_size=6, max_size=6),
)
def test_values_lie_between_fmin_and_fmax_on_the_domain(x1: float, x2: float, h: list) -> None:
    assert branin.fmin - 1e-6 <= branin(x1, x2) <= branin.fmax + 1e-3
    assert hartmann6.fmin - 1e-6 <= hartmann6(h) <= hartmann6.fmax
