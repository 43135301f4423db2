"""The search domain of a Polaris experiment: :class:`Domain`.

A domain is the bounds sorted by label plus the algorithm name. It translates between
Polaris parameters (``{label: value}``) and the ax search space the algorithms work on:
a bound without ``q`` is a FLOAT :class:`~ax.core.parameter.RangeParameter` on
``[low, high]``; a bound with ``q`` is an INT range parameter on the grid index
``k in [0, K - 1]`` (value ``low + k * q``), so every algorithm (quasi-random, GP,
TPE) proposes grid values inside the bounds.
"""

from __future__ import annotations

from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from ax.core.parameter import RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType, TParameterization
from ax.exceptions import UserInputError, UserInputTypeError
from polaris.algorithms import ALGORITHMS
from polaris.bounds import Bounds, TNumber

TParams = Dict[str, TNumber]


class Domain:
    """Bounds (sorted by label) and the algorithm that searches them.

    Args:
        bounds: The bounds, one per parameter; labels must be unique.
        algo: ``'random'``, ``'bayesian_opt'`` or ``'tpe'``.

    Raises:
        UserInputTypeError: ``bounds`` is not a sequence of :class:`Bounds`.
        UserInputError: No bounds, a repeated label, or an unknown algorithm.

    Example:
        >>> domain = Domain([Bounds("y", 0.0, 1.0), Bounds("x", 0, 10, q=2)], algo="tpe")
        >>> domain.fieldnames
        ['x', 'y']
    """

    def __init__(self, bounds: Sequence[Bounds], algo: str = "random") -> None:
        if isinstance(bounds, (str, bytes)) or not isinstance(bounds, Sequence):
            raise UserInputTypeError(
                f"Domain: bounds must be a list of Bounds, got {type(bounds).__name__}"
            )
        if not bounds:
            raise UserInputError("Domain: bounds must not be empty, got []")
        for i, b in enumerate(bounds):
            if not isinstance(b, Bounds):
                raise UserInputTypeError(
                    f"Domain: bounds[{i}] must be a Bounds, got {type(b).__name__} {b!r}"
                )
        labels = [b.label for b in bounds]
        repeated = sorted({label for label in labels if labels.count(label) > 1})
        if repeated:
            raise UserInputError(f"Domain: bound labels must be unique, got repeated {repeated}")
        if algo not in ALGORITHMS:
            raise UserInputError(
                f"Domain: algo must be one of {list(ALGORITHMS)}, got algo={algo!r}"
            )
        self._bounds: List[Bounds] = sorted(bounds, key=lambda b: b.label)
        self.algo = algo

    @property
    def n_params(self) -> int:
        return len(self._bounds)

    @property
    def bounds(self) -> List[Tuple[TNumber, TNumber]]:
        """``(low, high)`` per parameter, in label order."""
        return [(b.low, b.high) for b in self._bounds]

    @property
    def bounds_list(self) -> List[Bounds]:
        """The :class:`Bounds` objects, in label order."""
        return list(self._bounds)

    @property
    def fieldnames(self) -> List[str]:
        """The labels, sorted."""
        return [b.label for b in self._bounds]

    def random(self, rng: Optional[np.random.Generator] = None) -> np.ndarray:
        """One uniform draw, in label order (grid values for bounds with ``q``).

        Args:
            rng: The random generator (default: a fresh unseeded one).

        Returns:
            A 1-D float array of length ``n_params``.
        """
        rng = rng if rng is not None else np.random.default_rng()
        out = np.empty(self.n_params)
        for i, b in enumerate(self._bounds):
            count = b.num_grid_points
            if count is None:
                out[i] = rng.uniform(float(b.low), float(b.high))
            else:
                out[i] = float(b.grid_value(int(rng.integers(count))))
        return out

    def search_space(self) -> SearchSpace:
        """The ax search space (grid bounds become INT grid-index parameters)."""
        parameters = []
        for b in self._bounds:
            count = b.num_grid_points
            if count is None:
                parameters.append(
                    RangeParameter(b.label, ParameterType.FLOAT, float(b.low), float(b.high))
                )
            else:
                parameters.append(RangeParameter(b.label, ParameterType.INT, 0, count - 1))
        return SearchSpace(parameters)

    def from_ax(self, parameters: Mapping[str, object]) -> TParams:
        """Polaris parameters from an ax arm's parameters (grid index -> grid value).

        Raises:
            UserInputError: A parameter is missing.
        """
        out: TParams = {}
        for b in self._bounds:
            if b.label not in parameters:
                raise UserInputError(
                    f"Domain: parameters lack {b.label!r}, got {sorted(parameters)}"
                )
            value = parameters[b.label]
            if b.q is None:
                out[b.label] = float(value)  # type: ignore[arg-type]
            else:
                out[b.label] = b.grid_value(int(value))  # type: ignore[call-overload]
        return out

    def to_ax(self, params: Mapping[str, object]) -> TParameterization:
        """An ax arm's parameters from Polaris parameters (grid value -> nearest index).

        Raises:
            UserInputError: A parameter is missing or outside its bounds.
        """
        out: TParameterization = {}
        for b in self._bounds:
            if b.label not in params:
                raise UserInputError(f"Domain: params lack {b.label!r}, got {sorted(params)}")
            value = params[b.label]
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
                raise UserInputTypeError(
                    f"Domain: params[{b.label!r}] must be a number, got {value!r}"
                )
            number = float(value)
            if not float(b.low) <= number <= float(b.high):
                raise UserInputError(
                    f"Domain: params[{b.label!r}] must lie in [{b.low}, {b.high}], got {value!r}"
                )
            out[b.label] = number if b.q is None else b.grid_index(number)
        return out

    def __repr__(self) -> str:
        return f"Domain(bounds={self._bounds!r}, algo={self.algo!r})"


__all__ = ["Domain", "TParams"]
