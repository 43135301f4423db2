"""Tests for ax.models.torch.mixed_gen: acquisition optimisation on mixed spaces."""

from __future__ import annotations

import numpy as np
import pytest

from ax.exceptions import UserInputError
from ax.models.discrete_structure import DiscreteStructure
from ax.models.torch.botorch_model import BotorchModel

LATTICE = [0.0, 0.25, 0.5, 0.75, 1.0]


def fitted(X: np.ndarray, y: np.ndarray, **options: object) -> BotorchModel:
    model = BotorchModel(seed=0, num_restarts=3, raw_samples=64, **options)
    d = X.shape[1]
    model.fit(
        [X],
        [(y - y.mean()) / y.std()],
        [np.full(len(y), np.nan)],
        bounds=[(0.0, 1.0)] * d,
        feature_names=[f"x{j}" for j in range(d)],
        metric_names=["m"],
    )
    return model


def mixed_data(n: int = 14, seed: int = 0) -> tuple:
    # dims: 0 continuous, 1 lattice (an int), 2-4 one-hot (3 classes), 5 a 0/1 lattice
    s = DiscreteStructure(d=6, lattices={1: LATTICE, 5: [0.0, 1.0]}, groups=[[2, 3, 4]])
    rng = np.random.default_rng(seed)
    X = s.sample(rng.random((n, 6)), rng)
    y = -((X[:, 0] - 0.3) ** 2) - (X[:, 1] - 0.5) ** 2 + X[:, 3] + 0.2 * X[:, 5]
    return s, X, y


@pytest.mark.parametrize("acquisition", ["qLogNEI", "LogEI"])
def test_candidates_are_valid_mixed_points(acquisition: str) -> None:
    s, X, y = mixed_data()
    model = fitted(X, y, acquisition=acquisition)
    points, _, meta, _ = model.gen(3, [(0.0, 1.0)] * 6, np.array([1.0]), discrete=s)
    assert points.shape == (3, 6)
    assert s.is_valid(points).all()
    assert np.all((points >= 0.0) & (points <= 1.0))
    assert meta["discrete_search"] == {"lattice_dims": 2, "one_hot_groups": 1, "configurations": 30}


def test_linear_constraints_hold_on_lattice_dimensions() -> None:
    s, X, y = mixed_data()
    # x0 + x1 <= 0.6
    A, b = np.array([[1.0, 1.0, 0, 0, 0, 0]]), np.array([[0.6]])
    model = fitted(X, y)
    points, _, _, _ = model.gen(
        2, [(0.0, 1.0)] * 6, np.array([1.0]), linear_constraints=(A, b), discrete=s
    )
    assert s.is_valid(points).all()
    assert np.all(points[:, 0] + points[:, 1] <= 0.6 + 1e-9)


def test_fixed_features_are_kept() -> None:
    s, X, y = mixed_data()
    model = fitted(X, y)
    points, _, _, _ = model.gen(
        1,
        [(0.0, 1.0)] * 6,
        np.array([1.0]),
        fixed_features={1: 0.75, 2: 1.0, 3: 0.0, 4: 0.0},
        discrete=s,
    )
    assert points[0, 1] == 0.75 and list(points[0, 2:5]) == [1.0, 0.0, 0.0]


def test_a_50_class_choice_alone_is_enumerated() -> None:
    # One 50-class choice only: the model learns class 7 is best.
    k = 50
    s = DiscreteStructure(d=k, groups=[list(range(k))])
    rng = np.random.default_rng(1)
    X = s.sample(np.zeros((40, k)), rng)
    X[0] = 0.0
    X[0, 7] = 1.0
    y = np.where(X[:, 7] == 1.0, 1.0, 0.0) + 0.01 * rng.standard_normal(40)
    model = fitted(X, y, acquisition="LogEI")
    points, _, _, _ = model.gen(1, [(0.0, 1.0)] * k, np.array([1.0]), discrete=s)
    assert s.is_valid(points).all()


def test_same_seed_same_candidates() -> None:
    s, X, y = mixed_data()
    a = fitted(X, y).gen(2, [(0.0, 1.0)] * 6, np.array([1.0]), discrete=s)[0]
    b = fitted(X, y).gen(2, [(0.0, 1.0)] * 6, np.array([1.0]), discrete=s)[0]
    assert np.array_equal(a, b)


def test_a_structure_of_the_wrong_size_is_refused() -> None:
    s, X, y = mixed_data()
    model = fitted(X, y)
    with pytest.raises(UserInputError, match="d=3 dimensions, not d=6"):
        model.gen(1, [(0.0, 1.0)] * 6, np.array([1.0]), discrete=DiscreteStructure(d=3))
    with pytest.raises(UserInputError, match="must be a DiscreteStructure"):
        model.gen(1, [(0.0, 1.0)] * 6, np.array([1.0]), discrete={"lattices": {}})  # type: ignore[arg-type]


class _Bowl:
    """A toy acquisition function: ``-|x - target|^2`` (`b x 1 x d` -> `b`)."""

    def __init__(self, target: list) -> None:
        import torch

        self.target = torch.tensor(target, dtype=torch.float64)

    def __call__(self, X: object) -> object:
        return -((X - self.target) ** 2).sum(-1).reshape(-1)  # type: ignore[operator]


def test_relaxed_starts_reach_a_lattice_optimum_far_from_every_random_start() -> None:
    import torch

    from ax.models.torch.mixed_gen import optimize_mixed
    from ax.models.torch.options import BotorchOptions

    # Four 401-value lattices: a walk of single steps from random lattice points (at most
    # ROUNDS * WALK_STEPS = 100 moves) cannot cover the ~500 steps to the optimum; the
    # relaxed optimum, projected, is the nearest lattice point to the target at once.
    fine = list(np.linspace(0.0, 1.0, 401))
    s = DiscreteStructure(d=5, lattices={j: fine for j in range(4)})
    target = [0.6213, 0.0871, 0.9342, 0.4007, 0.25]
    options = BotorchOptions(num_restarts=2, raw_samples=16, sample_around_best=False)
    bounds = torch.tensor([[0.0] * 5, [1.0] * 5], dtype=torch.float64)
    point, _ = optimize_mixed(_Bowl(target), bounds, s, options, seed=0)  # type: ignore[arg-type]
    expected = s.project(np.array([target]))[0]
    np.testing.assert_allclose(point.numpy()[0, :4], expected[:4])
    assert point.numpy()[0, 4] == pytest.approx(0.25, abs=1e-4)


def test_relaxed_starts_hold_one_hot_groups_and_linear_constraints() -> None:
    import torch

    from ax.models.torch.mixed_gen import _Problem
    from ax.models.torch.options import BotorchOptions

    s = DiscreteStructure(d=5, lattices={0: LATTICE}, groups=[[2, 3, 4]])
    # x0 + x1 <= 0.6 as BoTorch's (indices, coefficients, rhs) for -x0 - x1 >= -0.6
    constraint = (torch.tensor([0, 1]), torch.tensor([-1.0, -1.0], dtype=torch.float64), -0.6)
    problem = _Problem(
        _Bowl([0.55, 0.5, 0.2, 0.9, 0.1]),  # type: ignore[arg-type]
        s,
        np.zeros(5),
        np.ones(5),
        {},
        [constraint],
    )
    options = BotorchOptions(num_restarts=3, raw_samples=32, sample_around_best=False)
    X = problem.starting_points(options, seed=1, rng=np.random.default_rng(1))
    assert s.is_valid(X).all() and problem.feasible(X).all()
    rng = np.random.default_rng(2)
    base = s.sample(rng.random((32, 5)), rng)
    base = base[problem.feasible(base)]
    relaxed, relaxed_values = problem.relaxed_starts(base, problem.value(base), options)
    np.testing.assert_allclose(relaxed_values, problem.value(relaxed))
    assert relaxed.shape[0] >= 1 and s.is_valid(relaxed).all()
    assert np.all(relaxed[:, 0] + relaxed[:, 1] <= 0.6 + 1e-9)
    # the one-hot columns are those of the best starting rows, never relaxed
    values = problem.value(base)
    top = base[np.argsort(-values, kind="stable")[:3]]
    held = {tuple(row) for row in top[:, 2:]}
    assert all(tuple(row) in held for row in relaxed[:, 2:])
    # no lattice: no relaxed starts
    only_groups = _Problem(
        _Bowl([0.5, 0.5, 0.2, 0.9, 0.1]),  # type: ignore[arg-type]
        DiscreteStructure(d=5, groups=[[2, 3, 4]]),
        np.zeros(5),
        np.ones(5),
        {},
        None,
    )
    none, none_values = only_groups.relaxed_starts(base, only_groups.value(base), options)
    assert none.shape == (0, 5) and none_values.shape == (0,)
