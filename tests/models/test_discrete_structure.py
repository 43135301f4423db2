"""Tests for ax.models.discrete_structure (the discrete dimensions of a model space)."""

from __future__ import annotations

import numpy as np
import pytest

from ax.exceptions import UserInputError
from ax.models.discrete_structure import DiscreteStructure


def structure() -> DiscreteStructure:
    return DiscreteStructure(d=6, lattices={0: [0.0, 0.5, 1.0], 5: [0, 1]}, groups=[[2, 3, 4]])


def test_queries_and_size() -> None:
    s = structure()
    assert s.discrete_dims == [0, 2, 3, 4, 5]
    assert s.size == 18
    assert not s.is_empty
    assert s.without([3]).groups == [] and list(s.without([3]).lattices) == [0, 5]


def test_enumerate_gives_every_configuration_once() -> None:
    s = structure()
    X = s.enumerate(np.full(6, 0.25))
    assert X.shape == (18, 6)
    assert s.is_valid(X).all()
    assert len({tuple(r) for r in X}) == 18
    assert np.all(X[:, 1] == 0.25)


def test_project_sample_and_neighbours_are_valid() -> None:
    s = structure()
    rng = np.random.default_rng(0)
    X = rng.random((20, 6))
    assert not s.is_valid(X).any()
    assert s.is_valid(s.project(X)).all()
    assert s.is_valid(s.sample(X, rng)).all()
    x = s.project(X)[0]
    near = s.neighbours(x)
    assert s.is_valid(near).all()
    # one lattice step each way where possible, plus the two other classes
    assert 3 <= near.shape[0] <= 6
    assert all(np.sum(~np.isclose(row, x)) in (1, 2) for row in near)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"d": 0}, "d must be"),
        ({"d": 3, "lattices": {3: [0, 1]}}, "dimension 3"),
        ({"d": 3, "lattices": {0: [1.0]}}, "at least two"),
        ({"d": 3, "groups": [[0, 1]]}, "at least three"),
        ({"d": 3, "lattices": {0: [0, 1]}, "groups": [[0, 1, 2]]}, "twice"),
    ],
)
def test_bad_structures_are_refused(kwargs: dict, match: str) -> None:
    with pytest.raises(UserInputError, match=match):
        DiscreteStructure(**kwargs)
