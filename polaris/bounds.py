"""One numeric hyperparameter of a Polaris search: :class:`Bounds`.

A bound is continuous on ``[low, high]``, or, with a step ``q``, the grid
``low, low + q, low + 2q, ...`` up to ``high``. Unlike the original Polaris (which
quantised only its random draws, with ``round(p / q) * q``, and could leave the range),
every algorithm here proposes grid values inside the bounds: the grid index is an
integer parameter of the underlying ax search space.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import List, Optional, Union

from ax.exceptions import UserInputError, UserInputTypeError

TNumber = Union[int, float]

# Relative slack when counting grid points, so that e.g. (0.9 - 0.1) / 0.1 = 7.999...
# still gives the point 0.9.
_GRID_EPS = 1e-9


def _is_real(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _is_integral(value: object) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


class Bounds:
    """The range of one hyperparameter (categorical variables are not supported).

    Args:
        label: The parameter's name (a non-empty string).
        low: Lower bound (finite, below ``high``).
        high: Upper bound (finite).
        q: Optional grid step (> 0, at most ``high - low``): values are then
            ``low + k * q`` for integers ``k >= 0`` with ``low + k * q <= high``. When
            ``low`` and ``q`` are both integers the values are ints.

    Raises:
        UserInputTypeError: ``label`` is not a string, or a number is not a real number.
        UserInputError: An empty label, a non-finite number, ``low >= high``, ``q <= 0``
            or ``q > high - low``.

    Example:
        >>> Bounds("lr_decay_epoch", 30, 80, 10).grid()
        [30, 40, 50, 60, 70, 80]
    """

    def __init__(
        self, label: str, low: TNumber, high: TNumber, q: Optional[TNumber] = None
    ) -> None:
        if not isinstance(label, str):
            raise UserInputTypeError(
                f"Bounds: label must be a str, got {type(label).__name__} {label!r}"
            )
        if not label:
            raise UserInputError("Bounds: label must be a non-empty string, got ''")
        name = f"Bounds {label!r}"
        for field, value in (("low", low), ("high", high)):
            if not _is_real(value):
                raise UserInputTypeError(
                    f"{name}: {field} must be a real number, got {type(value).__name__} {value!r}"
                )
            if not math.isfinite(float(value)):
                raise UserInputError(f"{name}: {field} must be finite, got {field}={value!r}")
        if not low < high:
            raise UserInputError(f"{name}: low must be < high, got low={low!r}, high={high!r}")
        if q is not None:
            if not _is_real(q):
                raise UserInputTypeError(
                    f"{name}: q must be a real number or None, got {type(q).__name__} {q!r}"
                )
            if not math.isfinite(float(q)) or q <= 0:
                raise UserInputError(f"{name}: q must be a finite number > 0, got q={q!r}")
            if q > high - low:
                raise UserInputError(
                    f"{name}: q must be at most high - low = {high - low!r} (the grid needs "
                    f"two points), got q={q!r}"
                )
        self.label = label
        self.low: TNumber = low
        self.high: TNumber = high
        self.q: Optional[TNumber] = q

    def range(self) -> float:
        """``high - low``."""
        return float(self.high - self.low)

    @property
    def is_integer_grid(self) -> bool:
        """Whether the grid values are ints (``low`` and ``q`` are both integers)."""
        return self.q is not None and _is_integral(self.low) and _is_integral(self.q)

    @property
    def num_grid_points(self) -> Optional[int]:
        """Number of grid values (None without ``q``)."""
        if self.q is None:
            return None
        return int(math.floor((self.high - self.low) / self.q * (1 + _GRID_EPS) + _GRID_EPS)) + 1

    def grid_value(self, index: int) -> TNumber:
        """The ``index``-th grid value, ``low + index * q`` (inside the bounds).

        Raises:
            UserInputError: The bound has no ``q``, or ``index`` is off the grid.
        """
        count = self.num_grid_points
        if self.q is None or count is None:
            raise UserInputError(f"Bounds {self.label!r}: q is None, so there is no grid")
        if not _is_integral(index) or not 0 <= index < count:
            raise UserInputError(
                f"Bounds {self.label!r}: grid index must be an int in [0, {count - 1}], got "
                f"{index!r}"
            )
        if self.is_integer_grid:
            return int(self.low) + int(index) * int(self.q)
        raw = float(self.low) + int(index) * float(self.q)
        clean = float(f"{raw:.12g}")  # drop float noise such as 0.30000000000000004
        value = clean if abs(clean - raw) <= 1e-9 * float(self.q) else raw
        return min(max(value, float(self.low)), float(self.high))

    def grid_index(self, value: TNumber) -> int:
        """The grid index nearest to ``value`` (clipped to the grid).

        Raises:
            UserInputError: The bound has no ``q``.
        """
        count = self.num_grid_points
        if self.q is None or count is None:
            raise UserInputError(f"Bounds {self.label!r}: q is None, so there is no grid")
        k = int(round((float(value) - float(self.low)) / float(self.q)))
        return min(max(k, 0), count - 1)

    def grid(self) -> List[TNumber]:
        """All grid values, in increasing order (empty without ``q``)."""
        count = self.num_grid_points
        return [] if count is None else [self.grid_value(k) for k in range(count)]

    def contains(self, value: TNumber) -> bool:
        """Whether ``value`` lies in ``[low, high]`` (and on the grid when ``q`` is set)."""
        if not _is_real(value) or not self.low <= value <= self.high:
            return False
        if self.q is None:
            return True
        return math.isclose(
            self.grid_value(self.grid_index(value)), float(value), rel_tol=1e-9, abs_tol=1e-12
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Bounds):
            return NotImplemented
        return (self.label, self.low, self.high, self.q) == (
            other.label,
            other.low,
            other.high,
            other.q,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        q = "" if self.q is None else f", q={self.q!r}"
        return f"Bounds({self.label!r}, {self.low!r}, {self.high!r}{q})"


__all__ = ["Bounds"]
