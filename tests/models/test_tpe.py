"""TPEGenerator: reproducibility, bounds, constraints, batches, state, and beating random."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Tuple

import numpy as np
import pytest

from ax.exceptions import DataRequiredError, UnsupportedError, UserInputError
from ax.models.tpe import TPEGenerator

pytestmark = pytest.mark.timeout(60)

REPO_ROOT = Path(__file__).resolve().parents[2]
UNIT2 = [(0.0, 1.0), (0.0, 1.0)]
NAMES2 = ["x0", "x1"]
MINIMISE = np.array([-1.0])


def loss(X: np.ndarray) -> np.ndarray:
    """A 2-D quadratic with its minimum 0 at (0.3, 0.7)."""
    return ((X - np.array([0.3, 0.7])) ** 2).sum(axis=1)


def observed(n: int = 20, seed: int = 0) -> Tuple[np.ndarray, np.ndarray]:
    X = np.random.default_rng(seed).random((n, 2))
    return X, loss(X)


def fitted(n: int = 20, **kwargs: Any) -> TPEGenerator:
    X, y = observed(n)
    tpe = TPEGenerator(**{"seed": 0, **kwargs})
    tpe.fit([X], [y], [np.full(n, np.nan)], UNIT2, NAMES2, ["loss"])
    return tpe


def test_same_seed_same_points_and_state_resumes() -> None:
    a = fitted()
    b = fitted()
    first, _, _, _ = a.gen(3, UNIT2, MINIMISE)
    np.testing.assert_array_equal(first, b.gen(3, UNIT2, MINIMISE)[0])
    state = json.loads(json.dumps(a.get_state()))
    assert state["gen_count"] == 1
    resumed = TPEGenerator(**state)
    X, y = observed(20)
    resumed.fit([X], [y], [np.full(20, np.nan)], UNIT2, NAMES2, ["loss"])
    np.testing.assert_array_equal(a.gen(2, UNIT2, MINIMISE)[0], resumed.gen(2, UNIT2, MINIMISE)[0])
    assert not np.array_equal(first, fitted(seed=1).gen(3, UNIT2, MINIMISE)[0])


def test_points_in_bounds_and_metadata() -> None:
    tpe = fitted()
    bounds = [(0.0, 1.0), (0.25, 0.5)]
    points, weights, meta, cand = tpe.gen(20, bounds, MINIMISE)
    assert points.shape == (20, 2) and cand is None
    assert np.all((points[:, 0] >= 0) & (points[:, 0] <= 1))
    assert np.all((points[:, 1] >= 0.25) & (points[:, 1] <= 0.5))
    np.testing.assert_array_equal(weights, np.ones(20))
    assert meta == {"startup": False, "n_good": 2, "n_bad": 18}


def test_startup_is_uniform_random_below_n_startup() -> None:
    tpe = fitted(n=4, n_startup=5)
    points, _, meta, _ = tpe.gen(5, UNIT2, MINIMISE)
    assert meta["startup"] is True and points.shape == (5, 2)
    empty = TPEGenerator(seed=0)
    empty.fit([np.empty((0, 2))], [np.empty(0)], [np.empty(0)], UNIT2, NAMES2, ["loss"])
    assert empty.gen(2, UNIT2, MINIMISE)[2]["startup"] is True


def test_linear_constraints_fixed_features_and_rounding() -> None:
    tpe = fitted()
    A, b = np.array([[1.0, 1.0]]), np.array([[0.8]])
    points, _, _, _ = tpe.gen(
        6,
        UNIT2,
        MINIMISE,
        linear_constraints=(A, b),
        fixed_features={0: 0.2},
        rounding_func=lambda x: np.round(x, 1),
    )
    np.testing.assert_array_equal(points[:, 0], np.full(6, 0.2))
    np.testing.assert_allclose(points[:, 1], np.round(points[:, 1], 1))
    assert np.all(points @ A.T <= b.T + 1e-12)
    with pytest.raises(UnsupportedError, match=r"no candidate satisfied the linear constraints"):
        tpe.gen(1, UNIT2, MINIMISE, linear_constraints=(A, np.array([[-1.0]])))


def test_batch_spreads_and_pending_points_count_as_bad() -> None:
    tpe = fitted(n=30)
    batch, _, _, _ = tpe.gen(5, UNIT2, MINIMISE)
    assert len(np.unique(batch, axis=0)) == 5
    single, _, _, _ = fitted(n=30).gen(1, UNIT2, MINIMISE)
    # A pending cloud around the first choice pushes the next one away from it.
    cloud = single + 0.01 * np.random.default_rng(0).standard_normal((30, 2))
    moved, _, _, _ = fitted(n=30).gen(1, UNIT2, MINIMISE, pending_observations=[cloud])
    assert np.linalg.norm(moved - single) > 0.01


def test_maximisation_follows_the_weight_sign() -> None:
    X, y = observed(40)
    tpe = TPEGenerator(seed=0)
    tpe.fit([X], [-y], [np.full(40, np.nan)], UNIT2, NAMES2, ["gain"])
    maximise, _, _, _ = tpe.gen(10, UNIT2, np.array([1.0]))
    minimise, _, _, _ = tpe.gen(10, UNIT2, np.array([-1.0]))
    assert np.median(loss(maximise)) < np.median(loss(minimise))


def test_outcome_constraints_rank_infeasible_points_last() -> None:
    X, y = observed(40)
    tpe = TPEGenerator(seed=0)
    tpe.fit([X, X], [y, X[:, 0]], [np.full(40, np.nan)] * 2, UNIT2, NAMES2, ["loss", "c"])
    constraint = (np.array([[0.0, 1.0]]), np.array([[0.2]]))  # x0 <= 0.2
    points, _, _, _ = tpe.gen(20, UNIT2, np.array([-1.0, 0.0]), outcome_constraints=constraint)
    assert np.median(points[:, 0]) < 0.3


def test_categorical_dimension_uses_codes_on_the_unit_interval() -> None:
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.random(30), rng.integers(0, 3, 30) / 2])
    y = loss(np.column_stack([X[:, 0], np.zeros(30)])) + (X[:, 1] != 0.5)
    tpe = TPEGenerator(seed=0, categorical_dims={1: 3})
    tpe.fit([X], [y], [np.full(30, np.nan)], UNIT2, NAMES2, ["loss"])
    points, _, _, _ = tpe.gen(20, UNIT2, MINIMISE)
    assert set(np.unique(points[:, 1])) <= {0.0, 0.5, 1.0}
    assert np.mean(points[:, 1] == 0.5) > 0.5
    assert TPEGenerator(**json.loads(json.dumps(tpe.get_state()))).categorical_dims == {1: 3}


def _best_after(budget: int, seed: int) -> float:
    tpe = TPEGenerator(seed=seed)
    X, y = np.empty((0, 2)), np.empty(0)
    for _ in range(budget):
        tpe.fit([X], [y], [np.full(len(y), np.nan)], UNIT2, NAMES2, ["loss"])
        x, _, _, _ = tpe.gen(1, UNIT2, MINIMISE)
        X, y = np.vstack([X, x]), np.append(y, loss(x))
    return float(y.min())


def test_improves_over_random_search_on_a_quadratic() -> None:
    seeds = range(5)
    tpe = [_best_after(40, s) for s in seeds]
    random = [float(loss(np.random.default_rng(s).random((40, 2))).min()) for s in seeds]
    assert np.median(tpe) < 0.5 * np.median(random)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"gamma": 0.0}, r"gamma must be in \(0, 1\], got gamma=0.0"),
        ({"n_ei_candidates": 0}, r"n_ei_candidates must be >= 1, got n_ei_candidates=0"),
        ({"prior_weight": -1.0}, r"prior_weight must be > 0, got prior_weight=-1.0"),
        ({"categorical_dims": {0: 0}}, r"categorical_dims\[0\] must be >= 1"),
        ({"seed": -1}, r"seed must be >= 0"),
    ],
)
def test_constructor_errors(kwargs: Dict[str, Any], match: str) -> None:
    with pytest.raises(UserInputError, match=match):
        TPEGenerator(**kwargs)


def test_gen_errors() -> None:
    with pytest.raises(DataRequiredError, match=r"call fit first"):
        TPEGenerator().gen(1, UNIT2, MINIMISE)
    tpe = fitted()
    with pytest.raises(UserInputError, match=r"objective_weights must be 1 finite numbers"):
        tpe.gen(1, UNIT2, np.array([1.0, 1.0]))
    with pytest.raises(UserInputError, match=r"model_gen_options are not used by TPE"):
        tpe.gen(1, UNIT2, MINIMISE, model_gen_options={"x": 1})
    with pytest.raises(UserInputError, match=r"metric 'loss' needs Xs n x 2 and Ys \(n,\)"):
        tpe.fit([np.ones((3, 2))], [np.ones(2)], [np.ones(3)], UNIT2, NAMES2, ["loss"])
    assert tpe.gen_count == 0


def test_importing_tpe_does_not_import_torch() -> None:
    code = "import sys, ax.models.tpe; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)
