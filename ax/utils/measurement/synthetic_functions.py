"""Synthetic test functions with known optima: Branin (2-D) and Hartmann6 (6-D).

Each function is an object that can be called on one point or on many:

- ``branin(x1, x2)`` or ``branin([x1, x2])`` returns a float;
- ``branin(X)`` with an ``n x 2`` array returns an array of ``n`` values.

Each also knows its domain, its global minimisers and maximisers, and the optimal
values ``fmin`` and ``fmax`` (as in Ax, for plotting an optimization trace against the
optimum).

Example:
    >>> from ax.utils.measurement.synthetic_functions import branin, hartmann6
    >>> round(branin(3.141592653589793, 2.275), 4)
    0.3979
    >>> round(branin.fmin, 6)
    0.397887
    >>> hartmann6(hartmann6.minimums[0]) < -3.3
    True
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import List, Tuple, Union

import numpy as np
import numpy.typing as npt

from ax.exceptions import UserInputError, UserInputTypeError

TArrayLike = Union[float, int, npt.ArrayLike]


class SyntheticFunction(ABC):
    """A deterministic test function of ``d`` real inputs with known optima.

    Subclasses set :attr:`_name`, :attr:`_required_dimensionality`, :attr:`_domain`,
    :attr:`_minimums`, :attr:`_maximums`, :attr:`_fmin`, :attr:`_fmax` and implement
    :meth:`_f` on an ``n x d`` float array.
    """

    _name: str
    _required_dimensionality: int
    _domain: List[Tuple[float, float]]
    _minimums: List[Tuple[float, ...]]
    _maximums: List[Tuple[float, ...]]
    _fmin: float
    _fmax: float

    @property
    def name(self) -> str:
        """The function's name, e.g. ``"Branin"``."""
        return self._name

    @property
    def required_dimensionality(self) -> int:
        """The number of inputs ``d``."""
        return self._required_dimensionality

    @property
    def domain(self) -> List[Tuple[float, float]]:
        """``(lower, upper)`` per input, in order."""
        return list(self._domain)

    @property
    def minimums(self) -> List[Tuple[float, ...]]:
        """The known global minimisers (each a ``d``-tuple)."""
        return list(self._minimums)

    @property
    def maximums(self) -> List[Tuple[float, ...]]:
        """The known global maximisers on the domain (each a ``d``-tuple)."""
        return list(self._maximums)

    @property
    def fmin(self) -> float:
        """The global minimum value."""
        return self._fmin

    @property
    def fmax(self) -> float:
        """The global maximum value on the domain."""
        return self._fmax

    def __call__(self, *args: TArrayLike) -> Union[float, npt.NDArray[np.float64]]:
        """Evaluate at one point or at many.

        Args:
            *args: Either ``d`` numbers (one point), or one array-like: a point of shape
                ``(d,)`` or a batch of shape ``n x d``.

        Returns:
            A float for one point; an array of shape ``(n,)`` for a batch.

        Raises:
            UserInputError: The shape does not have ``d`` inputs, or a value is not finite.
            UserInputTypeError: The values are not numbers.
        """
        raw: object
        if len(args) == 1:
            raw = args[0]
        elif len(args) == self._required_dimensionality:
            raw = list(args)
        else:
            raise UserInputError(
                f"{self._name}: expected one array or {self._required_dimensionality} numbers, "
                f"got {len(args)} arguments"
            )
        try:
            x = np.asarray(raw, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise UserInputTypeError(f"{self._name}: inputs must be numbers, got {raw!r}") from err
        d = self._required_dimensionality
        if x.ndim not in (1, 2) or x.shape[-1] != d:
            raise UserInputError(
                f"{self._name}: input must have shape ({d},) or (n, {d}), got shape {x.shape}"
            )
        if not np.all(np.isfinite(x)):
            raise UserInputError(f"{self._name}: inputs must be finite, got {x.tolist()!r}")
        values = self._f(np.atleast_2d(x))
        if x.ndim == 1:
            return float(values[0])
        return values

    @abstractmethod
    def _f(self, X: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Values at the rows of ``X`` (shape ``n x d``); returns shape ``(n,)``."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Branin(SyntheticFunction):
    """The Branin-Hoo function on ``[-5, 10] x [0, 15]``.

    ``(x2 - 5.1 x1^2 / (4 pi^2) + 5 x1 / pi - 6)^2 + 10 (1 - 1 / (8 pi)) cos(x1) + 10``;
    minimum ``0.397887`` at ``(-pi, 12.275)``, ``(pi, 2.275)`` and ``(9.42478, 2.475)``;
    maximum ``308.129`` at ``(-5, 0)``.
    """

    _name = "Branin"
    _required_dimensionality = 2
    _domain = [(-5.0, 10.0), (0.0, 15.0)]
    _minimums = [(-math.pi, 12.275), (math.pi, 2.275), (9.42478, 2.475)]
    _maximums = [(-5.0, 0.0)]
    _fmin = 0.397887
    _fmax = 308.129

    def _f(self, X: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        x1, x2 = X[:, 0], X[:, 1]
        y = (x2 - 5.1 / (4 * np.pi**2) * x1**2 + 5 / np.pi * x1 - 6) ** 2
        y += 10 * (1 - 1 / (8 * np.pi)) * np.cos(x1) + 10
        return np.asarray(y, dtype=np.float64)


_H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_H6_A = np.array(
    [
        [10.0, 3.0, 17.0, 3.5, 1.7, 8.0],
        [0.05, 10.0, 17.0, 0.1, 8.0, 14.0],
        [3.0, 3.5, 1.7, 10.0, 17.0, 8.0],
        [17.0, 8.0, 0.05, 10.0, 0.1, 14.0],
    ]
)
_H6_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)


class Hartmann6(SyntheticFunction):
    """The 6-D Hartmann function on ``[0, 1]^6``.

    ``-sum_i alpha_i exp(-sum_j A_ij (x_j - P_ij)^2)``; minimum ``-3.32237`` at
    ``(0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573)``; its maximum on the
    domain is taken as ``0.0`` (as in Ax; every value is negative).
    """

    _name = "Hartmann6"
    _required_dimensionality = 6
    _domain = [(0.0, 1.0)] * 6
    _minimums = [(0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573)]
    _maximums = [(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)]
    _fmin = -3.32237
    _fmax = 0.0

    def _f(self, X: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        inner = np.sum(_H6_A[None, :, :] * (X[:, None, :] - _H6_P[None, :, :]) ** 2, axis=2)
        return np.asarray(-np.sum(_H6_ALPHA[None, :] * np.exp(-inner), axis=1), dtype=np.float64)


branin = Branin()
"""The Branin function (2-D); ``branin.fmin == 0.397887``."""

hartmann6 = Hartmann6()
"""The Hartmann6 function (6-D); ``hartmann6.fmin == -3.32237``."""


__all__ = ["Branin", "Hartmann6", "SyntheticFunction", "branin", "hartmann6"]
