"""Which model dimensions are discrete, and what values they take: :class:`DiscreteStructure`.

A mixed search space reaches the models as a box of floats (the bridge's transforms turn
integers and ordered choices into floats, unordered choices into one-hot columns). This
object tells a generator which of those floats are discrete, so that it can search them on
their lattice instead of rounding a continuous optimum afterwards:

- ``lattices``: dimension -> the sorted values it may take (an integer or an ordered
  choice, in model coordinates: after log scaling and the unit cube);
- ``groups``: lists of dimensions that one-hot encode one unordered choice (exactly one
  of them is 1, the others 0).

Pure numpy; no torch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Sequence

import numpy as np

from ax.exceptions import UserInputError


@dataclass(frozen=True)
class DiscreteStructure:
    """The discrete dimensions of a `d`-dimensional model space.

    Attributes:
        d: Number of model dimensions.
        lattices: ``{dimension: sorted allowed values}`` (at least two values each).
        groups: One-hot groups: each a list of at least three dimensions, of which one is
            1 and the others 0 in every valid point. No dimension is in two groups or in a
            group and a lattice.

    Raises:
        UserInputError: A dimension out of range or used twice, a lattice with fewer
            than two finite values, or a group of fewer than three dimensions.

    Example:
        >>> s = DiscreteStructure(d=5, lattices={0: [0.0, 0.5, 1.0]}, groups=[[2, 3, 4]])
        >>> s.size
        9
    """

    d: int
    lattices: Mapping[int, Sequence[float]] = field(default_factory=dict)
    groups: Sequence[Sequence[int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        owner = "DiscreteStructure"
        if isinstance(self.d, bool) or not isinstance(self.d, int) or self.d < 1:
            raise UserInputError(f"{owner}: d must be an int >= 1, got {self.d!r}")
        seen: set = set()
        clean: Dict[int, np.ndarray] = {}
        for j, values in self.lattices.items():
            self._check_dim(owner, "lattices", j, seen)
            array = np.unique(np.asarray(values, dtype=float).reshape(-1))
            if array.size < 2 or not np.all(np.isfinite(array)):
                raise UserInputError(
                    f"{owner}: lattices[{j}] must have at least two finite values, got "
                    f"{list(values)!r}"
                )
            clean[int(j)] = array
        groups: List[List[int]] = []
        for group in self.groups:
            dims = [int(j) for j in group]
            if len(dims) < 3:
                raise UserInputError(
                    f"{owner}: a one-hot group needs at least three dimensions (two classes "
                    f"are one 0/1 lattice), got {dims}"
                )
            for j in dims:
                self._check_dim(owner, "groups", j, seen)
            groups.append(dims)
        object.__setattr__(self, "lattices", clean)
        object.__setattr__(self, "groups", groups)

    def _check_dim(self, owner: str, what: str, j: object, seen: set) -> None:
        if isinstance(j, bool) or not isinstance(j, (int, np.integer)) or not 0 <= j < self.d:
            raise UserInputError(f"{owner}: {what} names dimension {j!r}, not in 0..{self.d - 1}")
        if int(j) in seen:
            raise UserInputError(f"{owner}: dimension {j} appears twice in lattices/groups")
        seen.add(int(j))

    # ------------------------------------------------------------------ queries
    @property
    def discrete_dims(self) -> List[int]:
        """Every discrete dimension (lattice and one-hot), sorted."""
        dims = list(self.lattices) + [j for g in self.groups for j in g]
        return sorted(dims)

    @property
    def is_empty(self) -> bool:
        return not self.lattices and not self.groups

    @property
    def size(self) -> float:
        """Number of discrete configurations (``inf`` past 1e18)."""
        total = 1.0
        for values in self.lattices.values():
            total *= len(values)
        for group in self.groups:
            total *= len(group)
        return total if total < 1e18 else math.inf

    def without(self, dims: Sequence[int]) -> DiscreteStructure:
        """The structure without the lattices and groups that touch ``dims`` (fixed ones)."""
        drop = set(int(j) for j in dims)
        return DiscreteStructure(
            d=self.d,
            lattices={j: v for j, v in self.lattices.items() if j not in drop},
            groups=[g for g in self.groups if not drop.intersection(g)],
        )

    # ------------------------------------------------------------------ points
    def project(self, X: np.ndarray) -> np.ndarray:
        """``X`` (`n x d`) with each discrete part moved to the nearest valid value
        (lattice: nearest value; one-hot group: its largest column)."""
        X = np.array(X, dtype=float, copy=True)
        for j, values in self.lattices.items():
            idx = np.abs(X[:, j : j + 1] - np.asarray(values)[None, :]).argmin(axis=1)
            X[:, j] = np.asarray(values)[idx]
        for group in self.groups:
            best = X[:, group].argmax(axis=1)
            X[:, group] = 0.0
            X[np.arange(X.shape[0]), np.asarray(group)[best]] = 1.0
        return X

    def sample(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """``X`` (`n x d`) with its discrete parts replaced by uniform random valid values."""
        X = np.array(X, dtype=float, copy=True)
        n = X.shape[0]
        for j, values in self.lattices.items():
            X[:, j] = np.asarray(values)[rng.integers(len(values), size=n)]
        for group in self.groups:
            X[:, group] = 0.0
            X[np.arange(n), np.asarray(group)[rng.integers(len(group), size=n)]] = 1.0
        return X

    def enumerate(self, x: np.ndarray) -> np.ndarray:
        """Every discrete configuration, with the other dimensions taken from ``x`` (`d`).

        Returns:
            `size x d` points. Only for small structures (the caller checks ``size``).
        """
        points = np.asarray(x, dtype=float).reshape(1, -1)
        for j, values in self.lattices.items():
            points = np.repeat(points, len(values), axis=0)
            points[:, j] = np.tile(np.asarray(values), points.shape[0] // len(values))
        for group in self.groups:
            k = len(group)
            points = np.repeat(points, k, axis=0)
            points[:, group] = np.tile(np.eye(k), (points.shape[0] // k, 1))
        return points

    def neighbours(self, x: np.ndarray) -> np.ndarray:
        """Points one discrete move away from ``x`` (`d`): each lattice dimension one
        step up or down, each one-hot group switched to each of its other classes.

        Returns:
            `k x d` points (``k`` may be 0).
        """
        x = np.asarray(x, dtype=float)
        out: List[np.ndarray] = []
        for j, values in self.lattices.items():
            vals = np.asarray(values)
            i = int(np.abs(vals - x[j]).argmin())
            for step in (-1, 1):
                if 0 <= i + step < len(vals):
                    y = x.copy()
                    y[j] = vals[i + step]
                    out.append(y)
        for group in self.groups:
            current = int(np.argmax(x[group]))
            for c in range(len(group)):
                if c != current:
                    y = x.copy()
                    y[group] = 0.0
                    y[group[c]] = 1.0
                    out.append(y)
        return np.stack(out) if out else np.empty((0, x.shape[0]))

    def is_valid(self, X: np.ndarray, tol: float = 1e-9) -> np.ndarray:
        """Whether each row of ``X`` (`n x d`) has valid discrete values (`n` bools)."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        ok = np.ones(X.shape[0], dtype=bool)
        for j, values in self.lattices.items():
            ok &= np.abs(X[:, j : j + 1] - np.asarray(values)[None, :]).min(axis=1) <= tol
        for group in self.groups:
            G = X[:, group]
            ok &= (np.abs(G * (1.0 - G)) <= tol).all(axis=1) & (np.abs(G.sum(1) - 1.0) <= tol)
        return ok


__all__ = ["DiscreteStructure"]
