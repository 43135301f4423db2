"""Branin, Hartmann6 and the augmented functions (ax.benchmark.synthetic_functions)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ax.benchmark.synthetic_functions import (
    Aug_Branin,
    Aug_Hartmann6,
    Branin,
    FromBotorch,
    Hartmann6,
    aug_branin,
    aug_hartmann6,
    branin,
    from_botorch,
    hartmann6,
)
from ax.exceptions import UnsupportedError, UserInputError, UserInputTypeError


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


# ---------------------------------------------------------------------------- issue 15
def test_keyword_calls_as_in_ax() -> None:
    assert branin(x1=math.pi, x2=2.275) == pytest.approx(0.397887, abs=1e-6)
    assert branin(x2=2.0, x1=1.0) == branin(1.0, 2.0)  # x1 ... xd are put in index order
    assert branin(X=np.array([1.0, 2.0])) == branin(1.0, 2.0)
    batch = branin(X=np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert isinstance(batch, np.ndarray) and batch.shape == (2,)
    point = dict(zip([f"x{i}" for i in range(1, 7)], hartmann6.minimums[0]))
    assert hartmann6(**point) == pytest.approx(hartmann6.fmin, abs=1e-5)
    with pytest.raises(UserInputError, match="all by position or all by keyword"):
        branin(1.0, x2=2.0)
    with pytest.raises(UserInputError, match=r"expected 2 keyword inputs .*got 3"):
        branin(x1=1.0, x2=2.0, x3=3.0)
    with pytest.raises(UserInputError, match=r"keyword inputs must be x1 \.\.\. x2"):
        branin(x1=1.0, x3=2.0)


def test_augmented_functions_equal_the_originals_at_fidelity_one() -> None:
    rng = np.random.default_rng(0)
    X6 = rng.random((20, 6))
    full = np.hstack([X6, np.ones((20, 1))])
    np.testing.assert_allclose(aug_hartmann6(full), hartmann6(X6), rtol=0, atol=1e-12)
    X2 = rng.random((20, 2)) * [15.0, 15.0] - [5.0, 0.0]
    np.testing.assert_allclose(
        aug_branin(np.hstack([X2, np.ones((20, 1))])), branin(X2), rtol=0, atol=1e-12
    )
    for point in aug_hartmann6.minimums:
        assert aug_hartmann6(point) == pytest.approx(aug_hartmann6.fmin, abs=1e-5)
    for point in aug_branin.minimums:
        assert aug_branin(point) == pytest.approx(aug_branin.fmin, abs=1e-5)
    assert aug_branin.required_dimensionality == 3 and aug_hartmann6.domain == [(0.0, 1.0)] * 7
    assert aug_branin.name == "Aug_Branin" and isinstance(aug_hartmann6, Aug_Hartmann6)
    assert isinstance(aug_branin, Aug_Branin)


def test_augmented_functions_match_botorch_at_every_fidelity() -> None:
    import torch
    from botorch.test_functions.multi_fidelity import AugmentedBranin, AugmentedHartmann

    rng = np.random.default_rng(1)
    X = rng.random((30, 7))
    expected = AugmentedHartmann().evaluate_true(torch.tensor(X)).numpy()
    np.testing.assert_allclose(aug_hartmann6(X), expected, atol=1e-6)  # BoTorch: float32 P
    Xb = rng.random((30, 3)) * [15.0, 15.0, 1.0] - [5.0, 0.0, 0.0]
    expected = AugmentedBranin().evaluate_true(torch.tensor(Xb)).numpy()
    np.testing.assert_allclose(aug_branin(Xb), expected, atol=1e-9)
    # a cheaper fidelity is a different (biased) function
    assert aug_hartmann6(list(X[0, :6]) + [0.0]) != aug_hartmann6(list(X[0, :6]) + [1.0])


def test_from_botorch_wraps_a_botorch_function() -> None:
    from botorch.test_functions import Ackley, Hartmann

    wrapped = FromBotorch(Hartmann(dim=6))
    assert wrapped.name == "FromBotorch_Hartmann" and wrapped.required_dimensionality == 6
    assert wrapped.domain == [(0.0, 1.0)] * 6
    assert wrapped.fmin == pytest.approx(hartmann6.fmin, abs=1e-4)
    X = np.random.default_rng(2).random((5, 6))
    np.testing.assert_allclose(wrapped(X), hartmann6(X), atol=1e-6)
    assert wrapped(x1=0.1, x2=0.2, x3=0.3, x4=0.4, x5=0.5, x6=0.6) == pytest.approx(
        hartmann6([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), abs=1e-6
    )
    assert isinstance(from_botorch(Ackley(dim=3)), FromBotorch)
    assert repr(wrapped) == "FromBotorch(Hartmann)"
    with pytest.raises(UnsupportedError, match="does not specify fmax"):
        _ = wrapped.fmax
    with pytest.raises(UserInputTypeError, match="expected a BoTorch SyntheticTestFunction"):
        FromBotorch(hartmann6)  # type: ignore[arg-type]
