"""ax.plot.hypervolume: Pareto masks and exact hypervolumes in numpy."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from ax.exceptions import UserInputError
from ax.plot.hypervolume import (
    hypervolume,
    hypervolume_trace,
    infer_reference_point,
    pareto_mask,
)


def _inclusion_exclusion(Y: np.ndarray, ref: np.ndarray) -> float:
    """Exact hypervolume by inclusion-exclusion over subsets (small n only)."""
    total = 0.0
    n = Y.shape[0]
    for k in range(1, n + 1):
        for subset in itertools.combinations(range(n), k):
            corner = Y[list(subset)].min(axis=0)
            total += (-1) ** (k + 1) * float(np.prod(np.clip(corner - ref, 0.0, None)))
    return total


def test_pareto_mask_keeps_non_dominated_and_duplicates() -> None:
    Y = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [0.2, 0.2], [0.5, 0.5]])
    assert pareto_mask(Y).tolist() == [True, True, True, False, True]
    assert pareto_mask(np.zeros((0, 2))).tolist() == []


def test_two_objective_hypervolume_by_hand() -> None:
    Y = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [0.2, 0.2]])
    assert hypervolume(Y, [0.0, 0.0]) == pytest.approx(0.25)
    # Shifted by +1: x in [0, 1] up to 2, [1, 1.5] up to 1.5, [1.5, 2] up to 1.
    assert hypervolume(Y, [-1.0, -1.0]) == pytest.approx(2.0 + 0.75 + 0.5)
    # Points not better than the reference point in every objective add nothing.
    assert hypervolume(Y, [2.0, 2.0]) == 0.0
    assert hypervolume(np.zeros((0, 2)), [0.0, 0.0]) == 0.0


@pytest.mark.parametrize("m", [2, 3, 4])
def test_hypervolume_matches_inclusion_exclusion(m: int) -> None:
    rng = np.random.default_rng(m)
    Y = rng.random((7, m))
    ref = np.full(m, 0.1)
    assert hypervolume(Y, ref) == pytest.approx(_inclusion_exclusion(Y, ref), rel=1e-12)


def test_trace_is_non_decreasing_and_ends_at_the_total() -> None:
    rng = np.random.default_rng(0)
    Y = rng.random((12, 3))
    trace = hypervolume_trace(Y, [0.0, 0.0, 0.0])
    assert np.all(np.diff(trace) >= -1e-15)
    assert trace[-1] == pytest.approx(hypervolume(Y, [0.0, 0.0, 0.0]))


def test_infer_reference_point_is_below_the_nadir() -> None:
    Y = np.array([[1.0, 0.0], [0.0, 1.0], [0.2, 0.2]])
    assert infer_reference_point(Y).tolist() == pytest.approx([-0.1, -0.1])
    single = infer_reference_point(np.array([[2.0, -4.0]]))
    assert single.tolist() == pytest.approx([1.8, -4.4])
    with pytest.raises(UserInputError, match="Y has no rows"):
        infer_reference_point(np.zeros((0, 2)))


def test_bad_input_is_named() -> None:
    with pytest.raises(UserInputError, match=r"n x m array, got shape \(3,\)"):
        pareto_mask(np.ones(3))
    with pytest.raises(UserInputError, match="Y must be finite"):
        hypervolume(np.array([[np.nan, 1.0]]), [0.0, 0.0])
    with pytest.raises(UserInputError, match="ref has 3 values but Y has 2 columns"):
        hypervolume(np.ones((2, 2)), [0.0, 0.0, 0.0])


@pytest.mark.parametrize("m", [2, 3])
def test_pareto_mask_agrees_with_brute_force_and_add_to_front(m: int) -> None:
    from ax.plot.hypervolume import add_to_front

    rng = np.random.default_rng(10 + m)
    Y = np.round(rng.random((60, m)), 1)  # rounded: ties and duplicates
    brute = [
        not any(np.all(Y[j] >= Y[i]) and np.any(Y[j] > Y[i]) for j in range(len(Y)))
        for i in range(len(Y))
    ]
    assert pareto_mask(Y).tolist() == brute
    front = np.zeros((0, m))
    for point in Y:
        front, _ = add_to_front(front, point)
    unique = {tuple(r) for r in Y[np.array(brute)]}
    assert {tuple(r) for r in front} == unique
