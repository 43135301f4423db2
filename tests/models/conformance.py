"""The conformance suite every random generator of ``ax.models`` must pass.

Each check takes a factory ``make(seed, **kwargs) -> RandomModel`` (``kwargs`` are
constructor arguments such as ``deduplicate=True``) and raises ``AssertionError`` when the
generator misbehaves. A test module runs them all with::

    @pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
    def test_conformance(check):
        check(lambda seed, **kwargs: MyGenerator(seed=seed, **kwargs))

The checks: same seed gives the same points and different seeds different ones; points lie
in ``[0, 1]^d``; linear constraints, fixed features and ``rounding_func`` are honoured;
``deduplicate`` never repeats a point across calls; a generator rebuilt from
``get_state()`` continues exactly; the state is JSON; bad bounds, bad ``n`` and infeasible
constraints raise the project's errors (quickly, with small draw limits) and leave the
generator unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Dict, List

import numpy as np
import pytest

from ax.exceptions import UnsupportedError, UserInputError
from ax.models.random.base import RandomModel

Factory = Callable[..., RandomModel]
"""``make(seed, **constructor_kwargs) -> RandomModel``."""

D = 3
UNIT = [(0.0, 1.0)] * D
# x0 + x1 + x2 <= 1 and x0 >= x1 (written -x0 + x1 <= 0): about 1/12 of the cube.
A = np.array([[1.0, 1.0, 1.0], [-1.0, 1.0, 0.0]])
B = np.array([[1.0], [0.0]])


def _round_to_tenths(x: np.ndarray) -> np.ndarray:
    return np.round(x, 1)


def check_same_seed_same_points(make: Factory) -> None:
    a, _ = make(1).gen(5, UNIT)
    b, _ = make(1).gen(5, UNIT)
    np.testing.assert_array_equal(a, b)


def check_different_seeds_differ(make: Factory) -> None:
    a, _ = make(1).gen(5, UNIT)
    b, _ = make(2).gen(5, UNIT)
    assert not np.array_equal(a, b)


def check_output_shapes(make: Factory) -> None:
    points, weights = make(0).gen(7, UNIT)
    assert points.shape == (7, D) and points.dtype == np.float64
    np.testing.assert_array_equal(weights, np.ones(7))


def check_in_unit_cube(make: Factory) -> None:
    points, _ = make(3).gen(200, UNIT)
    assert np.all(points >= 0.0) and np.all(points <= 1.0)


def check_linear_constraints(make: Factory) -> None:
    points, _ = make(4).gen(50, UNIT, linear_constraints=(A, B))
    assert points.shape == (50, D)
    assert np.all(points @ A.T <= B.T)


def check_fixed_features(make: Factory) -> None:
    points, _ = make(5).gen(20, UNIT, fixed_features={1: 0.25})
    np.testing.assert_array_equal(points[:, 1], np.full(20, 0.25))
    assert len(np.unique(points[:, 0])) == 20  # the free columns are still sampled
    # A fixed dimension's bounds are not required to be (0, 1).
    bounds = [(0.0, 1.0), (5.0, 9.0), (0.0, 1.0)]
    points, _ = make(5).gen(3, bounds, fixed_features={1: 7.0})
    np.testing.assert_array_equal(points[:, 1], [7.0] * 3)


def check_fixed_features_with_constraints(make: Factory) -> None:
    points, _ = make(6).gen(10, UNIT, linear_constraints=(A, B), fixed_features={2: 0.5})
    np.testing.assert_array_equal(points[:, 2], [0.5] * 10)
    assert np.all(points @ A.T <= B.T)


def check_rounding_func(make: Factory) -> None:
    calls: List[np.ndarray] = []

    def rounding(x: np.ndarray) -> np.ndarray:
        calls.append(x.copy())
        return _round_to_tenths(x)

    points, _ = make(7).gen(10, UNIT, rounding_func=rounding)
    assert calls and all(c.shape == (D,) for c in calls)
    np.testing.assert_array_equal(points, np.round(points, 1))


def check_rounding_before_constraints(make: Factory) -> None:
    # Rounding can move a point across a constraint; the check must see the rounded point.
    a = np.array([[1.0, 0.0, 0.0]])
    b = np.array([[0.45]])
    points, _ = make(8).gen(20, UNIT, linear_constraints=(a, b), rounding_func=_round_to_tenths)
    assert np.all(points[:, 0] <= 0.4)


def check_deduplicate_across_calls(make: Factory) -> None:
    g = make(9, deduplicate=True)
    first, _ = g.gen(20, UNIT, rounding_func=_round_to_tenths)
    second, _ = g.gen(20, UNIT, rounding_func=_round_to_tenths)
    rows = {tuple(r) for r in np.vstack([first, second])}
    assert len(rows) == 40
    assert np.asarray(g.get_state()["generated_points"]).shape == (40, D)


def check_deduplicate_exhausts_small_space(make: Factory) -> None:
    # Only 2 x 2 = 4 distinct rounded points exist when x2 is fixed.
    g = make(10, deduplicate=True)
    points, _ = g.gen(4, UNIT, fixed_features={2: 0.0}, rounding_func=np.round)
    assert len({tuple(r) for r in points}) == 4
    with pytest.raises(UnsupportedError, match=r"maximum draws \(50\).*only 0 of the 1"):
        g.gen(
            1,
            UNIT,
            fixed_features={2: 0.0},
            rounding_func=np.round,
            model_gen_options={"max_rs_draws": 50},
        )


def check_resume_from_state(make: Factory) -> None:
    cases: List[Dict[str, Any]] = [{}, {"linear_constraints": (A, B)}]
    for kwargs in cases:
        original = make(11)
        original.gen(4, UNIT, **kwargs)
        rebuilt = type(original)(**original.get_state())
        expected, _ = original.gen(6, UNIT, **kwargs)
        got, _ = rebuilt.gen(6, UNIT, **kwargs)
        np.testing.assert_array_equal(got, expected)


def check_resume_with_deduplication(make: Factory) -> None:
    original = make(12, deduplicate=True)
    original.gen(5, UNIT, rounding_func=_round_to_tenths)
    rebuilt = type(original).from_state(json.loads(json.dumps(original.get_state())))
    expected, _ = original.gen(5, UNIT, rounding_func=_round_to_tenths)
    got, _ = rebuilt.gen(5, UNIT, rounding_func=_round_to_tenths)
    np.testing.assert_array_equal(got, expected)
    assert rebuilt.get_state() == original.get_state()


def check_split_calls_equal_one_call(make: Factory) -> None:
    # The stream moves past the last candidate used and no further, whatever the batches.
    one, _ = make(13).gen(12, UNIT, linear_constraints=(A, B))
    g = make(13)
    parts = [g.gen(k, UNIT, linear_constraints=(A, B))[0] for k in (5, 1, 6)]
    np.testing.assert_array_equal(np.vstack(parts), one)


def check_state_is_plain_json(make: Factory) -> None:
    g = make(14, deduplicate=True)
    g.gen(3, UNIT)
    state = g.get_state()
    assert json.loads(json.dumps(state)) == state
    assert isinstance(state["seed"], int)


def check_seed_none_is_recorded(make: Factory) -> None:
    g = make(None)
    points, _ = g.gen(3, UNIT)
    seed = g.get_state()["seed"]
    assert isinstance(seed, int)
    again, _ = make(seed).gen(3, UNIT)
    np.testing.assert_array_equal(points, again)


def check_bad_bounds(make: Factory) -> None:
    g = make(15)
    with pytest.raises(UserInputError, match=r"dimension 1 must be \(0, 1\), got \(0.0, 2.0\)"):
        g.gen(2, [(0.0, 1.0), (0.0, 2.0), (0.0, 1.0)])
    with pytest.raises(UserInputError, match=r"bounds must be a non-empty list.*\[\]"):
        g.gen(2, [])
    with pytest.raises(UserInputError, match=r"bounds\[0\] must be a \(lower, upper\) pair"):
        g.gen(2, [(0.0, 1.0, 2.0)])  # type: ignore[list-item]
    assert g.init_position == make(15).init_position


BAD_N: List[Any] = [0, -3, 1.5, "2", True, None]


def check_bad_n(make: Factory) -> None:
    g = make(16)
    for n in BAD_N:
        with pytest.raises(UserInputError, match=r"\bn must be"):
            g.gen(n, UNIT)


def check_infeasible_constraints_raise(make: Factory) -> None:
    g = make(17)
    before = g.get_state()
    infeasible = (np.array([[1.0, 0.0, 0.0]]), np.array([[-1.0]]))  # x0 <= -1
    with pytest.raises(
        UnsupportedError,
        match=r"maximum draws \(200\) exhausted.*only 0 of the 3.*infeasible or too tight",
    ):
        g.gen(3, UNIT, linear_constraints=infeasible, model_gen_options={"max_rs_draws": 200})
    assert g.get_state() == before  # a failed gen changes nothing


def check_bad_constraints_and_options(make: Factory) -> None:
    g = make(18)
    with pytest.raises(UserInputError, match=r"A must be k x d with d=3, got shape \(1, 2\)"):
        g.gen(1, UNIT, linear_constraints=(np.ones((1, 2)), np.ones((1, 1))))
    with pytest.raises(UserInputError, match=r"b must be k x 1 with k=1, got shape \(2,\)"):
        g.gen(1, UNIT, linear_constraints=(np.ones((1, 3)), np.ones(2)))
    with pytest.raises(UserInputError, match=r"fixed_features key must be .* < d=3, got 5"):
        g.gen(1, UNIT, fixed_features={5: 0.0})
    with pytest.raises(UserInputError, match=r"unknown model_gen_options \['max_draws'\]"):
        g.gen(1, UNIT, model_gen_options={"max_draws": 3})
    with pytest.raises(UserInputError, match=r"max_rs_draws'\] must be >= 1, got .*=0"):
        g.gen(1, UNIT, model_gen_options={"max_rs_draws": 0})


CHECKS: List[Callable[[Factory], None]] = [
    check_same_seed_same_points,
    check_different_seeds_differ,
    check_output_shapes,
    check_in_unit_cube,
    check_linear_constraints,
    check_fixed_features,
    check_fixed_features_with_constraints,
    check_rounding_func,
    check_rounding_before_constraints,
    check_deduplicate_across_calls,
    check_deduplicate_exhausts_small_space,
    check_resume_from_state,
    check_resume_with_deduplication,
    check_split_calls_equal_one_call,
    check_state_is_plain_json,
    check_seed_none_is_recorded,
    check_bad_bounds,
    check_bad_n,
    check_infeasible_constraints_raise,
    check_bad_constraints_and_options,
]
"""Every check of the suite, in a stable order."""


__all__ = ["CHECKS", "Factory"]
