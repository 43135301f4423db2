"""Test problems of the optimiser benchmark: Branin (2-D) and Hartmann6 (6-D), minimised.

Pure Python + numpy: this module is imported inside every peer's virtualenv (where ``ax``
may be ax-platform), so it imports nothing from the ``ax`` package; the formulas come from
``ax/benchmark/formulas.py`` (numpy only) through ``ax/benchmark/suite.py``, both loaded
by their file paths (:func:`bo.suite_adapters.load_suite`).

The optimal values are those stated in the issue (``0.397887`` and ``-3.32237``); the exact
minima (``0.39788735772973816`` and ``-3.3223680114155147``) lie above them by less than
4e-7 and 2e-6, so a regret ``best - fmin`` is always positive and its log10 is finite.

Example:
    >>> p = PROBLEMS["branin"]
    >>> round(p(np.array([np.pi, 2.275])), 6)
    0.397887
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Problem:
    """A box-bounded deterministic function to minimise.

    Attributes:
        name: Key in :data:`PROBLEMS` (``"branin"``, ``"hartmann6"``).
        bounds: ``d`` pairs ``(lower, upper)``, one per input.
        fmin: The (rounded) optimal value, used for the regret ``best - fmin``.
        function: The objective; takes a length-``d`` float array.
    """

    name: str
    bounds: tuple[tuple[float, float], ...]
    fmin: float
    function: Callable[[np.ndarray], float]

    @property
    def dim(self) -> int:
        """Number of inputs ``d``."""
        return len(self.bounds)

    @property
    def param_names(self) -> list[str]:
        """Input names ``x1 .. xd`` as given to the optimisers."""
        return [f"x{i + 1}" for i in range(self.dim)]

    def __call__(self, x: Sequence[float] | np.ndarray) -> float:
        """The objective at ``x``.

        Args:
            x: ``d`` input values, in the order of :attr:`param_names`.

        Returns:
            The function value, a Python float.

        Raises:
            ValueError: ``x`` has the wrong length, is not finite or lies outside the
                bounds (by more than 1e-9 of the range, to allow round-off).
        """
        arr = np.asarray(x, dtype=float)
        if arr.shape != (self.dim,):
            raise ValueError(
                f"Problem {self.name!r}: x must have shape ({self.dim},), got {arr.shape}"
            )
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"Problem {self.name!r}: x must be finite, got {arr.tolist()}")
        lower = np.array([b[0] for b in self.bounds])
        upper = np.array([b[1] for b in self.bounds])
        tol = 1e-9 * (upper - lower)
        if np.any(arr < lower - tol) or np.any(arr > upper + tol):
            raise ValueError(
                f"Problem {self.name!r}: x must lie in bounds {list(self.bounds)}, "
                f"got {arr.tolist()}"
            )
        return float(self.function(np.clip(arr, lower, upper)))

    def log10_regret(self, best: float) -> float:
        """``log10(best - fmin)`` (``-inf`` if ``best <= fmin``, which the fmin values exclude)."""
        gap = best - self.fmin
        return math.log10(gap) if gap > 0 else -math.inf


def branin(x: np.ndarray) -> float:
    """Branin-Hoo on ``[-5, 10] x [0, 15]``; three global minima of value 0.397887."""
    from bo.suite_adapters import load_suite

    return float(load_suite().branin(x))


def hartmann6(x: np.ndarray) -> float:
    """Hartmann6 on ``[0, 1]^6``; global minimum -3.32237 near
    ``(0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573)``."""
    from bo.suite_adapters import load_suite

    return float(load_suite().hartmann6(np.asarray(x, dtype=float))[0])


PROBLEMS: dict[str, Problem] = {
    "branin": Problem("branin", ((-5.0, 10.0), (0.0, 15.0)), 0.397887, branin),
    "hartmann6": Problem("hartmann6", ((0.0, 1.0),) * 6, -3.32237, hartmann6),
}
"""The benchmark problems by name."""

__all__ = ["PROBLEMS", "Problem", "branin", "hartmann6"]
