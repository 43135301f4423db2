"""Synthetic test functions with known optima: Branin (2-D), Hartmann6 (6-D), their
augmented multi-fidelity versions and wrapped BoTorch test functions.

Each function is an object that can be called on one point or on many:

- ``branin(x1, x2)``, ``branin(x1=..., x2=...)`` or ``branin([x1, x2])`` returns a float;
- ``branin(X)`` with an ``n x 2`` array returns an array of ``n`` values.

The augmented functions of the multi-fidelity literature (as BoTorch's
``AugmentedBranin`` and ``AugmentedHartmann``) take one more input, the fidelity ``s`` in
``[0, 1]``, last: ``aug_branin(x1, x2, s)`` and ``aug_hartmann6(x1, ..., x6, s)``. At
``s = 1`` they equal :data:`branin` and :data:`hartmann6`; lower fidelities are cheaper
approximations. :class:`FromBotorch` wraps any BoTorch ``SyntheticTestFunction``.

Each also knows its domain, its global minimisers and maximisers, and the optimal
values ``fmin`` and ``fmax`` (as in Ax, for plotting an optimization trace against the
optimum).

Example:
    >>> from ax.benchmark.synthetic_functions import branin, hartmann6
    >>> round(branin(3.141592653589793, 2.275), 4)
    0.3979
    >>> round(branin.fmin, 6)
    0.397887
    >>> hartmann6(hartmann6.minimums[0]) < -3.3
    True
    >>> branin(x1=3.141592653589793, x2=2.275) == branin(3.141592653589793, 2.275)
    True
    >>> x = [0.2, 0.2, 0.5, 0.3, 0.3, 0.7]
    >>> aug_hartmann6(x + [1.0]) == hartmann6(x)
    True
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from typing import Any, List, Tuple, Union

import numpy as np
import numpy.typing as npt

from ax.benchmark.formulas import BRANIN_B, H6_ALPHA, branin_values, hartmann6_values
from ax.exceptions import UnsupportedError, UserInputError, UserInputTypeError

SyntheticTestFunction = Any
"""A BoTorch ``SyntheticTestFunction`` (not imported here: importing it would load torch)."""

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

    def __call__(
        self, *args: TArrayLike, **kwargs: TArrayLike
    ) -> Union[float, npt.NDArray[np.float64]]:
        """Evaluate at one point or at many.

        Args:
            *args: Either ``d`` numbers (one point), or one array-like: a point of shape
                ``(d,)`` or a batch of shape ``n x d``.
            **kwargs: Instead of ``args`` (as in Ax): ``d`` numbers by keyword (``x1=...,
                x2=...``; names ``x1`` ... ``xd`` are put in index order, other names are
                taken in the order given), or one array by keyword (``X=...``).

        Returns:
            A float for one point; an array of shape ``(n,)`` for a batch.

        Raises:
            UserInputError: The shape does not have ``d`` inputs, a value is not finite,
                or positional and keyword inputs are mixed.
            UserInputTypeError: The values are not numbers.
        """
        if kwargs:
            args = self._keyword_inputs(args, kwargs)
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

    def _keyword_inputs(
        self, args: Tuple[TArrayLike, ...], kwargs: dict[str, TArrayLike]
    ) -> Tuple[TArrayLike, ...]:
        d = self._required_dimensionality
        if args:
            raise UserInputError(
                f"{self._name}: give the inputs all by position or all by keyword, got "
                f"{len(args)} positional and keywords {sorted(kwargs)}"
            )
        if len(kwargs) == 1:
            return tuple(kwargs.values())
        if len(kwargs) != d:
            raise UserInputError(
                f"{self._name}: expected {d} keyword inputs (x1=..., x{d}=...) or one array, "
                f"got {len(kwargs)}: {sorted(kwargs)}"
            )
        numbered = {f"x{i + 1}" for i in range(d)}
        if set(kwargs) == numbered:
            return tuple(kwargs[f"x{i + 1}"] for i in range(d))
        if any(re.fullmatch(r"x\d+", k) for k in kwargs):
            raise UserInputError(
                f"{self._name}: keyword inputs must be x1 ... x{d}, got {sorted(kwargs)}"
            )
        return tuple(kwargs.values())

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
        return branin_values(X[:, 0], X[:, 1], np.full(X.shape[0], BRANIN_B))


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
        return hartmann6_values(X[:, :6], np.broadcast_to(H6_ALPHA, (X.shape[0], 4)))


class Aug_Branin(SyntheticFunction):
    """Augmented Branin (3-D): Branin with a fidelity ``s`` in ``[0, 1]`` as last input.

    ``(x2 - (5.1 / (4 pi^2) - 0.1 (1 - s)) x1^2 + 5 x1 / pi - 6)^2 + 10 (1 - 1 / (8 pi))
    cos(x1) + 10`` on ``[-5, 10] x [0, 15] x [0, 1]`` (BoTorch's ``AugmentedBranin``); at
    ``s = 1`` it is Branin, with minimum ``0.397887``.

    Example:
        >>> round(aug_branin(3.141592653589793, 2.275, 1.0), 6)
        0.397887
    """

    _name = "Aug_Branin"
    _required_dimensionality = 3
    _domain = [(-5.0, 10.0), (0.0, 15.0), (0.0, 1.0)]
    _minimums = [(-math.pi, 12.275, 1.0), (math.pi, 2.275, 1.0), (9.42478, 2.475, 1.0)]
    _maximums = [(-5.0, 0.0, 1.0)]
    _fmin = 0.397887
    _fmax = 308.129

    def _f(self, X: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        b = BRANIN_B - 0.1 * (1 - X[:, 2])
        return branin_values(X[:, 0], X[:, 1], b)


class Aug_Hartmann6(SyntheticFunction):
    """Augmented Hartmann6 (7-D): Hartmann6 with a fidelity ``s`` in ``[0, 1]`` as last input.

    The weight of the first term is ``alpha_1 - 0.1 (1 - s)`` (BoTorch's
    ``AugmentedHartmann``), so at ``s = 1`` it is Hartmann6, with minimum ``-3.32237``.

    Example:
        >>> round(aug_hartmann6(hartmann6.minimums[0] + (1.0,)), 5)
        -3.32237
    """

    _name = "Aug_Hartmann6"
    _required_dimensionality = 7
    _domain = [(0.0, 1.0)] * 7
    _minimums = [(0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573, 1.0)]
    _maximums = [(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0)]
    _fmin = -3.32237
    _fmax = 0.0

    def _f(self, X: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        alpha = np.tile(H6_ALPHA, (X.shape[0], 1))
        alpha[:, 0] -= 0.1 * (1 - X[:, 6])
        return hartmann6_values(X[:, :6], alpha)


class FromBotorch(SyntheticFunction):
    """A BoTorch ``SyntheticTestFunction`` as a :class:`SyntheticFunction` (as in Ax).

    Dimensionality, domain, optimal value and (where BoTorch lists them) optimisers come
    from the BoTorch function; it is evaluated without noise (on tensors made like the
    function's own bounds, so this module imports no torch). ``maximums`` and ``fmax``
    are not known.

    Args:
        botorch_synthetic_function: The BoTorch test function (an instance).

    Raises:
        UserInputTypeError: The argument is not a BoTorch ``SyntheticTestFunction``.

    Example:
        >>> from botorch.test_functions import Ackley
        >>> ackley = FromBotorch(Ackley(dim=2))
        >>> ackley.name, abs(ackley(0.0, 0.0)) < 1e-9
        ('FromBotorch_Ackley', True)
    """

    def __init__(self, botorch_synthetic_function: SyntheticTestFunction) -> None:
        function = botorch_synthetic_function
        if not all(hasattr(function, a) for a in ("dim", "_bounds", "evaluate_true")):
            raise UserInputTypeError(
                "FromBotorch: expected a BoTorch SyntheticTestFunction instance, got "
                f"{function!r} ({type(function).__name__})"
            )
        self._botorch_function = function
        self._name = f"FromBotorch_{type(function).__name__}"
        self._required_dimensionality = int(function.dim)
        self._domain = [(float(lo), float(hi)) for lo, hi in function._bounds]
        optimizers = getattr(function, "_optimizers", None) or []
        self._minimums = [tuple(float(v) for v in point) for point in optimizers]
        self._maximums = []
        value = getattr(function, "optimal_value", None)
        self._fmin = math.nan if value is None else float(value)
        self._fmax = math.nan

    @property
    def botorch_function(self) -> SyntheticTestFunction:
        """The wrapped BoTorch function."""
        return self._botorch_function

    @property
    def maximums(self) -> List[Tuple[float, ...]]:
        """Not known for a wrapped BoTorch function.

        Raises:
            UnsupportedError: Always.
        """
        raise UnsupportedError(f"{self._name} does not specify its maximums")

    @property
    def fmax(self) -> float:
        """Not known for a wrapped BoTorch function.

        Raises:
            UnsupportedError: Always.
        """
        raise UnsupportedError(f"{self._name} does not specify fmax")

    def _f(self, X: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        # A tensor made like the function's own bounds: no torch import here.
        function = self._botorch_function
        values = function.evaluate_true(function.bounds.new_tensor(X))
        return np.asarray(values.detach().cpu().numpy(), dtype=np.float64).reshape(-1)

    def __repr__(self) -> str:
        return f"FromBotorch({type(self._botorch_function).__name__})"


def from_botorch(botorch_synthetic_function: SyntheticTestFunction) -> SyntheticFunction:
    """Wrap a BoTorch ``SyntheticTestFunction`` (as in Ax): ``FromBotorch(function)``."""
    return FromBotorch(botorch_synthetic_function)


branin = Branin()
"""The Branin function (2-D); ``branin.fmin == 0.397887``."""

hartmann6 = Hartmann6()
"""The Hartmann6 function (6-D); ``hartmann6.fmin == -3.32237``."""


aug_branin = Aug_Branin()
"""Augmented Branin (3-D, fidelity last); ``aug_branin(x1, x2, 1.0) == branin(x1, x2)``."""

aug_hartmann6 = Aug_Hartmann6()
"""Augmented Hartmann6 (7-D, fidelity last); equals ``hartmann6`` at fidelity 1."""


__all__ = [
    "Aug_Branin",
    "Aug_Hartmann6",
    "Branin",
    "FromBotorch",
    "Hartmann6",
    "SyntheticFunction",
    "aug_branin",
    "aug_hartmann6",
    "branin",
    "from_botorch",
    "hartmann6",
]
