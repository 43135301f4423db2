"""Multi-objective benchmark problems: formulas against BoTorch's, exact hypervolumes."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from botorch.test_functions.multi_objective import C2DTLZ2, DTLZ2, BraninCurrin
from botorch.utils.multi_objective.hypervolume import Hypervolume

from ax.benchmark.multi_objective import MO_PROBLEMS, hypervolume, pareto_mask

BOTORCH = {
    "branin_currin": BraninCurrin(),
    "dtlz2": DTLZ2(dim=6, num_objectives=2),
    "c2dtlz2": C2DTLZ2(dim=6, num_objectives=2),
    "dtlz2_3": DTLZ2(dim=6, num_objectives=3),
}


@pytest.mark.parametrize("name", sorted(MO_PROBLEMS))
def test_problems_match_botorch(name: str) -> None:
    problem, reference = MO_PROBLEMS[name], BOTORCH[name]
    X = np.random.default_rng(0).random((20, problem.dim))
    F = np.array([problem.evaluate(x)[0] for x in X])
    np.testing.assert_allclose(F, reference(torch.tensor(X)).numpy(), rtol=1e-12, atol=1e-12)
    assert problem.ref_point == tuple(reference.ref_point.tolist())
    assert problem.max_hv == pytest.approx(reference.max_hv, rel=1e-12)
    if problem.num_constraints:
        slack = np.array([problem.evaluate(x)[1] for x in X])
        expected = reference.evaluate_slack_true(torch.tensor(X)).numpy()
        np.testing.assert_allclose(slack, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("m", [2, 3])
def test_hypervolume_is_exact(m: int) -> None:
    Y = np.random.default_rng(m).random((30, m))
    ref = np.full(m, 1.1)
    expected = Hypervolume(-torch.tensor(ref)).compute(-torch.tensor(Y))
    assert hypervolume(Y, ref) == pytest.approx(float(expected), rel=1e-12)
    assert hypervolume(np.empty((0, m)), ref) == 0.0
    assert hypervolume(Y + 5.0, ref) == 0.0  # nothing dominates the reference point


def test_dtlz2_frontier_reaches_its_hypervolume() -> None:
    problem = MO_PROBLEMS["dtlz2"]
    X = np.full((2001, 6), 0.5)
    X[:, 0] = np.linspace(0.0, 1.0, 2001)
    Y = np.array([problem.evaluate(x)[0] for x in X])
    hv = problem.hypervolume(Y)
    assert problem.max_hv - 1e-3 < hv <= problem.max_hv  # a staircase below the arc
    assert problem.max_hv == pytest.approx(1.1**2 - math.pi / 4)


def test_infeasible_points_do_not_count_and_bad_points_raise() -> None:
    problem = MO_PROBLEMS["c2dtlz2"]
    Y = np.array([[0.5, 0.5]])
    assert problem.hypervolume(Y, np.array([[-1.0]])) == 0.0
    assert problem.hypervolume(Y, np.array([[0.0]])) > 0.0
    with pytest.raises(ValueError, match="6 finite numbers"):
        problem.evaluate([0.5] * 5)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        problem.evaluate([1.5] + [0.5] * 5)
    assert problem.log10_regret(problem.max_hv + 1.0) == -12.0


def test_pareto_mask_drops_dominated_and_duplicate_points() -> None:
    Y = np.array([[1.0, 2.0], [2.0, 1.0], [2.0, 2.0], [1.0, 2.0]])
    assert pareto_mask(Y).tolist() == [True, True, False, False]
