"""Branin metrics: the Branin function of two parameters (and its negative)."""

from __future__ import annotations

from typing import ClassVar, Optional

import numpy as np
import numpy.typing as npt

from ax.metrics.noisy_function import NoisyFunctionMetric
from ax.utils.measurement.synthetic_functions import branin


class BraninMetric(NoisyFunctionMetric):
    """The Branin function of two parameters (minimum ``0.397887``), plus optional noise.

    See :class:`~ax.metrics.noisy_function.NoisyFunctionMetric` for the arguments.

    Example:
        >>> metric = BraninMetric("branin", param_names=["x1", "x2"], lower_is_better=True)
        >>> round(metric.f(np.array([np.pi, 2.275])), 6)
        0.397887
    """

    required_dimensionality: ClassVar[Optional[int]] = 2

    def f(self, x: npt.NDArray[np.float64]) -> float:
        """``branin(x)`` for ``x`` of shape ``(2,)``."""
        return float(branin(x))


class NegativeBraninMetric(BraninMetric):
    """Minus the Branin function (maximum ``-0.397887``), for maximisation examples.

    Example:
        >>> metric = NegativeBraninMetric("neg_branin", param_names=["x1", "x2"])
        >>> metric.f(np.array([np.pi, 2.275])) < 0
        True
    """

    def f(self, x: npt.NDArray[np.float64]) -> float:
        """``-branin(x)`` for ``x`` of shape ``(2,)``."""
        return -float(branin(x))


__all__ = ["BraninMetric", "NegativeBraninMetric", "branin"]
